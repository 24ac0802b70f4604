#!/usr/bin/python
# Copyright (c) dockyard.docker contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: swarm
short_description: Make, join or leave a Docker Swarm, keep its settings, unlock a locked manager
version_added: 0.4.0
description:
  - With O(state=present), makes this engine the first manager of a new swarm, or, on a manager of one, keeps the
    cluster settings the task sets (options left out are not compared).
  - With O(state=join), joins the swarm the managers at O(remote_addrs) belong to, with O(join_token), whose kind
    (worker or manager) decides the node's role. A node already in that swarm is left as it is (its role is
    changed with M(dockyard.docker.swarm_node)).
  - With O(state=absent), leaves the swarm. A manager is never made to leave while others remain, since that
    cuts the managers' majority; demote it first. The last manager leaves only with O(force=true), which ends
    the swarm.
  - A manager locked by autolock after its engine restarted is unlocked with O(unlock_key) first, whatever the
    state.
  - The swarm role forms a whole cluster from inventory groups with this module; it is for one engine.
options:
  state:
    description: What this engine should be.
    type: str
    default: present
    choices: [present, join, absent]
  advertise_addr:
    description: The address (and port) other nodes reach this one at; the engine picks one when it can.
    type: str
  listen_addr:
    description: The address and port the swarm's management traffic is served on.
    type: str
    default: 0.0.0.0:2377
  data_path_addr:
    description: The address overlay networks' traffic leaves from, to keep it apart from management traffic.
    type: str
  data_path_port:
    description: The UDP port of overlay traffic (VXLAN), for the whole swarm; only when it is made.
    type: int
  default_addr_pool:
    description: The address ranges overlay networks get subnets from; only when the swarm is made.
    type: list
    elements: str
  subnet_size:
    description: The prefix length of each overlay network's subnet; only when the swarm is made.
    type: int
  remote_addrs:
    description: With O(state=join), managers of the swarm to join, C(host) or C(host:port).
    type: list
    elements: str
  join_token:
    description: With O(state=join), the swarm's worker or manager join token.
    type: str
  unlock_key:
    description: The key that unlocks a manager of a swarm with autolock after its engine restarted.
    type: str
  force:
    description: With O(state=absent), let the last manager leave, ending the swarm.
    type: bool
    default: false
  autolock:
    description:
      - Whether managers keep the swarm's keys encrypted at rest and need O(unlock_key) after a restart.
      - When it is turned on, RV(unlock_key) returns the key; keep it in a vault.
    type: bool
  task_history_limit:
    description: How many finished tasks each service keeps.
    type: int
  snapshot_interval:
    description: Raft log entries between snapshots.
    type: int
  keep_old_snapshots:
    description: Raft snapshots kept besides the current one.
    type: int
  log_entries_for_slow_followers:
    description: Raft log entries kept for managers that fall behind.
    type: int
  election_tick:
    description: Raft ticks without a leader before an election; more than O(heartbeat_tick).
    type: int
  heartbeat_tick:
    description: Raft ticks between the leader's heartbeats.
    type: int
  dispatcher_heartbeat:
    description: How often nodes report to the managers, as a duration (V(5s)).
    type: str
  node_cert_expiry:
    description: How long node certificates are valid, as a duration (V(2160h)).
    type: str
  labels:
    description: The cluster's labels (all of them).
    type: dict
  rotate_worker_token:
    description: Issue a new worker join token; the old one stops working.
    type: bool
    default: false
  rotate_manager_token:
    description: Issue a new manager join token; the old one stops working.
    type: bool
    default: false
  rotate_unlock_key:
    description: Issue a new unlock key (autolock); RV(unlock_key) returns it.
    type: bool
    default: false
extends_documentation_fragment:
  - dockyard.docker.docker
  - dockyard.docker.attributes
  - dockyard.docker.attributes.actiongroup_docker
attributes:
  check_mode:
    support: full
    description: Predicts making, joining, leaving, unlocking and the settings that would change.
  diff_mode:
    support: full
    description: Shows the cluster settings that differ.
notes:
  - Register the result with C(no_log) when autolock is on or the key is rotated; RV(unlock_key) is the secret
    that opens every manager.
author:
  - Dockyard maintainers (@dockyard)
"""

EXAMPLES = r"""
- name: Make the swarm on the first manager, with autolock
  dockyard.docker.swarm:
    advertise_addr: "{{ ansible_facts.default_ipv4.address }}"
    autolock: true
  register: swarm_made
  no_log: true

- name: Join as a worker
  dockyard.docker.swarm:
    state: join
    remote_addrs: ["10.0.0.11:2377"]
    join_token: "{{ vault_swarm_worker_token }}"

- name: Unlock a manager after its engine restarted
  dockyard.docker.swarm:
    unlock_key: "{{ vault_swarm_unlock_key }}"
