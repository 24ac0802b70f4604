"""Old option files carried over to daemon.json by the engine role, on a booted Debian 12 host over SSH
whose daemon runs with DOCKER_OPTS (Debian's docker.io unit passes it to dockerd)."""

from __future__ import annotations

import base64
import json

import pytest

from engine_host import boot_engine_host

DOCKER_OPTS = 'DOCKER_OPTS="--label legacy=yes --max-concurrent-downloads 5 --insecure-registry 10.9.8.7:5000 -H tcp://127.0.0.1:2375"'


@pytest.fixture(scope="module")
def legacy(start_hosts, ssh_key):
    """A host set up by hand the old way: flags in /etc/default/docker, no daemon.json, the daemon running."""
    host = boot_engine_host(start_hosts, ssh_key)
    seeded = base64.b64encode(f"# set by hand in 2016\n{DOCKER_OPTS}\n".encode()).decode()
    # dockerd refuses a setting given both as a flag and in daemon.json: the old way had no daemon.json.
    host.sh(f"echo {seeded} | base64 -d > /etc/default/docker && rm /etc/docker/daemon.json")
    host.sh("systemctl restart docker")
    assert "legacy=yes" in host.info()["Labels"]
    return host


def test_flags_move_to_daemon_json_the_daemon_restarts_once_and_what_cannot_move_stays(legacy):
    pid = legacy.daemon_pid()
    proc, counts = legacy.apply()
    assert proc.returncode == 0, proc.stdout
    assert counts["changed"] >= 1
    warned = "-H tcp://127.0.0.1:2375 is not carried over to daemon.json (the remote API needs TLS here"
    assert warned in proc.stderr.replace("\n", " "), proc.stderr
    config = json.loads(legacy.daemon_json())
    assert config["labels"] == ["legacy=yes"] and config["max-concurrent-downloads"] == 5
    assert config["insecure-registries"] == ["registry.internal:5000"]  # the role's variable wins
    assert legacy.sh("cat /etc/default/docker").splitlines() == [
        "# set by hand in 2016",
        f"# dockyard: moved to /etc/docker/daemon.json: {DOCKER_OPTS}",
        "DOCKER_OPTS='-H tcp://127.0.0.1:2375'",
    ]
    assert legacy.daemon_pid() != pid
    info = legacy.info()
    assert info["Labels"] == ["legacy=yes"]
    assert info["RegistryConfig"]["IndexConfigs"].get("10.9.8.7:5000") is None
    assert legacy.sh("ps -o args= -C dockerd").split().count("tcp://127.0.0.1:2375") == 1


def test_a_second_run_keeps_the_carried_over_settings_and_changes_nothing(legacy):
    pid = legacy.daemon_pid()
    proc, counts = legacy.apply()
    assert proc.returncode == 0, proc.stdout
    assert counts["changed"] == 0, proc.stdout
    assert "is not carried over" not in proc.stdout + proc.stderr
    assert legacy.daemon_pid() == pid
    assert json.loads(legacy.daemon_json())["labels"] == ["legacy=yes"]


def test_sysconfig_options_are_carried_over_too(legacy):
    options = base64.b64encode(b"OPTIONS='--debug'\n").decode()
    legacy.sh(f"mkdir -p /etc/sysconfig && echo {options} | base64 -d > /etc/sysconfig/docker")
    proc, _counts = legacy.apply()
    assert proc.returncode == 0, proc.stdout
    assert json.loads(legacy.daemon_json())["debug"] is True
    assert legacy.info()["Debug"] is True
    assert legacy.sh("cat /etc/sysconfig/docker").strip() == (
        "# dockyard: moved to /etc/docker/daemon.json: OPTIONS='--debug'"
    )
    _again, counts = legacy.apply()
    assert counts["changed"] == 0
