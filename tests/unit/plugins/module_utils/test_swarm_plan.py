"""The swarm role's plan: who makes the swarm, joins, changes role or leaves, and the refusals that keep the
managers' majority, from what the hosts report."""

from __future__ import annotations

import pytest

from ansible_collections.dockyard.docker.plugins.module_utils.swarm import (
    fault_tolerance,
    node_spec_differences,
    read_settings,
    settings_differences,
    updated_spec,
)
from ansible_collections.dockyard.docker.plugins.module_utils.swarm_plan import swarm_plan

ENGINE = {"live_restore": False, "firewall_backend": "iptables"}
INACTIVE = {"state": "inactive", "node_id": None, "manager": False, "cluster_id": None, "manager_addresses": []}


def node(name: str, role: str = "worker", reachable: bool = True, state: str = "ready", leader: bool = False) -> dict:
    reachability = ("reachable" if reachable else "unreachable") if role == "manager" else None
    return {"id": f"id-{name}", "hostname": name, "role": role, "availability": "active", "labels": {}, "state": state,
            "leader": leader, "reachability": reachability}  # fmt: skip


def host(role: str = "manager", state: str = "present", member: dict | None = None, nodes: list | None = None,
         settings: dict | None = None) -> dict:  # fmt: skip
    swarm = dict(INACTIVE)
    if member:
        manages = member["role"] == "manager"
        swarm = {"state": "active", "node_id": member["id"], "manager": manages,
                 "cluster_id": "c1" if manages else None, "manager_addresses": ["10.0.0.1:2377"]}  # fmt: skip
    return {"wanted": {"state": state, "role": role, "availability": "active", "labels": {}}, "swarm": swarm,
            "engine": dict(ENGINE), "nodes": nodes if member and member["role"] == "manager" else [],
            "settings": settings or {}}  # fmt: skip


def formed(roles: dict[str, str], wanted: dict[str, str] | None = None, down: tuple = (), absent: tuple = ()) -> dict:
    """A formed swarm: host -> role now; ``wanted`` host -> role the inventory gives (default: the same)."""
    first = next(n for n, r in roles.items() if r == "manager")
    nodes = [node(n, r, reachable=n not in down, state="down" if n in down else "ready", leader=n == first)
             for n, r in roles.items()]  # fmt: skip
    by_name = {x["hostname"]: x for x in nodes}
    wanted = wanted or roles
    return {
        n: host(wanted[n], "absent" if n in absent else "present", by_name[n], nodes) for n in roles if n not in down
    }


def test_a_new_swarm_is_made_by_the_first_manager_and_the_others_join():
    hosts = {"m1": host(), "m2": host(), "m3": host(), "w1": host("worker")}
    plan = swarm_plan(hosts, ["m1", "m2", "m3"], {})
    assert plan["problems"] == []
    assert plan["init_host"] == plan["acting_manager"] == "m1"
    assert plan["joins"] == {"manager": ["m2", "m3"], "worker": ["w1"]}
    assert plan["managers"] == {"before": 0, "after": 3}
    assert plan["fault_tolerance"] == {"before": 0, "after": 1}
    assert plan["summary"] == ("0 managers (tolerating 0 failures) -> 3 managers (tolerating 1 failure). Makes the "
                               "swarm: m1. Joining as managers: m2, m3. Joining as workers: w1.")  # fmt: skip


def test_a_formed_swarm_needs_nothing():
    plan = swarm_plan(
        formed({"m1": "manager", "m2": "manager", "m3": "manager", "w1": "worker"}), ["m1", "m2", "m3"], {}
    )
    assert plan["problems"] == [] and plan["init_host"] is None and plan["acting_manager"] == "m1"
    assert plan["joins"] == {"manager": [], "worker": []}
    assert plan["promotions"] == plan["demotions"] == plan["leaving"] == plan["removals"] == []


