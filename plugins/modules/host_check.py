#!/usr/bin/python
# Copyright (c) dockyard.docker contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: host_check
short_description: Diagnose a Docker host against the usual pitfalls, each finding with its fix
version_added: 0.3.0
description:
  - Reads the host and reports what is wrong or risky, each as a finding with an RV(findings[].id), a
    RV(findings[].severity) (V(error), V(warning) or V(info)), what was seen, and the fix, usually an engine
    role variable.
  - The daemon - not installed, not running, the socket missing, the user not in the socket's group (or in
    it since a login that came before), daemon.json invalid, refused by the schema, clashing with the
    service's flags, or not applied.
  - The kernel - swap limit support, the cgroup driver under systemd, ip_forward, bridge-nf-call-iptables,
    namespaces, and the kernel features the engine needs (when the kernel configuration is readable).
  - Storage - free space and inodes on the data root, a data root on a network filesystem or on overlay,
    a filesystem without d_type, a deprecated storage driver.
  - Registries - mirrors and insecure registries that do not answer, insecure registries that need not
    be, CAs in C(certs.d) that do not verify their registry, and O(registries) that answer plain HTTP
    while the daemon expects HTTPS (the familiar pull error, predicted).
  - Security - the API on TCP without TLS, a world-writable socket, the docker group's members,
    privileged containers and containers with the socket, json-file logs without rotation, and
    live-restore off when O(expect_live_restore) (not on a swarm node, where swarm mode refuses it).
  - Swarm - on a node, a locked manager, engine settings swarm mode refuses (live-restore, the nftables firewall
    backend), a kernel without IPVS (services' virtual IPs and the ingress routing mesh carry no traffic), an even
    number of managers, and a manager on a DHCP address.
  - Hygiene - dangling images, stopped containers and build cache, with the prune to run.
  - Read-only; the Docker SDK is not needed.
options:
  user:
    description:
      - The user whose access to the socket is checked; one not in the socket's group is an error.
      - By default the one who became root (C(SUDO_USER)), or the user running the module; one not in the group
        is then told as info (it uses sudo, which may be the point).
    type: str
  socket:
    description: The daemon's socket.
    type: path
    default: /var/run/docker.sock
  daemon_json:
    description: The daemon's configuration file.
    type: path
    default: /etc/docker/daemon.json
  unit:
    description: The daemon's systemd unit, whose flags are compared with daemon.json.
    type: str
    default: docker.service
  certs_d:
    description: Where the daemon finds the CAs of registries.
    type: path
    default: /etc/docker/certs.d
  registries:
    description: Registries (C(host:port)) this host pulls from, checked for how they answer.
    type: list
    elements: str
    default: []
  check_registries:
    description: Ask the mirrors and registries; off for hosts that must not reach out.
    type: bool
    default: true
  min_free_percent:
    description: Below this share of free space on the data root, a warning; below half of it, an error.
    type: float
    default: 10
  min_free_inodes_percent:
    description: The same for free inodes.
    type: float
    default: 10
  reclaimable_warn_gb:
    description: Hygiene findings become warnings above this many GiB of one kind.
    type: float
    default: 10
  expect_live_restore:
    description: Report live-restore off as a warning.
    type: bool
    default: false
  expect_hardening:
    description:
      - The hardening profile the host should meet (the engine role's C(docker_hardening)); each of the CIS Docker
        Benchmark's daemon points (section 2) and file owners and modes (section 3, for the service and socket units,
        /etc/docker, registry certificates in O(certs_d), the remote API's TLS files, the Docker and containerd
        sockets, daemon.json, /etc/default/docker) it does not meet is a warning. Without it they are information.
    type: str
    choices: ["", cis]
    default: ""
  hardening_except:
    description: Points of the profile the host leaves out by choice, by CIS number (C(docker_hardening_except)).
    type: list
    elements: str
    default: []
  timeout:
    description: Seconds to wait for the daemon and for each registry.
    type: float
    default: 5
extends_documentation_fragment:
  - dockyard.docker.attributes
  - dockyard.docker.attributes.info_module
author:
  - Dockyard maintainers (@dockyard)
"""

EXAMPLES = r"""
- name: Diagnose the host
  dockyard.docker.host_check:
    registries: [registry.internal:5000]
    expect_live_restore: true
  become: true
  register: check

- name: Show what needs mending
  ansible.builtin.debug:
    msg: "{{ check.findings | selectattr('severity', 'ne', 'info') | map(attribute='fix') | list }}"
"""

RETURN = r"""
findings:
  description: What was found, errors first.
  returned: always
  type: list
  elements: dict
  contains:
    id: {description: "What the check is, as area.name (daemon.not_running, kernel.swap_limit...).", type: str}
    severity: {description: "error, warning or info.", type: str}
    seen: {description: What was found on the host., type: str}
    fix: {description: "How to mend it: the engine role variable, or the command.", type: str}
  sample: [{id: kernel.swap_limit, severity: warning, seen: "docker info: 'WARNING: No swap limit support'",
            fix: "docker_swap_accounting: true"}]
summary:
  description: How many findings of each severity.
  returned: always
  type: dict
  sample: {error: 0, warning: 1, info: 2}
healthy:
  description: No error and no warning.
  returned: always
  type: bool
cis:
  description:
    - Each point of the CIS Docker Benchmark the check reads (section 2's daemon points, section 3's file owners
      and modes), by its number - V(pass), V(warning) or V(info) (missed, as its finding says), or V(absent) (a
      file the host does not have, which the benchmark does not score).
  returned: when the daemon answers
  type: dict
  sample: {"2.2": pass, "2.9": info, "3.15": pass, "3.21": absent}
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.dockyard.docker.plugins.module_utils import hardening, host_checks
from ansible_collections.dockyard.docker.plugins.module_utils.service_flags import flag_clashes


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "user": {"type": "str"},
            "socket": {"type": "path", "default": "/var/run/docker.sock"},
            "daemon_json": {"type": "path", "default": "/etc/docker/daemon.json"},
            "unit": {"type": "str", "default": "docker.service"},
            "certs_d": {"type": "path", "default": "/etc/docker/certs.d"},
            "registries": {"type": "list", "elements": "str", "default": []},
            "check_registries": {"type": "bool", "default": True},
            "min_free_percent": {"type": "float", "default": 10},
            "min_free_inodes_percent": {"type": "float", "default": 10},
            "reclaimable_warn_gb": {"type": "float", "default": 10},
            "expect_live_restore": {"type": "bool", "default": False},
            "expect_hardening": {"type": "str", "choices": ["", "cis"], "default": ""},
            "hardening_except": {"type": "list", "elements": "str", "default": []},
            "timeout": {"type": "float", "default": 5},
        },
        supports_check_mode=True,
    )
    p = module.params
    host = host_checks.Host(socket=p["socket"], daemon_json=p["daemon_json"], params=p, run=module.run_command)
    findings = host_checks.daemon_checks(host, lambda keys: flag_clashes(module, p["unit"], keys, set()))
    for check in (host_checks.kernel_checks, host_checks.storage_checks, host_checks.registry_checks,
                  host_checks.security_checks, host_checks.hardening_checks, host_checks.swarm_checks,
                  host_checks.hygiene_checks):  # fmt: skip
        try:
            findings += check(host)
        except OSError as exc:  # one area that cannot be read does not hide the others
            findings.append(
                host_checks.finding(
                    f"{check.__name__.removesuffix('_checks')}.unreadable",
                    "warning",
                    f"could not be checked: {exc}",
                    "run the check with become: true",
                )
            )
    findings.sort(key=lambda f: host_checks.SEVERITIES.index(f["severity"]))
    counts = host_checks.summary(findings)
    cis = hardening.benchmark_status(findings, host.hardening_files) if host.info is not None else {}
    module.exit_json(
        changed=False, findings=findings, summary=counts, healthy=not (counts["error"] or counts["warning"]), cis=cis
    )


if __name__ == "__main__":
    main()
