# Copyright (c) dockyard.docker contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The daemon points of the CIS Docker Benchmark (v1.6, section 2) the engine role's ``docker_hardening: cis``
profile sets, the file points of its section 3 (owners and modes), and how a host measures against them: the
tables that the role's plan, host_check and the README read.

Nothing here talks to the daemon: the planner and host_check read, these functions judge.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable, Optional

from ansible_collections.dockyard.docker.plugins.module_utils.facts import userns_remapped
from ansible_collections.dockyard.docker.plugins.module_utils.values import LOCAL_LOG_DRIVERS

PROFILES = ("", "cis")


@dataclass(frozen=True)
class Point:
    """One benchmark recommendation the profile meets with one daemon.json key."""

    cis: str  # the benchmark's number, as docker-bench-security prints it
    key: str  # the daemon.json key
    value: Any  # what the profile sets
    default: Any  # what the daemon runs with when daemon.json does not say
    title: str  # the recommendation, briefly
    cost: str  # what it takes away (the README's Hardening section says the same)
    # Set only where the user asks for it by its own variable (fix), not by the profile: reported as information,
    # and met by any value ``met`` accepts.
    on_request: bool = False
    fix: str = ""
    met: Optional[Callable[[Any], bool]] = None

    @property
    def finding_id(self) -> str:
        return "hardening." + self.key.replace("-", "_")


POINTS = (
    Point("2.2", "icc", False, True, "network traffic between containers on the default bridge is restricted",
          "containers on the default bridge no longer reach each other; user-defined networks are unaffected"),
    Point("2.3", "log-level", "info", "info", "the daemon logs at level info",
          "none (info is the daemon's default; the profile writes it down)"),
    Point("2.9", "userns-remap", "default", "", "containers run in user namespaces",
          "files containers write to volumes and bind mounts belong to the remapped IDs; containerd's image store is "
          "not available; what the daemon held before is not seen after the switch", on_request=True,
          fix="docker_userns_remap: default (engine role)", met=bool),
    Point("2.13", "log-driver", "syslog", "json-file", "container logs are sent to a central, remote store",
          "a container's logs are read where they are sent (docker logs reads them only with the daemon's dual "
          "logging cache, which Docker 20.10 and later keep)", on_request=True,
          fix="docker_log_driver: syslog, journald, gelf or fluentd, with the target in docker_log_options "
              "(engine role)", met=lambda driver: driver not in LOCAL_LOG_DRIVERS),
    Point("2.14", "no-new-privileges", True, False, "containers cannot acquire new privileges",
          "setuid and file-capability programs (sudo, su, some ping builds) gain no privileges inside containers"),
    Point("2.15", "live-restore", True, False, "containers keep running while the daemon restarts",
          "none on a single host; swarm mode refuses it, so a swarm node leaves it out (docker_hardening_except)"),
    Point("2.16", "userland-proxy", False, True, "published ports are served by iptables, not docker-proxy",
          "needs the kernel's hairpin NAT (every maintained kernel has it); a port published on 127.0.0.1 is then "
          "reached through the iptables rules dockerd writes"),
)  # fmt: skip
BY_CIS = {point.cis: point for point in POINTS}


@dataclass(frozen=True)
class FilePoint:
    """Two recommendations of the benchmark's section 3 about one kind of file: that root owns it (with the group
    named) and that its mode allows no more than ``mode``."""

    owner_cis: str
    mode_cis: str
    name: str  # the finding's id: hardening.<name>_owner, hardening.<name>_mode
    what: str
    group: str
    mode: int
    # Where it is: paths (the first that exists: systemd reads /etc before /lib), a glob of files that each
    # count ("*" in the path), or a daemon.json key that names it.
    paths: tuple[str, ...] = ()
    config_key: str = ""


