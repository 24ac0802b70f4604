"""The engine role where users are: Docker 28.5 with containerd 2.1 (Debian 14's docker.io, pinned onto a booted
Debian 13 host, release debian13-docker28), over SSH. Check mode on the fresh host, the install, a second run
that changes nothing, mirrors added, changed and removed as `docker info` shows them without a restart, one
restart for a setting that needs it, a setting dockerd 28 refuses rolled back, and a data-root move that keeps every
image, container and volume."""

from __future__ import annotations

import base64
import json

import pytest

from ansible_collections.dockyard.docker.plugins.module_utils import daemon_schema
from engine_host import EngineHost

RELEASE = "debian13-docker28"


def boot(start_hosts, ssh_key) -> EngineHost:
    hosts, inventory = start_hosts(RELEASE, 1)
    return EngineHost(hosts[0], inventory, ssh_key)


@pytest.fixture(scope="module")
def installed(start_hosts, ssh_key):
    """The host and the first run's output."""
    host = boot(start_hosts, ssh_key)
    proc, _counts = host.apply()
    assert proc.returncode == 0, proc.stdout
    return host, proc


@pytest.fixture
def docker28(installed):
    return installed[0]


def test_check_mode_on_a_fresh_host_predicts_the_install_and_writes_nothing(start_hosts, ssh_key):
    fresh = boot(start_hosts, ssh_key)
    proc, counts = fresh.apply(check=True)
    assert proc.returncode == 0, proc.stdout
    assert counts["changed"] >= 1
    assert fresh.sh("test -e /etc/docker/daemon.json && echo written || echo none").strip() == "none"
    assert fresh.sh("dpkg-query -W -f='${Status}' docker.io 2>/dev/null || echo absent").strip() == "absent"


def test_the_first_run_installs_docker_28_with_containerd_2_and_its_settings(docker28):
    version = json.loads(docker28.sh("docker version --format '{{json .}}'"))
    assert version["Server"]["Version"].startswith("28.5."), version["Server"]
    components = {c["Name"]: c["Version"] for c in version["Server"]["Components"]}
    assert components["containerd"].startswith("2.1."), components
    info = docker28.info()
    assert info["RegistryConfig"]["Mirrors"] == ["https://mirror.example.com/"]
    assert "registry.internal:5000" in info["RegistryConfig"]["IndexConfigs"]
    assert docker28.daemon_starts() == 1  # configured before the package started it: no restart


def test_a_second_run_changes_nothing_and_restarts_nothing(docker28):
    pid = docker28.daemon_pid()
    proc, counts = docker28.apply()
    assert proc.returncode == 0 and counts["changed"] == 0, proc.stdout
    assert docker28.daemon_pid() == pid


def test_mirrors_added_changed_and_removed_reach_docker_info_without_a_restart(docker28):
    pid = docker28.daemon_pid()
    for mirrors in (["https://mirror.example.com", "https://second.example.com"], ["https://other.example.com"], []):
        proc, _counts = docker28.apply(docker_registry_mirrors=mirrors)
        assert proc.returncode == 0, proc.stdout
        assert (docker28.info()["RegistryConfig"]["Mirrors"] or []) == [m + "/" for m in mirrors]  # 28 shows null
        again, counts = docker28.apply(docker_registry_mirrors=mirrors)
        assert again.returncode == 0 and counts["changed"] == 0, again.stdout
    assert docker28.daemon_pid() == pid
    docker28.apply()


def test_a_setting_that_needs_a_restart_restarts_once(docker28):
    starts = docker28.daemon_starts()
    proc, _counts = docker28.apply(docker_dns=["1.1.1.1"])
    assert proc.returncode == 0, proc.stdout
    assert docker28.daemon_starts() == starts + 1
    assert json.loads(docker28.daemon_json())["dns"] == ["1.1.1.1"]
    again, counts = docker28.apply(docker_dns=["1.1.1.1"])
    assert again.returncode == 0 and counts["changed"] == 0, again.stdout
    assert docker28.daemon_starts() == starts + 1


