"""module_defaults for group/dockyard.docker.docker set the connection options once for every module that
talks to a daemon; meta/runtime.yml lists exactly those modules."""

from __future__ import annotations

import re
import sys

import yaml

from ansible_run import ROOT, run_playbook

PLAYBOOK = """
- name: Connection options set once for the group
  hosts: localhost
  connection: local
  gather_facts: false
  module_defaults:
    group/dockyard.docker.docker:
      docker_host: unix:///nonexistent/docker.sock
  tasks:
    - name: Ask a daemon that is not there, through the group's defaults
      dockyard.docker.host_info:
        tolerate_unreachable: true
      register: info

    - name: Say what it reached
      ansible.builtin.debug:
        msg: "reached={{ info.can_talk_to_docker }} error={{ info.error }}"
"""


def test_the_group_defaults_reach_the_modules(tmp_path):
    playbook = tmp_path / "group.yml"
    playbook.write_text(PLAYBOOK)
    proc = run_playbook(playbook, inventory="localhost,", extra_vars={"ansible_python_interpreter": sys.executable})
    assert proc.returncode == 0, proc.stdout
    assert "reached=False" in proc.stdout and "/nonexistent/docker.sock" in proc.stdout, proc.stdout


def test_the_group_lists_every_module_with_the_connection_options():
    group = yaml.safe_load((ROOT / "meta/runtime.yml").read_text())["action_groups"]["docker"]
    talking = sorted(
        path.stem
        for path in (ROOT / "plugins/modules").glob("*.py")
        if re.search(r"^  - dockyard\.docker\.docker$", path.read_text(), re.MULTILINE)
    )
    assert group == talking
