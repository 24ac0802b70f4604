# Copyright (c) dockyard.docker contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The swarm role's plan: from what each host of the play reports (``swarm_info``) and what the inventory wants
(groups and host variables), which host makes the swarm, which join and as what, which are promoted, demoted,
drained and taken out, and in what order, computed once, before anything changes, with every refusal named.

The order keeps the managers' majority: managers are added before any is taken away, and each step that takes
one away is checked against the managers reachable at that point.
"""

from __future__ import annotations

from typing import Any

from ansible_collections.dockyard.docker.plugins.module_utils.swarm import (
    engine_problems,
    fault_tolerance,
    flag,
    managers_phrase,
    quorum,
    read_settings,
)
from ansible_collections.dockyard.docker.plugins.module_utils.values import SpecError

AVAILABILITIES = ("active", "pause", "drain")
STATES = ("present", "absent")


def _host_problems(name: str, wanted: dict[str, Any]) -> list[str]:
    problems = []
    if wanted.get("state") not in STATES:
        problems.append(f"{name}: swarm_state: {wanted.get('state')!r} is not one of {', '.join(STATES)}")
    if wanted.get("availability") not in AVAILABILITIES:
        problems.append(
            f"{name}: swarm_node_availability: {wanted.get('availability')!r} is not one of {', '.join(AVAILABILITIES)}"
        )
    labels = wanted.get("labels")
    if not isinstance(labels, dict):
        problems.append(f"{name}: swarm_node_labels: {labels!r} is not a mapping of label names to values")
    elif any(v is None or isinstance(v, (dict, list)) for v in labels.values()):
        problems.append(f"{name}: swarm_node_labels: every label needs a plain value ({labels!r})")
    if wanted.get("role") == "both":
        problems.append(f"{name}: in both swarm_managers and swarm_workers; a node is one or the other")
    return problems


def settings_problems(settings: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any], list[str]]:
    """The cluster settings the role variables set (``swarm_<option>``): by the swarm module's option names as the
    user wrote them (the module reads them again, the same way), as read, and what is wrong with them."""
    read, problems = read_settings(settings, "swarm_")
    return {option: settings[f"swarm_{option}"] for option in read}, read, problems


def _manager_steps(managers: dict[str, bool], adds: list[str], removes: list[str], names: dict[str, str]) -> list[str]:
    """Walk the manager changes in the role's order; why a step would cost the majority, if one would.

    ``managers``: node -> reachable now. Added managers are reachable once they joined. ``names``: node -> host name."""
    now = dict(managers)
    for node in adds:
        now[node] = True
    for node in removes:
        reachable_after = sum(now.values()) - now.pop(node)
        if not now:
            return [f"taking {names.get(node, node)} out would leave the swarm without a manager"]
        if reachable_after < quorum(len(now)):
            return [
                f"taking {names.get(node, node)} out of the managers would leave {len(now)}, of which "
                f"{reachable_after} reachable: fewer than the {quorum(len(now))} a majority needs"
            ]
    return []


def _membership_problems(hosts: dict[str, dict[str, Any]]) -> list[str]:
    problems: list[str] = []
    for name in sorted(hosts):
        problems += _host_problems(name, hosts[name]["wanted"])
        if hosts[name]["wanted"].get("state") == "present":
            problems += engine_problems(hosts[name]["engine"], name)
        local = hosts[name]["swarm"]
        if local["state"] in ("error", "pending"):
            why = local.get("error") or "no reason given"
            problems.append(f"{name}: its swarm membership is {local['state']}: {why}")
    return problems


def _cluster(hosts: dict[str, dict[str, Any]], managers_wanted: list[str]) -> dict[str, Any]:
    """The swarm the play's managers are in: the host that acts for it (a leader that stays a manager, if one
    does), its node list, or the host that makes it when there is none yet."""
    active = [n for n in hosts if hosts[n]["swarm"]["state"] == "active" and hosts[n]["swarm"]["manager"]]
    clusters = sorted({hosts[n]["swarm"]["cluster_id"] for n in active})
    found: dict[str, Any] = {"clusters": clusters, "acting": None, "init_host": None, "nodes": [], "problems": []}
    if len(clusters) > 1:
        by_cluster = (f"{c}: {', '.join(n for n in active if hosts[n]['swarm']['cluster_id'] == c)}" for c in clusters)
        found["problems"].append(f"the managers are in different swarms: {'; '.join(by_cluster)}")
    if active:
        staying = [n for n in active if n in managers_wanted]

        def leads(name: str) -> bool:
            return any(x["leader"] and x["id"] == hosts[name]["swarm"]["node_id"] for x in hosts[name]["nodes"])

        found["acting"] = ([n for n in staying if leads(n)] or staying or active)[0]
        found["nodes"] = hosts[found["acting"]]["nodes"]
    elif managers_wanted:
        found["init_host"] = found["acting"] = managers_wanted[0]
    return found


def _foreign_problem(name: str, local: dict[str, Any], clusters: list[str]) -> list[str]:
    managers = ", ".join(local["manager_addresses"]) or "unknown"
    if clusters:
        return [f"{name}: in another swarm (managers {managers}), not the one swarm_managers keep; make it leave first"]
    return [
        f"{name}: in a swarm (managers {managers}) no host of swarm_managers in the play manages; make it leave "
        "first, or add its managers to the play"
    ]


def _membership(hosts: dict[str, dict[str, Any]], cluster: dict[str, Any]) -> dict[str, Any]:
    """Which hosts join (as what), are promoted, demoted or leave; each host's node ID in the swarm."""
    node_ids = {x["id"]: x for x in cluster["nodes"]}
    plan: dict[str, Any] = {"joins": {"manager": [], "worker": []}, "promotions": [], "demotions": [], "leaving": []}
    plan["node_ids"], plan["problems"] = {}, []
    for name in sorted(hosts):
        local, wanted = hosts[name]["swarm"], hosts[name]["wanted"]
        member = local["state"] == "active" and local["node_id"] in node_ids
        plan["node_ids"][name] = local["node_id"] if member else None
        if local["state"] == "active" and not member:
            plan["problems"] += _foreign_problem(name, local, cluster["clusters"])
        if wanted.get("state") == "absent":
            if member:
                plan["leaving"].append(name)
        elif name != cluster["init_host"] and not member and local["state"] == "inactive":
            plan["joins"]["manager" if wanted.get("role") == "manager" else "worker"].append(name)
        elif member and node_ids[local["node_id"]]["role"] != wanted.get("role"):
            plan["promotions" if wanted.get("role") == "manager" else "demotions"].append(name)
    return plan