"""

RETURN = r"""
swarm:
  description: This engine's swarm membership after the task (as it would be, in check mode).
  returned: always
  type: dict
  contains:
    state: {description: "The engine's word: V(inactive), V(pending), V(active), V(error) or V(locked).", type: str}
    node_id: {description: This node's ID in the swarm., type: str}
    node_address: {description: The address other nodes reach it at., type: str}
    manager: {description: Whether it is a manager., type: bool}
    cluster_id: {description: The swarm's ID., type: str}
    managers: {description: How many managers the swarm has., type: int}
    nodes: {description: How many nodes it has., type: int}
    manager_addresses: {description: The managers' addresses as this node knows them., type: list, elements: str}
    error: {description: What the engine says is wrong with its membership., type: str}
actions:
  description: What was done, of V(unlocked), V(created), V(joined), V(updated), V(rotated) and V(left).
  returned: always
  type: list
  elements: str
differences:
  description: Each cluster setting that differed, C(option), C(before), C(after) and C(how) (V(update)).
  returned: always
  type: list
  elements: dict
unlock_key:
  description: The unlock key, when autolock was turned on or the key rotated by this task; a secret.
  returned: when autolock was turned on or the key rotated
  type: str
"""

import socket

from ansible_collections.dockyard.docker.plugins.module_utils.client import (
    APIError,
    DockerModule,
    TaskError,
    daemon_words,
    engine_request,
)
from ansible_collections.dockyard.docker.plugins.module_utils.resources import as_differences, diff_mode
from ansible_collections.dockyard.docker.plugins.module_utils.swarm import (
    SETTING_ARGS,
    engine_problems,
    engine_settings,
    local_state,
    settings_differences,
    updated_spec,
    wanted_settings,
)
from ansible_collections.dockyard.docker.plugins.module_utils.values import SpecError

# What a check run predicts the membership becomes, by the last action it would take.
PREDICTED_STATE = {"unlocked": "active", "created": "active", "joined": "active", "left": "inactive"}


def _host_part(address: str) -> str:
    host = address.rsplit(":", 1)[0] if address.count(":") == 1 or address.endswith("]") else address
    host = host.strip("[]")
    try:
        return socket.gethostbyname(host)
    except OSError:
        return host


def same_swarm(local: dict, remote_addrs: list[str]) -> bool:
    """Whether one of ``remote_addrs`` is a manager this node knows: the swarm it is in is the one asked for."""
    known = {_host_part(a) for a in local["manager_addresses"]}
    return bool(known & {_host_part(a) for a in remote_addrs})


def unlock(dm, local: dict, actions: list[str]) -> dict:
    key = dm.params["unlock_key"]
    if not key:
        raise TaskError(
            "this manager's swarm is locked (autolock): its engine restarted and needs the swarm's unlock key; "
            "give it as unlock_key (docker swarm unlock-key on another manager shows it)",
            swarm=local,
        )
    actions.append("unlocked")
    if dm.module.check_mode:
        return local
    try:
        dm.client.unlock_swarm(key)
    except APIError as exc:  # the engine's words say whether the key was wrong
        raise TaskError(f"the engine refused the unlock key: {daemon_words(exc)}", swarm=local) from None
    return local_state(dm.client.info())


def refuse_engine_settings(dm) -> None:
    """Before this engine makes or joins a swarm: the settings swarm mode refuses."""
    problems = engine_problems(engine_settings(dm.client.info()), "this engine")
    if problems:
        raise TaskError("; ".join(problems))


def create(dm, wanted: dict, actions: list[str]) -> None:
    params = dm.params
    refuse_engine_settings(dm)
    actions.append("created")
    if dm.module.check_mode:
        return
    optional = {k: params[k] for k in ("advertise_addr", "data_path_addr", "default_addr_pool", "subnet_size",
                                       "data_path_port") if params[k] is not None}  # fmt: skip
    dm.client.init_swarm(listen_addr=params["listen_addr"], swarm_spec=updated_spec({}, wanted), **optional)


def update(dm, wanted: dict, actions: list[str], found: dict) -> None:
    params = dm.params
    rotations = {
        "rotateWorkerToken": params["rotate_worker_token"],
        "rotateManagerToken": params["rotate_manager_token"],
        "rotateManagerUnlockKey": params["rotate_unlock_key"],
    }
    if found:
        actions.append("updated")
    if any(rotations.values()):
        actions.append("rotated")
    if not actions or dm.module.check_mode:
        return
    cluster = dm.client.inspect_swarm()
    query = {"version": cluster["Version"]["Index"], **{k: "true" for k, v in rotations.items() if v}}
    engine_request(dm.client, "POST", "/swarm/update", updated_spec(cluster["Spec"], wanted), params=query)


def join(dm, local: dict, actions: list[str]) -> None:
    params = dm.params
    if not params["remote_addrs"] or not params["join_token"]:
        raise TaskError("state: join needs remote_addrs (managers of the swarm) and join_token")
    if local["state"] == "active":
        if not same_swarm(local, params["remote_addrs"]):
            raise TaskError(
                f"this engine is in another swarm (cluster {local['cluster_id']}, managers "
                f"{', '.join(local['manager_addresses']) or 'unknown'}), not the one at "
                f"{', '.join(params['remote_addrs'])}; make it leave that one first",
                swarm=local,
            )
        return
    if local["state"] != "inactive":
        raise TaskError(f"this engine's swarm membership is {local['state']}: {local['error'] or 'no reason given'}")
    refuse_engine_settings(dm)
    actions.append("joined")
    if dm.module.check_mode:
        return
    optional = {k: params[k] for k in ("advertise_addr", "data_path_addr") if params[k] is not None}
    dm.client.join_swarm(params["remote_addrs"], params["join_token"], listen_addr=params["listen_addr"], **optional)


def leave(dm, local: dict, actions: list[str]) -> None:
    if local["state"] == "inactive":
        return
    if local["manager"]:
        if (local["managers"] or 1) > 1:
            raise TaskError(
                f"this engine is one of {local['managers']} managers: leaving would take a voter from the managers' "
                "majority without telling them. Demote it first (dockyard.docker.swarm_node role: worker), then "
                "let it leave",
                swarm=local,
            )
        if not dm.params["force"]:
            raise TaskError(
                "this engine is the swarm's last manager: leaving ends the swarm, its services, secrets and configs; "
                "set force: true to do that",
                swarm=local,
            )
    actions.append("left")
    if not dm.module.check_mode:
        dm.client.leave_swarm(force=bool(local["manager"]))


def present(dm, local: dict, wanted: dict, actions: list[str]) -> dict:
    """Make the swarm, or keep its settings; the settings that differ."""
    if local["state"] == "inactive":
        create(dm, wanted, actions)
        return {k: (None, v) for k, v in wanted.items()}
    if local["state"] == "active" and local["manager"]:
        found = settings_differences(dm.client.inspect_swarm()["Spec"], wanted)
        update(dm, wanted, actions, found)
        return found
    if local["state"] == "active":
        raise TaskError(
            f"this engine is a worker of swarm {local['cluster_id']}: cluster settings are kept on a manager",
            swarm=local,
        )
    if local["state"] != "locked":  # only in check mode: the unlock was predicted
        raise TaskError(f"this engine's swarm membership is {local['state']}: {local['error'] or ''}")
    return {}


def main() -> None:
    dm = DockerModule(
        argument_spec={
            "state": {"type": "str", "default": "present", "choices": ["present", "join", "absent"]},
            "advertise_addr": {"type": "str"},
            "listen_addr": {"type": "str", "default": "0.0.0.0:2377"},
            "data_path_addr": {"type": "str"},
            "data_path_port": {"type": "int"},
            "default_addr_pool": {"type": "list", "elements": "str"},
            "subnet_size": {"type": "int"},
            "remote_addrs": {"type": "list", "elements": "str"},
            "join_token": {"type": "str", "no_log": True},
            "unlock_key": {"type": "str", "no_log": True},
            "force": {"type": "bool", "default": False},
            "rotate_worker_token": {"type": "bool", "default": False, "no_log": False},
            "rotate_manager_token": {"type": "bool", "default": False, "no_log": False},
            "rotate_unlock_key": {"type": "bool", "default": False, "no_log": False},
            **SETTING_ARGS,
        },
        supports_check_mode=True,
    )
    module, params = dm.module, dm.params
    try:
        wanted = wanted_settings(params)
    except SpecError as exc:
        module.fail_json(msg=str(exc))
    actions: list[str] = []
    found: dict = {}
    result: dict = {}
    with dm.failing(lambda: {"actions": actions}):
        local = local_state(dm.client.info())
        if local["state"] == "locked":
            local = unlock(dm, local, actions)
        if params["state"] == "present":
            found = present(dm, local, wanted, actions)
        elif params["state"] == "join":
            if local["state"] != "locked":  # only in check mode: the unlock was predicted
                join(dm, local, actions)
        else:
            leave(dm, local, actions)
        if actions and not module.check_mode:
            local = local_state(dm.client.info())
        key_changed = params["rotate_unlock_key"] or (found.get("autolock", (None, False))[1] is True)
        if key_changed and local["manager"] and not module.check_mode:
            result["unlock_key"] = dm.client.get_unlock_key().get("UnlockKey")
    if module.check_mode and actions:
        local = {**local, "state": PREDICTED_STATE.get(actions[-1], local["state"])}
    differences = as_differences(found, how="update")
    result.update(changed=bool(actions), actions=actions, differences=differences, swarm=local)
    if module._diff:
        result["diff"] = diff_mode(differences, True, True)
    dm.exit(**result)


if __name__ == "__main__":
    main()
