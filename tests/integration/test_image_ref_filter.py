"""The image_ref filter as playbooks use it, and its documentation."""

from __future__ import annotations

import subprocess

from ansible_run import VENV_BIN, ansible_env, run_module


def debug(expression: str):
    return run_module("ansible.builtin.debug", {"msg": "{{ " + expression + " }}"})["localhost"]


def test_filter_splits_a_reference_in_a_template():
    result = debug("'registry.local:5000/team/app:1.2' | dockyard.docker.image_ref")
    assert not result.failed, result
    assert result["msg"]["registry"] == "registry.local:5000"
    assert result["msg"]["full"] == "registry.local:5000/team/app:1.2"
    assert debug("('nginx' | dockyard.docker.image_ref).full")["msg"] == "docker.io/library/nginx:latest"


def test_filter_names_a_bad_reference():
    result = debug("'Team/App' | dockyard.docker.image_ref")
    assert result.failed
    assert "image_ref: 'Team/App': repository name component 'App' must be lowercase" in result["msg"]


def test_filter_is_documented():
    doc = subprocess.run([str(VENV_BIN / "ansible-doc"), "-t", "filter", "dockyard.docker.image_ref"],
                         capture_output=True, text=True, check=True, env=ansible_env())  # fmt: skip
    assert "library/" in doc.stdout and "familiar" in doc.stdout
