# Copyright (c) dockyard.docker contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""GET /system/df, asked again when another client's work spoiled the daemon's answer."""

from __future__ import annotations

import time
from typing import Any, Callable

# What the daemon answers when the usage it computed was spoiled, not wrong: it computes the usage once for every
# client asking at the same time, and one that gives up cancels it for all ("context canceled"); Docker 28's
# containerd image store walks every snapshot, and a temporary one (a commit's parent view) can vanish between the
# walk and its size ("snapshot ...-parent-view-... does not exist: not found"; moby reads past it since 29).
SPOILED = ("context canceled", "does not exist: not found")


def spoiled(message: str) -> bool:
    return any(words in message for words in SPOILED)


def read_disk_usage(read: Callable[[], Any], attempts: int = 3) -> Any:
    """``read()`` (the caller's GET /system/df), asked again up to ``attempts`` times while its error is spoiled."""
    for attempt in range(1, attempts + 1):
        try:
            return read()
        except Exception as exc:
            if attempt == attempts or not spoiled(str(exc)):
                raise
            time.sleep(0.5 * attempt)
    raise AssertionError("unreachable")  # pragma: no cover
