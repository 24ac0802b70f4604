"""The misspelt-variable check: the role's names come from its own files, and a near miss is named."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ansible_collections.dockyard.docker.plugins.action.role_variables import role_names, unknown_variable_messages

ENGINE = Path(__file__).resolve().parents[4] / "roles" / "engine"


def test_the_engine_roles_names_are_read_from_its_files():
    options, known = role_names(str(ENGINE))
    assert {"docker_registry_mirrors", "docker_daemon_restart", "docker_strict_variables"} <= options
    # the vars files' names are known, but not offered as suggestions
    assert {"docker_packages", "docker_service_managers"} <= known - options


@pytest.mark.parametrize("role", ["engine", "registry"])
def test_what_a_roles_tasks_register_is_kept_apart_from_the_users_names(role):
    """A registered result named like a role variable could be shadowed by -e (extra vars win)."""
    registered: set[str] = set()
    for folder in ("tasks", "handlers"):
        for path in (ENGINE.parent / role / folder).glob("*.yml"):
            registered |= set(re.findall(r"^\s*register: (\S+)$", path.read_text(), re.MULTILINE))
    assert registered and not [name for name in registered if not name.startswith("__")]


def test_a_near_miss_is_named_with_the_variable_meant_and_the_rest_pass():
    options, known = role_names(str(ENGINE))
    defined = ["docker_registry_mirror", "docker_registry_mirrors", "docker_packages", "ansible_host", "dockerfile"]
    assert unknown_variable_messages(defined, options, known, "docker_", "dockyard.docker.engine") == [
        "docker_registry_mirror: not a variable of dockyard.docker.engine, so it changes nothing; "
        "did you mean docker_registry_mirrors?"
    ]
    far = unknown_variable_messages(["docker_zzz"], options, known, "docker_", "dockyard.docker.engine")
    assert far == ["docker_zzz: not a variable of dockyard.docker.engine, so it changes nothing; "
                   "see the role's documented variables (dockyard.docker.engine)"]  # fmt: skip
