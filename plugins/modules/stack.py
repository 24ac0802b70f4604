#!/usr/bin/python
# Copyright (c) dockyard.docker contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: stack
short_description: Deploy a Compose project to a Docker Swarm as a stack, changing only the services that differ
version_added: 0.4.0
description:
  - Runs on a swarm manager. Reads the project as the compose module reads it (files merged, C(.env) and O(env)
    interpolated, include and extends resolved), on the controller unless O(remote_src), and deploys it as Swarm
    services, overlay networks, secrets and configs, named and labelled as C(docker stack deploy) does, so that
    C(docker stack ls), C(services), C(ps) and C(rm) know the stack.
  - C(deploy) applies - replicas, global mode, placement constraints and preferences, resources, restart, update
    and rollback policies, endpoint mode; ports with C(mode) V(ingress) or V(host).
  - A service is updated only when its spec differs from the one this module last gave it (a digest kept in a
    label), or its replicas or image were changed by hand; a second run changes nothing, where
    C(docker stack deploy) updates every service. Check mode names the services that would change; diff mode
    shows their specs.
  - Secrets and configs are Swarm objects, which cannot change; each version is named after a digest of its
    content, services move to the new one, and versions no service of the stack uses any more are removed.
  - Waits (O(wait)) until every changed service runs its tasks (or rolled back), and reports the tasks that failed
    with their error.
options:
  name:
    description: The stack's name.
    type: str
    required: true
  state:
    description: V(absent) removes the stack's services, then its networks, secrets and configs.
    type: str
    default: present
    choices: [present, absent]
  project_src:
    description: The project's directory, on the controller (found as C(copy) finds a source), or on the manager
      with O(remote_src=true).
    type: path
  remote_src:
    description: Read O(project_src) on the manager (which then needs PyYAML) instead of the controller.
    type: bool
    default: false
  files:
    description: Compose files in O(project_src), merged in order; default C(compose.yaml) and its override.
    type: list
    elements: str
  definition:
    description: The project as a mapping (or YAML text) instead of files.
    type: raw
  env:
    description: Variables for interpolation, over the project's C(.env).
    type: dict
    default: {}
  prune:
    description: Remove the stack's services that the project no longer has.
    type: bool
    default: false
  wait:
    description: Wait until the changed services run their tasks.
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait.
    type: int
    default: 300
  _stack:
    description: Internal, set by the module's action plugin when it read the project on the controller; not for tasks.
    type: dict
  _contents:
    description: Internal (see O(_stack)); the secrets' and configs' contents, kept out of every output.
    type: dict
extends_documentation_fragment:
  - dockyard.docker.docker
  - dockyard.docker.attributes
  - dockyard.docker.attributes.actiongroup_docker
attributes:
  check_mode:
    support: full
    description: Names what would be created, updated and removed.
  diff_mode:
    support: full
    description: The specs of the services that would change, as the engine holds them and as they would be.
notes:
  - Read on the controller, secret and config files are read there too; their contents travel in an argument
    that is never shown.
  - A swarm does not build; each service needs an C(image) every node can pull (or has).
author:
  - Dockyard maintainers (@dockyard)
"""

EXAMPLES = r"""
- name: Deploy the shop stack from the manager's copy of the project
  dockyard.docker.stack:
    name: shop
    project_src: /srv/shop
    prune: true
"""

RETURN = r"""
services:
  description: Each service of the stack and what happened to it, V(created), V(updated), V(unchanged) or V(removed).
  returned: always
  type: dict
actions:
  description: What was done, as C(<kind> <name> <what>), for example C(service shop_web updated).
  returned: always
  type: list
  elements: str
failed_tasks:
  description: Tasks that failed while the services converged, C(service), C(node), C(state) and C(error).
  returned: always
  type: list
  elements: dict
"""

import json
import time

from ansible_collections.dockyard.docker.plugins.module_utils.client import (
    APIError,
    DockerModule,
    TaskError,
    daemon_words,
    engine_request,
)
from ansible_collections.dockyard.docker.plugins.module_utils.compose_read import READING_OPTIONS, ProjectFiles
from ansible_collections.dockyard.docker.plugins.module_utils.stack_spec import NAMESPACE_LABEL, Stack
from ansible_collections.dockyard.docker.plugins.module_utils.swarm_services import (
    converge,
    deploy_services,
    ensure_objects,
    failed_message,
    manager_answers,
    shaped,
)


def in_stack(stack: str) -> dict[str, list[str]]:
    """The engine filter that selects the stack's objects: its label."""
    return {"label": [f"{NAMESPACE_LABEL}={stack}"]}


def listing(dm, kind: str, stack: str) -> list[dict]:
    """The stack's objects of ``kind`` (services, secrets, configs, networks)."""
    params = {"filters": json.dumps(in_stack(stack))}
    return engine_request(dm.client, "GET", f"/{kind}", params=params).json() or []


