#!/usr/bin/python
# Copyright (c) dockyard.docker contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: container_signal
short_description: Send a signal to a running container's main process, as docker kill -s does
version_added: 0.3.0
description:
  - Sends O(signal) to the main process of the running container O(name), for example C(SIGHUP) to make a
    server read its configuration again. Every run sends it and reports a change, as a handler would.
  - A container that is not running has no process to signal; the task fails and says so.
  - To stop, start or pause a container, use the O(dockyard.docker.container#module:state) of
    M(dockyard.docker.container).
options:
  name:
    description: The container, by name or ID.
    type: str
    required: true
  signal:
    description: The signal, as C(SIGHUP), C(HUP) or a number.
    type: str
    default: SIGKILL
extends_documentation_fragment:
  - dockyard.docker.docker
  - dockyard.docker.attributes
  - dockyard.docker.attributes.actiongroup_docker
attributes:
  check_mode:
    support: full
    description: Says whether the signal would be sent; sends nothing.
  diff_mode:
    support: none
    description: Nothing is compared.
author:
  - Dockyard maintainers (@dockyard)
"""

EXAMPLES = r"""
- name: Make nginx read its configuration again
  dockyard.docker.container_signal:
    name: proxy
    signal: SIGHUP
"""

RETURN = r"""
signal:
  description: The signal sent, by name.
  returned: always
  type: str
  sample: SIGHUP
container:
  description: The container after the signal, as M(dockyard.docker.container) returns it.
  returned: always
  type: dict
"""

from ansible_collections.dockyard.docker.plugins.module_utils.client import DockerModule, TaskError
from ansible_collections.dockyard.docker.plugins.module_utils.container_plan import container_result, is_running
from ansible_collections.dockyard.docker.plugins.module_utils.container_spec import signal_name
from ansible_collections.dockyard.docker.plugins.module_utils.resources import inspected


def main() -> None:
    dm = DockerModule(
        argument_spec={
            "name": {"type": "str", "required": True},
            "signal": {"type": "str", "default": "SIGKILL"},
        },
        supports_check_mode=True,
    )
    params = dm.params
    with dm.failing():
        signal = signal_name(params["signal"], "signal")
        client = dm.client
        container = inspected(client.inspect_container, params["name"])
        if container is None:
            raise TaskError(f"name: no container {params['name']!r} on this host")
        if not is_running(container):
            status = (container.get("State") or {}).get("Status")
            raise TaskError(f"{params['name']!r} is not running (it is {status}): there is no process to signal")
        if not dm.module.check_mode:
            client.kill(container["Id"], signal=signal)
            container = inspected(client.inspect_container, container["Id"])
    dm.exit(changed=True, signal=signal, container=container_result(container))


if __name__ == "__main__":
    main()
