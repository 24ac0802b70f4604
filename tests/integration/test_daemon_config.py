"""dockyard.docker.daemon_config run as a module: on a scratch path here, and on a Debian 13 host
whose engine (26.1) has `dockerd --validate`."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from ansible_run import ROOT, run_module, run_playbook

MODULE = "dockyard.docker.daemon_config"


def apply(path, settings, **kwargs):
    return run_module(MODULE, {"path": str(path), "settings": settings}, **kwargs)["localhost"]


def test_create_same_again_then_change(tmp_path):
    path = tmp_path / "daemon.json"
    first = apply(path, {"registry-mirrors": ["https://m.example.com"], "log-opts": {"max-file": 3}})
    assert first["changed"] is True, first
    written = json.loads(path.read_text())
    assert written == {"registry-mirrors": ["https://m.example.com"], "log-opts": {"max-file": "3"}}
    assert oct(os.stat(path).st_mode & 0o777) == "0o644"
    again = apply(path, {"registry-mirrors": ["https://m.example.com"], "log-opts": {"max-file": "3"}})
    assert again["changed"] is False
    mirror = apply(path, {"registry-mirrors": ["https://n.example.com"]})
    assert mirror["changed"] is True and mirror["changed_keys"] == ["registry-mirrors"]
    assert mirror["reload_sufficient"] is True and mirror["restart_needed"] is False
    assert json.loads((tmp_path / os.path.basename(mirror["backup_file"])).read_text())["registry-mirrors"] == [
        "https://m.example.com"
    ]
    dns = apply(path, {"dns": ["9.9.9.9"]})
    assert dns["restart_needed"] is True
    # Keys the task does not name are kept.
    assert set(json.loads(path.read_text())) == {"registry-mirrors", "log-opts", "dns"}


def test_null_removes_a_key(tmp_path):
    path = tmp_path / "daemon.json"
    apply(path, {"dns": ["9.9.9.9"], "debug": True})
    result = apply(path, {"dns": None})
    assert result["changed"] is True and result["changed_keys"] == ["dns"]
    assert json.loads(path.read_text()) == {"debug": True}


def test_exclusive_takes_off_what_the_task_no_longer_names(tmp_path):
    path = tmp_path / "daemon.json"
    apply(path, {"dns": ["9.9.9.9"], "labels": ["zone=a"], "debug": True})
    result = run_module(MODULE, {"path": str(path), "settings": {"dns": ["9.9.9.9"]}, "exclusive": True})["localhost"]
    assert result["changed"] is True
    # labels and debug are written empty, so that a reload clears them from the running daemon
    assert json.loads(path.read_text()) == {"dns": ["9.9.9.9"], "labels": [], "debug": False}
    assert result["apply"] == "reload" and result["apply_keys"] == ["debug", "labels"]


def test_check_mode_predicts_and_writes_nothing_and_diff_shows_both_sides(tmp_path):
    path = tmp_path / "daemon.json"
    apply(path, {"debug": True})
    before = path.read_text()
    result = apply(path, {"debug": False, "dns": ["1.1.1.1"]}, check=True, diff=True)
    assert result["changed"] is True
    assert path.read_text() == before
    assert '"debug": true' in result["diff"]["before"]
    assert '"dns"' in result["diff"]["after"] and '"debug": false' in result["diff"]["after"]


def test_every_bad_value_is_named_and_nothing_is_written(tmp_path):
    path = tmp_path / "daemon.json"
    apply(path, {"debug": True})
    before = path.read_text()
    result = apply(path, {"registry-mirrors": ["mirror.local"], "data-root": "var/docker"})
    assert result.failed
    assert "registry-mirrors[0]: 'mirror.local' is not a URL; use https://mirror.local" in result["msg"]
    assert "data-root: 'var/docker' is not an absolute path" in result["msg"]
    assert path.read_text() == before


def test_insecure_registries_for_every_address_need_the_explicit_switch(tmp_path):
    path = tmp_path / "daemon.json"
    refused = apply(path, {"insecure-registries": ["0.0.0.0/0"]})
    assert refused.failed and not path.exists()
    assert "insecure-registries: '0.0.0.0/0' trusts every registry over plain HTTP" in refused["msg"]
    assert "allow_insecure_everywhere: true takes it as it is" in refused["msg"]
    args = {"path": str(path), "settings": {"insecure-registries": ["0.0.0.0/0"]}, "allow_insecure_everywhere": True}
    allowed = run_module(MODULE, args)["localhost"]
    assert allowed["changed"] is True and json.loads(path.read_text())["insecure-registries"] == ["0.0.0.0/0"]
    assert any("trusts every registry" in w for w in allowed.get("warnings") or []), allowed


def test_only_the_newest_backups_stay(tmp_path):
    path = tmp_path / "daemon.json"
    for level in range(5):
        result = apply(path, {"debug": bool(level % 2), "labels": [f"level={level}"]})
        assert result["changed"] is True
    backups = sorted(p.name for p in tmp_path.iterdir() if p.name.endswith("~"))
    assert len(backups) == 3
    assert json.loads(path.read_text())["labels"] == ["level=4"]
    kept = {json.loads((tmp_path / name).read_text())["labels"][0] for name in backups}
    assert kept == {"level=1", "level=2", "level=3"}


@pytest.fixture
def tiny_etc(tmp_path):
    """A 16 KiB tmpfs, as a full /etc/docker would be."""
    mount = tmp_path / "etc-docker"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16k", "tmpfs", str(mount)], check=True)
    yield mount
    subprocess.run(["umount", str(mount)], check=True)


def test_a_full_disk_leaves_the_old_file_and_no_empty_backup(tiny_etc):
    path = tiny_etc / "daemon.json"
    assert apply(path, {"debug": True})["changed"] is True
    before = path.read_text()
    filler = tiny_etc / "filler"
    with open(filler, "wb", buffering=0) as out:  # fill what is left, to the last block
        try:
            while True:
                out.write(b"x" * 512)

        except OSError:
            pass
    result = apply(path, {"debug": False, "labels": [f"label{i}=value{i}" for i in range(200)]})
    assert result.failed and "daemon.json not changed: cannot write in" in result["msg"], result.get("msg")
    assert path.read_text() == before
    assert sorted(p.name for p in tiny_etc.iterdir()) == ["daemon.json", "filler"]


def test_an_unreadable_existing_file_is_left_alone(tmp_path):
    path = tmp_path / "daemon.json"
    path.write_text('{"debug": true,}')
    result = apply(path, {"dns": ["9.9.9.9"]})
    assert result.failed
    assert f"{path} is not valid JSON" in result["msg"]
    assert path.read_text() == '{"debug": true,}'


@pytest.fixture(scope="module")
def debian13_engine(start_hosts):
    hosts, inventory = start_hosts("debian13", 1)
    proc = run_playbook(ROOT / "tests/integration/playbooks/engine.yml", inventory=inventory)
    assert proc.returncode == 0, proc.stdout
    return hosts[0], inventory


def test_dockerd_validate_catches_what_the_schema_cannot(debian13_engine):
    host, inventory = debian13_engine
    # A whole number, so the schema lets it through; the engine knows it must not be negative.
    settings = {"max-concurrent-downloads": -1}
    result = run_module(MODULE, {"settings": settings}, inventory=inventory, hosts="all", become=True)[host.name]
    assert result.failed
    assert "dockerd --validate refused it" in result["msg"]
    assert "invalid max concurrent downloads: -1" in result["msg"]
    assert result["engine_version"].startswith("26.")
    unchanged = run_module(MODULE, {"settings": {}}, inventory=inventory, hosts="all", become=True)[host.name]
    assert "max-concurrent-downloads" not in unchanged["config"]
