#!/usr/bin/python
# Copyright (c) dockyard.docker contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: host_info
short_description: What C(docker info) and C(docker version) tell about a Docker host
version_added: 0.1.0
description:
  - Reports the Docker engine of a host the way its owner asks for it. Server and API version, storage
    driver, data root, cgroup version and driver, registry mirrors, insecure registries, whether swap
    limits are supported, and counts of containers and images.
  - Optionally lists the host's containers, images, networks and volumes.
  - Read-only; never reports a change.
options:
  containers:
    description: List the host's containers in RV(containers).
    type: bool
    default: false
  containers_all:
    description: With O(containers), list stopped containers too, as C(docker ps -a) does.
    type: bool
    default: false
  images:
    description: List the host's images in RV(images).
    type: bool
    default: false
  networks:
    description: List the host's networks in RV(networks).
    type: bool
    default: false
  volumes:
    description: List the host's volumes in RV(volumes).
    type: bool
    default: false
  tolerate_unreachable:
    description:
      - When the daemon cannot be reached, return RV(can_talk_to_docker=false) and the reason in RV(error)
        instead of failing. Useful to decide whether a host still needs Docker installed.
      - A missing Docker SDK for Python counts as unreachable too (a host without Docker has no SDK
        either); without this option it is a failure that names the package to install.
    type: bool
    default: false
extends_documentation_fragment:
  - dockyard.docker.docker
  - dockyard.docker.attributes
  - dockyard.docker.attributes.actiongroup_docker
  - dockyard.docker.attributes.info_module
author:
  - Dockyard maintainers (@dockyard)
seealso:
  - name: docker info
    description: The CLI command whose answers this module returns.
    link: https://docs.docker.com/reference/cli/docker/system/info/
"""

EXAMPLES = r"""
- name: Ask the engine what it is running with
  dockyard.docker.host_info:
  become: true
  register: docker_host

- name: Warn when swap limits are not enforced
  ansible.builtin.debug:
    msg: "{{ inventory_hostname }} cannot limit swap; see docker_swap_accounting in the engine role"
  when: not docker_host.host.swap_limit_support

- name: Find hosts that still need Docker installed, without failing on them
  dockyard.docker.host_info:
    tolerate_unreachable: true
  become: true
  register: probe

- name: List running containers and volumes of a remote daemon over TLS
  dockyard.docker.host_info:
    docker_host: tcp://build01.example.com:2376
    validate_certs: true
    cert_path: /etc/docker/client
    containers: true
    volumes: true
  delegate_to: localhost
"""

RETURN = r"""
can_talk_to_docker:
  description: Whether the daemon answered.
  returned: always
  type: bool
  sample: true
error:
  description: Why the daemon could not be reached, when O(tolerate_unreachable=true) and it could not.
  returned: when RV(can_talk_to_docker) is false
  type: str
  sample: "cannot connect to the Docker daemon at unix:///var/run/docker.sock: ... Is dockerd running?"
