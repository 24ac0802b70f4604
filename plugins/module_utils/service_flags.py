# Copyright (c) dockyard.docker contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The dockerd flags a host's service definition passes, wherever the distribution keeps them.

dockerd refuses to start when a setting is given both as a flag and in daemon.json, and the
flags hide in different places: the systemd unit's ExecStart, and the old per-distribution
option files the field notes list (DOCKER_OPTS, OPTIONS, other_args, EXTRA_ARGS).
"""

from __future__ import annotations

import os
import re
import shlex
from typing import Optional

from ansible_collections.dockyard.docker.plugins.module_utils.daemon_schema import flag_keys

# (file, variables in it that end up on dockerd's command line)
OPTION_FILES = (
    ("/etc/default/docker", ("DOCKER_OPTS",)),
    ("/etc/sysconfig/docker", ("OPTIONS", "other_args", "DOCKER_OPTS")),
    ("/etc/conf.d/docker", ("DOCKER_OPTS",)),
    ("/var/lib/boot2docker/profile", ("EXTRA_ARGS",)),
)


def parse_exec_start(show_output: str) -> list[str]:
    """argv of ``systemctl show UNIT --property=ExecStart``: '{ path=... ; argv[]=a b c ; ... }'."""
    match = re.search(r"argv\[\]=(.*?) ;", show_output)
    if not match:
        return []
    try:
        return shlex.split(match.group(1))
    except ValueError:
        return match.group(1).split()


def assignment(line: str, variables: tuple[str, ...]) -> Optional[tuple[str, list[str]]]:
    """(variable, its flags) when ``line`` assigns one of ``variables``; None for anything else."""
    line = line.strip()
    if line.startswith("#") or "=" not in line:
        return None
    if line.startswith("export "):
        line = line[len("export ") :]
    name, _sep, value = line.partition("=")
    if name.strip() not in variables:
        return None
    try:
        words = shlex.split(value, comments=True)
    except ValueError:
        return None
    return name.strip(), " ".join(words).split()


def parse_option_file(text: str, variables: tuple[str, ...]) -> list[str]:
    """The flags assigned to ``variables`` in a shell-style options file; comments ignored."""
    argv: list[str] = []
    for line in text.splitlines():
        found = assignment(line, variables)
        if found:
            argv.extend(found[1])
    return argv


def option_files(root: str = "/") -> list[tuple[str, tuple[str, ...], str]]:
    """(path, variables, text) for every option file present under ``root``, in OPTION_FILES order."""
    found = []
    for path, variables in OPTION_FILES:
        full = os.path.join(root, path.lstrip("/"))
        if os.path.isfile(full):
            with open(full, encoding="utf-8", errors="replace") as handle:
                found.append((path, variables, handle.read()))
    return found


def option_file_flags(root: str = "/") -> list[tuple[str, list[str]]]:
    """(path, flags) for every option file present under ``root`` that passes flags."""
    found = []
    for path, variables, text in option_files(root):
        argv = parse_option_file(text, variables)
        if argv:
            found.append((path, argv))
    return found


def service_flags(module, unit: str) -> list[tuple[str, list[str]]]:
    """(where, dockerd argv) for the unit's ExecStart (through systemctl) and every old option file."""
    sources: list[tuple[str, list[str]]] = []
    systemctl = module.get_bin_path("systemctl")
    if systemctl:
        rc, out, _err = module.run_command([systemctl, "show", unit, "--property=ExecStart", "--no-pager"])
        if rc == 0:
            sources.append((f"{unit} ExecStart", parse_exec_start(out)))
    sources.extend(option_file_flags())
    return sources


def flag_sources(module, unit: str) -> list[list[str]]:
    """[daemon.json key, flag, where] for each setting a flag of the service passes (JSON-friendly, so that
    engine_facts can hand it to the engine role's planner)."""
    return [[key, flag, where] for where, argv in service_flags(module, unit) for key, flag in flag_keys(argv).items()]


def clash_messages(sources: list[list[str]], keys: set[str], ignored: set[str]) -> list[str]:
    """Why dockerd would refuse to start: each daemon.json key in ``keys`` that a flag of ``sources`` sets too."""
    return [
        f"{key}: also set by the flag {flag!r} in {where}; dockerd refuses to start when a setting is given both as "
        "a flag and in daemon.json. Remove the flag (the engine role replaces ExecStart with a drop-in for hosts) "
        "or leave the key out"
        for key, flag, where in sources
        if key in keys and key not in ignored
    ]


def flag_clashes(module, unit: str, keys: set[str], ignored: set[str]) -> list[str]:
    """clash_messages() for the service as the host runs it."""
    return clash_messages(flag_sources(module, unit), keys, ignored)
