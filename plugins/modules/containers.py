#!/usr/bin/python
# Copyright (c) dockyard.docker contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: containers
short_description: Reconcile a whole set of containers in one call
version_added: 0.2.0
description:
  - Brings every container in O(containers) to what its spec says, exactly as
    M(dockyard.docker.container) would, in one module call over one connection, with images and
    networks looked up once for the set. This is what makes an idempotent run over a fleet fast.
  - Every spec is checked and planned before any container is touched, so a bad spec (a port that
    is not a port, an unknown image or network) changes nothing.
  - With O(group), each container carries the label C(dockyard.docker.group=<group>), and O(prune)
    removes the containers with that label that are no longer listed.
options:
  containers:
    description:
      - The container specs. Each takes the options of M(dockyard.docker.container)
        (O(dockyard.docker.container#module:name) is required, O(dockyard.docker.container#module:state)
        defaults to V(started)), validated the same way.
    type: list
    elements: dict
    required: true
  defaults:
    description: Options every spec takes unless it sets them itself, for example C(restart_policy) or C(image).
    type: dict
  group:
    description: The name of this set; its containers are labelled C(dockyard.docker.group=<group>).
    type: str
  prune:
    description: Remove the containers labelled with O(group) that O(containers) does not list. Needs O(group).
    type: bool
    default: false
  remove_volumes:
    description: When pruning, remove the pruned containers' anonymous volumes too.
    type: bool
    default: false
  parallel:
    description:
      - How many containers are created, changed and started at once. A spec waits only for the
        containers of the call it names (O(dockyard.docker.container#module:volumes_from), a
        C(container:) network, PID or IPC mode). Results keep the order of O(containers).
      - After a spec fails no new one starts; those under way finish, and every spec's outcome is
        reported (RV(results[].not_run) says why one was not carried out).
    type: int
    default: 8
extends_documentation_fragment:
  - dockyard.docker.docker
  - dockyard.docker.attributes
  - dockyard.docker.attributes.actiongroup_docker
attributes:
  check_mode:
    support: full
    description: Reports what would be done to each container and which would be pruned.
  diff_mode:
    support: full
    description: The differing options of each container, keyed by its name.
author:
  - Dockyard maintainers (@dockyard)
"""

EXAMPLES = r"""
- name: Run the web tier, removing web containers no longer listed
  dockyard.docker.containers:
    group: web
    prune: true
    defaults:
      image: registry.local:5000/team/web:1.4
      restart_policy: unless-stopped
      volumes: [/srv/web/config:/etc/web:ro]
    containers:
      - name: web-1
        ports: ["127.0.0.1:8081:8080"]
      - name: web-2
        ports: ["127.0.0.1:8082:8080"]

- name: Two different containers in one call
  dockyard.docker.containers:
    containers:
      - name: cache
        image: redis:7
        ports: ["127.0.0.1:6379:6379"]
      - name: worker
        image: registry.local:5000/team/worker:2.0
        env:
          QUEUE: default
"""

RETURN = r"""
results:
  description: One entry per spec, in the order given.
  returned: always
  type: list
  elements: dict
  contains:
    name: {description: The container's name., type: str}
    changed: {description: Whether this container changed (or would)., type: bool}
    actions:
      description: "What was done: created, recreated, updated, reconnected, started, stopped, restarted, removed."
      type: list
      elements: str
    differences:
      description: The differing options, as M(dockyard.docker.container) returns them.
      type: list
      elements: dict
    container: {description: The container as M(dockyard.docker.container) returns it., type: dict}
    exit_code: {description: "With state V(completed), the run's exit code.", type: int}
    stdout: {description: "With state V(completed), what the run wrote to standard output.", type: str}
    stderr: {description: "With state V(completed), what the run wrote to standard error.", type: str}
    failed: {description: "Set when this spec failed; RV(results[].msg) says why.", type: bool}
    msg: {description: "Why this spec failed.", type: str}
    not_run: {description: "Why the spec was not carried out (another failed first, or it waits for one).", type: str}
pruned:
  description: The names of the containers removed by O(prune) (or that would be).
  returned: always
  type: list
  elements: str
"""

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.dockyard.docker.plugins.module_utils.client import DockerModule, TaskError
from ansible_collections.dockyard.docker.plugins.module_utils.container_manager import (
    DEFAULT_WORKERS,
    ContainerManager,
    not_run,
    outcome_result,
    plans_diff,
)
from ansible_collections.dockyard.docker.plugins.module_utils.container_plan import ContainerError, predicted_new
from ansible_collections.dockyard.docker.plugins.module_utils.container_spec import CONTAINER_ARGS, desired
from ansible_collections.dockyard.docker.plugins.module_utils.values import SpecError

GROUP_LABEL = "dockyard.docker.group"


def specs(params: dict) -> list[tuple[dict, dict]]:
    """(spec, desired values) for every spec, with the defaults and the group label, validated like the
    container module's options; TaskError names the spec and what is wrong with it."""
    validator = ArgumentSpecValidator(CONTAINER_ARGS)
    result, names = [], set()
    for index, raw in enumerate(params["containers"]):
        if not isinstance(raw, dict):
            raise TaskError(f"containers[{index}]: {raw!r} is not a mapping of container options")
        item = {**(params["defaults"] or {}), **raw}
        where = f"containers[{index}] ({item.get('name') or 'no name'})"
        checked = validator.validate(item)
        if checked.error_messages:
            raise TaskError(f"{where}: {'; '.join(checked.error_messages)}")
        spec = checked.validated_parameters
        if spec["name"] in names:
            raise TaskError(f"{where}: the name {spec['name']!r} is listed twice")
        names.add(spec["name"])
        if params["group"]:
            spec["labels"] = {**(spec.get("labels") or {}), GROUP_LABEL: params["group"]}
        try:
            want = desired(spec)
        except SpecError as exc:
            raise TaskError(f"{where}: {exc}") from None
        spec["where"] = where
        result.append((spec, want))
    return result


def main() -> None:
    dm = DockerModule(
        argument_spec={
            "containers": {"type": "list", "elements": "dict", "required": True},
            "defaults": {"type": "dict"},
            "group": {"type": "str"},
            "prune": {"type": "bool", "default": False},
            "remove_volumes": {"type": "bool", "default": False},
            "parallel": {"type": "int", "default": DEFAULT_WORKERS},
        },
        required_if=[("prune", True, ["group"])],
        supports_check_mode=True,
    )
    module, params = dm.module, dm.params
    with dm.failing():
        wanted = specs(params)
    if module.check_mode:
        absent = dm.unreachable_reason()
        if absent:
            module.warn(f"no Docker daemon answers yet ({absent}): every container is predicted as new")
            results = [predicted_new(spec) for spec, _want in wanted]
            dm.exit(changed=any(r["changed"] for r in results), results=results, pruned=[])
    manager = ContainerManager(dm.client, module.check_mode)
    plans: list = []
    with dm.failing(lambda: {"results": [not_run(p, "not carried out") for p in plans]}):
        for spec, want in wanted:
            try:
                plans.append(manager.plan(spec, want))
            except ContainerError as exc:
                module.fail_json(msg=f"{spec['where']}: {exc}")
        outcomes = manager.act_all(plans, params["parallel"])
        results = [outcome_result(plan, error, why) for plan, error, why in outcomes]
        errors = [f"{plan.params['where']}: {error}" for plan, error, _why in outcomes if error]
        if errors:
            module.fail_json(msg="; ".join(errors), results=results)
        keep = {spec["name"] for spec, _want in wanted}
        leftovers = manager.leftovers(GROUP_LABEL, params["group"], keep) if params["prune"] else {}
        manager.prune(leftovers, params["remove_volumes"])
        pruned = sorted(leftovers)
    for warning in manager.warnings:
        module.warn(warning)
    result = {
        "changed": any(plan.changed for plan in plans) or bool(pruned),
        "results": results,
        "pruned": pruned,
    }
    if module._diff:
        result["diff"] = plans_diff(plans)
        for name in pruned:
            result["diff"]["before"][name], result["diff"]["after"][name] = {"exists": True}, {"exists": False}
    dm.exit(**result)


if __name__ == "__main__":
    main()
