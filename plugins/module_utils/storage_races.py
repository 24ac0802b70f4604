# Copyright (c) dockyard.docker contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What Docker 28's containerd image store answers when another client's work (a commit, a prune, containerd's
garbage collection) removed a snapshot or lease a request was using: the request was sound, and asking again
succeeds. Seen in GET /system/df ("snapshot ...-parent-view-... does not exist: not found") and in a build step
("failed to prepare snapshot: NotFound: lease does not exist: not found") while other builds and prunes ran."""

from __future__ import annotations

import time
from typing import Callable, TypeVar

VANISHED = "does not exist: not found"
T = TypeVar("T")


def vanished(message: str) -> bool:
    return VANISHED in message


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


def again_while_vanished(work: Callable[[], T], attempts: int = 3) -> T:
    """``work()``, done again while it fails because something vanished under it."""
    return again_while(work, vanished, attempts)
