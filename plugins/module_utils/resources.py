# Copyright (c) dockyard.docker contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Networks and volumes: named objects that cannot change in place, compared and created here for the
network, volume and compose modules alike.

Either it exists with the options the task sets, or it has to be created, recreated or removed.
A wanted network or volume is a dict of the options set, in the shape the daemon reports them (options
left out are not compared); ``found`` maps each differing option to (before, after).
"""

from __future__ import annotations

from typing import Any, Callable

from ansible_collections.dockyard.docker.plugins.module_utils.client import NotFound


def inspected(lookup: Callable[[str], dict[str, Any]], name: str) -> dict[str, Any] | None:
    try:
        return lookup(name)
    except NotFound:
        return None


# An address pool's option -> the daemon's key.
IPAM_KEYS = (("subnet", "Subnet"), ("gateway", "Gateway"), ("ip_range", "IPRange"))
# Network option -> the daemon's inspect key, for the yes/no ones.
NETWORK_FLAGS = (("internal", "Internal"), ("attachable", "Attachable"), ("enable_ipv6", "EnableIPv6"))


def network_present(network: dict) -> dict:
    """A network as the daemon reports it, in the wanted shape."""
    return {
        "driver": network.get("Driver"),
        "driver_options": network.get("Options") or {},
        "labels": network.get("Labels") or {},
        "ipam_config": [dict(pool) for pool in (network.get("IPAM") or {}).get("Config") or []],
        **{option: bool(network.get(key)) for option, key in NETWORK_FLAGS},
    }


def network_differences(want: dict, network: dict) -> dict[str, tuple[Any, Any]]:
    """option -> (before, after) for each wanted option the network does not hold."""
    have = network_present(network)
    found = {}
    for option, value in want.items():
        if option == "ipam_config":
            # each wanted pool must be one of the network's, on the keys the task gives
            holds = len(value) == len(have[option]) and all(
                any(all(pool.get(k) == v for k, v in w.items()) for pool in have[option]) for w in value
            )
        else:
            holds = have[option] == value
        if not holds:
            found[option] = (have[option], value)
    return found


def create_network(client, name: str, want: dict, ipam_driver: str = "default") -> dict:
    """Creates the wanted network; its inspect."""
    pools = want.get("ipam_config")
    created = client.create_network(
        name,
        driver=want.get("driver") or "bridge",
        options=want.get("driver_options") or None,
        ipam={"Driver": ipam_driver, "Config": pools} if pools else None,
        internal=bool(want.get("internal")),
        labels=want.get("labels") or None,
        enable_ipv6=bool(want.get("enable_ipv6")),
        attachable=want.get("attachable"),
        check_duplicate=True,
    )
    return client.inspect_network(created["Id"])


def volume_differences(want: dict, volume: dict) -> dict[str, tuple[Any, Any]]:
    """option -> (before, after) for each wanted option the volume does not hold."""
    have = {
        "driver": volume.get("Driver"),
        "driver_options": volume.get("Options") or {},
        "labels": volume.get("Labels") or {},
    }
    return {o: (have[o], v) for o, v in want.items() if have[o] != v}


def create_volume(client, name: str, want: dict) -> dict:
    """Creates the wanted volume; its inspect."""
    return client.create_volume(
        name,
        driver=want.get("driver") or "local",
        driver_opts=want.get("driver_options") or None,
        labels=want.get("labels") or None,
    )


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