CERTS_D = "/etc/docker/certs.d"
UNIT_DIRS = ("/etc/systemd/system", "/lib/systemd/system", "/usr/lib/systemd/system")
FILE_POINTS = (
    FilePoint("3.1", "3.2", "docker_service", "the docker.service unit", "root", 0o644,
              tuple(f"{d}/docker.service" for d in UNIT_DIRS)),
    FilePoint("3.3", "3.4", "docker_socket_unit", "the docker.socket unit", "root", 0o644,
              tuple(f"{d}/docker.socket" for d in UNIT_DIRS)),
    FilePoint("3.5", "3.6", "etc_docker", "/etc/docker", "root", 0o755, ("/etc/docker",)),
    FilePoint("3.7", "3.8", "registry_certs", "a registry certificate", "root", 0o444,
              (f"{CERTS_D}/*/*.crt", f"{CERTS_D}/*/*.cert")),
    FilePoint("3.9", "3.10", "tls_ca", "the remote API's CA certificate", "root", 0o444, config_key="tlscacert"),
    FilePoint("3.11", "3.12", "tls_cert", "the remote API's server certificate", "root", 0o444,
              config_key="tlscert"),
    FilePoint("3.13", "3.14", "tls_key", "the remote API's server key", "root", 0o400, config_key="tlskey"),
    FilePoint("3.15", "3.16", "docker_sock", "the Docker socket", "docker", 0o660,
              ("/run/docker.sock", "/var/run/docker.sock")),
    FilePoint("3.17", "3.18", "daemon_json", "daemon.json", "root", 0o644, ("/etc/docker/daemon.json",)),
    FilePoint("3.19", "3.20", "etc_default_docker", "/etc/default/docker", "root", 0o644, ("/etc/default/docker",)),
    FilePoint("3.21", "3.22", "etc_sysconfig_docker", "/etc/sysconfig/docker", "root", 0o644,
              ("/etc/sysconfig/docker",)),
    FilePoint("3.23", "3.24", "containerd_sock", "containerd's socket", "root", 0o660,
              ("/run/containerd/containerd.sock",)),
)  # fmt: skip
FILE_POINT_IDS = {cis for point in FILE_POINTS for cis in (point.owner_cis, point.mode_cis)}
# The files the engine role writes that the profile asks more of than their usual mode: what it writes them with.
WRITTEN = {"registry_ca": "registry_certs", "tls_ca": "tls_ca", "tls_cert": "tls_cert", "tls_key": "tls_key"}


def unknown_exceptions(excepted: list[str]) -> list[str]:
    """The entries of docker_hardening_except that name no point of the profile."""
    return [str(cis) for cis in excepted if str(cis) not in BY_CIS and str(cis) not in FILE_POINT_IDS]


def written_modes(profile: str, excepted: list[str], usual: dict[str, str]) -> dict[str, str]:
    """The mode the engine role writes each of its files (WRITTEN) with: the profile's where it asks for one and the
    user did not except it, else the ``usual`` one."""
    by_name = {point.name: point for point in FILE_POINTS}
    left_out = {str(cis) for cis in excepted}
    modes = dict(usual)
    if profile == "cis":
        for written, name in WRITTEN.items():
            point = by_name[name]
            if point.mode_cis not in left_out:
                modes[written] = f"{point.mode:04o}"
    return modes


def file_findings(
    observed: list[tuple[FilePoint, str, str, str, int]], expected: str, excepted: list[str]
) -> list[tuple[str, str, str, str]]:
    """(id, severity, seen, fix) for each file of ``observed`` ((point, path, owner, group, mode) as found on the
    host) that another user or group owns, or whose mode allows more than the point's: a warning where the host's
    settings ask for the profile and the user did not except the point, information otherwise."""
    asked = set() if expected != "cis" else FILE_POINT_IDS - {str(cis) for cis in excepted}
    found = []
    for point, path, owner, group, mode in observed:
        if (owner, group) != ("root", point.group):
            seen = f"CIS {point.owner_cis} ({point.what} is owned by root:{point.group}): {path} is {owner}:{group}"
            fix = f"chown root:{point.group} {path}"
            found.append((f"hardening.{point.name}_owner", _severity(point.owner_cis, asked), seen, fix))
        if mode & ~point.mode & 0o7777:
            seen = f"CIS {point.mode_cis} ({point.what} has mode {point.mode:o} or less): {path} is {mode:o}"
            fix = f"chmod {point.mode:o} {path}"
            if point.name in WRITTEN.values():
                fix = f"docker_hardening: cis (engine role, which writes it {point.mode:o}), or {fix}"
            found.append((f"hardening.{point.name}_mode", _severity(point.mode_cis, asked), seen, fix))
    return found