def test_an_even_number_of_managers_is_refused_with_the_failures_tolerated():
    hosts = formed(
        {"m1": "manager", "m2": "manager", "m3": "manager"}, {"m1": "manager", "m2": "manager", "m3": "worker"}
    )
    plan = swarm_plan(hosts, ["m1", "m2"], {})
    assert plan["demotions"] == ["m3"]
    assert plan["problems"] == [
        "the change would leave 2 managers (tolerating 0 failures), now 3 managers (tolerating 1 failure): an even "
        "number tolerates no more failures than one fewer; keep an odd number of hosts in swarm_managers"
    ]
    assert swarm_plan({"m1": host(), "m2": host()}, ["m1", "m2"], {})["problems"][0].startswith(
        "the change would leave 2"
    )


def test_a_swap_keeps_three_managers_and_promotes_before_it_demotes():
    hosts = formed({"m1": "manager", "m2": "manager", "m3": "manager", "w1": "worker"},
                   {"m1": "manager", "m2": "manager", "m3": "worker", "w1": "manager"})  # fmt: skip
    plan = swarm_plan(hosts, ["m1", "m2", "w1"], {})
    assert plan["problems"] == []
    assert plan["promotions"] == ["w1"] and plan["demotions"] == ["m3"]
    assert plan["managers"] == {"before": 3, "after": 3}


def test_taking_managers_out_while_one_is_unreachable_is_refused_at_the_step_that_loses_the_majority():
    roles = {f"m{i}": "manager" for i in range(1, 6)}
    hosts = formed(roles, down=("m5",), absent=("m3", "m4"))
    plan = swarm_plan(hosts, list(roles), {})
    assert plan["leaving"] == ["m3", "m4"]
    assert (
        any("taking m4 out of the managers would leave 3, of which 2 reachable" in p for p in plan["problems"]) is False
    )
    # 5 managers, m5 down: m3 out leaves 4 (3 reachable, majority 3); m4 out leaves 3 (2 reachable, majority 2): fine,
    # and 3 is odd.
    assert plan["problems"] == []
    hosts = formed(roles, down=("m4", "m5"), absent=("m3",))
    hosts["m2"]["wanted"]["state"] = "absent"
    problems = swarm_plan(hosts, list(roles), {})["problems"]
    # m2 goes first: 4 managers left, m1 and m3 reachable, and 4 need 3.
    assert problems == ["taking m2 out of the managers would leave 4, of which 2 reachable: fewer than the 3 a "
                        "majority needs"]  # fmt: skip


def test_a_swarm_that_lost_its_majority_takes_no_membership_change():
    roles = {"m1": "manager", "m2": "manager", "m3": "manager", "w1": "worker"}
    hosts = formed(roles, down=("m2", "m3"))
    hosts["w2"] = host("worker")
    problems = swarm_plan(hosts, ["m1", "m2", "m3"], {})["problems"]
    assert problems[0].startswith("the swarm has lost its managers' majority (1 of 3 reachable)")


def test_down_nodes_no_host_stands_for_are_removed_only_when_asked():
    roles = {"m1": "manager", "w1": "worker", "gone": "worker"}
    hosts = formed(roles, down=("gone",))
    kept = swarm_plan(hosts, ["m1"], {}, known=["m1", "w1"])
    assert kept["stale_nodes"] == [{"id": "id-gone", "hostname": "gone", "role": "worker"}] and kept["removals"] == []
    assert swarm_plan(hosts, ["m1"], {}, remove_down=True, known=["m1", "w1"])["removals"] == ["id-gone"]
    # A host of the inventory that is down (rebooting, or out of the play) is never removed.
    assert swarm_plan(hosts, ["m1"], {}, remove_down=True, known=["m1", "w1", "gone"])["removals"] == []


def test_every_bad_value_is_named_by_its_variable_before_anything():
    hosts = {"m1": host(), "w1": host("both")}
    hosts["m1"]["wanted"].update(availability="away", labels={"a": None})
    hosts["m1"]["engine"]["live_restore"] = True
    plan = swarm_plan(hosts, ["m1"], {"swarm_task_history_limit": "five", "swarm_dispatcher_heartbeat": "soon",
                                      "swarm_election_tick": 1, "swarm_heartbeat_tick": 3})  # fmt: skip
    text = "\n".join(plan["problems"])
    for expected in ("m1: swarm_node_availability: 'away' is not one of active, pause, drain",
                     "m1: swarm_node_labels: every label needs a plain value",
                     "m1: the engine runs with live-restore", "w1: in both swarm_managers and swarm_workers",
                     "swarm_task_history_limit: 'five' is not a whole number",
                     "swarm_dispatcher_heartbeat: 'soon' is not a duration",
                     "swarm_election_tick: 1 must be greater than swarm_heartbeat_tick (3)"):  # fmt: skip
        assert expected in text, text


