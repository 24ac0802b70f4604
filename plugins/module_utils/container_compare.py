# Copyright (c) dockyard.docker contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Compare what a task wants of a container with what the daemon reports, option by option.

Each compared option has a rule: ``exact`` (the container holds exactly this), ``allow_more`` (it
holds at least this) or ``ignore``. Values the image supplies (env, labels, exposed ports, volumes,
cmd) count as wanted, because the daemon adds them to every container made from that image; an
option the task does not set is not compared at all. Each difference says how it is mended:
``update`` in place, ``network`` by connecting and disconnecting, or ``recreate``.
"""

from __future__ import annotations

import re
from typing import Any, Callable

from ansible_collections.dockyard.docker.plugins.module_utils.container_spec import (
    COMPARED,
    SPECIAL_NETWORK_MODES,
    capability,
    normal_bind,
    normal_volumes_from,
)

# What `docker update` can change on a live container; everything else needs a new container.
UPDATABLE = ("restart_policy", "memory", "memory_swap", "memory_reservation", "cpus", "cpu_shares")
# The daemon adds its own default log options (daemon.json log-opts) to a container's.
DEFAULT_MODES = {"log_options": "allow_more"}
# Env values under such names are credentials more often than not; logs and diffs show a mask.
SECRET_NAME = re.compile(r"PASS|SECRET|TOKEN|KEY|CREDENTIAL|AUTH", re.IGNORECASE)
MASK = "********"


def _pairs(items: list[str] | None) -> dict[str, str]:
    return dict(item.partition("=")[::2] for item in items or [])


def _port_bindings(host_config: dict[str, Any]) -> list[tuple[str, str, str]]:
    result = set()
    for port, bindings in (host_config.get("PortBindings") or {}).items():
        for binding in bindings or [{}]:
            ip = binding.get("HostIp") or ""
            result.add((port, "" if ip in ("0.0.0.0", "::") else ip, binding.get("HostPort") or ""))
    return sorted(result)


def endpoints(container: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """network -> the aliases and static addresses the container has on it, as ``networks`` wants them."""
    result = {}
    for name, endpoint in ((container.get("NetworkSettings") or {}).get("Networks") or {}).items():
        ipam = endpoint.get("IPAMConfig") or {}
        result[name] = {
            "aliases": sorted(endpoint.get("Aliases") or []),
            "ipv4_address": ipam.get("IPv4Address") or None,
            "ipv6_address": ipam.get("IPv6Address") or None,
        }
    return result


ACTUAL: dict[str, Callable[[dict[str, Any], dict[str, Any], dict[str, Any]], Any]] = {
    # (container, Config, HostConfig) -> the value in the shape container_spec.desired gives it
    "image": lambda c, cfg, hc: c.get("Image"),
    "command": lambda c, cfg, hc: cfg.get("Cmd") or [],
    "entrypoint": lambda c, cfg, hc: cfg.get("Entrypoint") or [],
    "env": lambda c, cfg, hc: _pairs(cfg.get("Env")),
    "labels": lambda c, cfg, hc: cfg.get("Labels") or {},
    "ports": lambda c, cfg, hc: _port_bindings(hc),
    "expose": lambda c, cfg, hc: sorted(cfg.get("ExposedPorts") or {}),
    "volumes": lambda c, cfg, hc: sorted(normal_bind(b) for b in hc.get("Binds") or []),
    "anonymous_volumes": lambda c, cfg, hc: sorted(cfg.get("Volumes") or {}),
    "volumes_from": lambda c, cfg, hc: sorted(normal_volumes_from(v) for v in hc.get("VolumesFrom") or []),
    "network_mode": lambda c, cfg, hc: "bridge" if hc.get("NetworkMode") in ("default", "") else hc.get("NetworkMode"),
    "networks": lambda c, cfg, hc: endpoints(c),
    "restart_policy": lambda c, cfg, hc: {
        "Name": (hc.get("RestartPolicy") or {}).get("Name") or "no",
        "MaximumRetryCount": (hc.get("RestartPolicy") or {}).get("MaximumRetryCount") or 0,
    },
    "user": lambda c, cfg, hc: cfg.get("User") or "",
    "working_dir": lambda c, cfg, hc: cfg.get("WorkingDir") or "",
    "hostname": lambda c, cfg, hc: cfg.get("Hostname") or "",
    "healthcheck": lambda c, cfg, hc: cfg.get("Healthcheck") or {},
    "memory": lambda c, cfg, hc: hc.get("Memory") or 0,
    "memory_swap": lambda c, cfg, hc: hc.get("MemorySwap") or 0,
    "memory_reservation": lambda c, cfg, hc: hc.get("MemoryReservation") or 0,
    "cpus": lambda c, cfg, hc: hc.get("NanoCpus") or 0,
    "cpu_shares": lambda c, cfg, hc: hc.get("CpuShares") or 0,
    "log_driver": lambda c, cfg, hc: (hc.get("LogConfig") or {}).get("Type") or "",
    "log_options": lambda c, cfg, hc: (hc.get("LogConfig") or {}).get("Config") or {},
    "init": lambda c, cfg, hc: bool(hc.get("Init")),
    "privileged": lambda c, cfg, hc: bool(hc.get("Privileged")),
    "read_only": lambda c, cfg, hc: bool(hc.get("ReadonlyRootfs")),
    "cap_add": lambda c, cfg, hc: sorted({capability(x) for x in hc.get("CapAdd") or []}),
    "cap_drop": lambda c, cfg, hc: sorted({capability(x) for x in hc.get("CapDrop") or []}),
    "tmpfs": lambda c, cfg, hc: hc.get("Tmpfs") or {},
}


def actual(container: dict[str, Any]) -> dict[str, Any]:
    config, host_config = container.get("Config") or {}, container.get("HostConfig") or {}
    return {option: read(container, config, host_config) for option, read in ACTUAL.items()}


def expected(want: dict[str, Any], image: dict[str, Any]) -> dict[str, Any]:
    """``want`` with what the daemon takes from the image added (it merges these into the container)."""
    config = image.get("Config") or {}
    result = dict(want)
    result["image"] = image.get("Id")
    if "env" in want:
        result["env"] = {**_pairs(config.get("Env")), **want["env"]}
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
    return {o: comparisons.get(o) or default or DEFAULT_MODES.get(o, "exact") for o in COMPARED}


def _holds(mode: str, wanted: Any, present: Any) -> bool:
    if mode == "allow_more" and isinstance(wanted, dict):
        return all(present.get(k) == v for k, v in wanted.items())
    if mode == "allow_more" and isinstance(wanted, list):
        return set(map(repr, wanted)) <= set(map(repr, present))
    return wanted == present


def _network_mode_holds(wanted: str, present: str, networks: dict[str, Any], resolve: Callable[[str], str]) -> bool:
    if wanted in SPECIAL_NETWORK_MODES:
        return present == wanted
    if wanted.startswith("container:"):
        return present.startswith("container:") and resolve(present[10:]) == resolve(wanted[10:])
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


def differences(
    want: dict[str, Any],
    image: dict[str, Any],
    container: dict[str, Any],
    rules: dict[str, str],
    resolve: Callable[[str], str] = lambda name: name,
) -> list[dict[str, Any]]:
    """[{option, before, after, how}] for every wanted option the container does not hold."""
    wanted, present = expected(want, image), actual(container)
    found = []
    for option in COMPARED:
        mode = rules.get(option, "exact")
        if option not in wanted or mode == "ignore":
            continue
        if option == "networks":
            connect, disconnect = network_changes(wanted["networks"], present["networks"], mode)
            holds = not connect and not disconnect
            after = {e["name"]: {k: v for k, v in e.items() if k != "name"} for e in wanted["networks"]}
        elif option == "network_mode":
            holds = _network_mode_holds(wanted[option], present[option], present["networks"], resolve)
            after = wanted[option]
        elif option == "healthcheck":
            holds = all(present[option].get(k) == v for k, v in wanted[option].items())
            after = wanted[option]
        else:
            holds = _holds(mode, wanted[option], present[option])
            after = wanted[option]
        if not holds:
            how = "update" if option in UPDATABLE else "network" if option == "networks" else "recreate"
            found.append(
                {
                    "option": option,
                    "before": _shown(option, present[option]),
                    "after": _shown(option, after),
                    "how": how,
                }
            )
    return found
