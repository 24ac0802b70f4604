#!/usr/bin/python
# Copyright (c) dockyard.docker contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: network
short_description: Create, change or remove a Docker network without silently cutting off its containers
version_added: 0.2.0
description:
  - Makes the network O(name) exist with the options the task sets (options left out are not compared),
    or removes it.
  - A network cannot be changed in place. When it must be recreated, or removed, while containers are
    on it (running or stopped), the task fails and names them, unless O(force=true). With O(force), the
    containers are disconnected, the network is recreated, and they are connected again with their
    aliases and addresses.
options:
  name:
    description: The network's name.
    type: str
    required: true
  state:
    description: Whether the network exists.
    type: str
    default: present
    choices: [present, absent]
  driver:
    description:
      - The network driver, for example C(bridge), C(macvlan) or C(overlay).
      - A network created without one is a C(bridge) network.
    type: str
  driver_options:
    description: Options of the driver, for example C(com.docker.network.bridge.name).
    type: dict
  ipam_config:
    description: Address pools. Each entry's options that are set are compared; Docker fills in the rest.
    type: list
    elements: dict
    suboptions:
      subnet:
        description: The subnet in CIDR form, for example C(172.30.0.0/24).
        type: str
        required: true
      gateway:
        description: The gateway address.
        type: str
      ip_range:
        description: The part of the subnet containers get addresses from.
        type: str
  internal:
    description: Keep the network away from the outside (no route out).
    type: bool
  attachable:
    description: Let standalone containers join (overlay networks).
    type: bool
  enable_ipv6:
    description: Give containers IPv6 addresses.
    type: bool
  labels:
    description: Labels of the network.
    type: dict
  force:
    description:
      - Disconnect the containers on the network to recreate or remove it.
      - After a recreation they are connected again.
    type: bool
    default: false
extends_documentation_fragment:
  - dockyard.docker.docker
  - dockyard.docker.attributes
  - dockyard.docker.attributes.actiongroup_docker
attributes:
  check_mode:
    support: full
    description: Predicts creation, recreation and removal.
  diff_mode:
    support: full
    description: Shows the options that differ.
author:
  - Dockyard maintainers (@dockyard)
"""

EXAMPLES = r"""
- name: A network for the back end, with a fixed subnet
  dockyard.docker.network:
    name: backend
    ipam_config:
      - subnet: 172.30.0.0/24
        gateway: 172.30.0.1
    labels:
      team: platform

- name: Move it to another subnet, reconnecting its containers
  dockyard.docker.network:
    name: backend
    ipam_config:
      - subnet: 172.31.0.0/24
    force: true
"""

RETURN = r"""
network:
  description: The network after the task (before it, in check mode); null when there is none.
  returned: always
  type: dict
  contains:
    id: {description: The network ID., type: str}
    name: {description: Its name., type: str}
    driver: {description: Its driver., type: str}
    subnets: {description: Its subnets., type: list, elements: str}
    containers: {description: "The names of the containers on it, running or not.", type: list, elements: str}
actions:
  description: What was done, V(created), V(recreated) or V(removed).
  returned: always
  type: list
  elements: str
differences:
  description:
    - Each option the task sets that the network does not hold, C(option), C(before), C(after) and C(how) it is
      mended (V(recreate)), as the container modules report theirs.
  returned: always
  type: list
  elements: dict
reconnected:
  description: The containers disconnected and connected again because of a recreation.
  returned: always
  type: list
  elements: str