host:
  description: The facts a host owner asks for, under stable names.
  returned: when RV(can_talk_to_docker) is true
  type: dict
  contains:
    server_version:
      description: The engine's version.
      type: str
      sample: 20.10.24+dfsg1
    api_version:
      description: The newest API version the engine speaks.
      type: str
      sample: "1.41"
    min_api_version:
      description: The oldest API version the engine still accepts.
      type: str
      sample: "1.12"
    operating_system:
      description: The host's operating system as the engine reports it.
      type: str
      sample: Debian GNU/Linux 12 (bookworm)
    kernel_version:
      description: The host's kernel.
      type: str
    architecture:
      description: The host's machine architecture.
      type: str
      sample: x86_64
    storage_driver:
      description: The storage driver in use.
      type: str
      sample: overlay2
    data_root:
      description: Where the engine keeps images, containers and volumes.
      type: str
      sample: /var/lib/docker
    cgroup_version:
      description: The control group hierarchy version, C(1) or C(2).
      type: str
      sample: "2"
    cgroup_driver:
      description: The cgroup driver, C(systemd) or C(cgroupfs).
      type: str
      sample: systemd
    logging_driver:
      description: The default log driver for new containers.
      type: str
      sample: json-file
    live_restore:
      description: Whether containers keep running while the daemon restarts.
      type: bool
    registry_mirrors:
      description: The configured Docker Hub mirrors.
      type: list
      elements: str
      sample: [https://mirror.example.com/]
    insecure_registries:
      description:
        - Registries (host:port) and networks (CIDR) the engine talks to without verified TLS.
        - The loopback networks Docker always treats as insecure are left out.
      type: list
      elements: str
      sample: [registry.local:5000, 10.0.0.0/8]
    swap_limit_support:
      description:
        - Whether the kernel lets the engine limit a container's swap.
        - When not, C(docker info) warns "No swap limit support".
      type: bool
    memory_limit_support:
      description: Whether the kernel lets the engine limit a container's memory.
      type: bool
    containers:
      description: Number of containers, in all.
      type: int
    containers_running:
      description: Number of running containers.
      type: int
    containers_paused:
      description: Number of paused containers.
      type: int
    containers_stopped:
      description: Number of stopped containers.
      type: int
    images:
      description: Number of images.
      type: int
    warnings:
      description: Warnings the engine gives about its own set-up.
      type: list
      elements: str
info:
  description: The engine's whole answer to C(docker info), as the API returns it.
  returned: when RV(can_talk_to_docker) is true
  type: dict
version:
  description: The engine's whole answer to C(docker version), as the API returns it.
  returned: when RV(can_talk_to_docker) is true
  type: dict
containers:
  description: The host's containers, when O(containers=true).
  returned: when O(containers=true) and RV(can_talk_to_docker) is true
  type: list
  elements: dict
  sample: [{"id": "3f1c...", "name": "web", "image": "nginx:1.27", "state": "running",
            "status": "Up 2 hours", "ports": ["0.0.0.0:8080->80/tcp"]}]
images:
  description: The host's images, when O(images=true).
  returned: when O(images=true) and RV(can_talk_to_docker) is true
  type: list
  elements: dict
  sample: [{"id": "sha256:4a8...", "tags": ["registry.local:5000/app:1.0"], "size": 1990000}]
networks:
  description: The host's networks, when O(networks=true).
  returned: when O(networks=true) and RV(can_talk_to_docker) is true
  type: list
  elements: dict
  sample: [{"id": "b7f...", "name": "bridge", "driver": "bridge", "scope": "local"}]
volumes:
  description: The host's volumes, when O(volumes=true).
  returned: when O(volumes=true) and RV(can_talk_to_docker) is true
  type: list
  elements: dict
  sample: [{"name": "pgdata", "driver": "local", "mountpoint": "/var/lib/docker/volumes/pgdata/_data"}]
"""

from ansible_collections.dockyard.docker.plugins.module_utils.client import DockerModule
from ansible_collections.dockyard.docker.plugins.module_utils.facts import (
    container_listing,
    host_summary,
    image_listing,
    network_summary,
    volume_summary,
)


def main() -> None:
    dm = DockerModule(
        argument_spec={
            "containers": {"type": "bool", "default": False},
            "containers_all": {"type": "bool", "default": False},
            "images": {"type": "bool", "default": False},
            "networks": {"type": "bool", "default": False},
            "volumes": {"type": "bool", "default": False},
            "tolerate_unreachable": {"type": "bool", "default": False},
        },
        supports_check_mode=True,
    )
    params = dm.params
    if params["tolerate_unreachable"]:
        error = dm.unreachable_reason()
        if error:
            dm.exit(changed=False, can_talk_to_docker=False, error=error)
    dm.require_sdk()

    client = dm.client
    with dm.failing():
        info = client.info()
        version = client.version()
        result = {
            "changed": False,
            "can_talk_to_docker": True,
            "info": info,
            "version": version,
            "host": host_summary(info, version),
        }
        if params["containers"]:
            result["containers"] = [container_listing(c) for c in client.containers(all=params["containers_all"])]
        if params["images"]:
            result["images"] = [image_listing(i) for i in client.images()]
        if params["networks"]:
            result["networks"] = [network_summary(n) for n in client.networks()]
        if params["volumes"]:
            result["volumes"] = [volume_summary(v) for v in client.volumes().get("Volumes") or []]
    dm.exit(**result)


if __name__ == "__main__":
    main()
