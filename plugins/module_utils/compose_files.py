# Copyright (c) dockyard.docker contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A Compose project's files put together as docker compose puts them: the default file and its override, the files
merged in order, ``include`` and ``extends``, and each relative path taken from the directory of the file that
wrote it. Reading a file is the caller's (``read(path, defaults)`` returns it parsed and interpolated with the
project's variables over ``defaults``; ``read_env(path)`` returns an env file's variables, None when there is
none), so that this part needs no file system and unit tests reach it.
"""

from __future__ import annotations

import json
import os
from typing import Any, Callable

from ansible_collections.dockyard.docker.plugins.module_utils.compose_secrets import FILE_REFERENCES
from ansible_collections.dockyard.docker.plugins.module_utils.compose_spec import FILES
from ansible_collections.dockyard.docker.plugins.module_utils.values import SpecError

# docker compose reads the first of FILES there is, then the first of these beside it.
OVERRIDE_FILES = ("compose.override.yml", "compose.override.yaml", "docker-compose.override.yml",
                  "docker-compose.override.yaml")  # fmt: skip
# What a service that extends another never takes from it: its dependencies stay visible where they are used.
NOT_EXTENDED = ("depends_on", "volumes_from")
Reader = Callable[[str, dict], dict]
EnvReader = Callable[[str], "dict | None"]


# How Compose merges a later file (or a service that extends another) into what came before, for the service keys
# that are not merged as plain mappings and sequences are (mappings key by key, sequences appended).
REPLACED_ON_MERGE = {"command", "entrypoint", "profiles"}
MAPPING_ON_MERGE = {"environment", "labels", "sysctls", "extra_hosts", "annotations"}  # KEY=VALUE lists too
NAMED_ON_MERGE = {"depends_on": {"condition": "service_started"}, "networks": None}  # a list names entries
UNIQUE_ON_MERGE = {"volumes", "secrets", "configs", "expose", "ports", "dns", "dns_search", "cap_add", "cap_drop"}


def merge(base: Any, override: Any, path: tuple = ()) -> Any:
    """Later files over earlier ones, as Compose merges them: mappings key by key, sequences appended (with one
    entry per mount target, port or name), command, entrypoint and a healthcheck's test replaced, environment
    and labels merged by key whichever syntax each file uses."""
    key = path[2] if len(path) == 3 and path[0] == "services" else None
    if key in REPLACED_ON_MERGE or (path[:1] == ("services",) and path[-2:] == ("healthcheck", "test")):
        return override
    if key in MAPPING_ON_MERGE and (isinstance(base, list) or isinstance(override, list)):
        base, override = _as_mapping(base, key), _as_mapping(override, key)
    if key in NAMED_ON_MERGE and (isinstance(base, list) or isinstance(override, list)):
        named = NAMED_ON_MERGE[key]
        base, override = ({n: named for n in v} if isinstance(v, list) else v for v in (base, override))
    if key == "logging" and isinstance(base, dict) and isinstance(override, dict):
        if base.get("driver") and override.get("driver") and base["driver"] != override["driver"]:
            return override  # another driver: its options only
    if isinstance(base, dict) and isinstance(override, dict):
        merged = dict(base)
        for name, value in override.items():
            merged[name] = merge(base[name], value, (*path, name)) if name in base else value
        return merged
    if isinstance(base, list) and isinstance(override, list):
        return _unique([*base, *override], key) if key in UNIQUE_ON_MERGE else [*base, *override]
    return override


def _as_mapping(value: Any, key: str) -> Any:
    """A KEY=VALUE list (KEY:VALUE for extra_hosts) as a mapping; a mapping as it is."""
    if not isinstance(value, list):
        return value
    separator = ":" if key == "extra_hosts" else "="
    pairs = (str(entry).replace("=", ":", 1) if key == "extra_hosts" else str(entry) for entry in value)
    return {name: (rest if sep else None) for name, sep, rest in (p.partition(separator) for p in pairs)}


def _unique(entries: list[Any], key: str) -> list[Any]:
    """One entry per mount target (volumes, secrets, configs) or per value (ports and the rest), the later one
    in the earlier one's place."""

    def identity(entry: Any) -> Any:
        if key == "volumes":
            if isinstance(entry, dict):
                return entry.get("target")
            parts = str(entry).split(":")
            return parts[1] if len(parts) > 1 else parts[0]
        if key in FILE_REFERENCES:
            given = {"source": entry} if isinstance(entry, str) else entry
            target = str(given.get("target") or given.get("source"))
            return target if target.startswith("/") else FILE_REFERENCES[key] + target
        return json.dumps(entry, sort_keys=True, default=str)

    result: list[Any] = []
    places: dict[Any, int] = {}
    for entry in entries:
        found = identity(entry)
        if found in places:
            result[places[found]] = entry
        else:
            places[found] = len(result)
            result.append(entry)
    return result