"""

import ipaddress

from ansible_collections.dockyard.docker.plugins.module_utils.client import DockerModule, TaskError
from ansible_collections.dockyard.docker.plugins.module_utils.resources import (
    IPAM_KEYS,
    NETWORK_FLAGS,
    as_differences,
    create_network,
    diff,
    inspected,
    needed_action,
    network_differences,
)
from ansible_collections.dockyard.docker.plugins.module_utils.values import SpecError, string_dict

PREDEFINED = ("bridge", "host", "none")


def wanted(params) -> dict:
    """The compared options the task sets, checked, in the shape the daemon reports them."""
    want = {}
    if params["driver"]:
        want["driver"] = params["driver"]
    if params["driver_options"] is not None:
        want["driver_options"] = string_dict(params["driver_options"], "driver_options")
    if params["labels"] is not None:
        want["labels"] = string_dict(params["labels"], "labels")
    for option, _key in NETWORK_FLAGS:
        if params[option] is not None:
            want[option] = params[option]
    if params["ipam_config"] is not None:
        pools = []
        for index, entry in enumerate(params["ipam_config"]):
            pool = {}
            for option, key in IPAM_KEYS:
                if entry.get(option):
                    checker = ipaddress.ip_address if option == "gateway" else ipaddress.ip_network
                    try:
                        pool[key] = str(checker(entry[option]))
                    except ValueError as exc:
                        raise SpecError(f"ipam_config[{index}].{option}: {entry[option]!r}: {exc}") from None
            pools.append(pool)
        want["ipam_config"] = pools
    return want


def attached(client, network_id: str) -> dict[str, dict]:
    """name -> endpoint settings of every container on the network, stopped ones included."""
    result = {}
    for listed in client.containers(all=True, filters={"network": network_id}):
        # the list's endpoints lack aliases; the container's own inspect has them
        container = client.inspect_container(listed["Id"])
        for endpoint in ((container.get("NetworkSettings") or {}).get("Networks") or {}).values():
            if endpoint.get("NetworkID") == network_id:
                endpoint["ContainerId"] = container["Id"]
                result[container["Name"].lstrip("/")] = endpoint
    return result


def summary(network: dict | None, names: list[str]) -> dict | None:
    if network is None:
        return None
    return {
        "id": network.get("Id"),
        "name": network.get("Name"),
        "driver": network.get("Driver"),
        "subnets": [p.get("Subnet") for p in (network.get("IPAM") or {}).get("Config") or [] if p.get("Subnet")],
        "containers": sorted(names),
    }


def reconnect(client, network_id: str, endpoints: dict[str, dict]) -> None:
    for name, endpoint in endpoints.items():
        ipam = endpoint.get("IPAMConfig") or {}
        # Docker adds the short ID (and the name) as aliases on its own; they come back by themselves.
        own = (name, endpoint["ContainerId"][:12])
        aliases = [a for a in endpoint.get("Aliases") or [] if a not in own] or None
        client.connect_container_to_network(
            name,
            network_id,
            aliases=aliases,
            ipv4_address=ipam.get("IPv4Address") or None,
            ipv6_address=ipam.get("IPv6Address") or None,
        )


def planned(params: dict, network: dict | None, found: dict, endpoints: dict) -> list[str]:
    """The one action the task needs, if any; TaskError when it would cut containers off without force."""
    name = params["name"]
    action = needed_action(params["state"], network, found)
    if action == "recreated" and name in PREDEFINED:
        raise TaskError(f"{name!r} is one of Docker's own networks; its {', '.join(found)} cannot change")
    if action in ("removed", "recreated") and endpoints and not params["force"]:
        why = "removed" if action == "removed" else f"recreated to change {', '.join(sorted(found))}"
        raise TaskError(
            f"network {name!r} would have to be {why}, which disconnects {', '.join(sorted(endpoints))}; "
            "set force: true to disconnect them (and reconnect them after a recreation)",
            network=summary(network, list(endpoints)),
        )
    return [action] if action else []


def main() -> None:
    dm = DockerModule(
        argument_spec={
            "name": {"type": "str", "required": True},
            "state": {"type": "str", "default": "present", "choices": ["present", "absent"]},
            "driver": {"type": "str"},
            "driver_options": {"type": "dict"},
            "ipam_config": {
                "type": "list",
                "elements": "dict",
                "options": {
                    "subnet": {"type": "str", "required": True},
                    "gateway": {"type": "str"},
                    "ip_range": {"type": "str"},
                },
            },
            "internal": {"type": "bool"},
            "attachable": {"type": "bool"},
            "enable_ipv6": {"type": "bool"},
            "labels": {"type": "dict"},
            "force": {"type": "bool", "default": False},
        },
        supports_check_mode=True,
    )
    module, params = dm.module, dm.params
    name = params["name"]
    try:
        want = wanted(params)
    except SpecError as exc:
        module.fail_json(msg=str(exc))
    if params["state"] == "absent" and name in PREDEFINED:
        module.fail_json(msg=f"name: {name!r} is one of Docker's own networks and cannot be removed")
    client = dm.client
    actions, reconnected = [], []
    with dm.failing(lambda: {"actions": actions}):
        network = inspected(client.inspect_network, name)
        endpoints = attached(client, network["Id"]) if network else {}
        found = network_differences(want, network) if network and params["state"] == "present" else {}
        actions = planned(params, network, found, endpoints)
        if actions and not module.check_mode:
            for container in endpoints:
                client.disconnect_container_from_network(container, network["Id"], force=True)
            if network:
                client.remove_network(network["Id"])
                network = None
            if actions[0] != "removed":
                network = create_network(client, name, want)
                reconnect(client, network["Id"], endpoints)
                reconnected = sorted(endpoints)
    names = list(endpoints) if network is not None else []
    result = {
        "changed": bool(actions),
        "actions": actions,
        "differences": as_differences(found),
        "reconnected": reconnected,
        "network": summary(network, names),
    }
    if module._diff:
        result["diff"] = diff(found, actions)
    dm.exit(**result)


if __name__ == "__main__":
    main()
