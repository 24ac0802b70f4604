#!/usr/bin/python
# Copyright (c) dockyard.docker contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: swarm_info
short_description: What an engine knows of its Docker Swarm - membership, nodes, managers, leader, tokens on request
version_added: 0.4.0
description:
  - Reports this engine's membership (also on an engine in no swarm, or a locked one), the engine settings a
    swarm depends on, and, on a manager, every node, the managers' reachability, the leader and how many
    manager failures the swarm tolerates.
  - The join tokens and the unlock key are secrets, returned only when asked for; register them with C(no_log).
options:
  join_tokens:
    description: Also return the worker and manager join tokens (a manager only).
    type: bool
    default: false
  unlock_key:
    description: Also return the unlock key, when autolock is on (a manager only).
    type: bool
    default: false
extends_documentation_fragment:
  - dockyard.docker.docker
  - dockyard.docker.attributes
  - dockyard.docker.attributes.actiongroup_docker
  - dockyard.docker.attributes.info_module
author:
  - Dockyard maintainers (@dockyard)
"""

EXAMPLES = r"""
- name: Is this host in a swarm, and is the swarm healthy?
  dockyard.docker.swarm_info:
  register: swarm

- name: Say so
  ansible.builtin.debug:
    msg: "{{ swarm.cluster.managers }} managers, {{ swarm.cluster.fault_tolerance }} may fail"
  when: swarm.swarm.manager

- name: The worker join token, for a host to join
  dockyard.docker.swarm_info:
    join_tokens: true
  register: tokens
  no_log: true
"""

RETURN = r"""
swarm:
  description: This engine's membership, as the M(dockyard.docker.swarm) module returns it.
  returned: always
  type: dict
engine:
  description: The engine settings a swarm depends on.
  returned: always
  type: dict
  contains:
    live_restore: {description: Whether live-restore is on (swarm mode refuses it)., type: bool}
    firewall_backend: {description: The firewall backend (swarm mode needs iptables)., type: str}
    version: {description: The engine's version., type: str}
    hostname: {description: The engine's host name (how the swarm names the node)., type: str}
    problems: {description: Why this engine cannot be a swarm node as set up; empty when it can., type: list}
nodes:
  description: Every node of the swarm (a manager only; empty elsewhere).
  returned: always
  type: list
  elements: dict
  contains:
    id: {description: The node's ID., type: str}
    hostname: {description: Its host name., type: str}
    role: {description: V(manager) or V(worker)., type: str}
    availability: {description: "V(active), V(pause) or V(drain).", type: str}
    labels: {description: Its node labels., type: dict}
    state: {description: "V(ready), V(down), V(disconnected) or V(unknown).", type: str}
    address: {description: Its address., type: str}
    leader: {description: Whether it leads the managers., type: bool}
    reachability: {description: A manager's V(reachable) or V(unreachable)., type: str}
    manager_address: {description: A manager's address and port., type: str}
    engine_version: {description: Its engine's version., type: str}
cluster:
  description: The managers, those reachable, the leader, the failures tolerated and whether they have quorum.
  returned: on a manager
  type: dict
settings:
  description: The cluster's settings, by the M(dockyard.docker.swarm) module's option names.
  returned: on a manager
  type: dict
join_tokens:
  description: The C(worker) and C(manager) join tokens; secrets.
  returned: when O(join_tokens=true) on a manager
  type: dict
unlock_key:
  description: The unlock key; a secret. Empty when autolock is off.
  returned: when O(unlock_key=true) on a manager
  type: str
"""

from ansible_collections.dockyard.docker.plugins.module_utils.client import DockerModule
from ansible_collections.dockyard.docker.plugins.module_utils.swarm import (
    SETTINGS,
    cluster_health,
    engine_problems,
    engine_settings,
    local_state,
    node_summary,
    spec_value,
)


def main() -> None:
    dm = DockerModule(
        argument_spec={
            "join_tokens": {"type": "bool", "default": False, "no_log": False},
            "unlock_key": {"type": "bool", "default": False, "no_log": False},
        },
        supports_check_mode=True,
    )
    params = dm.params
    with dm.failing():
        info = dm.client.info()
        local = local_state(info)
        engine = engine_settings(info)
        result = {"swarm": local, "engine": {**engine, "problems": engine_problems(engine, "this engine")}, "nodes": []}
        if local["state"] == "active" and local["manager"]:
            nodes = sorted(
                (node_summary(n) for n in dm.client.nodes()),
                key=lambda n: (n["role"] != "manager", n["hostname"] or ""),
            )
            cluster = dm.client.inspect_swarm()
            result.update(
                nodes=nodes,
                cluster=cluster_health(nodes),
                settings={s.option: spec_value(cluster["Spec"], s.path) for s in SETTINGS},
            )
            if params["join_tokens"]:
                tokens = cluster.get("JoinTokens") or {}
                result["join_tokens"] = {"worker": tokens.get("Worker"), "manager": tokens.get("Manager")}
            if params["unlock_key"]:
                result["unlock_key"] = dm.client.get_unlock_key().get("UnlockKey") or ""
    dm.exit(changed=False, **result)


if __name__ == "__main__":
    main()