def default_files(directory: str, exists: Callable[[str], bool] = os.path.isfile) -> list[str]:
    """The files docker compose reads in ``directory`` without -f: the first Compose file (the first name, to be
    reported missing, when there is none) and the first override file beside it."""
    found = next((name for name in FILES if exists(os.path.join(directory, name))), FILES[0])
    override = next((name for name in OVERRIDE_FILES if exists(os.path.join(directory, name))), None)
    return [found, override] if override else [found]


def _absolute(path: str, directory: str) -> str:
    expanded = os.path.expanduser(path)
    return expanded if os.path.isabs(expanded) else os.path.normpath(os.path.join(directory, expanded))


def _is_relative(path: Any) -> bool:
    return isinstance(path, str) and path.startswith((".", "~"))


def _rebased_volume(entry: Any, directory: str) -> Any:
    if isinstance(entry, dict) and _is_relative(entry.get("source")):
        return {**entry, "source": _absolute(entry["source"], directory)}
    if isinstance(entry, str) and ":" in entry and _is_relative(entry.split(":", 1)[0]):
        source, rest = entry.split(":", 1)
        return f"{_absolute(source, directory)}:{rest}"
    return entry


def rebase_service(service: dict[str, Any], directory: str) -> dict[str, Any]:
    """A service written in a file in ``directory``, its relative bind sources and env files made absolute, so that
    they keep meaning what they meant once the service sits in another file's project."""
    result = dict(service)
    if service.get("volumes"):
        result["volumes"] = [_rebased_volume(entry, directory) for entry in service["volumes"]]
    env_file = service.get("env_file")
    if env_file:
        entries = [env_file] if isinstance(env_file, str) else env_file
        result["env_file"] = [
            _absolute(e, directory) if isinstance(e, str) else {**e, "path": _absolute(e["path"], directory)}
            for e in entries
        ]
    return result


def rebase(config: dict[str, Any], directory: str) -> dict[str, Any]:
    """A whole file's relative paths (services' binds and env files, secrets' and configs' files) made absolute."""
    result = dict(config)
    result["services"] = {n: rebase_service(s or {}, directory) for n, s in (config.get("services") or {}).items()}
    for kind in ("secrets", "configs"):
        if config.get(kind):
            result[kind] = {
                n: {**d, "file": _absolute(d["file"], directory)} if isinstance(d, dict) and d.get("file") else d
                for n, d in config[kind].items()
            }
    return result


