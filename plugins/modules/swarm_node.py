#!/usr/bin/python
# Copyright (c) dockyard.docker contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: swarm_node
short_description: Keep a swarm node's role, availability and labels; drain it or take it out safely
version_added: 0.4.0
description:
  - Runs on a manager and changes the node O(node) names (its ID or host name).
  - A demotion that would leave the managers without a majority of reachable ones is refused, with how many
    manager failures the swarm tolerates before and after.
  - Draining waits (O(wait)) until the node's tasks have stopped and their replacements run elsewhere, and
    names the tasks that found no place.
  - O(state=absent) removes a node from the node list once it is down (it left, or died); a manager is demoted
    first. A node still running is removed only with O(force=true).
options:
  node:
    description: The node's ID (or a unique prefix of it) or host name.
    type: str
    required: true
  state:
    description: Whether the node stays in the node list.
    type: str
    default: present
    choices: [present, absent]
  role:
    description: V(manager) or V(worker).
    type: str
    choices: [manager, worker]
  availability:
    description: V(active) takes tasks, V(pause) keeps its tasks and takes no new ones, V(drain) moves its tasks away.
    type: str
    choices: [active, pause, drain]
  labels:
    description: Node labels (placement constraints read them as C(node.labels.NAME)).
    type: dict
  labels_exclusive:
    description: Remove the node's labels that O(labels) does not name.
    type: bool
    default: false
  wait:
    description: Wait for a drain to move the node's tasks, and with O(state=absent) for the node to be down.
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait.
    type: int
    default: 300
  force:
    description: With O(state=absent), remove the node even though it is not down.
    type: bool
    default: false
extends_documentation_fragment:
  - dockyard.docker.docker
  - dockyard.docker.attributes
  - dockyard.docker.attributes.actiongroup_docker
attributes:
  check_mode:
    support: full
    description: Predicts the changes, the quorum refusal included; waits for nothing.
  diff_mode:
    support: full
    description: Shows the role, availability and labels that change.
author:
  - Dockyard maintainers (@dockyard)
"""

EXAMPLES = r"""
- name: Label a node and let it take tasks
  dockyard.docker.swarm_node:
    node: worker-3
    availability: active
    labels:
      disk: ssd

- name: Drain a node before its maintenance; its tasks run elsewhere when this returns
  dockyard.docker.swarm_node:
    node: worker-3
    availability: drain
"""

RETURN = r"""
node:
  description: The node after the task (as it would be in check mode), as M(dockyard.docker.swarm_info) lists nodes.
  returned: when the node exists
  type: dict
actions:
  description: What was done, of V(updated), V(drained) and V(removed).
  returned: always
  type: list
  elements: str
differences:
  description: Each of role, availability and labels that differed, C(option), C(before), C(after), C(how) (V(update)).
  returned: always
  type: list
  elements: dict
fault_tolerance:
  description: How many manager failures the swarm tolerates, C(before) and C(after) the task.
  returned: always
  type: dict
"""

import time

from ansible_collections.dockyard.docker.plugins.module_utils.client import APIError, DockerModule, TaskError
from ansible_collections.dockyard.docker.plugins.module_utils.resources import as_differences, diff_mode
from ansible_collections.dockyard.docker.plugins.module_utils.swarm import (
    cluster_health,
    find_node,
    managers_phrase,
    node_spec_differences,
    node_summary,
    quorum,
)
from ansible_collections.dockyard.docker.plugins.module_utils.values import string_dict

# A task in one of these states is, or is becoming, a running container.
LIVE_TASK_STATES = ("new", "allocated", "pending", "assigned", "accepted", "preparing", "ready", "starting", "running")


def demotion_problem(nodes: list[dict], node: dict) -> str | None:
    """Why demoting (or removing) ``node`` would cost the managers their majority; None when it would not."""
    health = cluster_health(nodes)
    managers = health["managers"] - 1
    reachable = health["reachable_managers"] - (node["reachability"] == "reachable")
    if managers < 1:
        return f"node {node['hostname']!r} is the swarm's only manager; promote another node first"
    if reachable < quorum(managers):
        return (
            f"demoting node {node['hostname']!r} would leave {managers} managers of which {reachable} are reachable, "
            f"fewer than the {quorum(managers)} a majority needs: the swarm could no longer be managed. Now "
            f"{managers_phrase(health['managers'])}, {health['reachable_managers']} reachable; bring the unreachable "
            "managers back, or promote another node first"
        )
    return None


def listed(dm) -> list[dict]:
    return [node_summary(n) for n in dm.client.nodes()]


def update_node(dm, node_id: str, changes: dict) -> None:
    current = dm.client.inspect_node(node_id)
    spec = dict(current["Spec"])
    spec.update({{"role": "Role", "availability": "Availability", "labels": "Labels"}[k]: after
                 for k, (_before, after) in changes.items()})  # fmt: skip
    dm.client.update_node(node_id, current["Version"]["Index"], spec)


def _waiting(dm, what: str, done, timeout: int):
    """Poll ``done()`` (returns (finished, detail)) until finished; TaskError with the detail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        finished, detail = done()
        if finished:
            return
        if time.monotonic() > deadline:
            raise TaskError(f"{what} did not happen within {timeout}s: {detail}")
        time.sleep(1)


