# Copyright (c) dockyard.docker contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""dockerd flags in the old option files (DOCKER_OPTS in /etc/default/docker, OPTIONS and
other_args in /etc/sysconfig/docker), carried over to daemon.json.

A line whose flags are carried over is kept as a comment that starts with MIGRATED, and read again
on every later run: it is the record of what daemon.json took from it, so a role that owns
daemon.json keeps those settings. Flags that have no daemon.json form stay on a live line.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from typing import Any

from ansible_collections.dockyard.docker.plugins.module_utils.daemon_schema import KEYS, flag_key
from ansible_collections.dockyard.docker.plugins.module_utils.service_flags import assignment, option_files

MIGRATED = "# dockyard: moved to /etc/docker/daemon.json:"
# -H values the service's own socket (fd://, /var/run/docker.sock) already serves.
SERVED_HOSTS = {"fd://", "unix:///var/run/docker.sock", "unix:///run/docker.sock"}
_BOOLS = {"true": True, "1": True, "false": False, "0": False}


@dataclass
class Translation:
    settings: dict[str, Any] = field(default_factory=dict)
    # (flag as written, why it stays) for flags with no daemon.json form here.
    kept: list[tuple[str, str]] = field(default_factory=list)


def _words(argv: list[str]):
    """(flag, value or None, the words as written) for each flag in ``argv``."""
    index = 0
    while index < len(argv):
        word = argv[index]
        index += 1
        if not word.startswith("-"):
            yield None, None, [word]
            continue
        flag, has_value, value = word.partition("=")
        key = flag_key(flag)
        if has_value or (key and KEYS[key].kind == "bool"):
            yield flag, value if has_value else None, [word]
        elif index < len(argv) and not argv[index].startswith("-"):
            yield flag, argv[index], [word, argv[index]]
            index += 1
        else:
            yield flag, None, [word]


def translate(argv: list[str]) -> Translation:
    """The daemon.json settings ``argv`` gives, and the flags that have to stay flags."""
    result = Translation()
    for flag, value, written in _words(argv):
        shown = " ".join(written)
        key = flag_key(flag) if flag else None
        if key == "hosts":
            if value not in SERVED_HOSTS:
                reason = "the remote API needs TLS here: set docker_tls_listen and its certificates"
                result.kept.append((shown, reason if value and value.startswith("tcp://") else "kept as a flag"))
            continue  # the service's socket serves the default one
        kind = KEYS[key].kind if key else None
        if kind == "bool" and (value is None or value.lower() in _BOOLS):
            result.settings[key] = True if value is None else _BOOLS[value.lower()]
        elif kind == "list" and value is not None:
            result.settings.setdefault(key, []).append(value)
        elif kind == "map" and value is not None and "=" in value:
            name, _sep, setting = value.partition("=")
            result.settings.setdefault(key, {})[name] = setting
        elif kind == "str" and value is not None:
            result.settings[key] = value
        elif kind == "int" and value is not None and value.lstrip("-").isdigit():
            result.settings[key] = int(value)
        else:
            result.kept.append((shown, "no daemon.json form the role writes"))
    return result


@dataclass
class Found:
    """What one options file holds: settings carried over before (its MIGRATED comments), and the
    live lines that have flags to carry over now, each with the text that replaces it."""

    settings: dict[str, Any] = field(default_factory=dict)
    migrate: list[dict[str, str]] = field(default_factory=list)
    kept: list[tuple[str, str]] = field(default_factory=list)


def read_file(path: str, text: str, variables: tuple[str, ...]) -> Found:
    found = Found()
    for line in text.splitlines():
        recorded = line.startswith(MIGRATED)
        assigned = assignment(line[len(MIGRATED) :] if recorded else line, variables)
        if not assigned:
            continue
        name, flags = assigned
        translation = translate(flags)
        if recorded or translation.settings:
            found.settings.update(translation.settings)
        if recorded or not translation.settings:
            continue
        replacement = f"{MIGRATED} {line.strip()}"
        rest = " ".join(shown for shown, _why in translation.kept)
        if rest:
            replacement += f"\n{name}={shlex.quote(rest)}"
        found.migrate.append({"path": path, "line": line, "replacement": replacement})
        found.kept.extend((f"{path} {name}: {shown}", why) for shown, why in translation.kept)
    return found


def read_all(root: str = "/") -> Found:
    """Every options file present under ``root``, in OPTION_FILES order (a later file's setting wins)."""
    total = Found()
    for path, variables, text in option_files(root):
        found = read_file(path, text, variables)
        total.settings.update(found.settings)
        total.migrate.extend(found.migrate)
        total.kept.extend(found.kept)
    return total


def with_legacy(asked: dict[str, Any], legacy: dict[str, Any]) -> dict[str, Any]:
    """``asked`` settings, with the old files' settings for the keys ``asked`` leaves unset (None or absent)."""
    return {**asked, **{key: value for key, value in legacy.items() if asked.get(key) is None}}


DEFAULT_DATA_ROOT = "/var/lib/docker"


def data_root(asked: str | None, legacy: dict[str, Any]) -> str:
    """Where the daemon keeps its data: the data root asked for, else the one an old option file names (-g),
    else Docker's default."""
    return asked or with_legacy({}, legacy).get("data-root") or DEFAULT_DATA_ROOT
