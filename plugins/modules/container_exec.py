#!/usr/bin/python
# Copyright (c) dockyard.docker contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: container_exec
short_description: Run a command in a running container, as C(docker exec) does
version_added: 0.2.0
description:
  - Runs O(command) in the running container O(container) and returns its exit code and output.
  - A command that exits with a code other than 0 fails the task unless O(check_rc=false).
  - Like M(ansible.builtin.command), it always reports a change; use C(changed_when) to say otherwise.
options:
  container:
    description: The container, by name or ID. It must be running.
    type: str
    required: true
  command:
    description:
      - The command, as a list of arguments or as a string split as a shell would.
      - With O(shell=true), a string is run by C(/bin/sh -c) instead, so pipes and redirections work.
    type: raw
    required: true
  shell:
    description: Run O(command) (a string) with C(/bin/sh -c).
    type: bool
    default: false
  user:
    description: The user (and group) to run as, C(name), C(uid) or C(uid:gid). The container's user when not set.
    type: str
  working_dir:
    description: The directory to run in. The container's working directory when not set.
    type: str
  env:
    description: Environment variables for the command, on top of the container's.
    type: dict
  stdin:
    description: Text to pass to the command's standard input.
    type: str
  stdin_add_newline:
    description: End O(stdin) with a newline.
    type: bool
    default: true
  check_rc:
    description: Fail the task when the command exits with a code other than 0.
    type: bool
    default: true
  strip_empty_ends:
    description: Remove empty lines at the end of RV(stdout) and RV(stderr).
    type: bool
    default: true
extends_documentation_fragment:
  - dockyard.docker.docker
  - dockyard.docker.attributes
  - dockyard.docker.attributes.actiongroup_docker
attributes:
  check_mode:
    support: none
    description: A command's effect cannot be predicted; the task is skipped in check mode.
  diff_mode:
    support: none
    description: Nothing to compare.
author:
  - Dockyard maintainers (@dockyard)
"""

EXAMPLES = r"""
- name: Run the database migrations as the application user
  dockyard.docker.container_exec:
    container: app
    command: ["./manage.py", "migrate", "--noinput"]
    user: app
    working_dir: /srv/app
    env:
      DJANGO_SETTINGS_MODULE: app.settings.production

- name: Load a schema through stdin
  dockyard.docker.container_exec:
    container: db
    command: psql -U postgres
    stdin: "{{ lookup('ansible.builtin.file', 'schema.sql') }}"

- name: See whether a file exists, without failing
  dockyard.docker.container_exec:
    container: web
    command: test -f /etc/web/ready
    check_rc: false
  register: ready
  changed_when: false
"""

RETURN = r"""
rc:
  description: The command's exit code.
  returned: when the command ran
  type: int
  sample: 0
stdout:
  description: What the command printed on standard output.
  returned: when the command ran
  type: str
stderr:
  description: What the command printed on standard error.
  returned: when the command ran
  type: str
stdout_lines:
  description: RV(stdout) split into lines.
  returned: when the command ran
  type: list
  elements: str
stderr_lines:
  description: RV(stderr) split into lines.
  returned: when the command ran
  type: list
  elements: str
"""

import socket

from ansible_collections.dockyard.docker.plugins.module_utils.client import DockerModule, NotFound
from ansible_collections.dockyard.docker.plugins.module_utils.container_spec import argv
from ansible_collections.dockyard.docker.plugins.module_utils.values import SpecError, string_dict

try:
    from docker.utils.socket import STDERR, frames_iter
except ImportError:  # pragma: no cover - DockerModule.require_sdk reports it
    pass


def command_line(params) -> list[str]:
    if params["shell"]:
        if not isinstance(params["command"], str):
            raise SpecError("command: with shell: true, give the command as one string")
        return ["/bin/sh", "-c", params["command"]]
    command = argv(params["command"], "command")
    if not command:
        raise SpecError("command: is empty")
    return command


def run_with_stdin(client, exec_id: str, data: bytes) -> tuple[bytes | None, bytes | None]:
    """exec_start over the raw socket: write stdin, close our side, read the multiplexed output."""
    stream = client.exec_start(exec_id, socket=True)
    raw = getattr(stream, "_sock", stream)
    try:
        raw.sendall(data)
        raw.shutdown(socket.SHUT_WR)
        chunks: dict[int, list[bytes]] = {}
        for stream_id, chunk in frames_iter(stream, False):
            chunks.setdefault(stream_id, []).append(chunk)
        out = b"".join(c for k, v in chunks.items() if k != STDERR for c in v)
        return out, b"".join(chunks.get(STDERR, []))
    finally:
        stream.close()


def text(data: bytes | None, strip: bool) -> str:
    result = (data or b"").decode("utf-8", errors="replace")
    return result.rstrip("\r\n") if strip else result


def main() -> None:
    dm = DockerModule(
        argument_spec={
            "container": {"type": "str", "required": True},
            "command": {"type": "raw", "required": True},
            "shell": {"type": "bool", "default": False},
            "user": {"type": "str"},
            "working_dir": {"type": "str"},
            "env": {"type": "dict"},
            "stdin": {"type": "str"},
            "stdin_add_newline": {"type": "bool", "default": True},
            "check_rc": {"type": "bool", "default": True},
            "strip_empty_ends": {"type": "bool", "default": True},
        },
        supports_check_mode=False,
    )
    module, params = dm.module, dm.params
    try:
        command = command_line(params)
        env = [f"{k}={v}" for k, v in string_dict(params["env"], "env").items()]
    except SpecError as exc:
        module.fail_json(msg=str(exc))
    client = dm.client
    name = params["container"]
    with dm.failing():
        try:
            state = client.inspect_container(name).get("State") or {}
        except NotFound:
            module.fail_json(msg=f"container: no container {name!r} on this host")
        if not state.get("Running"):
            module.fail_json(msg=f"container: {name!r} is not running (it is {state.get('Status')}); start it first")
        stdin = params["stdin"]
        exec_id = client.exec_create(
            name,
            command,
            stdin=stdin is not None,
            environment=env or None,
            workdir=params["working_dir"],
            user=params["user"] or "",
        )["Id"]
        if stdin is None:
            out, err = client.exec_start(exec_id, demux=True)
        else:
            data = stdin + ("\n" if params["stdin_add_newline"] else "")
            out, err = run_with_stdin(client, exec_id, data.encode("utf-8"))
        rc = client.exec_inspect(exec_id).get("ExitCode")
    strip = params["strip_empty_ends"]
    result = {"changed": True, "rc": rc, "stdout": text(out, strip), "stderr": text(err, strip)}
    result["stdout_lines"] = result["stdout"].splitlines()
    result["stderr_lines"] = result["stderr"].splitlines()
    if rc != 0 and params["check_rc"]:
        module.fail_json(msg=f"{' '.join(command)!r} exited with {rc} in {name}", **result)
    # Ansible fails any result whose rc is not 0 unless the result says failed: false itself.
    dm.exit(failed=False, **result)


if __name__ == "__main__":
    main()
