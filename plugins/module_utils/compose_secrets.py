# Copyright (c) dockyard.docker contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A Compose project's secrets and configs as docker compose gives them without a swarm: where each lands in a
container, and what it is made from (a file on the daemon's host, bind-mounted; a variable, a value, or a file read
on the controller for another host, copied in)."""

from __future__ import annotations

import os
from typing import Any

from ansible_collections.dockyard.docker.plugins.module_utils.values import SpecError

# Secrets and configs without a swarm, as docker compose gives them: at /run/secrets/<name> for a secret and
# /<name> for a config unless the service names a target (a relative one is taken under that directory).
FILE_REFERENCES = {"secrets": "/run/secrets/", "configs": "/"}
# The ways a secret or a config can be given; content is a config's only. A file is bind-mounted, the others are
# copied into the container before it starts, as docker compose does.
FILE_SOURCE_KEYS = {"secrets": ("file", "environment"), "configs": ("file", "environment", "content")}
# The mode docker compose gives a file it copies in.
COPIED_MODE = 0o444


def file_mode(value: Any, path: str) -> int:
    """A file mode as Compose takes it: a number (YAML reads 0440 as octal) or an octal string."""
    if value is None:
        return COPIED_MODE
    try:
        mode = int(value, 8) if isinstance(value, str) else int(value)
    except ValueError:
        raise SpecError(f"{path}: {value!r} is not a file mode (0440, or '0440')") from None
    if not 0 <= mode <= 0o7777:
        raise SpecError(f"{path}: {value!r} is not a file mode (0440, or '0440')")
    return mode


def _controller_file(source: str, path: str) -> str:
    try:
        with open(source, encoding="utf-8") as handle:
            return handle.read()
    except OSError as exc:
        raise SpecError(f"{path}: cannot read {source} on the controller: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise SpecError(f"{path}: {source} is not UTF-8 text, which is what can be copied in from the controller;"
                        " keep the project on the host (remote_src: true) to bind it") from None  # fmt: skip


def file_sources(
    declared: dict[str, Any],
    kind: str,
    directory: str,
    variables: dict[str, str],
    for_removal: bool = False,
    on_host: bool = True,
) -> dict[str, dict[str, Any]]:
    """The top-level secrets or configs: name -> {file, content, external}, a relative file taken from the
    project's directory, an environment one's value from the project's variables (not needed ``for_removal``).
    A file read on the controller for another host (not ``on_host``) is read here and copied in.
    What a single host cannot give is refused with the reason."""
    result = {}
    for key, given in declared.items():
        path = f"{kind}.{key}"
        settings = given or {}
        if not isinstance(settings, dict):
            raise SpecError(f"{path}: {settings!r} is not a mapping (file: or external:)")
        if settings.get("external"):
            result[key] = {"file": None, "content": None, "external": True}
            continue
        unsupported = [k for k in ("driver", "template_driver") if settings.get(k)]
        if unsupported:
            raise SpecError(f"{path}.{unsupported[0]}: docker compose does not support it either (a swarm's)")
        sources = [k for k in FILE_SOURCE_KEYS[kind] if settings.get(k) is not None]
        if len(sources) != 1:
            raise SpecError(f"{path}: give one of {', '.join(FILE_SOURCE_KEYS[kind])}"
                            + (f", not {' and '.join(sources)}" if sources else ""))  # fmt: skip
        if sources[0] == "environment":
            variable = str(settings["environment"])
            if variable not in variables and not for_removal:
                raise SpecError(f"{path}.environment: the variable {variable} is not set (.env or env)")
            result[key] = {"file": None, "content": variables.get(variable, ""), "external": False}
            continue
        if sources[0] == "content":
            result[key] = {"file": None, "content": str(settings["content"]), "external": False}
            continue
        source = os.path.expanduser(str(settings["file"]))
        if not os.path.isabs(source):
            if not directory:
                raise SpecError(f"{path}.file: {source!r} is relative, and a definition has no project directory;"
                                " give project_src, or an absolute path")  # fmt: skip
            source = os.path.normpath(os.path.join(directory, source))
        if not on_host and not for_removal:
            result[key] = {"file": None, "content": _controller_file(source, f"{path}.file"), "external": False}
            continue
        result[key] = {"file": source, "content": None, "external": False}
    return result
