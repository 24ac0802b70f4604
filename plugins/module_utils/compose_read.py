# Copyright (c) dockyard.docker contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A Compose project read from its files: the same reading on the controller (the compose action plugin, the
default) and on the target (the module, with remote_src), so that a project means one thing wherever it is read.
"""

from __future__ import annotations

import os
from typing import Any, Callable

from ansible_collections.dockyard.docker.plugins.module_utils.compose_files import (
    default_files,
    include,
    merge,
    resolve_extends,
)
from ansible_collections.dockyard.docker.plugins.module_utils.compose_spec import Project, interpolate, read_env_text
from ansible_collections.dockyard.docker.plugins.module_utils.values import SpecError

# The compose module's options that say what the project is; the action plugin reads them on the controller, the
# module on the target (remote_src).
READING_OPTIONS = {
    "project_src": {"type": "path"},
    "files": {"type": "list", "elements": "str"},
    "definition": {"type": "raw"},
    "project_name": {"type": "str"},
    "env": {"type": "dict", "default": {}},
    "profiles": {"type": "list", "elements": "str", "default": []},
}


def parse_yaml(text: str, where: str) -> Any:
    try:
        import yaml  # noqa: PLC0415 (only when files are read)
    except ImportError:
        raise SpecError(
            f"{where}: reading Compose files on the target needs PyYAML there (python3-yaml); or read the project on"
            " the controller (remote_src: false)"
        ) from None
    try:
        return yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise SpecError(f"{where}: not valid YAML: {exc}") from None


def _read_env(path: str) -> dict[str, str] | None:
    if not os.path.isfile(path):
        return None
    with open(path, encoding="utf-8") as handle:
        return read_env_text(handle.read())


def controller_directory(find_needle: Callable[[str, str], str], project_src: str) -> str:
    """``project_src`` found on the controller as copy and template find their src (a role's files/, the
    playbook's directory), through the action plugin's ``_find_needle``; refused when it is no directory."""
    found = find_needle("files", project_src)
    if not os.path.isdir(found):
        raise SpecError(f"project_src: {found} is not a directory on the controller")
    return found


class ProjectFiles:
    """The project's Compose files and variables, read from ``project_src`` (or given as ``definition``), merged,
    interpolated, with include and extends resolved; ``directories`` holds the directory of every file read, where
    the project's relative paths point."""

    def __init__(self, p: dict[str, Any]) -> None:
        self.directory = p.get("project_src") or ""  # a definition has none: relative paths in it are refused
        self.directories = {self.directory} if self.directory else set()
        self.variables: dict[str, str] = {}
        if self.directory:
            self.variables.update(_read_env(os.path.join(self.directory, ".env")) or {})
        self.variables.update({str(k): str(v) for k, v in (p.get("env") or {}).items()})
        definition = p.get("definition")
        if definition is not None:
            configs = [definition if isinstance(definition, dict) else parse_yaml(definition, "definition")]
            self.paths: list[str] = []
        else:
            self.paths = [os.path.join(self.directory, n) for n in p.get("files") or default_files(self.directory)]
            configs = [self._parsed(path, "files: ") for path in self.paths]
        config: dict = {}
        for one in configs:
            if not isinstance(one, dict):
                raise SpecError(f"definition: {type(one).__name__} is not a Compose mapping")
            config = merge(config, one)
        config = interpolate(config, self.variables, "project")
        config = include(config, self.directory, self._read, _read_env)
        config["services"] = resolve_extends(config.get("services") or {}, self.directory, self._read)
        self.config = config
        self.name = p.get("project_name") or config.get("name") or (
            os.path.basename(self.directory.rstrip("/")) if self.directory else "")  # fmt: skip
        if not self.name:
            raise SpecError("project_name: needed with definition (or a name: key in it)")

    def _parsed(self, path: str, what: str = "") -> Any:
        try:
            with open(path, encoding="utf-8") as handle:
                text = handle.read()
        except OSError as exc:
            raise SpecError(f"{what}cannot read {path}: {exc.strerror}") from None
        self.directories.add(os.path.dirname(path))
        return parse_yaml(text, path)

    def _read(self, path: str, defaults: dict[str, str]) -> dict:
        """A file that include or extends names, interpolated with the project's variables over ``defaults``."""
        config = self._parsed(path)
        if not isinstance(config, dict):
            raise SpecError(f"{path}: {type(config).__name__} is not a Compose mapping")
        return interpolate(config, {**defaults, **self.variables}, path)

    def project(self, profiles: list[str], for_removal: bool, files_on_host: bool = True) -> Project:
        """The project these files make; ``files_on_host`` is False when they were read on the controller for
        another host, which then cannot bind what lies beside them."""
        try:
            return Project(self.config, self.name, self.directory, profiles, self.paths, self.variables, for_removal,
                           controller_directories=None if files_on_host else sorted(self.directories))  # fmt: skip
        except (TypeError, AttributeError, KeyError) as exc:  # a value of another type than Compose allows
            raise SpecError(f"the project is not shaped as Compose expects it ({exc}); check its keys' types") from None
