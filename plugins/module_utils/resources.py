# Copyright (c) dockyard.docker contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the network and volume modules share: a named object that cannot change in place.

Either it exists with the options the task sets, or it has to be created, recreated or removed.
``found`` maps each differing option to (before, after).
"""

from __future__ import annotations

from typing import Any, Callable

from ansible_collections.dockyard.docker.plugins.module_utils.client import NotFound


def inspected(lookup: Callable[[str], dict[str, Any]], name: str) -> dict[str, Any] | None:
    try:
        return lookup(name)
    except NotFound:
        return None


def needed_action(state: str, current: dict[str, Any] | None, found: dict[str, Any]) -> str | None:
    """created, recreated, removed, or None when the object is as the task says."""
    if state == "absent":
        return "removed" if current else None
    if current is None:
        return "created"
    return "recreated" if found else None


def diff(found: dict[str, tuple[Any, Any]], actions: list[str]) -> dict[str, dict[str, Any]]:
    """Diff-mode before/after: whether the object exists, or the options that differ."""
    if actions and actions[0] in ("created", "removed"):
        return {"before": {"exists": actions[0] == "removed"}, "after": {"exists": actions[0] == "created"}}
    return {"before": {o: b for o, (b, _a) in found.items()}, "after": {o: a for o, (_b, a) in found.items()}}
