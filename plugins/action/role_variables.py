# Copyright (c) dockyard.docker contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Warn about (or refuse) variables with the role's prefix that the role does not know.

Ansible takes any variable without a word, so `docker_registry_mirror` (no s) silently leaves the
role's default in force. The role's own names are read from its files, so no list is kept by hand:
the argument spec, defaults, vars files, and the names its tasks register, set or declare.
"""

from __future__ import annotations

import difflib
import os

import yaml
from ansible.plugins.action import ActionBase

SET_FACT = ("ansible.builtin.set_fact", "set_fact")


def _yaml(path: str):
    try:
        with open(path, encoding="utf-8") as handle:
            return yaml.safe_load(handle)
    except (OSError, yaml.YAMLError):
        return None


def _task_names(node) -> set[str]:
    """Names that tasks register, set with set_fact, or declare in their vars."""
    found: set[str] = set()
    if isinstance(node, list):
        for item in node:
            found |= _task_names(item)
    elif isinstance(node, dict):
        if isinstance(node.get("register"), str):
            found.add(node["register"])
        for key in (*SET_FACT, "vars"):
            if isinstance(node.get(key), dict):
                found |= {name for name in node[key] if name != "cacheable"}
        for key in ("block", "rescue", "always"):
            found |= _task_names(node.get(key))
    return found


def _files(role_path: str, folder: str) -> list[str]:
    directory = os.path.join(role_path, folder)
    try:
        names = sorted(os.listdir(directory))
    except OSError:
        return []
    return [os.path.join(directory, n) for n in names if n.endswith((".yml", ".yaml"))]


def role_names(role_path: str) -> tuple[set[str], set[str]]:
    """(options, every name the role knows): options from the argument spec and defaults, to suggest from."""
    options: set[str] = set()
    specs = (_yaml(os.path.join(role_path, "meta", "argument_specs.yml")) or {}).get("argument_specs") or {}
    for entry in specs.values():
        options |= set((entry or {}).get("options") or {})
    options |= set(_yaml(os.path.join(role_path, "defaults", "main.yml")) or {})
    known = set(options)
    for path in _files(role_path, "vars"):
        known |= set(_yaml(path) or {})
    for folder in ("tasks", "handlers"):
        for path in _files(role_path, folder):
            known |= _task_names(_yaml(path))
    return options, known


def unknown_variable_messages(defined, options, known, prefix: str, role: str) -> list[str]:
    messages = []
    for name in sorted(n for n in defined if n.startswith(prefix) and n not in known):
        close = difflib.get_close_matches(name, sorted(options), n=1, cutoff=0.75)
        hint = f"; did you mean {close[0]}?" if close else f"; see the role's documented variables ({role})"
        messages.append(f"{name}: not a variable of {role}, so it changes nothing{hint}")
    return messages


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(("prefix", "also_known", "strict"))

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        task_vars = task_vars or {}
        args = self._task.args
        role_path = task_vars.get("role_path")
        if not role_path:
            return {**result, "failed": True, "msg": "role_variables runs inside a role; no role_path here"}
        role = task_vars.get("ansible_role_name") or os.path.basename(role_path)
        options, known = role_names(role_path)
        known |= set(args.get("also_known") or [])
        messages = unknown_variable_messages(task_vars, options, known, args.get("prefix", "docker_"), role)
        result.update(changed=False, unknown=messages)
        if messages and args.get("strict"):
            result.update(failed=True, msg="; ".join(messages))
        elif messages:
            result["warnings"] = messages
        return result