CIS_SEEN = re.compile(r"^CIS ([0-9]+\.[0-9]+) ")


def benchmark_status(findings: list[dict[str, str]], files_present: set[str]) -> dict[str, str]:
    """CIS number -> pass, warning or info (missed: as host_check reported it), or absent (a file of section 3 the
    host does not have, which the benchmark does not score), for every point of both tables, in the benchmark's
    order."""
    missed = {}
    for found in findings:
        match = CIS_SEEN.match(found.get("seen", "")) if found["id"].startswith("hardening.") else None
        if match:
            missed[match.group(1)] = found["severity"]
    status = {point.cis: missed.get(point.cis, "pass") for point in POINTS}
    for point in FILE_POINTS:
        for cis in (point.owner_cis, point.mode_cis):
            status[cis] = missed.get(cis, "pass" if point.name in files_present else "absent")
    return dict(sorted(status.items(), key=lambda item: tuple(int(part) for part in item[0].split("."))))


def _severity(cis: str, asked: set[str]) -> str:
    return "warning" if cis in asked else "info"


def profile_points(profile: str, excepted: list[str]) -> list[Point]:
    """The points ``profile`` sets on a host, without those the user excepted."""
    if profile != "cis":
        return []
    left_out = {str(cis) for cis in excepted}
    return [point for point in POINTS if point.cis not in left_out and not point.on_request]


def profile_settings(profile: str, excepted: list[str]) -> dict[str, Any]:
    """The daemon.json keys and values ``profile`` asks for."""
    return {point.key: point.value for point in profile_points(profile, excepted)}


def measured(point: Point, config: dict[str, Any], info: Optional[dict[str, Any]], bridge_icc: Optional[str]) -> Any:
    """The value a host runs with for ``point``: what the daemon reports where it reports it (live-restore in
    docker info, icc on the default bridge's options), else daemon.json, else the daemon's default."""
    if point.key == "live-restore" and info is not None:
        return bool(info.get("LiveRestoreEnabled"))
    if point.key == "icc" and bridge_icc is not None:
        return bridge_icc != "false"
    if point.key == "log-driver" and info is not None:
        return info.get("LoggingDriver") or point.default
    if point.key == "userns-remap" and info is not None:
        return (config.get(point.key) or "on") if userns_remapped(info) else ""
    return config.get(point.key, point.default)


def point_findings(
    config: dict[str, Any],
    info: Optional[dict[str, Any]],
    bridge_icc: Optional[str],
    expected: str,
    excepted: list[str],
    in_swarm: bool,
) -> list[tuple[str, str, str, str]]:
    """(id, severity, seen, fix) for every point the host does not meet: a warning where the host's own settings
    ask for the profile (``expected``) and the user did not except the point, information otherwise."""
    asked = {point.cis for point in profile_points(expected, excepted)}
    found = []
    for point in POINTS:
        value = measured(point, config, info, bridge_icc)
        if point.met(value) if point.met else value == point.value:
            continue
        severity = _severity(point.cis, asked)
        fix = point.fix or (
            f"docker_hardening: cis (engine role), or docker_daemon_options: {{{point.key}: {_json(point.value)}}}"
        )
        if point.key == "live-restore" and in_swarm:
            severity, fix = (
                "info",
                "none on a swarm node (swarm mode refuses live-restore): list 2.15 in docker_hardening_except",
            )
        seen = f"CIS {point.cis} ({point.title}): {point.key} is {_json(value)}"
        found.append((point.finding_id, severity, seen, fix))
    return found


def _json(value: Any) -> str:
    if value == "":
        return "unset"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
