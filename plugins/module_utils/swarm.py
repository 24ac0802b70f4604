# Copyright (c) dockyard.docker contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the swarm modules and the swarm role share: a node's and a cluster's state read from the engine's
answers, the quorum arithmetic, and the cluster settings, each declared once with the Spec field it sets.

Nothing here talks to the daemon or imports the SDK: the modules read, these functions judge.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Callable, Optional

from ansible_collections.dockyard.docker.plugins.module_utils.values import (
    SpecError,
    duration_ns,
    string_dict,
    whole_number,
)

# The ports swarm nodes use between them; the role and host_check name them when a node cannot reach another.
SWARM_PORTS = "2377/tcp (managers), 7946/tcp+udp (gossip) and 4789/udp (overlay traffic)"


def fault_tolerance(managers: int) -> int:
    """How many managers may fail while the rest keep a majority (raft's quorum)."""
    return max(0, (managers - 1) // 2)


def quorum(managers: int) -> int:
    return managers // 2 + 1


def managers_phrase(managers: int) -> str:
    tolerated = fault_tolerance(managers)
    plural = "s" if tolerated != 1 else ""
    return f"{managers} manager{'s' if managers != 1 else ''} (tolerating {tolerated} failure{plural})"


def local_state(info: dict[str, Any]) -> dict[str, Any]:
    """The engine's own view of its swarm membership, from ``GET /info``'s Swarm section.

    ``state`` is the engine's word: inactive, pending, active, error or locked."""
    swarm = info.get("Swarm") or {}
    cluster = swarm.get("Cluster") or {}
    return {
        "state": swarm.get("LocalNodeState") or "inactive",
        "node_id": swarm.get("NodeID") or None,
        "node_address": swarm.get("NodeAddr") or None,
        "manager": bool(swarm.get("ControlAvailable")),
        "cluster_id": cluster.get("ID") or None,
        "managers": swarm.get("Managers"),
        "nodes": swarm.get("Nodes"),
        "manager_addresses": sorted(m["Addr"] for m in swarm.get("RemoteManagers") or [] if m.get("Addr")),
        "error": swarm.get("Error") or None,
    }


def engine_settings(info: dict[str, Any]) -> dict[str, Any]:
    """The engine settings a swarm depends on."""
    return {
        "live_restore": bool(info.get("LiveRestoreEnabled")),
        # Docker 28 reports it; older engines only had iptables.
        "firewall_backend": (info.get("FirewallBackend") or {}).get("Driver") or "iptables",
        "version": info.get("ServerVersion"),
        "hostname": info.get("Name"),
    }


def refused_in_swarm_mode(settings: dict[str, Any]) -> list[str]:
    """The daemon.json keys, among ``settings``, with values swarm mode refuses: a swarm node's engine does not even
    start with them ("--live-restore daemon configuration is incompatible with swarm mode")."""
    found = []
    if settings.get("live-restore") is True:
        found.append("live-restore")
    if settings.get("firewall-backend") == "nftables":
        found.append("firewall-backend")
    return found


SWARM_REFUSES = {
    "live-restore": "runs with live-restore, which swarm mode refuses; set docker_live_restore: false (engine role)",
    "firewall-backend": "uses the nftables firewall backend, which Docker does not support in swarm mode; use "
    "docker_daemon_options: {firewall-backend: iptables} (engine role)",
}


def engine_problems(settings: dict[str, Any], where: str) -> list[str]:
    """Why this engine cannot be a swarm node as it is set up (``settings`` from ``engine_settings``)."""
    keys = refused_in_swarm_mode(
        {"live-restore": settings.get("live_restore"), "firewall-backend": settings.get("firewall_backend")}
    )
    return [f"{where}: the engine {SWARM_REFUSES[key]}" for key in keys]


def node_summary(node: dict[str, Any]) -> dict[str, Any]:
    """One node of ``GET /nodes``, as the modules report it."""
    spec = node.get("Spec") or {}
    status = node.get("Status") or {}
    manager = node.get("ManagerStatus")
    return {
        "id": node.get("ID"),
        "hostname": (node.get("Description") or {}).get("Hostname"),
        "role": spec.get("Role"),
        "availability": spec.get("Availability"),
        "labels": spec.get("Labels") or {},
        "state": status.get("State"),
        "address": status.get("Addr"),
        "leader": bool(manager and manager.get("Leader")),
        "reachability": manager.get("Reachability") if manager else None,
        "manager_address": manager.get("Addr") if manager else None,
        "engine_version": ((node.get("Description") or {}).get("Engine") or {}).get("EngineVersion"),
    }


def cluster_health(nodes: list[dict[str, Any]]) -> dict[str, Any]:
    """Managers, the reachable ones, the leader and how many failures the managers tolerate, from node summaries."""
    managers = [n for n in nodes if n["role"] == "manager"]
    reachable = [n for n in managers if n["reachability"] == "reachable"]
    leader = next((n["hostname"] for n in managers if n["leader"]), None)
    return {
        "managers": len(managers),
        "reachable_managers": len(reachable),
        "fault_tolerance": fault_tolerance(len(managers)),
        "has_quorum": len(reachable) >= quorum(len(managers)) if managers else False,
        "leader": leader,
        "workers": len(nodes) - len(managers),
    }


def find_node(nodes: list[dict[str, Any]], name: str) -> Optional[dict[str, Any]]:
    """The node ``name`` names, by ID (or its unique prefix) or by hostname; SpecError when it is ambiguous."""
    exact = [n for n in nodes if n["id"] == name]
    if exact:
        return exact[0]
    by_name = [n for n in nodes if n["hostname"] == name] or [n for n in nodes if n["id"].startswith(name)]
    if len(by_name) > 1:
        raise SpecError(
            f"node: {name!r} names {len(by_name)} nodes ({', '.join(n['id'] for n in by_name)}); give the node ID"
        )
    return by_name[0] if by_name else None


@dataclass(frozen=True)
class Setting:
    """One cluster setting: the module option, where it sits in the swarm Spec, how the value is read, and the
    option's type in the swarm module's argument spec."""

    option: str
    path: tuple[str, ...]
    read: Callable[[Any, str], Any]
    arg_type: str


FLAG_WORDS = {"true": True, "yes": True, "on": True, "1": True, "false": False, "no": False, "off": False, "0": False}


def flag(value: Any, option: str) -> bool:
    """A yes/no value; the words Ansible takes for one, since ``-e name=true`` gives a string."""
    if isinstance(value, bool):
        return value
    if str(value).strip().lower() in FLAG_WORDS:
        return FLAG_WORDS[str(value).strip().lower()]
    raise SpecError(f"{option}: {value!r} is not true or false")


SETTINGS = (
    Setting("autolock", ("EncryptionConfig", "AutoLockManagers"), flag, "bool"),
    Setting("task_history_limit", ("Orchestration", "TaskHistoryRetentionLimit"), whole_number, "int"),
    Setting("snapshot_interval", ("Raft", "SnapshotInterval"), whole_number, "int"),
    Setting("keep_old_snapshots", ("Raft", "KeepOldSnapshots"), whole_number, "int"),
    Setting("log_entries_for_slow_followers", ("Raft", "LogEntriesForSlowFollowers"), whole_number, "int"),
    Setting("election_tick", ("Raft", "ElectionTick"), whole_number, "int"),
    Setting("heartbeat_tick", ("Raft", "HeartbeatTick"), whole_number, "int"),
    Setting("dispatcher_heartbeat", ("Dispatcher", "HeartbeatPeriod"), duration_ns, "str"),
    Setting("node_cert_expiry", ("CAConfig", "NodeCertExpiry"), duration_ns, "str"),
    Setting("labels", ("Labels",), string_dict, "dict"),
)
# The settings as the swarm module's options.
SETTING_ARGS = {s.option: {"type": s.arg_type} for s in SETTINGS}


def read_settings(values: dict[str, Any], prefix: str = "") -> tuple[dict[str, Any], list[str]]:
    """The cluster settings ``values`` sets (``<prefix><option>``; None or "" is not set), read, and what is wrong
    with them, each problem naming ``<prefix><option>``: the module's option, or the role's variable."""
    wanted, problems = {}, []
    for setting in SETTINGS:
        value = values.get(prefix + setting.option)
        if value is None or value == "":
            continue
        try:
            wanted[setting.option] = setting.read(value, prefix + setting.option)
        except SpecError as exc:
            problems.append(str(exc))
    election, heartbeat = wanted.get("election_tick"), wanted.get("heartbeat_tick")
    if election is not None and heartbeat is not None and election <= heartbeat:
        problems.append(
            f"{prefix}election_tick: {election} must be greater than {prefix}heartbeat_tick ({heartbeat}), or no "
            "leader is ever elected"
        )
    return wanted, problems


def wanted_settings(params: dict[str, Any]) -> dict[str, Any]:
    """The cluster settings the task sets, read; SpecError names each bad one."""
    wanted, problems = read_settings(params)
    if problems:
        raise SpecError("; ".join(problems))
    return wanted


def spec_value(spec: dict[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = spec
    for key in path:
        value = (value or {}).get(key)
    return value


def settings_differences(spec: dict[str, Any], wanted: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """option -> (now, wanted) for each setting the cluster holds otherwise. A missing flag is false, missing
    labels are none."""
    found = {}
    for setting in SETTINGS:
        if setting.option not in wanted:
            continue
        now = spec_value(spec, setting.path)
        if now is None:
            now = {} if setting.option == "labels" else False if setting.option == "autolock" else None
        if now != wanted[setting.option]:
            found[setting.option] = (now, wanted[setting.option])
    return found


def updated_spec(spec: dict[str, Any], wanted: dict[str, Any]) -> dict[str, Any]:
    """The cluster's Spec with the wanted settings in; everything else as it was (a Spec update replaces all)."""
    result = {key: dict(value) if isinstance(value, dict) else value for key, value in spec.items()}
    for setting in SETTINGS:
        if setting.option not in wanted:
            continue
        *parents, last = setting.path
        holder = result
        for key in parents:
            holder[key] = dict(holder.get(key) or {})
            holder = holder[key]
        holder[last] = wanted[setting.option]
    return result


def node_spec_differences(
    node: dict[str, Any],
    role: Optional[str],
    availability: Optional[str],
    labels: Optional[dict[str, str]],
    labels_exclusive: bool,
) -> dict[str, tuple[Any, Any]]:
    """What of a node's role, availability and labels differs from the task; labels not named are kept unless
    ``labels_exclusive``."""
    found: dict[str, tuple[Any, Any]] = {}
    if role and node["role"] != role:
        found["role"] = (node["role"], role)
    if availability and node["availability"] != availability:
        found["availability"] = (node["availability"], availability)
    if labels is not None:
        after = dict(labels) if labels_exclusive else {**node["labels"], **labels}
        if after != node["labels"]:
            found["labels"] = (node["labels"], after)
    return found


def ip_vs_available(release: str) -> bool:
    """Whether the kernel has IPVS, which swarm's virtual IPs and ingress routing mesh run on: loaded, or a module
    the engine can load."""
    if os.path.isdir("/sys/module/ip_vs"):
        return True
    for listing in ("modules.dep", "modules.builtin"):
        try:
            with open(f"/lib/modules/{release}/{listing}", encoding="utf-8") as handle:
                if any("/ip_vs.ko" in line.split(":", 1)[0] for line in handle):
                    return True
        except OSError:
            continue
    return False


def dynamic_address(address: str | None, interfaces: list[dict[str, Any]]) -> bool:
    """Whether ``address`` is one a DHCP lease gave (``ip -j addr``'s ``dynamic``): it may change under the swarm."""
    return any(a.get("local") == address and a.get("dynamic") for i in interfaces for a in i.get("addr_info") or [])


def membership_findings(info: dict[str, Any], ip_vs: bool, dynamic: bool) -> list[tuple[str, str, str, str]]:
    """The swarm pitfalls of this engine, as (id, severity, seen, fix)."""
    local = local_state(info)
    if local["state"] == "inactive":
        return []
    found = []
    if local["state"] == "locked":
        found.append(("swarm.locked", "error", "the swarm is locked (autolock) since the engine restarted: this "
                      "manager takes no part until unlocked", "run the swarm role with swarm_unlock_key, or "
                      "docker swarm unlock"))  # fmt: skip
    for problem in engine_problems(engine_settings(info), "this engine"):
        found.append(("swarm.engine_setting", "error", problem, "the engine role's settings, then restart the engine"))
    if not ip_vs:
        found.append(("swarm.no_ip_vs", "warning", "the kernel has no IPVS (ip_vs): services' virtual IPs and the "
                      "ingress routing mesh carry no traffic", "load ip_vs (modprobe ip_vs, and list it in "
                      "/etc/modules-load.d), or publish with endpoint_mode: dnsrr and mode: host ports"))  # fmt: skip
    managers = local["managers"] or 0
    if local["manager"] and managers % 2 == 0:
        found.append(("swarm.even_managers", "warning", f"{managers_phrase(managers)}: an even number tolerates no "
                      "more failures than one fewer", "keep an odd number of hosts in swarm_managers"))  # fmt: skip
    if local["manager"] and dynamic:
        found.append(("swarm.dynamic_address", "warning", f"this manager's address {local['node_address']} is a DHCP "
                      "lease: if it changes, the other nodes lose the manager", "give the host a static address, "
                      "or a reserved lease, and set swarm_advertise_addr to it"))  # fmt: skip
    return found
