#!/usr/bin/python
# Copyright (c) dockyard.docker contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: swarm_service
short_description: Keep one Swarm service, written as a Compose service, updated only when it differs
version_added: 0.4.0
description:
  - Runs on a swarm manager. O(definition) is one service as a Compose file writes it (C(image), C(command),
    C(environment), C(ports), C(networks), C(secrets), C(configs), C(volumes), C(deploy), ...), read as the
    M(dockyard.docker.stack) module reads a stack's services, with C(deploy) applied (replicas, global mode,
    placement, resources, restart, update and rollback policies, endpoint mode).
  - The networks, secrets, configs and named volumes it names are the swarm's own, by those names, and must exist;
    the service is named O(name) and belongs to no stack.
  - The service is updated only when its spec differs from the one this module last gave it (a digest kept in a
    label), or its replicas or image were changed by hand; a second run changes nothing. Check mode says what
    would change; diff mode shows the spec before and after.
  - Waits (O(wait)) until the created or updated service runs its tasks (or rolled back), and fails with the
    tasks' errors when it cannot start them.
options:
  name:
    description: The service's name.
    type: str
    required: true
  state:
    description: V(absent) removes the service.
    type: str
    default: present
    choices: [present, absent]
  definition:
    description: The service, as a Compose file's C(services) entry; needed with O(state=present).
    type: dict
  wait:
    description: Wait until a created or updated service runs its tasks.
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait.
    type: int
    default: 300
extends_documentation_fragment:
  - dockyard.docker.docker
  - dockyard.docker.attributes
  - dockyard.docker.attributes.actiongroup_docker
attributes:
  check_mode:
    support: full
    description: Says whether the service would be created, updated or removed.
  diff_mode:
    support: full
    description: The service's spec as the engine holds it and as it would be.
notes:
  - A swarm does not build; the service needs an C(image) every node can pull (or has).
  - A service a stack made is the M(dockyard.docker.stack) module's to keep; this module refuses it.
author:
  - Dockyard maintainers (@dockyard)
"""

EXAMPLES = r"""
- name: Run three replicas of the proxy on the front network, one per node
  dockyard.docker.swarm_service:
    name: proxy
    definition:
      image: registry.example.com/proxy:2.4
      networks: [front]
      ports:
        - target: 80
          published: 80
          mode: host
      secrets: [proxy_tls_key]
      deploy:
        replicas: 3
        placement:
          max_replicas_per_node: 1
        update_config:
          parallelism: 1
          order: start-first
"""

RETURN = r"""
service:
  description: What happened to the service, V(created), V(updated), V(unchanged), V(removed) or V(absent).
  returned: always
  type: str
actions:
  description: What was done, as C(service <name> <what>).
  returned: always
  type: list
  elements: str
failed_tasks:
  description: Tasks that failed while the service converged, C(service), C(node), C(state) and C(error).
  returned: always
  type: list
  elements: dict
"""

import time

from ansible_collections.dockyard.docker.plugins.module_utils.client import DockerModule, TaskError, engine_request
from ansible_collections.dockyard.docker.plugins.module_utils.stack_spec import NAMESPACE_LABEL, Stack
from ansible_collections.dockyard.docker.plugins.module_utils.swarm_services import (
    converge,
    deploy_services,
    ensure_objects,
    failed_message,
    manager_answers,
    services_by_name,
    shaped,
)


def keep(dm, name: str, wanted: Stack | None, actions: list[str], result: dict) -> None:
    """The service made, updated or removed as ``wanted`` says (None: absent), on a manager."""
    module, params = dm.module, dm.params
    current = services_by_name(dm, {"name": [name]}).get(name)
    stack = ((current or {}).get("Spec", {}).get("Labels") or {}).get(NAMESPACE_LABEL)
    if stack:
        raise TaskError(f"name: {name} is a service of the stack {stack!r}; keep it with the stack module")
    if wanted is None:
        if current:
            actions.append(f"service {name} removed")
            result["service"] = "removed"
            if not module.check_mode:
                engine_request(dm.client, "DELETE", f"/services/{current['ID']}")
        return
    started = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime())
    ids = ensure_objects(dm, wanted, actions)
    result["service"] = deploy_services(dm, wanted, {name: current} if current else {}, ids, actions)[name]
    if result["service"] != "unchanged" and params["wait"] and not module.check_mode:
        result["failed_tasks"] = converge(dm, {"name": [name]}, [name], params["wait_timeout"], started)
    if module._diff and result["service"] != "unchanged":
        spec = wanted.services[name]
        result["diff"] = {"before": shaped(current["Spec"], spec) if current else {}, "after": spec}


def main() -> None:
    dm = DockerModule(
        argument_spec={
            "name": {"type": "str", "required": True},
            "state": {"type": "str", "default": "present", "choices": ["present", "absent"]},
            "definition": {"type": "dict"},
            "wait": {"type": "bool", "default": True},
            "wait_timeout": {"type": "int", "default": 300},
        },
        required_if=[("state", "present", ["definition"])],
        supports_check_mode=True,
    )
    module, params, name = dm.module, dm.params, dm.params["name"]
    actions: list[str] = []
    result: dict = {"service": "absent", "failed_tasks": []}
    with dm.failing(lambda: {"actions": actions, **result}):
        wanted = Stack.lone_service(name, params["definition"]) if params["state"] == "present" else None
        for warning in wanted.warnings if wanted else []:
            module.warn(warning)
        if manager_answers(dm):
            keep(dm, name, wanted, actions, result)
        elif wanted:
            result["service"] = "created"
            actions.append(f"service {name} created")
    if result["failed_tasks"]:
        module.fail_json(msg=failed_message(result["failed_tasks"]), changed=bool(actions), actions=actions, **result)
    dm.exit(changed=bool(actions), actions=actions, **result)


if __name__ == "__main__":
    main()
