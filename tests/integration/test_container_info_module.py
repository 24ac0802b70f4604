"""container_info against the local daemon: one container by name, many by filters, logs apart and bounded."""

from __future__ import annotations

import time

import pytest

from ansible_run import local_module as module

pytestmark = pytest.mark.image_stores  # run again on containerd's image store (scripts/test store)


def test_a_named_container_with_its_mounts_state_and_logs(docker_client, test_images, suffix, tmp_path):
    name = f"dy-info-{suffix}"
    script = "echo one; echo two; sleep 0.3; echo bad >&2; exit 5"  # the pause orders the two streams
    container = docker_client.containers.run(test_images["busybox"], ["sh", "-c", script], name=name, detach=True,
                                             volumes={str(tmp_path): {"bind": "/host", "mode": "ro"}},
                                             labels={"job": suffix})  # fmt: skip
    try:
        container.wait(timeout=30)
        found = module("container_info", {"name": name, "logs": True, "tail": "2"}, check=True)
        assert found["exists"] is True and found["changed"] is False
        info = found["container"]
        assert (info["status"], info["exit_code"], info["running"]) == ("exited", 5, False)
        assert info["command"] == ["sh", "-c", script] and info["restart_policy"] == "no"
        (mount,) = info["mounts"]
        assert (mount["type"], mount["source"], mount["destination"], mount["rw"]) == (
            "bind",
            str(tmp_path),
            "/host",
            False,
        )
        assert info["logs"] == {"stdout": "two\n", "stderr": "bad\n"}  # the last two lines, apart
        every = module("container_info", {"name": name, "logs": True, "tail": "all", "timestamps": True})
        assert [line.split(" ", 1)[1] for line in every["container"]["logs"]["stdout"].splitlines()] == ["one", "two"]
        later = module("container_info", {"name": name, "logs": True, "since": str(int(time.time()) + 60)})
        assert later["container"]["logs"] == {"stdout": "", "stderr": ""}
        recent = module("container_info", {"name": name, "logs": True, "since": "1h"})
        assert recent["container"]["logs"]["stdout"] == "one\ntwo\n"
    finally:
        container.remove(force=True)


def test_filters_find_every_match_and_a_missing_name_is_not_an_error(docker_client, test_images, suffix):
    names = [f"dy-info-{suffix}-{n}" for n in range(2)]
    made = [docker_client.containers.create(test_images["busybox"], "true", name=n, labels={"set": suffix})
            for n in names]  # fmt: skip
    try:
        listed = module("container_info", {"filters": {"label": f"set={suffix}"}})
        assert sorted(c["name"] for c in listed["containers"]) == names and listed["container"] is None
        assert {c["status"] for c in listed["containers"]} == {"created"}
        missing = module("container_info", {"name": f"dy-info-{suffix}-none"})
        assert not missing.failed and missing["exists"] is False and missing["container"] is None
        bad = module("container_info", {"name": names[0], "logs": True, "since": "yesterday"})
        assert bad.failed and "since: 'yesterday' is not a duration" in bad["msg"]
    finally:
        for container in made:
            container.remove(force=True)