def test_a_setting_dockerd_28_refuses_is_rolled_back_and_the_daemon_keeps_running(docker28):
    before, pid = docker28.daemon_json(), docker28.daemon_pid()
    kept = {"docker_dns": ["1.1.1.1"]}  # as the test before left it
    proc, _counts = docker28.apply(docker_storage_driver="zfs", **kept)
    assert proc.returncode != 0
    assert "previous daemon.json was restored" in proc.stdout, proc.stdout
    assert "zfs" in proc.stdout.split("previous daemon.json was restored", 1)[1]  # the daemon's own words follow
    assert docker28.daemon_json() == before
    assert docker28.daemon_pid() != pid  # it was restarted with the old file, and answers
    assert docker28.sh("docker version --format '{{.Server.Version}}'").startswith("28.5.")
    proc, counts = docker28.apply(**kept)
    assert proc.returncode == 0 and counts["changed"] == 0, proc.stdout


def test_a_data_root_move_keeps_every_image_container_and_volume(docker28, load_busybox):
    load_busybox(docker28.inventory)
    docker28.sh("docker run -d --name web -v keep:/data dockyard-testbed/busybox sh -c 'echo kept > /data/f; sleep 1d'")

    def held() -> dict:
        return {"images": sorted(docker28.sh("docker images -q --no-trunc").split()),
                "containers": docker28.sh("docker ps -a --format '{{.ID}} {{.Names}} {{.State}}'"),
                "volumes": docker28.sh("docker volume ls -q")}  # fmt: skip

    before = held()
    proc, _counts = docker28.apply(docker_dns=["1.1.1.1"], docker_data_root="/srv/docker")
    assert proc.returncode == 0, proc.stdout
    assert docker28.info()["DockerRootDir"] == "/srv/docker"
    assert held() == before
    assert docker28.sh("docker exec web cat /data/f").strip() == "kept"
    again, counts = docker28.apply(docker_dns=["1.1.1.1"], docker_data_root="/srv/docker")
    assert again.returncode == 0 and counts["changed"] == 0, again.stdout


def test_a_user_gets_a_rootless_docker_28_and_a_second_run_changes_nothing(docker28):
    docker28.make_tun()
    docker28.sh("id carol >/dev/null 2>&1 || useradd -m -s /bin/sh carol")
    rootless = {"docker_rootless_users": ["carol"], "docker_dns": ["1.1.1.1"], "docker_data_root": "/srv/docker"}
    proc, _counts = docker28.apply(**rootless)
    assert proc.returncode == 0, proc.stdout
    info = docker28.rootless_info("carol")
    assert "name=rootless" in info["SecurityOptions"] and info["ServerVersion"].startswith("28.5."), info
    assert info["DockerRootDir"] == "/home/carol/.local/share/docker"
    again, counts = docker28.apply(**rootless)
    assert again.returncode == 0 and counts["changed"] == 0, again.stdout


# Keys of Docker 27-29 with a value each; the schema's verdict for the installed engine must be dockerd's own.
SAMPLES = {
    "ip6tables": True,
    "ip-forward": True,
    "ip-forward-no-drop": True,
    "default-network-opts": {"bridge": {"com.docker.network.driver.mtu": "1400"}},
    "min-api-version": "1.24",
    "features": {"containerd-snapshotter": False},
    "firewall-backend": "nftables",
    "api-cors-header": "*",
    "cdi-spec-dirs": ["/etc/cdi"],
    "log-format": "json",
}


@pytest.mark.parametrize("key", sorted(SAMPLES))
def test_the_schema_takes_what_dockerd_28_validate_takes(docker28, key):
    version = docker28.info()["ServerVersion"]
    encoded = base64.b64encode(json.dumps({key: SAMPLES[key]}).encode()).decode()
    rc = docker28.sh(f"echo {encoded} | base64 -d > /tmp/one.json; dockerd --validate --config-file=/tmp/one.json"
                     " >/dev/null 2>&1; echo $?").strip()  # fmt: skip
    refused = daemon_schema.problems(daemon_schema.normalize({key: SAMPLES[key]}), version)
    assert (rc == "0") == (not refused), (key, rc, refused)
