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
  - When the daemon answers on its socket, what it runs with (C(docker info)) in daemon.json's
    words, which of those settings differ from C(/etc/docker/daemon.json) (a change the daemon has
    not applied), a restart left pending by an earlier run, the running containers, and how much
    data the data root holds.
  - The dockerd flags in the old option files (C(DOCKER_OPTS) in C(/etc/default/docker), C(OPTIONS) and
    C(other_args) in C(/etc/sysconfig/docker)) in daemon.json's words, in RV(legacy_options), with a warning
    naming each flag that has no daemon.json form.
  - Read-only and fast. It needs no Docker SDK and no running daemon, so it works before Docker is installed.
  - With O(daemon_wait), it waits for the daemon to answer first, to check a restart or reload.
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
  records:
    description:
      - Small JSON files the role keeps on the host (what a static install put in place) whose content to
        return in RV(records), so that a re-run compares them without another round trip.
    type: list
    elements: path
    default: []
  rootless_users:
    description: Users whose rootless Docker to report in RV(rootless).
    type: list
    elements: str
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
  socket:
    description: The daemon's socket, asked over HTTP without the Docker SDK.
    type: path
    default: /var/run/docker.sock
  daemon_json:
    description: The daemon's configuration file, compared with what the daemon runs with.
    type: path
    default: /etc/docker/daemon.json
  restart_marker:
    description:
      - The file in which a run that wrote a change but did not restart the daemon left the keys
        waiting for a restart (with the daemon's PID, so that any restart since clears them).
    type: path
    default: /run/dockyard-docker-restart-pending
  daemon_wait:
    description: Seconds to wait for the daemon to answer; 0 asks once.
    type: int
    default: 0
  daemon_json_content:
    description:
      - Also return daemon.json as it is (RV(daemon_json_content)), the daemon.json keys the service's flags set
        (RV(service_flags)), and which members of the group are system accounts (RV(system_accounts)), for a
        caller that plans the file itself.
    type: bool
    default: false
  apt_sources:
    description:
      - Also return apt's sources files as they are and the Docker keys apt may trust (RV(apt_sources)), for a
        caller that looks for an earlier Docker source that clashes with its own.
    type: bool
    default: false
  data_root:
    description:
      - A data root to look at (an absolute path, which may not exist yet). Returns the mount its nearest existing
        directory is on (RV(data_root_mount)) and, when the daemon holds data on another root, every reason a move
        there would be refused (RV(data_root_move_problems)).
      - An empty string looks at the data root the daemon gets when daemon.json names none, the one an old option
        file names (C(-g), C(--data-root)) or C(/var/lib/docker).
    type: str
extends_documentation_fragment:
  - dockyard.docker.attributes
  - dockyard.docker.attributes.info_module
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
versions:
  description: The installed version of each installed package (null where the package manager does not say).
  returned: always
  type: dict
  sample: {docker.io: 20.10.24+dfsg1-1+deb12u1+b6}
held:
  description: Installed packages held at their version (dpkg hold, dnf versionlock, zypper lock).
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
records:
  description: Each of O(records) and its JSON content, null when it is absent or does not parse.
  returned: always
  type: dict
  sample: {/var/lib/dockyard/static-engine.json: {checksum: "sha256:4f1c...", version: 27.3.1}}
rootless:
  description:
    - For O(rootless_users), C(users) (each user's C(uid), C(home), whether C(subuid) and C(subgid) ranges, C(linger)
      and the user's C(unit) exist, the user's C(daemon_json) settings, CLI C(context), and C(daemon) on the user's
      socket; null for a user that does not exist), C(subid_start), where new subordinate ID ranges may start,
      and C(subid_count), the IDs a range takes.
  returned: always
  type: dict
  sample: {users: {alice: {uid: 1001, subuid: true, linger: true, daemon: {answering: true, rootless: true}}}}
service_active:
  description: Whether the service is running.
  returned: always
  type: bool
service_enabled:
  description: Whether the service starts at boot.
  returned: always
  type: bool
legacy_options:
  description:
    - What the old option files give, C(settings) (daemon.json keys, from live lines and from lines carried
      over earlier, kept as comments), C(migrate) (live lines to carry over, each C(path), C(line) and the
      C(replacement) text), and C(kept) (flags that stay flags, with why).
  returned: always
  type: dict
  sample: {settings: {insecure-registries: [registry.local:5000]}, migrate: [], kept: []}
daemon_json_content:
  description: With O(daemon_json_content), whether daemon.json C(exists), its C(config), or the C(error) reading it.
  returned: when O(daemon_json_content=true)
  type: dict
service_flags:
  description: With O(daemon_json_content), C([key, flag, where]) for each daemon.json key a flag of the service sets.
  returned: when O(daemon_json_content=true)
  type: list
  elements: list
system_accounts:
  description: With O(daemon_json_content), the group's members whose UID is below login.defs' C(UID_MIN).
  returned: when O(daemon_json_content=true)
  type: list
  elements: str
apt_sources:
  description: With O(apt_sources), apt's sources files and the Docker keys apt may trust.
  returned: when O(apt_sources=true)
  type: dict
  contains:
    files:
      description:
        - The text of C(/etc/apt/sources.list) and of each C(.list) and C(.sources) file in C(sources.list.d),
          by path.
      type: dict
    keyrings:
      description:
        - Key files whose names say Docker, in C(trusted.gpg.d), C(/etc/apt/keyrings) and C(/usr/share/keyrings).
        - Named C(keys) before 0.4.0 (a name Jinja cannot reach with a dot).
      type: list
      elements: str
data_root_mount:
  description: With O(data_root), the C(point), C(fstype) and (xfs) C(xfs_ftype) of the mount the data root is on.
  returned: when O(data_root) is given
  type: dict
data_root_move_problems:
  description: With O(data_root), why moving the daemon's data there would be refused (empty when it would not).
  returned: when O(data_root) is set and the daemon holds data on another root
  type: list
  elements: str
daemon:
  description: What the running daemon shows; C(answering=false) (and C(error)) when it does not answer.
  returned: always
  type: dict
  contains:
    answering:
      description: Whether the daemon answered on O(socket).
      type: bool
    version:
      description: The engine's version.
      type: str
    pid:
      description: The daemon's process ID (from its pid file).
      type: int
    running_settings:
      description: The daemon.json keys C(docker info) shows, with the values the daemon runs with.
      type: dict
      sample: {"registry-mirrors": ["https://mirror.example.com/"], "live-restore": false}
    drift:
      description: Keys whose running value differs from what O(daemon_json) asks.
      type: list
      elements: str
    pending_restart:
      description: Keys that an earlier run wrote and left for a restart that has not happened since.
      type: list
      elements: str
    running_containers:
      description: Names of the running containers (a restart stops them unless live-restore is on).
      type: list
      elements: str
    data_root:
      description:
        - The data root in use, as daemon.json names it (with user namespaces on, the daemon keeps its data in a
          directory of it named after the remapped IDs, which this leaves off).
      type: str
    userns_remap:
      description: Whether the daemon runs containers in user namespaces (C(userns-remap)).
      type: bool
    storage_driver:
      description: The storage driver (C(overlayfs) and the like in containerd's image store).
      type: str
    image_store:
      description:
        - C(containerd) when images are kept in containerd's image store (under containerd's root, not the data
          root), else C(classic).
      type: str
      choices: [classic, containerd]
    images:
      description: How many images the store in use holds.
      type: int
    containers:
      description: How many containers the data root holds.
      type: int
    volumes:
      description: How many volumes the data root holds.
      type: int
    swarm:
      description: The engine's swarm membership, V(inactive), V(pending), V(active), V(error) or V(locked).
      type: str
"""

import grp
import json
import os
import pwd
import re

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.dockyard.docker.plugins.module_utils import (
    apt_sources,
    data_root,
    engine_socket,
    facts,
    legacy_options,
    rootless,
    swarm,
)
from ansible_collections.dockyard.docker.plugins.module_utils.daemon_schema import file_drift, load, running_settings
from ansible_collections.dockyard.docker.plugins.module_utils.service_flags import flag_sources

# argv that prints the installed subset of the names appended to it, one per line: name, version and,
# for dpkg, whether it is held.
PACKAGE_QUERIES = {
    "apt": ["dpkg-query", "--show", "--showformat=${db:Status-Status} ${Package} ${Version} ${db:Status-Want}\\n"],
    "dnf": ["rpm", "--query", "--queryformat=installed %{NAME} %{VERSION}-%{RELEASE}\\n"],
    "zypper": ["rpm", "--query", "--queryformat=installed %{NAME} %{VERSION}-%{RELEASE}\\n"],
    "apk": ["apk", "info", "--installed"],
    "pacman": ["pacman", "--query"],
}
# Where the other package managers keep their holds (versionlock, locks).
HOLD_FILES = {"dnf": "/etc/dnf/plugins/versionlock.list", "zypper": "/etc/zypp/locks"}


def parse_packages(manager: str, out: str) -> dict[str, dict]:
    """name -> {version, held} from the output of PACKAGE_QUERIES[manager]."""
    found = {}
    for line in out.splitlines():
        words = line.split()
        if manager in ("apt", "dnf", "zypper"):
            if len(words) >= 3 and words[0] == "installed":
                found[words[1]] = {"version": words[2], "held": words[3:4] == ["hold"]}
        elif words:
            found[words[0]] = {"version": words[1] if len(words) > 1 else None, "held": False}
    return found


def held_elsewhere(manager: str, names: list[str]) -> set[str]:
    """The names a dnf versionlock or a zypper lock holds."""
    try:
        with open(HOLD_FILES[manager], encoding="utf-8") as handle:
            text = handle.read()
    except (KeyError, OSError):
        return set()
    if manager == "dnf":  # lines like docker-ce-0:24.0.7-1.el9.*
        return {n for n in names if re.search(rf"^(?:\d+:)?{re.escape(n)}-(?:\d+:)?\d", text, re.MULTILINE)}
    return {n for n in names if re.search(rf"^solvable_name:\s*{re.escape(n)}\s*$", text, re.MULTILINE)}


def installed_packages(module: AnsibleModule, manager: str, names: list[str]) -> dict[str, dict]:
    if not names:
        return {}
    # Non-zero when some are missing; the output still lists the installed ones.
    _rc, out, _err = module.run_command([*PACKAGE_QUERIES[manager], *names])
    found = {name: info for name, info in parse_packages(manager, out).items() if name in names}
    for name in held_elsewhere(manager, list(found)):
        found[name]["held"] = True
    return found


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


def _read_json(path: str):
    """A small state file's JSON value (the pid file, the restart marker, a record); None when absent or
    unreadable."""
    try:
        with open(path, encoding="utf-8") as handle:
            return json.loads(handle.read())
    except (OSError, ValueError):
        return None


def pending_restart(marker: str, pid) -> list[str]:
    """The keys a marker left by an earlier run names, while the daemon it names (``pid``) still runs."""
    left = _read_json(marker)
    if not isinstance(left, dict) or left.get("pid") != pid:
        return []
    return sorted(str(key) for key in left.get("keys") or [])


def daemon_state(p: dict) -> dict:
    try:
        info = engine_socket.info(p["socket"], wait=p["daemon_wait"])
    except OSError as exc:
        return {"answering": False, "error": str(exc)}
    running = running_settings(info)
    config_drift = file_drift(p["daemon_json"], running)
    pid = _read_json("/var/run/docker.pid")
    containers = engine_socket.get(p["socket"], "/containers/json")
    volumes = engine_socket.get(p["socket"], "/volumes").get("Volumes") or []
    return {
        "_info": info,
        "answering": True,
        "version": info.get("ServerVersion"),
        "pid": pid,
        "running_settings": running,
        "drift": config_drift,
        "pending_restart": pending_restart(p["restart_marker"], pid),
        "running_containers": sorted(name.lstrip("/") for c in containers for name in (c.get("Names") or [])[:1]),
        "data_root": facts.data_root(info),
        "userns_remap": facts.userns_remapped(info),
        "storage_driver": info.get("Driver"),
        "image_store": "containerd" if data_root.in_containerd_store(info) else "classic",
        "images": info.get("Images", 0),
        "containers": info.get("Containers", 0),
        "volumes": len(volumes),
        "swarm": swarm.local_state(info)["state"],
    }


def daemon_json_content(path: str) -> dict:
    """The file as it is: whether it exists, its settings, or why it cannot be read."""
    if not os.path.exists(path):
        return {"exists": False, "config": {}}
    try:
        return {"exists": True, "config": load(path)}
    except (OSError, ValueError) as exc:
        return {"exists": True, "config": None, "error": str(exc)}


def data_root_facts(module: AnsibleModule, path: str, daemon: dict) -> dict:
    """Where a data root would live (the mount of its nearest existing directory, for overlay2's needs),
    and, when the daemon holds data on another root, every reason the move there would be refused."""
    if not os.path.isabs(path):
        return {}
    mount = data_root.mount_of(path, data_root.read_mountinfo())
    found = {"data_root_mount": {"point": mount.point, "fstype": mount.fstype,
                                 "xfs_ftype": data_root.xfs_ftype(module.run_command)(mount.point)
                                 if mount.fstype == "xfs" else None}}  # fmt: skip
    holds = daemon.get("images", 0) + daemon.get("containers", 0) + daemon.get("volumes", 0)
    source = daemon.get("data_root")
    if daemon.get("answering") and holds and source and os.path.realpath(source) != os.path.realpath(path):
        info, daemon_json = daemon.pop("_info"), module.params["daemon_json"]
        problems, needed = data_root.preflight(module.run_command, info, source, path, daemon_json)
        found.update(data_root_move_problems=problems, data_root_bytes=needed)
    return found


def system_accounts(members: list[str]) -> list[str]:
    """The members below the first UID login.defs gives people (system accounts, which a service may need)."""
    uid_min = 1000
    try:
        with open("/etc/login.defs", encoding="utf-8") as handle:
            for line in handle:
                words = line.split()
                if len(words) >= 2 and words[0] == "UID_MIN" and words[1].isdigit():
                    uid_min = int(words[1])
    except OSError:
        pass
    found = []
    for name in members:
        try:
            if pwd.getpwnam(name).pw_uid < uid_min:
                found.append(name)
        except KeyError:
            continue
    return found


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "package_manager": {"type": "str", "required": True, "choices": sorted(PACKAGE_QUERIES)},
            "packages": {"type": "list", "elements": "str", "default": []},
            "users": {"type": "list", "elements": "str", "default": []},
            "paths": {"type": "list", "elements": "path", "default": []},
            "records": {"type": "list", "elements": "path", "default": []},
            "rootless_users": {"type": "list", "elements": "str", "default": []},
            "service": {"type": "str", "default": "docker"},
            "service_manager": {"type": "str", "default": "systemd", "choices": ["systemd", "openrc", "sysvinit"]},
            "group": {"type": "str", "default": "docker"},
            "socket": {"type": "path", "default": "/var/run/docker.sock"},
            "daemon_json": {"type": "path", "default": "/etc/docker/daemon.json"},
            "restart_marker": {"type": "path", "default": "/run/dockyard-docker-restart-pending"},
            "daemon_wait": {"type": "int", "default": 0},
            "daemon_json_content": {"type": "bool", "default": False},
            "data_root": {"type": "str"},
            "apt_sources": {"type": "bool", "default": False},
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
    packages = installed_packages(module, p["package_manager"], p["packages"])
    legacy = legacy_options.read_all()
    if legacy.migrate:
        for flag, why in legacy.kept:
            module.warn(f"{flag} is not carried over to daemon.json ({why}); it stays a flag")
    daemon = daemon_state(p)
    extra = {}
    if p["daemon_json_content"]:
        extra.update(daemon_json_content=daemon_json_content(p["daemon_json"]),
                     service_flags=flag_sources(module, f"{p['service']}.service"),
                     system_accounts=system_accounts(members))  # fmt: skip
    if p["apt_sources"]:
        extra["apt_sources"] = apt_sources.read()
    if p["data_root"] is not None:
        extra.update(data_root_facts(module, legacy_options.data_root(p["data_root"], legacy.settings), daemon))
    daemon.pop("_info", None)
    module.exit_json(
        changed=False,
        **extra,
        installed=[name for name in p["packages"] if name in packages],
        versions={name: info["version"] for name, info in packages.items()},
        held=sorted(name for name, info in packages.items() if info["held"]),
        group_exists=group_exists,
        group_members=members,
        missing_users=missing_users,
        present_paths=[path for path in p["paths"] if os.path.exists(path)],
        records={path: _read_json(path) for path in p["records"]},
        rootless=rootless.read_all(p["rootless_users"]) if p["rootless_users"] else {"users": {}},
        service_active=active,
        service_enabled=enabled,
        legacy_options={
            "settings": legacy.settings,
            "migrate": legacy.migrate,
            "kept": [f"{flag}: {why}" for flag, why in legacy.kept],
        },
        daemon=daemon,
    )


if __name__ == "__main__":
    main()
