# Copyright (c) dockyard.docker contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The daemon points of the CIS Docker Benchmark (v1.6, section 2) the engine role's ``docker_hardening: cis``
profile sets, and how a host measures against them: one table that the role's plan, host_check and the README
read.

Nothing here talks to the daemon: the planner and host_check read, these functions judge.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

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

    @property
    def finding_id(self) -> str:
        return "hardening." + self.key.replace("-", "_")


POINTS = (
    Point("2.2", "icc", False, True, "network traffic between containers on the default bridge is restricted",
          "containers on the default bridge no longer reach each other; user-defined networks are unaffected"),
    Point("2.3", "log-level", "info", "info", "the daemon logs at level info",
          "none (info is the daemon's default; the profile writes it down)"),
    Point("2.14", "no-new-privileges", True, False, "containers cannot acquire new privileges",
          "setuid and file-capability programs (sudo, su, some ping builds) gain no privileges inside containers"),
    Point("2.15", "live-restore", True, False, "containers keep running while the daemon restarts",
          "none on a single host; swarm mode refuses it, so a swarm node leaves it out (docker_hardening_except)"),
    Point("2.16", "userland-proxy", False, True, "published ports are served by iptables, not docker-proxy",
          "needs the kernel's hairpin NAT (every maintained kernel has it); a port published on 127.0.0.1 is then "
          "reached through the iptables rules dockerd writes"),
)  # fmt: skip
BY_CIS = {point.cis: point for point in POINTS}


def unknown_exceptions(excepted: list[str]) -> list[str]:
    """The entries of docker_hardening_except that name no point of the profile."""
    return [str(cis) for cis in excepted if str(cis) not in BY_CIS]


def profile_points(profile: str, excepted: list[str]) -> list[Point]:
    """The points ``profile`` sets on a host, without those the user excepted."""
    if profile != "cis":
        return []
    left_out = {str(cis) for cis in excepted}
    return [point for point in POINTS if point.cis not in left_out]


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
        if value == point.value:
            continue
        severity = "warning" if point.cis in asked else "info"
        fix = f"docker_hardening: cis (engine role), or docker_daemon_options: {{{point.key}: {_json(point.value)}}}"
        if point.key == "live-restore" and in_swarm:
            severity, fix = (
                "info",
                "none on a swarm node (swarm mode refuses live-restore): list 2.15 in docker_hardening_except",
            )
        seen = f"CIS {point.cis} ({point.title}): {point.key} is {_json(value)}"
        found.append((point.finding_id, severity, seen, fix))
    return found


def _json(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
