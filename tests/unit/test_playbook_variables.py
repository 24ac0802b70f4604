"""Every docker_* variable a user sets for the collection's playbooks is known to the engine role, whose
misspelt-variable check (role_variables) would otherwise warn about it, or fail with strict."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar

from ansible_collections.dockyard.docker.plugins.action.role_variables import role_names
from ansible_compat import trust_as_template

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


def test_the_playbooks_registry_variables_are_known_to_the_registry_role():
    """The registry role's misspelt-variable check (registry_*) must not warn about the playbooks' own names."""
    used: set[str] = set()
    for path in sorted((ROOT / "playbooks").rglob("*.yml")):
        used |= set(re.findall(r"\b(registry_\w+)", path.read_text()))
    _options, known = role_names(str(ROOT / "roles/registry"))
    listed = set(yaml.safe_load((ROOT / "roles/registry/vars/main.yml").read_text())["registry_playbook_variables"])
    unknown = sorted(used - known - listed - {"registry_hosts"})
    assert unknown == [], f"add these to registry_playbook_variables in roles/registry/vars/main.yml: {unknown}"


@pytest.mark.parametrize(("written", "mode"), [(False, "off"), ("off", "off"), ("generate", "generate")])
def test_registry_tls_off_unquoted_is_taken_as_off(written, mode):
    """`registry_tls: off` unquoted is YAML's false; the role's mode is off, and the argument spec takes it."""
    loader = DataLoader()
    variables = {k: trust_as_template(v) if isinstance(v, str) else v
                 for k, v in loader.load_from_file(str(ROOT / "roles/registry/vars/main.yml")).items()}  # fmt: skip
    variables["registry_tls"] = written
    assert Templar(loader=loader, variables=variables).template(variables["registry_tls_mode"]) == mode
    spec = yaml.safe_load((ROOT / "roles/registry/meta/argument_specs.yml").read_text())
    assert spec["argument_specs"]["main"]["options"]["registry_tls"]["type"] == "raw"  # a bool passes the spec
