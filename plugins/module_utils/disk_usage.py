# Copyright (c) dockyard.docker contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""GET /system/df, asked again when another client's work spoiled the daemon's answer."""

from __future__ import annotations

from typing import Any, Callable

from ansible_collections.dockyard.docker.plugins.module_utils.retry import again_while
from ansible_collections.dockyard.docker.plugins.module_utils.storage_races import VANISHED

# What the daemon answers when the usage it computed was spoiled, not wrong: it computes the usage once for every
# client asking at the same time, and one that gives up cancels it for all ("context canceled"); Docker 28's
# containerd image store walks every snapshot, and a temporary one (a commit's parent view) can vanish between the
# walk and its size ("snapshot ...-parent-view-... does not exist: not found"; moby reads past it since 29).
SPOILED = ("context canceled", VANISHED)


def spoiled(message: str) -> bool:
    return any(words in message for words in SPOILED)


def read_disk_usage(read: Callable[[], Any], attempts: int = 3) -> Any:
    """``read()`` (the caller's GET /system/df), asked again up to ``attempts`` times while its error is spoiled."""
    return again_while(read, spoiled, attempts)