def _lost_majority(nodes: list[dict[str, Any]]) -> list[str]:
    managers = [x["reachability"] == "reachable" for x in nodes if x["role"] == "manager"]
    if not managers or sum(managers) >= quorum(len(managers)):
        return []
    return [
        f"the swarm has lost its managers' majority ({sum(managers)} of {len(managers)} reachable): no node can join, "
        "change role or be taken out until the unreachable managers are back (or the swarm is recovered with "
        "docker swarm init --force-new-cluster)"
    ]


def _quorum_problems(nodes: list[dict[str, Any]], adds: list[str], takes: list[str]) -> list[str]:
    managers_now = {x["id"]: x["reachability"] == "reachable" for x in nodes if x["role"] == "manager"}
    before, after = len(managers_now), len(managers_now) + len(adds) - len(takes)
    problems = _manager_steps(managers_now, adds, takes, {x["id"]: x["hostname"] for x in nodes})
    if after % 2 == 0:
        problems.append(
            f"the change would leave {managers_phrase(after)}, now {managers_phrase(before)}: an even number "
            "tolerates no more failures than one fewer; keep an odd number of hosts in swarm_managers"
        )
    return problems


def _unlock_key_problems(settings: dict[str, Any], autolock: bool | None, acting: dict[str, Any]) -> list[str]:
    """A new unlock key needs a place to be kept: only the controller file can take one."""
    autolock_now = bool((acting.get("settings") or {}).get("autolock"))
    try:
        rotate = flag(settings.get("swarm_rotate_unlock_key") or False, "swarm_rotate_unlock_key")
    except SpecError as exc:
        return [str(exc)]
    if autolock and not autolock_now:
        why = "swarm_autolock: true makes an unlock key"
    elif rotate:
        why = "swarm_rotate_unlock_key: true makes a new unlock key"
    else:
        return []
    if settings.get("swarm_unlock_key_file"):
        return []
    return [f"{why}, and without it a restarted manager stays locked: set swarm_unlock_key_file, the file on the "
            "controller the role keeps it in (mode 0600; encrypt it with ansible-vault)"]  # fmt: skip


