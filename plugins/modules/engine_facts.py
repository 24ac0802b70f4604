#!/usr/bin/python
# Copyright (c) dockyard.docker contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: engine_facts
short_description: What a host has of the Docker engine installation, in one call
version_added: 0.1.0
description:
  - Reports, in a single round trip, what the engine role needs to decide what to change. Which of
    the given packages are installed, whether the C(docker) group exists and who is in it, which
    of the given users exist, which of the given files exist, and whether the engine's service is
    running and enabled.
  - Read-only and fast. It needs no Docker SDK and no running daemon, so it works before Docker is installed.
options:
  package_manager:
    description: The host's package manager, which decides how installed packages are looked up.
    type: str
    required: true
    choices: [apt, dnf, zypper, apk, pacman]
  packages:
    description: Package names to look up.
    type: list
    elements: str
    default: []
  users:
    description: User names to look up.
    type: list
    elements: str
    default: []
  paths:
    description: Files whose presence to report.
    type: list
    elements: path
    default: []
  service:
    description: The engine's service name.
    type: str
    default: docker
  service_manager:
    description: How the host runs services.
    type: str
    default: systemd
    choices: [systemd, openrc, sysvinit]
  group:
    description: The group whose members may use the daemon.
    type: str
    default: docker
attributes:
  check_mode:
    support: full
    description: Only reads.
  diff_mode:
    support: none
    description: Nothing changes.
author:
  - Dockyard maintainers (@dockyard)
"""

EXAMPLES = r"""
- name: Learn what is already in place
  dockyard.docker.engine_facts:
    package_manager: apt
    packages: [docker.io, docker-ce, podman-docker]
    users: [deploy]
    paths: [/etc/systemd/system/docker.service.d/http-proxy.conf]
  register: engine_state
"""

RETURN = r"""
installed:
  description: Which of O(packages) are installed.
  returned: always
  type: list
  elements: str
  sample: [docker.io]
group_exists:
  description: Whether O(group) exists.
  returned: always
  type: bool
group_members:
  description: The members of O(group) (supplementary, as /etc/group lists them).
  returned: always
  type: list
  elements: str
missing_users:
  description: Which of O(users) do not exist.
  returned: always
  type: list
  elements: str
present_paths:
  description: Which of O(paths) exist.
  returned: always
  type: list
  elements: str
service_active:
  description: Whether the service is running.
  returned: always
  type: bool
service_enabled:
  description: Whether the service starts at boot.
  returned: always
  type: bool
"""

import grp
import os
import pwd

from ansible.module_utils.basic import AnsibleModule

# argv that prints the installed subset of the names appended to it, one per line, first word.
PACKAGE_QUERIES = {
    "apt": ["dpkg-query", "--show", "--showformat=${db:Status-Status} ${Package}\\n"],
    "dnf": ["rpm", "--query", "--queryformat=installed %{NAME}\\n"],
    "zypper": ["rpm", "--query", "--queryformat=installed %{NAME}\\n"],
    "apk": ["apk", "info", "--installed"],
    "pacman": ["pacman", "--query", "--quiet"],
}


def installed_packages(module: AnsibleModule, manager: str, names: list[str]) -> list[str]:
    if not names:
        return []
    # Non-zero when some are missing; the output still lists the installed ones.
    _rc, out, _err = module.run_command([*PACKAGE_QUERIES[manager], *names])
    found = set()
    for line in out.splitlines():
        words = line.split()
        if manager in ("apt", "dnf", "zypper"):
            if len(words) == 2 and words[0] == "installed":
                found.add(words[1])
        elif words:
            found.add(words[0])
    return [n for n in names if n in found]


def service_state(module: AnsibleModule, manager: str, service: str) -> tuple[bool, bool]:
    if manager == "systemd":
        active = module.run_command(["systemctl", "is-active", "--quiet", service])[0] == 0
        enabled = module.run_command(["systemctl", "is-enabled", "--quiet", service])[0] == 0
    elif manager == "openrc":
        active = module.run_command(["rc-service", service, "status"])[0] == 0
        enabled = module.run_command(["rc-update", "show", "default"])[1].find(f" {service} ") >= 0
    else:
        active = module.run_command(["service", service, "status"])[0] == 0
        enabled = any(name.startswith("S") and name.endswith(service) for name in _rc_links())
    return active, enabled


def _rc_links() -> list[str]:
    try:
        return os.listdir("/etc/rc2.d")
    except OSError:
        return []


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "package_manager": {"type": "str", "required": True, "choices": sorted(PACKAGE_QUERIES)},
            "packages": {"type": "list", "elements": "str", "default": []},
            "users": {"type": "list", "elements": "str", "default": []},
            "paths": {"type": "list", "elements": "path", "default": []},
            "service": {"type": "str", "default": "docker"},
            "service_manager": {"type": "str", "default": "systemd", "choices": ["systemd", "openrc", "sysvinit"]},
            "group": {"type": "str", "default": "docker"},
        },
        supports_check_mode=True,
    )
    p = module.params
    try:
        group = grp.getgrnam(p["group"])
        group_exists, members = True, list(group.gr_mem)
    except KeyError:
        group_exists, members = False, []
    missing_users = []
    for user in p["users"]:
        try:
            pwd.getpwnam(user)
        except KeyError:
            missing_users.append(user)
    active, enabled = service_state(module, p["service_manager"], p["service"])
    module.exit_json(
        changed=False,
        installed=installed_packages(module, p["package_manager"], p["packages"]),
        group_exists=group_exists,
        group_members=members,
        missing_users=missing_users,
        present_paths=[path for path in p["paths"] if os.path.exists(path)],
        service_active=active,
        service_enabled=enabled,
    )


if __name__ == "__main__":
    main()
