#!/usr/bin/python
# Copyright (c) dockyard.docker contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: container
short_description: Create, update, start, stop, restart and remove one container
version_added: 0.2.0
description:
  - Makes the container O(name) what the task says, comparing each option the task sets with the
    container (see O(comparisons)); options the task leaves out are not compared.
  - Values the image supplies (env, labels, exposed ports, volumes, cmd) cause no change.
  - A restart policy or resource limit that differs is changed in place; networks are connected
    and disconnected; any other difference recreates the container. While it is recreated, the old
    container is kept aside and put back (and restarted) if the new one cannot be created or started.
  - To reconcile many containers in one call, use M(dockyard.docker.containers).
extends_documentation_fragment:
  - dockyard.docker.container_spec
  - dockyard.docker.docker
  - dockyard.docker.attributes
  - dockyard.docker.attributes.actiongroup_docker
attributes:
  check_mode:
    support: full
    description:
      - Reports what would be created, recreated, updated, started or stopped.
      - With O(pull=always), the registry is asked for the image's digest, not pulled from.
  diff_mode:
    support: full
    description: Shows the options that differ, before and after.
author:
  - Dockyard maintainers (@dockyard)
"""

EXAMPLES = r"""
- name: Run the web server on a port Docker chooses, on loopback only
  dockyard.docker.container:
    name: web
    image: registry.local:5000/team/web:1.4
    ports: ["127.0.0.1::8080"]
    env:
      LOG_LEVEL: info
    volumes:
      - /srv/web/config:/etc/web:ro
      - web-data:/var/lib/web
    restart_policy: unless-stopped
    memory: 512m
  register: web

- name: Tell others where it listens
  ansible.builtin.debug:
    msg: "web answers on port {{ web.container.ports['8080/tcp'][0].host_port }}"

- name: Start the database on its own network and wait until it is healthy
  dockyard.docker.container:
    name: db
    image: postgres:16
    state: healthy
    networks:
      - name: backend
        aliases: [database]
    healthcheck:
      test: pg_isready -U postgres
      interval: 5s
      retries: 10

- name: Apply the database migrations once, and again only for a new image
  dockyard.docker.container:
    name: migrate
    image: registry.local:5000/team/web:1.4
    command: ["web", "migrate"]
    networks:
      - name: backend
    state: completed
  register: migration

- name: A shell that stays up, as docker run -dit does
  dockyard.docker.container:
    name: toolbox
    image: busybox
    tty: true
    interactive: true

- name: Remove the old worker
  dockyard.docker.container:
    name: worker-old
    state: absent
"""

RETURN = r"""
actions:
  description: What was done (or would be, in check mode), in order.
  returned: always
  type: list
  elements: str
  sample: [recreated, started]
differences:
  description: The options that differed, how each was mended (V(recreate), V(update) or V(network)), and the values.
  returned: always
  type: list
  elements: dict
  sample: [{option: env, before: {A: "1"}, after: {A: "2"}, how: recreate}]
container:
  description: The container after the task (before it, in check mode); null when there is none.
  returned: always
  type: dict
  contains:
    id: {description: The container ID., type: str}
    name: {description: The name., type: str}
    image: {description: The image reference it was created from., type: str}
    image_id: {description: The ID of its image., type: str}
    status: {description: "created, running, exited, ...", type: str}
    running: {description: "Whether it runs (a paused container runs, frozen).", type: bool}
    paused: {description: Whether it is paused., type: bool}
    exit_code: {description: The exit code of its last run., type: int}
    health: {description: "starting, healthy or unhealthy; null without a healthcheck.", type: str}
    ports:
      description: What C(docker port) prints, container port to the host addresses it is published on.
      type: dict
      sample: {"80/tcp": [{host_ip: 127.0.0.1, host_port: 32768}]}
    networks: {description: Network name to its IP address and aliases., type: dict}
    labels: {description: Its labels., type: dict}
exit_code:
  description:
    - The exit code of the run (of the earlier run when it was not run again; in check mode, of the last run).
    - Not C(rc), which Ansible would take as a failure for an exit code that O(expected_exit_codes) accepts.
  returned: with O(state=completed)
  type: int
stdout:
  description: What that run wrote to standard output (all of it with O(tty)).
  returned: with O(state=completed)
  type: str
stderr:
  description: What that run wrote to standard error.
  returned: with O(state=completed)
  type: str
"""

from ansible_collections.dockyard.docker.plugins.module_utils.client import DockerModule
from ansible_collections.dockyard.docker.plugins.module_utils.container_manager import ContainerManager
from ansible_collections.dockyard.docker.plugins.module_utils.container_plan import predicted_new
from ansible_collections.dockyard.docker.plugins.module_utils.container_spec import CONTAINER_ARGS, desired


def main() -> None:
    dm = DockerModule(argument_spec=CONTAINER_ARGS, supports_check_mode=True)
    module = dm.module
    with dm.failing():
        want = desired(dm.params)  # bad input fails here, before the daemon is asked anything
    if module.check_mode:
        absent = dm.unreachable_reason()
        if absent:
            module.warn(f"no Docker daemon answers yet ({absent}): the container is predicted as new")
            result = predicted_new(dm.params)
            del result["name"]
            dm.exit(**result)
    manager = ContainerManager(dm.client, module.check_mode)
    plan = None
    with dm.failing(lambda: plan.result() if plan else {}):
        plan = manager.plan(dm.params, want)
        manager.act(plan)
    for warning in manager.warnings:
        module.warn(warning)
    result = plan.result()
    del result["name"]
    if module._diff:
        result["diff"] = plan.diff()
    dm.exit(**result)


if __name__ == "__main__":
    main()