def summary(plan: dict[str, Any], init_host: str | None, before: int, after: int, stale: list[dict[str, Any]],
            remove_down: bool) -> str:  # fmt: skip
    """What the run will do, as the role says it."""
    parts = [f"{managers_phrase(before)} -> {managers_phrase(after)}."]
    lists = [("Makes the swarm", [init_host] if init_host else []), ("Joining as managers", plan["joins"]["manager"]),
             ("Joining as workers", plan["joins"]["worker"]), ("Promoted", plan["promotions"]),
             ("Demoted", plan["demotions"]), ("Leaving", plan["leaving"])]  # fmt: skip
    parts += [f"{label}: {', '.join(names)}." for label, names in lists if names]
    if stale:
        what = "removed" if remove_down else "kept: swarm_remove_down_nodes is false"
        parts.append(f"Down and in no group ({what}): {', '.join(x['hostname'] or x['id'] for x in stale)}.")
    return " ".join(parts)


def swarm_plan(hosts: dict[str, dict[str, Any]], order: list[str], settings: dict[str, Any], remove_down: bool = False,
               known: list[str] | None = None, unlock_key: bool = False) -> dict[str, Any]:  # fmt: skip
    """The plan.

    ``hosts``: play host -> {wanted: {state, role, availability, labels}, swarm: local state, engine: settings,
    nodes: node list (managers)}. ``order``: the managers group's order (the first present one makes a new swarm).
    ``known``: inventory names of hosts meant to be in the swarm, also outside the play (down nodes of those are
    never removed). ``unlock_key``: whether the role has the key that unlocks a locked manager.

    While a manager is locked, its swarm cannot be read: the plan then says whom to unlock (``unlock``) and what
    is wrong with the variables, and is made again once they are unlocked."""
    wanted_settings, read, problems = settings_problems(settings)
    problems = _membership_problems(hosts) + problems
    locked = sorted(n for n in hosts if hosts[n]["swarm"]["state"] == "locked")
    if locked:
        if not unlock_key:
            problems.append(
                f"{', '.join(locked)}: locked (autolock, after the engine restarted); give the unlock key as "
                "swarm_unlock_key (from a vault) or swarm_unlock_key_file"
            )
        return {"problems": problems, "unlock": locked, "settings": wanted_settings}
    present = [n for n in hosts if hosts[n]["wanted"].get("state") == "present"]
    managers_wanted = [n for n in order if n in present and hosts[n]["wanted"].get("role") == "manager"]
    cluster = _cluster(hosts, managers_wanted)
    problems += cluster["problems"]
    if cluster["acting"] is None and present:
        problems.append("no host of the play is in swarm_managers: a swarm needs a manager to make it or join through")
    problems += _unlock_key_problems(
        settings, read.get("autolock"), hosts[cluster["acting"]] if cluster["nodes"] else {}
    )
    plan = _membership(hosts, cluster)
    problems += plan.pop("problems")
    nodes, node_of = cluster["nodes"], plan["node_ids"]
    roles = {x["id"]: x["role"] for x in nodes}

    # Down nodes that no host of the inventory stands for: they left or died.
    meant = set(known or []) | set(present)
    stale = [
        x for x in nodes if x["state"] == "down" and x["id"] not in node_of.values() and x["hostname"] not in meant
    ]
    plan["removals"] = [x["id"] for x in stale] if remove_down else []

    adds = [cluster["init_host"]] if cluster["init_host"] else []
    adds += [f"{n} (joining)" for n in plan["joins"]["manager"]] + [node_of[n] for n in plan["promotions"]]
    takes = [node_of[n] for n in plan["demotions"] + plan["leaving"] if roles[node_of[n]] == "manager"]
    takes += [x for x in plan["removals"] if roles[x] == "manager"]
    membership_changes = any(plan[k] for k in ("promotions", "demotions", "leaving", "removals"))
    lost = _lost_majority(nodes) if membership_changes or any(plan["joins"].values()) else []
    problems += lost
    if (adds or takes) and not lost:
        problems += _quorum_problems(nodes, adds, takes)
    before = sum(1 for x in nodes if x["role"] == "manager")
    after = before + len(adds) - len(takes)
    plan["summary"] = summary(plan, cluster["init_host"], before, after, stale, remove_down)
    plan.update(
        problems=problems,
        unlock=[],
        init_host=cluster["init_host"],
        acting_manager=cluster["acting"],
        settings=wanted_settings,
        stale_nodes=[{"id": x["id"], "hostname": x["hostname"], "role": x["role"]} for x in stale],
        managers={"before": before, "after": after},
        fault_tolerance={"before": fault_tolerance(before), "after": fault_tolerance(after)},
    )
    return plan
