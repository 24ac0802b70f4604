# Copyright (c) dockyard.docker contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A request the daemon refused for a passing reason (see storage_races, and container_apply's chosen ports),
made again."""

from __future__ import annotations

import time
from typing import Callable, TypeVar

T = TypeVar("T")


def again_while(work: Callable[[], T], transient: Callable[[str], bool], attempts: int = 3) -> T:
    """``work()``, done again (up to ``attempts`` times in all, with a growing pause) while its error is
    ``transient``."""
    for attempt in range(1, attempts + 1):
        try:
            return work()
        except Exception as exc:
            if attempt == attempts or not transient(str(exc)):
                raise
            time.sleep(0.5 * attempt)
    raise AssertionError("unreachable")  # pragma: no cover