def remove_unused(dm, stack: Stack, actions: list[str], prune: bool, current: dict[str, dict]) -> None:
    if prune:
        for name in sorted(set(current) - set(stack.services)):
            actions.append(f"service {name} removed")
            if not dm.module.check_mode:
                dm.client.remove_service(current[name]["ID"])
    wanted = {o["name"] for o in [*stack.secrets.values(), *stack.configs.values()]}
    in_use = {ref.get(f"{field}Name") for s in listing(dm, "services", stack.name)
              for kind, field in (("Secrets", "Secret"), ("Configs", "Config"))
              for ref in s["Spec"]["TaskTemplate"]["ContainerSpec"].get(kind) or []}  # fmt: skip
    for kind in ("secrets", "configs"):
        for obj in listing(dm, kind, stack.name):
            name = obj["Spec"]["Name"]
            if name not in wanted and name not in in_use:
                actions.append(f"{kind[:-1]} {name} removed (an older version)")
                if not dm.module.check_mode:
                    engine_request(dm.client, "DELETE", f"/{kind}/{obj['ID']}")


def remove_network(dm, network: dict, timeout: int) -> None:
    """A stack's network, once the tasks of its removed services have left it; with wait, until the swarm has taken
    it away (a moment after the last task on it is down)."""
    deadline = time.monotonic() + timeout
    removed = False
    while True:
        try:
            if not removed:
                engine_request(dm.client, "DELETE", f"/networks/{network['Id']}")
                removed = True
            if not dm.params["wait"]:
                return
            engine_request(dm.client, "GET", f"/networks/{network['Id']}")
            last = "it is still there"
        except APIError as exc:
            if exc.status_code == 404:
                return
            last = daemon_words(exc)
        if time.monotonic() > deadline:
            raise TaskError(f"network {network['Name']} could not be removed within {timeout}s: {last}")
        time.sleep(1)


def remove_stack(dm, name: str, actions: list[str]) -> None:
    for kind in ("services", "secrets", "configs", "networks"):
        for obj in listing(dm, kind, name):
            label = obj.get("Spec", {}).get("Name") or obj.get("Name")
            actions.append(f"{kind[:-1]} {label} removed")
            if dm.module.check_mode:
                continue
            if kind == "networks":
                remove_network(dm, obj, dm.params["wait_timeout"])
            else:
                engine_request(dm.client, "DELETE", f"/{kind}/{obj['ID']}")


def read_stack(params: dict) -> Stack:
    """The stack the action plugin read on the controller, or the project read here (remote_src)."""
    if params["_stack"] is not None:
        return Stack.from_carried(params["_stack"], params["_contents"] or {})
    if not (params["project_src"] or params["definition"]):
        raise TaskError("state: present needs project_src or definition")
    files = ProjectFiles({**params, "project_name": params["name"], "profiles": []})
    return Stack(files.config, params["name"], files.directory)


def main() -> None:
    dm = DockerModule(
        argument_spec={
            "name": {"type": "str", "required": True},
            "state": {"type": "str", "default": "present", "choices": ["present", "absent"]},
            **{k: v for k, v in READING_OPTIONS.items() if k not in ("project_name", "profiles")},
            "prune": {"type": "bool", "default": False},
            "wait": {"type": "bool", "default": True},
            "wait_timeout": {"type": "int", "default": 300},
            "remote_src": {"type": "bool", "default": False},
            "_stack": {"type": "dict"},
            "_contents": {"type": "dict", "no_log": True},
        },
        supports_check_mode=True,
    )
    module, params = dm.module, dm.params
    actions: list[str] = []
    result: dict = {"services": {}, "failed_tasks": []}
    with dm.failing(lambda: {"actions": actions, **result}):
        stack = read_stack(params) if params["state"] == "present" else None
        for warning in stack.warnings if stack else []:
            module.warn(warning)
        if not manager_answers(dm):
            result["services"] = dict.fromkeys(stack.services if stack else [], "created")
            actions += [f"service {name} created" for name in result["services"]]
        elif stack is None:
            remove_stack(dm, params["name"], actions)
        else:
            current = {s["Spec"]["Name"]: s for s in listing(dm, "services", stack.name)}
            started = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime())
            ids = ensure_objects(dm, stack, actions)
            result["services"] = deploy_services(dm, stack, current, ids, actions)
            changed = [n for n, v in result["services"].items() if v != "unchanged"]
            if changed and params["wait"] and not module.check_mode:
                result["failed_tasks"] = converge(dm, in_stack(stack.name), changed, params["wait_timeout"], started)
            remove_unused(dm, stack, actions, params["prune"], current)
            result["services"].update(
                {a.split()[1]: "removed" for a in actions if a.startswith("service ") and a.endswith("removed")}
            )
            if module._diff:
                result["diff"] = {
                    "before": {n: shaped(current[n]["Spec"], stack.services[n]) for n in changed if n in current},
                    "after": {n: stack.services[n] for n in changed},
                }
    if result["failed_tasks"]:
        module.fail_json(msg=failed_message(result["failed_tasks"]), changed=bool(actions), actions=actions, **result)
    dm.exit(changed=bool(actions), actions=actions, **result)


if __name__ == "__main__":
    main()
