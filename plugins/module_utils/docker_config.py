# Copyright (c) dockyard.docker contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A user's Docker client configuration (``~/.docker/config.json``) and its credential helpers.

Credentials are found and stored where the Docker CLI would: the registry's ``credHelpers`` entry,
else the ``credsStore``, else base64 ``auth`` in ``auths``. Helpers speak the docker-credential
protocol (``docker-credential-<name> get|store|erase`` on stdin/stdout). The file keeps every other
key and registry, and is written mode 0600, owned by its user, in one rename.
"""

from __future__ import annotations

import base64
import json
import os
import pwd
import shutil
from dataclasses import dataclass
from typing import Any, Callable

from ansible_collections.dockyard.docker.plugins.module_utils.files import replace_file

# AnsibleModule.run_command: (argv, data=..., binary_data=...) -> (rc, stdout, stderr).
RunCommand = Callable[..., Any]


class DockerConfigError(Exception):
    """The configuration file or a credential helper could not be read or written."""


@dataclass(frozen=True)
class ConfigFile:
    path: str
    uid: int
    gid: int


def locate(user: str | None = None, path: str | None = None) -> ConfigFile:
    """The config file of ``user`` (default: whoever runs the module, honouring DOCKER_CONFIG)."""
    try:
        account = pwd.getpwnam(user) if user else pwd.getpwuid(os.geteuid())
    except KeyError as exc:
        raise DockerConfigError(f"user: no user {user!r} on this host") from exc
    if not path:
        directory = os.environ.get("DOCKER_CONFIG") if not user else None
        path = os.path.join(directory or os.path.join(account.pw_dir, ".docker"), "config.json")
    return ConfigFile(path, account.pw_uid, account.pw_gid)


def load(where: ConfigFile) -> dict[str, Any]:
    try:
        with open(where.path, encoding="utf-8") as handle:
            text = handle.read()
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise DockerConfigError(f"cannot read {where.path}: {exc}") from exc
    try:
        config = json.loads(text) if text.strip() else {}
    except ValueError as exc:
        raise DockerConfigError(f"{where.path} is not valid JSON ({exc}); fix or remove it") from exc
    if not isinstance(config, dict):
        raise DockerConfigError(f"{where.path} holds no JSON object")
    return config


def save(where: ConfigFile, config: dict[str, Any]) -> None:
    """Write the file mode 0600 owned by its user; its directory 0700 when this makes it."""
    directory = os.path.dirname(where.path)
    if not os.path.isdir(directory):
        os.makedirs(directory, mode=0o700)
        os.chown(directory, where.uid, where.gid)
    text = json.dumps(config, indent="\t") + "\n"
    replace_file(where.path, text.encode("utf-8"), 0o600, (where.uid, where.gid))


def helper_for(config: dict[str, Any], key: str) -> str | None:
    """The credential helper that holds ``key``'s credentials, as the Docker CLI picks it."""
    return (config.get("credHelpers") or {}).get(key) or config.get("credsStore") or None


def _helper(run: RunCommand, name: str, action: str, payload: str) -> str:
    program = f"docker-credential-{name}"
    path = shutil.which(program)
    if not path:
        raise DockerConfigError(
            f"the Docker config names the credential helper {name!r}, but {program} is not installed on this host"
        )
    # binary_data: the payload as it is, without the newline run_command would add.
    rc, out, err = run([path, action], data=payload, binary_data=True)
    if rc != 0:
        message = (out or err).strip()
        if action == "get" and "credentials not found" in message.lower():
            return ""
        raise DockerConfigError(f"{program} {action} failed: {message or 'exit ' + str(rc)}")
    return out


def stored(config: dict[str, Any], key: str, run: RunCommand) -> tuple[str, str] | None:
    """(username, password) stored for ``key``, or None. ``run`` is the module's run_command (for a credential
    helper)."""
    helper = helper_for(config, key)
    if helper:
        answer = _helper(run, helper, "get", key)
        if not answer.strip():
            return None
        found = json.loads(answer)
        return found.get("Username") or "", found.get("Secret") or ""
    entry = (config.get("auths") or {}).get(key) or {}
    if entry.get("auth"):
        user, _sep, password = base64.b64decode(entry["auth"]).decode("utf-8", "replace").partition(":")
        return user, password
    if entry.get("username"):
        return entry["username"], entry.get("password") or ""
    return None


def store(config: dict[str, Any], key: str, username: str, password: str, run: RunCommand) -> str:
    """Put the credentials where the CLI would, changing ``config`` in place; returns where."""
    helper = helper_for(config, key)
    auths = config.setdefault("auths", {})
    if helper:
        _helper(run, helper, "store", json.dumps({"ServerURL": key, "Username": username, "Secret": password}))
        auths[key] = {}  # the CLI leaves an empty entry so that `docker login` lists the registry
        return f"helper:{helper}"
    auths[key] = {"auth": base64.b64encode(f"{username}:{password}".encode()).decode()}
    return "file"


def erase(config: dict[str, Any], key: str, helper_holds: bool, run: RunCommand) -> None:
    """Remove the credentials for ``key`` from the file, and from the helper when ``helper_holds``
    them (the caller has asked it already: ``stored``)."""
    helper = helper_for(config, key)
    if helper and helper_holds:
        _helper(run, helper, "erase", key)
    (config.get("auths") or {}).pop(key, None)
