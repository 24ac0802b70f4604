# Copyright (c) dockyard.docker contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Compare what a task wants of a container with what the daemon reports, option by option.

Each compared option (``container_spec.OPTIONS``) has a rule: ``exact`` (the container holds exactly
this), ``allow_more`` (it holds at least this) or ``ignore``. Values the image supplies (env, labels,
exposed ports, volumes, cmd) count as wanted, because the daemon adds them to every container made
from that image; an option the task does not set is not compared at all. Each difference says how it is mended:
``update`` in place, ``network`` by connecting and disconnecting, or ``recreate``.
"""

from __future__ import annotations

import re
from typing import Any, Callable

from ansible_collections.dockyard.docker.plugins.module_utils.container_spec import (
    BY_NAME,
    NAMESPACE_MODES,
    OPTIONS,
    SPECIAL_NETWORK_MODES,
    env_pairs,
)

# Env values under such names are credentials more often than not; logs and diffs show a mask.
SECRET_NAME = re.compile(r"PASS|SECRET|TOKEN|KEY|CREDENTIAL|AUTH", re.IGNORECASE)
MASK = "********"


def actual(container: dict[str, Any]) -> dict[str, Any]:
    """Every compared option as the container holds it, in the shape ``desired`` gives."""
    return {option.name: option.held(container) for option in OPTIONS}


def expected(want: dict[str, Any], image: dict[str, Any]) -> dict[str, Any]:
    """``want`` with what the daemon takes from the image added (it merges these into the container)."""
    config = image.get("Config") or {}
    result = dict(want)
    result["image"] = image.get("Id")
    if "env" in want:
        result["env"] = {**env_pairs(config.get("Env")), **want["env"]}
    if "labels" in want:
        result["labels"] = {**(config.get("Labels") or {}), **want["labels"]}
    if "expose" in want:
        published = {port for port, _ip, _host in want.get("ports") or []}
        result["expose"] = sorted(set(config.get("ExposedPorts") or {}) | set(want["expose"]) | published)
    if "anonymous_volumes" in want:
        result["anonymous_volumes"] = sorted(set(config.get("Volumes") or {}) | set(want["anonymous_volumes"]))
    return result


def modes(comparisons: dict[str, str] | None) -> dict[str, str]:
    comparisons = comparisons or {}
    default = comparisons.get("*")
    return {o.name: comparisons.get(o.name) or default or o.mode for o in OPTIONS}


def _holds(mode: str, wanted: Any, present: Any) -> bool:
    if mode == "allow_more" and isinstance(wanted, dict):
        return all(present.get(k) == v for k, v in wanted.items())
    if mode == "allow_more" and isinstance(wanted, list):
        return set(map(repr, wanted)) <= set(map(repr, present))
    return wanted == present


def _joins_same_container(wanted: str, present: str, resolve: Callable[[str], str]) -> bool:
    """``container:NAME`` modes: the daemon keeps the ID of the container named, the task may give a name."""
    return present.startswith("container:") and resolve(present[10:]) == resolve(wanted[10:])


def _network_mode_holds(wanted: str, present: str, networks: dict[str, Any], resolve: Callable[[str], str]) -> bool:
    if wanted in SPECIAL_NETWORK_MODES:
        return present == wanted
    if wanted.startswith("container:"):
        return _joins_same_container(wanted, present, resolve)
    # bridge or a named network: the container is on it (joining more networks is the networks option's business)
    return present not in SPECIAL_NETWORK_MODES and not present.startswith("container:") and wanted in networks


def network_changes(wanted: list[dict[str, Any]], present: dict[str, Any], mode: str) -> tuple[list, list]:
    """(endpoints to connect, names to disconnect); a changed endpoint is in both."""
    connect, disconnect = [], []
    for endpoint in wanted:
        current = present.get(endpoint["name"])
        if current is None:
            connect.append(endpoint)
            continue
        same_addresses = all(current.get(o) == endpoint.get(o) for o in ("ipv4_address", "ipv6_address"))
        if not same_addresses or not set(endpoint["aliases"]) <= set(current["aliases"]):
            connect.append(endpoint)
            disconnect.append(endpoint["name"])
    if mode == "exact":
        names = {e["name"] for e in wanted}
        disconnect.extend(sorted(n for n in present if n not in names))
    return connect, disconnect


def _shown(option: str, value: Any) -> Any:
    """A value as differences and diff mode show it: readable ports, secret-looking env values masked."""
    if option == "ports":
        return [f"{ip}:{host}:{port}" if ip or host else port for port, ip, host in value]
    if option == "env":
        return {k: MASK if SECRET_NAME.search(k) else v for k, v in value.items()}
    return value


class Comparison:
    """What a container lacks of a spec: ``differences`` ([{option, before, after, how}], how it is mended:
    ``update`` in place, ``network`` by connecting and disconnecting, or ``recreate``), and the network
    endpoints to ``connect`` and names to ``disconnect`` for the ``network`` ones."""

    def __init__(self) -> None:
        self.differences: list[dict[str, Any]] = []
        self.connect: list[dict[str, Any]] = []
        self.disconnect: list[str] = []

    def add(self, option: str, before: Any, after: Any) -> None:
        how = "update" if BY_NAME[option].update else "network" if option == "networks" else "recreate"
        self.differences.append({"option": option, "before": _shown(option, before), "after": _shown(option, after),
                                 "how": how})  # fmt: skip


def compare(
    want: dict[str, Any],
    image: dict[str, Any],
    container: dict[str, Any],
    rules: dict[str, str],
    resolve: Callable[[str], str] = lambda name: name,
) -> Comparison:
    """Every wanted option the container does not hold, by the option's rule."""
    wanted, present = expected(want, image), actual(container)
    found = Comparison()
    for option in OPTIONS:
        name, mode = option.name, rules.get(option.name, "exact")
        if name not in wanted or mode == "ignore":
            continue
        if name == "networks":
            found.connect, found.disconnect = network_changes(wanted[name], present[name], mode)
            if found.connect or found.disconnect:
                found.add(name, present[name], {e["name"]: {k: v for k, v in e.items() if k != "name"}
                                                for e in wanted[name]})  # fmt: skip
            continue
        if name == "network_mode":
            holds = _network_mode_holds(wanted[name], present[name], present["networks"], resolve)
        elif name in NAMESPACE_MODES and wanted[name].startswith("container:"):
            holds = _joins_same_container(wanted[name], present[name], resolve)
        elif name == "healthcheck":
            holds = all(present[name].get(k) == v for k, v in wanted[name].items())
        else:
            holds = _holds(mode, wanted[name], present[name])
        if not holds:
            found.add(name, present[name], wanted[name])
    return found
