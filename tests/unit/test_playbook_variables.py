"""Every docker_* variable a user sets for the collection's playbooks is known to the engine role, whose
misspelt-variable check (role_variables) would otherwise warn about it, or fail with strict."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
GROUPS = {"docker_hosts"}  # inventory group names, not variables


def _own_names(node) -> set[str]:
    """What the playbooks define themselves: registered results and vars: keys."""
    names: set[str] = set()
    if isinstance(node, dict):
        if isinstance(node.get("register"), str):
            names.add(node["register"])
        if isinstance(node.get("vars"), dict):
            names |= set(node["vars"])
        for value in node.values():
            names |= _own_names(value)
    elif isinstance(node, list):
        for value in node:
            names |= _own_names(value)
    return names


def _role_names() -> set[str]:
    role = ROOT / "roles/engine"
    text = "".join(p.read_text() for p in (role / "vars/main.yml", role / "defaults/main.yml"))
    text += (role / "meta/argument_specs.yml").read_text()
    return set(re.findall(r"\b(docker_\w+)", text))


def test_the_playbooks_variables_are_known_to_the_role():
    used: set[str] = set()
    own: set[str] = set()
    for playbook in sorted((ROOT / "playbooks").glob("*.yml")):
        text = playbook.read_text()
        used |= set(re.findall(r"\b(docker_\w+)", text))
        own |= _own_names(yaml.safe_load(text))
    unknown = sorted(used - own - GROUPS - _role_names())
    assert unknown == [], f"add these to docker_playbook_variables in roles/engine/vars/main.yml: {unknown}"