def resolve_extends(services: dict[str, Any], directory: str, read: Reader) -> dict[str, Any]:
    """``services`` with each ``extends`` replaced by what it names, merged under the service's own keys as Compose
    merges files; a service from another file brings its relative paths from there. A cycle or a service that is
    not there is named."""

    def resolve(name: str, service: dict, siblings: dict, where: str, chain: tuple) -> dict:
        given = service.get("extends")
        if not given:
            return service
        path = f"services.{name}.extends"
        given = {"service": given} if isinstance(given, str) else given
        if not isinstance(given, dict) or not given.get("service"):
            raise SpecError(f"{path}: {service['extends']!r} names no service (a name, or service: and file:)")
        other_name, other_dir, others = str(given["service"]), where, siblings
        source = "this file"
        if given.get("file"):
            if not where and not os.path.isabs(str(given["file"])):
                raise SpecError(f"{path}.file: {given['file']!r} is relative, and a definition has no project"
                                " directory")  # fmt: skip
            source = _absolute(str(given["file"]), where)
            others = read(source, {}).get("services") or {}
            other_dir = os.path.dirname(source)
        link = (source if given.get("file") else where, other_name)
        if link in chain:
            shown = " -> ".join(f"{n}" for _f, n in (*chain, link))
            raise SpecError(f"{path}: extends goes round in a circle: {shown}")
        if other_name not in others:
            raise SpecError(f"{path}: no service {other_name!r} in {source}")
        base = resolve(other_name, others[other_name] or {}, others, other_dir, (*chain, link))
        base = {k: v for k, v in base.items() if k not in NOT_EXTENDED}
        if other_dir != directory:
            base = rebase_service(base, other_dir)
        own = {k: v for k, v in service.items() if k != "extends"}
        return merge({"services": {name: base}}, {"services": {name: own}})["services"][name]

    return {n: resolve(n, s or {}, services, directory, ((directory, n),)) for n, s in services.items()}


def include(config: dict[str, Any], directory: str, read: Reader, read_env: EnvReader) -> dict[str, Any]:
    """``config`` with the files its ``include`` names brought in, as Compose includes them: each included project
    with its relative paths from its own directory (or its project_directory), interpolated with the project's
    variables over those of its env_file (by default the .env there), its own includes and extends resolved
    there; a service, network, volume, secret or config defined twice is an error naming it."""
    entries = config.get("include") or []
    if not isinstance(entries, list):
        raise SpecError(f"include: {entries!r} is not a list")
    result = {k: v for k, v in config.items() if k != "include"}
    for index, entry in enumerate(entries):
        path = f"include[{index}]"
        given = {"path": entry} if isinstance(entry, str) else entry
        if not isinstance(given, dict) or not given.get("path"):
            raise SpecError(f"{path}: {entry!r} names no file (a path, or a mapping with path:)")
        unknown = sorted(set(given) - {"path", "project_directory", "env_file"})
        if unknown:
            raise SpecError(f"{path}.{unknown[0]}: not a key of include (path, project_directory, env_file)")
        files = [given["path"]] if isinstance(given["path"], str) else list(given["path"])
        if not directory and any(not os.path.isabs(f) for f in files):
            raise SpecError(f"{path}: {files[0]!r} is relative, and a definition has no project directory")
        paths = [_absolute(f, directory) for f in files]
        own_dir = _absolute(given["project_directory"], directory) if given.get("project_directory") else (
            os.path.dirname(paths[0]))  # fmt: skip
        defaults: dict[str, str] = {}
        env_files = given.get("env_file") or []
        for env_file in [env_files] if isinstance(env_files, str) else env_files:
            found = read_env(_absolute(env_file, directory))
            if found is None:
                raise SpecError(f"{path}.env_file: {_absolute(env_file, directory)} does not exist")
            defaults.update(found)
        if not env_files:
            defaults.update(read_env(os.path.join(own_dir, ".env")) or {})
        included: dict[str, Any] = {}
        for file in paths:
            included = merge(included, read(file, defaults))
        included = include(included, own_dir, read, read_env)
        included["services"] = resolve_extends(included.get("services") or {}, own_dir, read)
        included = rebase(included, own_dir)
        for kind in ("services", "networks", "volumes", "secrets", "configs"):
            for name, value in (included.get(kind) or {}).items():
                if name in (result.get(kind) or {}):
                    raise SpecError(f"{path}: {kind}.{name} is defined both here and in {paths[0]}")
                result.setdefault(kind, {})
                result[kind] = {**(result[kind] or {}), name: value}
    return result
