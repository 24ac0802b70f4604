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


def as_differences(found: dict[str, tuple[Any, Any]], how: str = "recreate") -> list[dict[str, Any]]:
    """The shape every module reports differences in: [{option, before, after, how}] (how it is mended:
    recreate, or for containers also update and network)."""
    return [{"option": o, "before": b, "after": a, "how": how} for o, (b, a) in sorted(found.items())]


def diff_mode(found: list[dict[str, Any]], existed: bool, exists: bool) -> dict[str, dict[str, Any]]:
    """Diff-mode before/after from differences in the shape ``as_differences`` gives: the options that
    differ, and whether the object exists when that changes."""
    before = {d["option"]: d["before"] for d in found}
    after = {d["option"]: d["after"] for d in found}
    if existed != exists:
        before["exists"], after["exists"] = existed, exists
    return {"before": before, "after": after}


def diff(found: dict[str, tuple[Any, Any]], actions: list[str]) -> dict[str, dict[str, Any]]:
    """Diff mode for an object that is created, recreated or removed as a whole (networks, volumes)."""
    action = actions[0] if actions else None
    if action in ("created", "removed"):
        return diff_mode([], action == "removed", action == "created")
    return diff_mode(as_differences(found), True, True)
