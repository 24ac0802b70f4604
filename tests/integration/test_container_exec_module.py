"""container_exec against the local daemon: rc, output, user, workdir, env and stdin; failures named."""

from __future__ import annotations

import pytest

from ansible_run import local_module as module

pytestmark = pytest.mark.image_stores  # run again on containerd's image store (scripts/test store)


def test_exec_returns_rc_output_and_takes_user_workdir_env_and_stdin(running):
    result = module(
        "container_exec",
        {
            "container": running.name,
            "command": "id -u; pwd; echo $GREETING; cat; echo oops >&2",
            "shell": True,
            "user": "1234",
            "working_dir": "/www",
            "env": {"GREETING": "hello"},
            "stdin": "from stdin",
        },
    )
    assert result["changed"] is True and result["rc"] == 0
    assert result["stdout_lines"] == ["1234", "/www", "hello", "from stdin"]
    assert result["stderr"] == "oops"


def test_exec_non_zero_rc_fails_unless_told_otherwise(running):
    failed = module("container_exec", {"container": running.name, "command": ["sh", "-c", "echo no; exit 3"]})
    assert failed.failed and failed["rc"] == 3 and "exited with 3" in failed["msg"]
    allowed = module("container_exec", {"container": running.name, "command": "sh -c 'exit 3'", "check_rc": False})
    assert not allowed.failed and allowed["rc"] == 3


def test_exec_in_a_stopped_or_missing_container_says_so(docker_client, running):
    missing = module("container_exec", {"container": "dy-no-such-container", "command": "true"})
    assert missing.failed and "no container 'dy-no-such-container'" in missing["msg"]
    running.stop(timeout=2)
    stopped = module("container_exec", {"container": running.name, "command": "true"})
    assert stopped.failed and "is not running (it is exited)" in stopped["msg"]
