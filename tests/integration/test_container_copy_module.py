"""container_copy against the local daemon: into a container and out of it, changed only when content differs."""

from __future__ import annotations

import os
import stat

import pytest

from ansible_run import local_module as module
from local_docker import FileIn, file_in

pytestmark = pytest.mark.image_stores  # run again on containerd's image store (scripts/test store)


def test_content_and_a_directory_go_in_once_and_again_only_when_they_change(running, tmp_path):
    text = {"container": running.name, "path": "/etc/app.conf", "content": "level=info\n", "mode": "0640"}
    assert module("container_copy", text, check=True)["files"] == ["app.conf"]
    assert running.exec_run(["test", "-e", "/etc/app.conf"])[0] != 0  # check mode copied nothing
    first = module("container_copy", text)
    assert file_in(running, "/etc/app.conf") == FileIn("level=info\n", 0o640, 0, 0) and first["changed"] is True
    assert module("container_copy", text)["changed"] is False
    changed = module("container_copy", {**text, "content": "level=debug\n"})
    assert changed["files"] == ["app.conf"] and file_in(running, "/etc/app.conf").text == "level=debug\n"
    assert module("container_copy", {**text, "content": "level=debug\n", "mode": "0644"})["changed"] is True

    site = tmp_path / "site"
    (site / "img").mkdir(parents=True)
    (site / "index.html").write_text("<h1>one</h1>\n")
    (site / "img" / "logo.svg").write_text("<svg/>\n")
    tree = {"container": running.name, "path": "/srv/site", "src": str(site), "owner": 1000, "group": 1000}
    running.exec_run(["mkdir", "-p", "/srv"])
    assert module("container_copy", tree)["changed"] is True
    assert file_in(running, "/srv/site/img/logo.svg").text == "<svg/>\n"
    assert file_in(running, "/srv/site/index.html").uid == 1000
    assert module("container_copy", tree)["changed"] is False
    (site / "index.html").write_text("<h1>two</h1>\n")
    assert module("container_copy", tree)["files"] == ["site/index.html"]
    assert file_in(running, "/srv/site/index.html").text == "<h1>two</h1>\n"


def test_out_of_a_stopped_container_once_and_again_only_when_it_changes(docker_client, running, tmp_path):
    running.exec_run(
        ["sh", "-c", "mkdir -p /out/sub && echo a > /out/a.csv && echo b > /out/sub/b.csv && chmod 600 /out/a.csv"]
    )
    running.stop(timeout=2)
    fetch = {"container": running.name, "path": "/out", "dest": str(tmp_path / "report")}
    assert module("container_copy", fetch, check=True)["changed"] is True and not (tmp_path / "report").exists()
    first = module("container_copy", fetch)
    assert first["changed"] is True
    assert (tmp_path / "report" / "sub" / "b.csv").read_text() == "b\n"
    assert stat.S_IMODE(os.stat(tmp_path / "report" / "a.csv").st_mode) == 0o600
    assert os.stat(tmp_path / "report" / "a.csv").st_uid == os.getuid()
    assert module("container_copy", fetch)["changed"] is False
    (tmp_path / "report" / "a.csv").write_text("edited\n")
    (tmp_path / "report" / "mine.txt").write_text("kept\n")
    again = module("container_copy", fetch)
    assert again["files"] == ["report/a.csv"] and (tmp_path / "report" / "a.csv").read_text() == "a\n"
    assert (tmp_path / "report" / "mine.txt").read_text() == "kept\n"  # merged, as docker cp does
    single = module("container_copy", {**fetch, "path": "/out/a.csv", "dest": str(tmp_path / "a-copy.csv")})
    assert single["files"] == ["a-copy.csv"] and (tmp_path / "a-copy.csv").read_text() == "a\n"


def test_missing_paths_and_bad_input_are_named(running, tmp_path):
    absent = module("container_copy", {"container": running.name, "path": "/nope/x", "dest": str(tmp_path / "x")})
    assert absent.failed and "path: /nope/x does not exist in" in absent["msg"]
    no_parent = module("container_copy", {"container": running.name, "path": "/nope/x", "content": "x"})
    assert no_parent.failed and "the directory /nope does not exist in" in no_parent["msg"]
    relative = module("container_copy", {"container": running.name, "path": "etc/x", "content": "x"})
    assert relative.failed and "path: 'etc/x' is not an absolute path" in relative["msg"]
    bad_mode = module("container_copy", {"container": running.name, "path": "/x", "content": "x", "mode": "rw"})
    assert bad_mode.failed and "mode: 'rw' is not an octal mode" in bad_mode["msg"]
    missing = module("container_copy", {"container": "dy-no-such-ctr", "path": "/x", "content": "x"})
    assert missing.failed and "no container 'dy-no-such-ctr'" in missing["msg"]
