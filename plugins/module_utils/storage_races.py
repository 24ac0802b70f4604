# Copyright (c) dockyard.docker contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What Docker 28's containerd image store answers when another client's work (a commit, a prune, containerd's
garbage collection) removed a snapshot or lease a request was using: the request was sound, and asking again
succeeds. Seen in GET /system/df ("snapshot ...-parent-view-... does not exist: not found") and in a build step
("failed to prepare snapshot: NotFound: lease does not exist: not found") while other builds and prunes ran."""

from __future__ import annotations

from typing import Callable, TypeVar

from ansible_collections.dockyard.docker.plugins.module_utils.retry import again_while

VANISHED = "does not exist: not found"
T = TypeVar("T")


def vanished(message: str) -> bool:
    return VANISHED in message


def again_while_vanished(work: Callable[[], T], attempts: int = 3) -> T:
    """``work()``, done again while it fails because something vanished under it."""
    return again_while(work, vanished, attempts)
