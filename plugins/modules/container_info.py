#!/usr/bin/python
# Copyright (c) dockyard.docker contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: container_info
short_description: Inspect a container, or the containers that match filters, with their logs on request
version_added: 0.3.0
description:
  - With O(name), inspects that container; one that does not exist gives RV(exists=false), not an error.
  - With O(filters), inspects every container that matches, running or not, as C(docker ps -a --filter) finds them.
  - With O(logs), adds what C(docker logs) prints, standard output and standard error apart.
  - Read-only.
options:
  name:
    description: The container, by name or ID.
    type: str
  filters:
    description:
      - Filters as C(docker ps --filter) takes them, written as a mapping, for example C(status=exited),
        C(label=team=web) or C(ancestor=busybox) as the keys V(status), V(label), V(ancestor) with their values.
    type: dict
  logs:
    description: Add each container's RV(containers[].logs).
    type: bool
    default: false
  tail:
    description:
      - With O(logs), how many of the last lines to return; V(all) for every line.
      - As with C(docker logs --tail), the lines of both streams count together.
    type: str
    default: "100"
  since:
    description:
      - With O(logs), only lines written since then, as C(docker logs --since) takes it
        (a duration ago such as C(10m) or C(1h30m), a Unix time, or an RFC 3339 time).
    type: str
  timestamps:
    description: With O(logs), prefix each line with the time it was written.
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
- name: What did the backup job print, and how did it end?
  dockyard.docker.container_info:
    name: backup
    logs: true
    tail: "50"
  register: backup

- name: Fail on a backup that did not end well
  ansible.builtin.assert:
    that: backup.container.exit_code == 0
    fail_msg: "{{ backup.container.logs.stderr }}"

- name: Every container that has exited, with its exit code
  dockyard.docker.container_info:
    filters:
      status: exited
  register: exited
"""

RETURN = r"""
exists:
  description: Whether the container exists (with O(filters), whether any matched).
  returned: always
  type: bool
container:
  description: With O(name), the container (as RV(containers[]) describes it); null when there is none.
  returned: always
  type: dict
containers:
  description: The containers found, each as M(dockyard.docker.container) returns one, and more.
  returned: always
  type: list
  elements: dict
  contains:
    id: {description: The container ID., type: str}
    name: {description: The name., type: str}
    image: {description: The image reference it was created from., type: str}
    status: {description: "created, running, restarting, exited, paused or dead.", type: str}
    running: {description: Whether it runs., type: bool}
    exit_code: {description: The exit code of its last run., type: int}
    health: {description: "starting, healthy or unhealthy; null without a healthcheck.", type: str}
    restart_count: {description: How many times the daemon restarted it by its restart policy., type: int}
    restart_policy: {description: Its restart policy., type: str}
    oom_killed: {description: Whether the kernel killed it for lack of memory., type: bool}
    started_at: {description: When it last started., type: str}
    finished_at: {description: When it last stopped., type: str}
    command: {description: Entry point and command., type: list, elements: str}
    ports: {description: Container port to the host addresses it is published on., type: dict}
    networks: {description: Network name to its IP address and aliases., type: dict}
    mounts:
      description: Its mounts, with the host path of each (C(source)).
      type: list
      elements: dict
      sample: [{type: volume, name: pgdata, source: /var/lib/docker/volumes/pgdata/_data, destination: /data,
                mode: "z", rw: true}]
    labels: {description: Its labels., type: dict}
    logs:
      description: With O(logs), what C(docker logs) prints (a container with a terminal writes it all to stdout).
      type: dict
      contains:
        stdout: {description: Standard output., type: str}
        stderr: {description: Standard error., type: str}
"""

import time
from datetime import datetime

from ansible_collections.dockyard.docker.plugins.module_utils.client import DockerModule
from ansible_collections.dockyard.docker.plugins.module_utils.container_plan import container_details, log_text
from ansible_collections.dockyard.docker.plugins.module_utils.resources import inspected
from ansible_collections.dockyard.docker.plugins.module_utils.values import SpecError, duration_ns


def since_epoch(value: str) -> float:
    """``docker logs --since``: a duration ago, a Unix time or an RFC 3339 time, as seconds since the epoch."""
    text = str(value).strip()
    try:
        return float(text)
    except ValueError:
        pass
    try:
        return time.time() - duration_ns(text, "since") / 1e9
    except SpecError:
        pass
    try:
        return datetime.fromisoformat(text).timestamp()
    except ValueError:
        raise SpecError(f"since: {value!r} is not a duration (10m), a Unix time or an RFC 3339 time") from None


def log_options(params: dict) -> dict:
    tail = str(params["tail"]).strip()
    if tail != "all" and not tail.isdigit():
        raise SpecError(f"tail: {params['tail']!r} is not a number of lines or 'all'")
    options = {"tail": tail if tail == "all" else int(tail), "timestamps": params["timestamps"]}
    if params["since"]:
        options["since"] = since_epoch(params["since"])
    return options


def main() -> None:
    dm = DockerModule(
        argument_spec={
            "name": {"type": "str"},
            "filters": {"type": "dict"},
            "logs": {"type": "bool", "default": False},
            "tail": {"type": "str", "default": "100"},
            "since": {"type": "str"},
            "timestamps": {"type": "bool", "default": False},
        },
        mutually_exclusive=[("name", "filters")],
        required_one_of=[("name", "filters")],
        supports_check_mode=True,
    )
    params = dm.params
    with dm.failing():
        which = log_options(params)  # bad input is named before the daemon is asked
        client = dm.client
        if params["name"]:
            found = inspected(client.inspect_container, params["name"])
            inspected_all = [found] if found else []
        else:
            listed = client.containers(all=True, filters=params["filters"])
            inspected_all = [c for c in (inspected(client.inspect_container, s["Id"]) for s in listed) if c]
        containers = []
        for container in inspected_all:
            details = container_details(container)
            if params["logs"]:
                details["logs"] = {
                    "stdout": log_text(client, container["Id"], stdout=True, stderr=False, **which),
                    "stderr": log_text(client, container["Id"], stdout=False, stderr=True, **which),
                }
            containers.append(details)
    named = containers[0] if params["name"] and containers else None
    dm.exit(changed=False, exists=bool(containers), container=named, containers=containers)


if __name__ == "__main__":
    main()
