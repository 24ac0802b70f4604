#!/usr/bin/python
# Copyright (c) dockyard.docker contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: compose
short_description: Apply a Compose project natively, without the Docker CLI or the compose plugin
version_added: 0.3.0
description:
  - Reads a Compose project (O(project_src), O(files) or O(definition)), interpolates its variables, and brings its
    networks, volumes and containers to what it says, on the same planning engine as M(dockyard.docker.containers) -
    every service checked and planned before anything is touched, each option compared, a second run unchanged.
  - Containers, networks and volumes get the names and labels C(docker compose) gives them
    (C(<project>-<service>-<n>), C(<project>_default), C(<project>_<volume>)), so that C(docker compose ps), C(logs)
    and C(down) know a project this module deployed.
  - C(depends_on) orders the services; a dependency whose condition is C(service_healthy) is waited for until
    healthy, one with C(service_completed_successfully) runs to completion first; a cycle is an error that names it.
  - A key this module does not support fails with its path (C(services.web.build.ssh)) and the list of those it does.
  - C(build) (a context, or C(context), C(dockerfile), C(dockerfile_inline), C(args), C(target), C(labels),
    C(network), C(extra_hosts), C(shm_size), C(cache_from), C(no_cache), C(pull)) builds the service's image with
    the engine's builder, named by C(image) or C(<project>-<service>) as Compose names it, before the containers
    are planned; see O(build) for when. A failed build names the Dockerfile step that failed. Keys that need
    BuildKit (C(ssh), C(secrets), C(platforms), C(additional_contexts)...) are refused with the reason.
  - C(include) brings in other Compose files, each with its relative paths and C(.env) from its own directory; a
    service's C(extends) (in the same file or another) takes what the service it names has, but its C(depends_on)
    and C(volumes_from), under the service's own keys; a name defined twice, a cycle, a missing service are named.
  - Secrets and configs as C(docker compose) gives them without a swarm, at C(/run/secrets/<name>) for a secret,
    C(/<name>) for a config, or the C(target) the service gives. Those given as files on the daemon's host are
    bind-mounted read-only (C(uid), C(gid) and C(mode) are ignored with a warning, as Compose ignores them for a
    bind; files read on the controller for another host are copied in instead); those given by
    C(environment) or C(content) are copied into the container before it starts (mode C(0444) unless C(mode) says),
    never shown in the result or the diff, and a new value recreates the container. C(external) ones (a swarm's) are
    refused with the reason.
  - A network or volume that already exists is compared with the file (driver, driver options, internal, subnets)
    and must carry the project's label; one that differs, or was made outside the project, is an error that names
    it and the fix, before anything is touched (Compose refuses these too; a volume is never recreated, as its
    data would go). Declare it C(external) to use it as it is.
  - Any change to a service recreates its containers, as with Compose (C(docker compose ps) and C(down) read the
    config hash label this module sets; C(docker compose up) on the same project recreates them once, as its own
    hash differs).
requirements:
  - On the target with O(remote_src=true), PyYAML (python3-yaml); the controller has it.
  - A build from a context on the controller needs the Docker SDK for Python there too, which reads C(.dockerignore)
    as the engine does.
options:
  project_src:
    description:
      - The project directory, holding C(compose.yaml) (or C(compose.yml), C(docker-compose.yml)), the C(.env) file,
        and what relative paths in the files refer to. It is on the controller (found as C(ansible.builtin.copy) finds
        a source, in a role's C(files/) or beside the playbook), unless O(remote_src) says it is on the target.
      - Without O(files), the first Compose file there and the override file beside it (C(compose.override.yml),
        C(compose.override.yaml), C(docker-compose.override.yml)...) are read, as C(docker compose) reads them.
      - Read on the controller, the whole project (files, C(.env), includes, extends, env files, secret and config
        files) is checked there before the target is reached, and the target needs neither the files nor PyYAML.
        For a target other than the controller, secret and config files are copied into the containers (there is no
        file on the host to bind; their C(uid), C(gid) and C(mode) apply), a build context is sent to the target
        only when its image is built (a second run sends nothing), and a bind mount of a path beside the project is
        refused with the reason, as the host has no such path.
    type: path
  remote_src:
    description:
      - V(true) reads O(project_src) on the target, as earlier releases did; relative bind mounts then bind the
        host's directories beside the project, as C(docker compose) run there binds them.
    type: bool
    default: false
  files:
    description:
      - Compose files, relative to O(project_src), merged in order as Compose merges them (mappings key by key,
        lists appended with one entry per mount target, C(command) and C(entrypoint) replaced, C(environment) and
        C(labels) merged by name).
    type: list
    elements: str
  definition:
    description: The project itself, as a mapping or YAML text, in place of files.
    type: raw
  project_name:
    description: The project's name; by default the file's C(name), else the directory's name, normalised as Compose.
    type: str
  env:
    description:
      - Variables for interpolation (and for secrets and configs given by C(environment)), over those of C(.env) in
        O(project_src).
      - They are the task's arguments, shown with it at higher verbosity; keep secret values in the project's C(.env)
        or a secret's file, or mark the task C(no_log).
    type: dict
    default: {}
  profiles:
    description: Profiles whose services are included, besides those without a profile.
    type: list
    elements: str
    default: []
  state:
    description:
      - V(present) creates and starts what the project says; V(stopped) stops its containers; V(restarted) restarts
        them; V(absent) removes its containers and networks (and volumes with O(remove_volumes)).
    type: str
    default: present
    choices: [present, stopped, restarted, absent]
  remove_orphans:
    description: Remove the project's containers whose service is no longer in the project.
    type: bool
    default: false
  remove_volumes:
    description: With O(state=absent), remove the project's volumes too (their data is lost).
    type: bool
    default: false
  parallel:
    description: How many containers are created and started at once (see M(dockyard.docker.containers)).
    type: int
    default: 8
  build:
    description:
      - When the images of services with C(build) are built. V(changed) builds an image that is missing or whose
        context, Dockerfile, args, target or other build settings changed since it was built (a fingerprint of
        them is kept on the image as the label C(dockyard.docker.build-fingerprint)), so a second run builds
        nothing; V(always) builds them on every run, as C(docker compose up --build) (with the engine's layer
        cache, so the task changes only when an image does); V(never) builds none, as C(--no-build).
      - A service whose C(pull_policy) is C(build) is built on every run. A rebuilt image recreates its service's
        containers.
    type: str
    default: changed
    choices: [changed, always, never]
  _project:
    description: Internal, set by the module's action plugin when it read the project on the controller; not for tasks.
    type: dict
  _copied:
    description: Internal (see O(_project)); the contents copied into containers, kept out of every output.
    type: dict
  _contexts:
    description: Internal (see O(_project)); the build contexts the action plugin sent to the target.
    type: dict
    default: {}
extends_documentation_fragment:
  - dockyard.docker.docker
  - dockyard.docker.attributes
  - dockyard.docker.attributes.actiongroup_docker
attributes:
  check_mode:
    support: full
    description:
      - Plans every service and reports what would be created, changed, started or removed; builds nothing.
      - On a host whose daemon does not answer yet (checked before the engine is installed), every
        container, network and volume is predicted as new, with a warning.
  diff_mode:
    support: full
    description: The differing options of each container.
author:
  - Dockyard maintainers (@dockyard)
"""

EXAMPLES = r"""
- name: The web application and its database, from the project in the playbook's files/shop
  dockyard.docker.compose:
    project_src: shop
    env:
      TAG: "1.4"

- name: A project kept on the host itself (its binds are the host's directories)
  dockyard.docker.compose:
    project_src: /srv/shop
    remote_src: true

- name: A project written in the task
  dockyard.docker.compose:
    project_name: monitoring
    definition:
      services:
        exporter:
          image: registry.local:5000/node-exporter:1.8
          pid: host
          restart: unless-stopped

- name: Take it away, data included
  dockyard.docker.compose:
    project_src: shop
    state: absent
    remove_volumes: true
"""

RETURN = r"""
project:
  description: The project's name.
  returned: always
  type: str
services:
  description: Service to the results of its containers, each as M(dockyard.docker.containers) returns one.
  returned: always
  type: dict
networks:
  description: The project's networks created (or removed), by their names.
  returned: always
  type: list
  elements: str
volumes:
  description: The project's volumes created (or removed), by their names.
  returned: always
  type: list
  elements: str
built:
  description: The images built (in check mode, that would be built), by name.
  returned: always
  type: list
  elements: str
removed:
  description: Containers removed (orphans, or all of them with O(state=absent)).
  returned: always
  type: list
  elements: str
"""

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.dockyard.docker.plugins.module_utils.client import DockerModule, TaskError
from ansible_collections.dockyard.docker.plugins.module_utils.compose_images import Builds
from ansible_collections.dockyard.docker.plugins.module_utils.compose_read import READING_OPTIONS, ProjectFiles
from ansible_collections.dockyard.docker.plugins.module_utils.compose_spec import PROJECT_LABEL, SERVICE_LABEL, Project
from ansible_collections.dockyard.docker.plugins.module_utils.container_manager import (
    DEFAULT_WORKERS,
    ContainerManager,
    outcome_result,
    plans_diff,
)
from ansible_collections.dockyard.docker.plugins.module_utils.container_plan import predicted_new
from ansible_collections.dockyard.docker.plugins.module_utils.container_spec import CONTAINER_ARGS, desired
from ansible_collections.dockyard.docker.plugins.module_utils.resources import (
    IPAM_KEYS,
    create_network,
    create_volume,
    inspected,
    network_differences,
    volume_differences,
)
from ansible_collections.dockyard.docker.plugins.module_utils.values import SpecError


def container_specs(project: Project, state: str) -> list[tuple[dict, dict]]:
    """(validated spec, desired values) for every container, in depends_on order; each spec waits for the
    containers of the services it depends on."""
    validator = ArgumentSpecValidator(CONTAINER_ARGS)
    result = []
    for service in project.order:
        after = [spec["name"] for other in project.waits[service] for spec in project.specs[other]]
        for raw in project.specs[service]:
            checked = validator.validate({**raw, "state": state if state != "present" else raw["state"]})
            if checked.error_messages:
                raise TaskError(f"services.{service}: {'; '.join(checked.error_messages)}")
            spec = checked.validated_parameters
            # Secrets and configs given by value: copied in when the container is created, never shown.
            spec.update(where=f"services.{service}", after=after, service=service, copied=project.copied[service])
            try:
                result.append((spec, desired(spec)))
            except SpecError as exc:
                raise TaskError(f"services.{service}: {exc}") from None
    return result


def used(project: Project, kind: str, specs: list[tuple[dict, dict]]) -> list[dict]:
    """The project's networks or volumes that a container uses."""
    names = set()
    for spec, _want in specs:
        if kind == "networks":
            names |= {e["name"] for e in spec.get("networks") or []}
        else:
            names |= {v.split(":")[0] for v in spec.get("volumes") or []}
    return [settings for settings in getattr(project, kind).values() if settings["name"] in names]


def existing(client, kind: str, name: str) -> dict | None:
    """The network or volume of that name as the daemon has it, or None."""
    return inspected(client.inspect_network if kind == "networks" else client.inspect_volume, name)


def wanted(kind: str, settings: dict) -> dict:
    """A project's network or volume in the shape the network and volume modules compare (labels aside:
    Compose's own are added at creation and not compared)."""
    want = {"driver": settings["driver"] or ("bridge" if kind == "networks" else "local"),
            "driver_options": {k: str(v) for k, v in settings["driver_opts"].items()}}  # fmt: skip
    if kind == "networks":
        want["internal"] = settings["internal"]
        config = settings["ipam"].get("config") or []
        pools = [{key: c[option] for option, key in IPAM_KEYS if c.get(option)} for c in config]
        if pools:
            want["ipam_config"] = pools
    return want


def drift(kind: str, settings: dict, found: dict | None, project: str) -> str | None:
    """How an existing network or volume (``found``) of the project differs from the file, as an error
    naming the fix; None when it does not exist, is external (used as it is) or matches. Compose refuses
    these too: a network or volume is not changed in place, and recreating a volume would lose its data."""
    if settings["external"] or found is None:
        return None
    what = f"{kind}: the {kind[:-1]} {settings['name']!r} exists"
    owner = (found.get("Labels") or {}).get(PROJECT_LABEL)
    if owner != project:
        made = f"by project {owner!r}" if owner else "outside Compose"
        return f"{what} and was made {made}; declare it external: true to use it as it is, or remove it"
    compare = network_differences if kind == "networks" else volume_differences
    differs = [f"{option} is {before!r}, the file asks for {after!r}"
               for option, (before, after) in sorted(compare(wanted(kind, settings), found).items())]  # fmt: skip
    if not differs:
        return None
    fix = ("take the project down (state: absent) and apply it again" if kind == "networks"
           else "its data stays: copy it out, remove the volume, and apply again")  # fmt: skip
    return f"{what} with other settings ({'; '.join(differs)}); {fix}"


def ensure(client, kind: str, settings: dict, found: dict | None, project: str, check_mode: bool) -> bool:
    """The network or volume exists (created with Compose's labels when it was not ``found``); True when
    created."""
    if found is not None:
        return False
    if settings["external"]:
        raise TaskError(f"{kind}: {settings['name']!r} is external and does not exist; create it first")
    if check_mode:
        return True
    labels = {**settings["labels"], PROJECT_LABEL: project,
              f"com.docker.compose.{kind[:-1]}": settings["name"].removeprefix(f"{project}_")}  # fmt: skip
    want = {**wanted(kind, settings), "labels": labels}
    if kind == "networks":
        create_network(client, settings["name"], want, ipam_driver=settings["ipam"].get("driver") or "default")
    else:
        create_volume(client, settings["name"], want)
    return True


def main() -> None:
    dm = DockerModule(
        argument_spec={
            **READING_OPTIONS,
            "state": {"type": "str", "default": "present", "choices": ["present", "stopped", "restarted", "absent"]},
            "remove_orphans": {"type": "bool", "default": False},
            "remove_volumes": {"type": "bool", "default": False},
            "parallel": {"type": "int", "default": DEFAULT_WORKERS},
            "build": {"type": "str", "default": "changed", "choices": ["changed", "always", "never"]},
            "remote_src": {"type": "bool", "default": False},
            # Set by the compose action plugin, which read the project on the controller: the project as data, the
            # contents it copies into containers (secrets among them), and the build contexts it sent.
            "_project": {"type": "dict"},
            "_copied": {"type": "dict", "no_log": True},
            "_contexts": {"type": "dict", "default": {}},
        },
        required_one_of=[("project_src", "definition", "_project")],
        mutually_exclusive=[("files", "definition")],
        supports_check_mode=True,
    )
    p, module = dm.params, dm.module
    with dm.failing():
        try:
            if p["_project"] is not None:
                project = Project.from_carried(p["_project"], p["_copied"] or {})
            else:
                project = ProjectFiles(p).project(p["profiles"], p["state"] == "absent")
        except SpecError as exc:
            raise TaskError(str(exc)) from None
        specs = container_specs(project, p["state"] if p["state"] != "absent" else "present")
    result = {"project": project.name, "services": {}, "networks": [], "volumes": [], "removed": [], "built": []}
    absent = dm.unreachable_reason() if module.check_mode else None
    if absent:
        predict_on_fresh_host(dm, absent, project, specs, result)
    client = dm.client
    with dm.failing(lambda: result):
        listed = client.containers(all=True, filters={"label": f"{PROJECT_LABEL}={project.name}"})
        by_name = {c["Names"][0].lstrip("/"): c for c in listed}
        manager = ContainerManager(client, module.check_mode)
        if p["state"] == "absent":
            remove_project(dm, manager, project, by_name, result)
            dm.exit(changed=bool(result["removed"] or result["networks"] or result["volumes"]), **result)
        prepare(dm, manager, project, specs, result)
        plans = [manager.plan(spec, want) for spec, want in specs]
        outcomes = manager.act_all(plans, p["parallel"])
        for plan, error, why in outcomes:
            result["services"].setdefault(plan.params["service"], []).append(outcome_result(plan, error, why))
        errors = [f"{plan.params['where']} ({plan.name}): {error}" for plan, error, _why in outcomes if error]
        if errors:
            module.fail_json(msg="; ".join(errors), changed=True, **result)
        if p["remove_orphans"]:
            wanted = {spec["name"] for spec, _want in specs}
            orphans = sorted(n for n, c in by_name.items() if n not in wanted
                             and c.get("Labels", {}).get(SERVICE_LABEL) not in project.specs)  # fmt: skip
            manager.prune({n: by_name[n]["Id"] for n in orphans}, remove_volumes=False)
            result["removed"] = orphans
    for warning in project.warnings + manager.warnings:
        module.warn(warning)
    changed = any(plan.changed for plan in plans) or bool(
        result["networks"] or result["volumes"] or result["removed"] or result["built"]
    )
    if module._diff:
        result["diff"] = plans_diff(plans)
    dm.exit(changed=changed, **result)


def prepare(dm: DockerModule, manager: ContainerManager, project: Project, specs: list, result: dict) -> None:
    """What the containers need before they are planned: the project's networks and volumes (each looked up once,
    compared with the file before anything is touched, created after) and its images built (a rebuilt image
    recreates its containers)."""
    client, check, p = dm.client, dm.module.check_mode, dm.params
    resources = [(kind, s, existing(client, kind, s["name"]))
                 for kind in ("networks", "volumes") for s in used(project, kind, specs)]  # fmt: skip
    drifts = [drift(kind, s, found, project.name) for kind, s, found in resources]
    if any(drifts):
        raise TaskError("; ".join(d for d in drifts if d))
    builds = Builds(client, list(project.builds.values()), p["build"] if p["state"] == "present" else "never")
    wanted_builds = builds.wanted()
    unsent = [s["image"] for s in wanted_builds if s.get("transfer") and s["image"] not in p["_contexts"]]
    if unsent and not check:  # the action plugin sends these contexts and runs the task again; nothing is touched yet
        dm.exit(changed=False, contexts_needed=unsent)
    for settings in wanted_builds:
        settings["archive"] = p["_contexts"].get(settings["image"])
    if check:
        result["built"] = [settings["image"] for settings in wanted_builds]
        manager.planner.assume_rebuilt(result["built"])
    else:
        result["built"] = builds.run(wanted_builds)
    for kind, s, found in resources:
        if ensure(client, kind, s, found, project.name, check):
            result[kind].append(s["name"])
    manager.planner.assume_networks(result["networks"])


def predict_on_fresh_host(dm: DockerModule, absent: str, project: Project, specs: list, result: dict) -> None:
    """Check mode on a host whose daemon does not answer yet (``absent`` says why; before the engine is
    installed): the whole project would be new."""
    dm.module.warn(f"no Docker daemon answers yet ({absent}): the whole project is predicted as new")
    if dm.params["state"] != "absent":
        result["built"] = [settings["image"] for settings in project.builds.values()]
        for spec, _want in specs:
            result["services"].setdefault(spec["service"], []).append(predicted_new(spec))
        for kind in ("networks", "volumes"):
            result[kind] = [s["name"] for s in used(project, kind, specs) if not s["external"]]
    dm.exit(changed=bool(result["services"]), **result)


def remove_project(dm: DockerModule, manager: ContainerManager, project: Project, by_name: dict, result: dict) -> None:
    """The project's containers, its own networks, and with remove_volumes its own volumes."""
    client, check = dm.client, dm.module.check_mode
    result["removed"] = sorted(by_name)
    manager.prune({name: container["Id"] for name, container in by_name.items()}, remove_volumes=False)
    for kind in ("networks", "volumes") if dm.params["remove_volumes"] else ("networks",):
        for settings in getattr(project, kind).values():
            if settings["external"] or existing(client, kind, settings["name"]) is None:
                continue
            result[kind].append(settings["name"])
            if not check:
                (client.remove_network if kind == "networks" else client.remove_volume)(settings["name"])


if __name__ == "__main__":
    main()