def test_a_new_unlock_key_needs_the_file_it_is_kept_in():
    problems = swarm_plan({"m1": host()}, ["m1"], {"swarm_autolock": "true"})["problems"]
    assert problems == ["swarm_autolock: true makes an unlock key, and without it a restarted manager stays locked: "
                        "set swarm_unlock_key_file, the file on the controller the role keeps it in (mode 0600; "
                        "encrypt it with ansible-vault)"]  # fmt: skip
    assert swarm_plan({"m1": host()}, ["m1"], {"swarm_autolock": True, "swarm_unlock_key_file": "k"})["problems"] == []
    hosts = {"m1": host(member=node("m1", "manager", leader=True), nodes=[node("m1", "manager", leader=True)],
                        settings={"autolock": True})}  # fmt: skip
    assert swarm_plan(hosts, ["m1"], {"swarm_autolock": True})["problems"] == []  # on already: the key is known


def test_a_locked_manager_is_unlocked_first_and_only_with_a_key():
    hosts = {"m1": host()}
    hosts["m1"]["swarm"]["state"] = "locked"
    assert swarm_plan(hosts, ["m1"], {}, unlock_key=True) == {"problems": [], "unlock": ["m1"], "settings": {}}
    assert "give the unlock key as swarm_unlock_key" in swarm_plan(hosts, ["m1"], {})["problems"][0]


def test_a_host_of_another_swarm_is_refused():
    hosts = formed({"m1": "manager", "w1": "worker"})
    hosts["x"] = host("worker")
    hosts["x"]["swarm"] = {
        **INACTIVE,
        "state": "active",
        "node_id": "elsewhere",
        "manager_addresses": ["10.9.9.9:2377"],
    }
    problems = swarm_plan(hosts, ["m1"], {})["problems"]
    assert problems == [
        "x: in another swarm (managers 10.9.9.9:2377), not the one swarm_managers keep; make it leave first"
    ]


@pytest.mark.parametrize(("managers", "tolerated"), [(0, 0), (1, 0), (2, 0), (3, 1), (4, 1), (5, 2), (7, 3)])
def test_fault_tolerance_is_raft_majority(managers, tolerated):
    assert fault_tolerance(managers) == tolerated


def test_cluster_settings_compare_only_what_is_set_and_keep_the_rest_of_the_spec():
    spec = {
        "Name": "default",
        "Raft": {"SnapshotInterval": 10000, "ElectionTick": 10},
        "Dispatcher": {"HeartbeatPeriod": 5_000_000_000},
    }
    wanted, problems = read_settings({"snapshot_interval": 10000, "dispatcher_heartbeat": "10s", "autolock": False})
    assert problems == []
    assert settings_differences(spec, wanted) == {"dispatcher_heartbeat": (5_000_000_000, 10_000_000_000)}
    assert updated_spec(spec, wanted) == {"Name": "default", "Raft": {"SnapshotInterval": 10000, "ElectionTick": 10},
                                          "Dispatcher": {"HeartbeatPeriod": 10_000_000_000},
                                          "EncryptionConfig": {"AutoLockManagers": False}}  # fmt: skip
    assert spec["Dispatcher"] == {"HeartbeatPeriod": 5_000_000_000}  # not changed in place


def test_node_labels_are_merged_unless_exclusive():
    now = node("w1")
    now["labels"] = {"zone": "a"}
    assert node_spec_differences(now, None, None, {"disk": "ssd"}, False) == {
        "labels": ({"zone": "a"}, {"zone": "a", "disk": "ssd"})
    }
    assert node_spec_differences(now, None, None, {"disk": "ssd"}, True) == {"labels": ({"zone": "a"}, {"disk": "ssd"})}
    assert node_spec_differences(now, "worker", "active", {"zone": "a"}, True) == {}