def wait_drained(dm, node: dict, timeout: int) -> None:
    """Until the node runs no task and the services it ran have every wanted task running elsewhere."""
    services = {t["ServiceID"] for t in dm.client.tasks(filters={"node": node["id"]})
                if t["Status"]["State"] in LIVE_TASK_STATES}  # fmt: skip

    def drained():
        on_node = [t for t in dm.client.tasks(filters={"node": node["id"]}) if t["Status"]["State"] in LIVE_TASK_STATES]
        if on_node:
            return False, f"{len(on_node)} task(s) still on {node['hostname']}"
        wanted = [t for s in services for t in dm.client.tasks(filters={"service": s, "desired-state": "running"})]
        stuck = [t for t in wanted if t["Status"]["State"] != "running"]
        detail = "; ".join(f"task {t['ID'][:12]} of service {t['ServiceID'][:12]} is {t['Status']['State']}: "
                           f"{t['Status'].get('Err') or t['Status'].get('Message') or ''}" for t in stuck)  # fmt: skip
        return not stuck, f"tasks found no other node ({detail})"

    _waiting(dm, f"moving the tasks off {node['hostname']}", drained, timeout)


def wait_down(dm, node: dict, timeout: int) -> None:
    def down():
        state = node_summary(dm.client.inspect_node(node["id"]))["state"]
        return state == "down", f"it is {state}; a node goes down once it left (swarm state: absent on it)"

    _waiting(dm, f"node {node['hostname']} going down", down, timeout)


def present(dm, nodes: list[dict], node: dict, actions: list[str]) -> dict:
    params = dm.params
    labels = string_dict(params["labels"], "labels") if params["labels"] is not None else None
    found = node_spec_differences(node, params["role"], params["availability"], labels, params["labels_exclusive"])
    if found.get("role", (None, None))[1] == "worker":
        problem = demotion_problem(nodes, node)
        if problem:
            raise TaskError(problem, node=node)
    if found.get("role", (None, None))[1] == "manager" and node["state"] != "ready":
        raise TaskError(f"node {node['hostname']!r} is {node['state']}: a manager that cannot vote weakens the "
                        "majority; promote it once it is ready", node=node)  # fmt: skip
    if not found:
        return found
    actions.append("updated")
    if found.get("availability", (None, None))[1] == "drain":
        actions.append("drained")
    if not dm.module.check_mode:
        update_node(dm, node["id"], found)
        if "drained" in actions and params["wait"]:
            wait_drained(dm, node, params["wait_timeout"])
    return found


def absent(dm, nodes: list[dict], node: dict, actions: list[str]) -> None:
    params = dm.params
    if node["state"] != "down" and not params["force"]:
        if not params["wait"]:
            raise TaskError(f"node {node['hostname']!r} is {node['state']}: make it leave the swarm first "
                            "(dockyard.docker.swarm state: absent on it), or set force: true", node=node)  # fmt: skip
        if not dm.module.check_mode:  # a check run predicts the leave that comes first
            wait_down(dm, node, params["wait_timeout"])
    if node["role"] == "manager":
        problem = demotion_problem(nodes, node)
        if problem:
            raise TaskError(problem, node=node)
    actions.append("removed")
    if dm.module.check_mode:
        return
    if node["role"] == "manager":
        update_node(dm, node["id"], {"role": ("manager", "worker")})
    dm.client.remove_node(node["id"], force=params["force"])


def main() -> None:
    dm = DockerModule(
        argument_spec={
            "node": {"type": "str", "required": True},
            "state": {"type": "str", "default": "present", "choices": ["present", "absent"]},
            "role": {"type": "str", "choices": ["manager", "worker"]},
            "availability": {"type": "str", "choices": ["active", "pause", "drain"]},
            "labels": {"type": "dict"},
            "labels_exclusive": {"type": "bool", "default": False},
            "wait": {"type": "bool", "default": True},
            "wait_timeout": {"type": "int", "default": 300},
            "force": {"type": "bool", "default": False},
        },
        supports_check_mode=True,
    )
    module, params = dm.module, dm.params
    actions: list[str] = []
    found: dict = {}
    result: dict = {}
    with dm.failing(lambda: {"actions": actions}):
        try:
            nodes = listed(dm)
        except APIError as exc:  # the engine's answer on a worker or outside a swarm
            if exc.status_code == 503:
                raise TaskError(f"this engine is no swarm manager, so it cannot change nodes: {exc}") from None
            raise
        node = find_node(nodes, params["node"])
        before = cluster_health(nodes)["fault_tolerance"]
        if node is None and params["state"] == "present":
            raise TaskError(f"no node {params['node']!r} in the swarm; its nodes: "
                            f"{', '.join(sorted(n['hostname'] or n['id'] for n in nodes))}")  # fmt: skip
        if node is not None and params["state"] == "present":
            found = present(dm, nodes, node, actions)
        elif node is not None:
            absent(dm, nodes, node, actions)
        if actions and not module.check_mode:
            nodes = listed(dm)
        elif found:
            nodes = [{**n, **{k: a for k, (_b, a) in found.items()}} if n is node else n for n in nodes]
        if "removed" in actions:
            nodes = [n for n in nodes if n["id"] != node["id"]]
        result["node"] = next((n for n in nodes if node and n["id"] == node["id"]), None)
        if result["node"] is not None and result["node"]["role"] == "worker" and "reachability" in result["node"]:
            result["node"] = {**result["node"], "reachability": None, "leader": False}
        after_health = cluster_health(nodes)
    differences = as_differences(found, how="update")
    result.update(changed=bool(actions), actions=actions, differences=differences,
                  fault_tolerance={"before": before, "after": after_health["fault_tolerance"]})  # fmt: skip
    if module._diff:
        result["diff"] = diff_mode(differences, True, True)
    dm.exit(**result)


if __name__ == "__main__":
    main()
