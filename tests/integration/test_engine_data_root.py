"""A data root moved by the engine role on a booted Debian 12 host over SSH, holding an image, a stopped
and a running container and a named volume: refused where it cannot go, put back when the copy fails,
and moved without losing a byte where it can."""

from __future__ import annotations

import base64
import json

import pytest

from ansible_run import run_module
from engine_host import EngineHost, boot_engine_host

VOLUME_FILES = "cd {root}/volumes/keep/_data && sha256sum blob notes sparse && stat -c '%n %h %b' notes sparse"


@pytest.fixture(scope="module")
def holding(start_hosts, ssh_key, load_busybox):
    """A host whose daemon holds an image, a stopped and a running container and a volume with files:
    a random blob, a file with a second hard link, and a sparse file of 64 MiB with 4 KiB written."""
    host = boot_engine_host(start_hosts, ssh_key)
    load_busybox(host.inventory)
    host.sh(
        "docker run --rm -v keep:/data dockyard-testbed/busybox sh -c '"
        "dd if=/dev/urandom of=/data/blob bs=1k count=512 2>/dev/null && echo kept > /data/notes"
        " && ln /data/notes /data/notes-link"
        " && dd if=/dev/urandom of=/data/sparse bs=4k count=1 seek=16383 2>/dev/null'"
        " && docker create --name stopped -v keep:/data dockyard-testbed/busybox true"
        " && docker run -d --name runner dockyard-testbed/busybox sleep 86400"
    )
    return host


def state(host: EngineHost, root: str) -> dict:
    return {
        "images": sorted(host.sh("docker images -q --no-trunc").split()),
        "containers": host.sh("docker ps -a --format '{{.Names}} {{.State}}' | sort"),
        "volume": host.sh(VOLUME_FILES.format(root=root)),
        "root": host.info()["DockerRootDir"],
    }


def test_check_mode_predicts_the_move_and_touches_nothing(holding):
    before, pid = holding.daemon_json(), holding.daemon_pid()
    proc, counts = holding.apply(check=True, docker_data_root="/srv/docker")
    assert proc.returncode == 0, proc.stdout
    assert counts["changed"] >= 1
    assert '"data-root": "/srv/docker"' in proc.stdout, proc.stdout  # the diff
    assert ("would move /var/lib/docker to /srv/docker (storage driver overlay2 kept), stopping the running "
            "containers runner for the copy") in proc.stdout, proc.stdout  # fmt: skip
    assert holding.daemon_json() == before
    assert holding.daemon_pid() == pid
    assert holding.sh("ls -A /srv") == ""


@pytest.mark.parametrize(
    ("target", "reason"),
    [("/srv/full", "/srv/full is not empty (left-here)"),
     ("/opt/docker", "/ is overlay: overlay2 cannot stack on an overlay filesystem"),
     ("/var/lib/docker/inside", "/var/lib/docker/inside is inside the current data root /var/lib/docker")],
    ids=["not-empty", "overlay", "inside"],
)  # fmt: skip
def test_a_target_the_data_cannot_go_to_is_refused_and_nothing_changes(holding, target, reason):
    holding.sh("mkdir -p /srv/full && touch /srv/full/left-here")
    before, pid = holding.daemon_json(), holding.daemon_pid()
    proc, counts = holding.apply(docker_data_root=target)
    assert proc.returncode != 0
    assert f"Docker's data cannot move from /var/lib/docker to {target}" in proc.stdout, proc.stdout
    assert reason in proc.stdout, proc.stdout
    assert "Nothing was changed" in proc.stdout
    assert counts["changed"] == 0
    assert holding.daemon_json() == before
    assert holding.daemon_pid() == pid
    holding.sh("rm -rf /srv/full")


def test_a_daemon_json_that_does_not_parse_is_refused_before_anything_stops(holding):
    # The module reads the settings it must add data-root to before it stops the daemon, not after.
    holding.sh("echo [] > /tmp/list.json")
    pid = holding.daemon_pid()
    results = run_module("dockyard.docker.data_root_move", {"path": "/srv/docker", "daemon_json": "/tmp/list.json"},
                         inventory=holding.inventory, hosts="all", become=True)  # fmt: skip
    result = next(iter(results.values()))
    assert result.failed
    assert "/tmp/list.json holds a JSON list, not an object" in result["msg"], result["msg"]
    assert "Nothing was changed" in result["msg"]
    assert holding.daemon_pid() == pid
    assert holding.sh("ls -A /srv") == ""


def test_a_bad_value_beside_a_move_is_refused_before_the_data_moves(holding):
    """The newcomer's case: a data root to move to and a mirror without a scheme. The mirror is refused
    first; no container stops, no copy is made, the daemon keeps its PID."""
    before, config, pid = state(holding, "/var/lib/docker"), holding.daemon_json(), holding.daemon_pid()
    ids = holding.sh("docker ps -aq --no-trunc | sort")
    proc, counts = holding.apply(docker_data_root="/srv/docker", docker_registry_mirrors=["mirror.gcr.io"])
    assert proc.returncode != 0
    assert "docker_registry_mirrors[0]: 'mirror.gcr.io' is not a URL; use https://mirror.gcr.io" in proc.stdout
    assert "Nothing was changed" in proc.stdout and counts["changed"] == 0
    assert holding.sh("ls -A /srv") == ""
    assert (holding.daemon_json(), holding.daemon_pid()) == (config, pid)
    assert state(holding, "/var/lib/docker") == before
    assert holding.sh("docker ps -aq --no-trunc | sort") == ids


def test_a_copy_that_fails_puts_the_old_root_back_and_the_daemon_runs_on_it(holding):
    before = state(holding, "/var/lib/docker")
    config = holding.daemon_json()
    # An immutable directory: empty, on a good filesystem, and nothing can be written into it.
    holding.sh("mkdir -p /srv/locked && chattr +i /srv/locked")
    try:
        proc, _counts = holding.apply(docker_data_root="/srv/locked")
    finally:
        holding.sh("chattr -i /srv/locked")
    assert proc.returncode != 0
    assert "moving /var/lib/docker to /srv/locked failed: cp -a" in proc.stdout, proc.stdout
    assert "Nothing was lost" in proc.stdout and "the daemon runs on /var/lib/docker again" in proc.stdout
    assert holding.daemon_json() == config
    assert state(holding, "/var/lib/docker") == before  # the runner runs again
    holding.sh("rmdir /srv/locked")


def test_the_data_moves_with_every_image_container_and_byte_of_its_volumes(holding):
    before = state(holding, "/var/lib/docker")
    assert "runner running" in before["containers"] and "stopped created" in before["containers"]
    proc, _counts = holding.apply(docker_data_root="/srv/docker")
    assert proc.returncode == 0, proc.stdout
    assert ("moved /var/lib/docker to /srv/docker (storage driver overlay2 kept), stopping the running containers "
            "runner for the copy; the old data stays in /var/lib/docker") in proc.stdout, proc.stdout  # fmt: skip
    after = state(holding, "/srv/docker")
    assert after == {**before, "root": "/srv/docker"}  # hard links (2) and sparse blocks (8) included
    assert json.loads(holding.daemon_json())["data-root"] == "/srv/docker"
    assert holding.sh("test -d /var/lib/docker/volumes/keep && echo kept").strip() == "kept"


def test_a_second_run_after_the_move_changes_nothing(holding):
    pid = holding.daemon_pid()
    proc, counts = holding.apply(docker_data_root="/srv/docker")
    assert proc.returncode == 0, proc.stdout
    assert counts["changed"] == 0, proc.stdout
    assert holding.daemon_pid() == pid


def test_remove_old_deletes_the_old_data_only_after_the_move_is_proven(holding):
    before = state(holding, "/srv/docker")
    proc, _counts = holding.apply(docker_data_root="/srv/docker2", docker_data_root_remove_old=True)
    assert proc.returncode == 0, proc.stdout
    assert "moved /srv/docker to /srv/docker2 (storage driver overlay2 kept)" in proc.stdout, proc.stdout
    assert "; the old data was removed" in proc.stdout
    assert state(holding, "/srv/docker2") == {**before, "root": "/srv/docker2"}
    assert holding.sh("ls -A /srv/docker") == ""


def test_a_fresh_install_on_a_data_root_overlay2_cannot_use_is_refused_and_installs_nothing(start_hosts, ssh_key):
    """/opt is on the host's overlay root: the daemon would fall back to vfs without a word. Refused before a
    package is installed, with the reason; docker_storage_driver: vfs takes it as it is."""
    host = boot_engine_host(start_hosts, ssh_key, converge=False)
    proc, counts = host.apply(docker_data_root="/opt/docker")
    assert proc.returncode != 0
    assert 'docker_data_root: "/opt/docker" is on / is overlay: overlay2 cannot stack on an overlay' in proc.stdout
    assert "or set docker_storage_driver: vfs to take vfs as it is" in proc.stdout
    assert counts["changed"] == 0
    assert host.sh("dpkg-query -W -f='${Status}' docker.io 2>/dev/null || echo absent").strip() == "absent"
    assert host.sh("test -e /etc/docker/daemon.json && echo written || echo none").strip() == "none"


DROP_DRIVER = """import json
path = "/etc/docker/daemon.json"
config = json.load(open(path))
config.pop("storage-driver")
json.dump(config, open(path, "w"))
"""


@pytest.fixture(scope="module")
def on_vfs(start_hosts, ssh_key, load_busybox):
    """A daemon that fell back to vfs on an overlay data root, as it does when daemon.json names no driver,
    holding an image, a running container and a volume."""
    host = boot_engine_host(start_hosts, ssh_key, converge=False)
    proc, _counts = host.apply(docker_data_root="/opt/docker", docker_storage_driver="vfs")
    assert proc.returncode == 0, proc.stdout
    # What the newcomer had: no driver in daemon.json; the daemon picks vfs by itself on the overlay.
    unpin = base64.b64encode(DROP_DRIVER.encode()).decode()
    host.sh(f"echo {unpin} | base64 -d | python3 && systemctl restart docker")
    assert host.info()["Driver"] == "vfs"
    load_busybox(host.inventory)
    host.sh("docker run -d --name web -v keep:/data dockyard-testbed/busybox sh -c 'echo kept > /data/f; sleep 86400'")
    return host


def test_moving_off_a_vfs_daemon_keeps_vfs_and_every_image_container_and_volume(on_vfs):
    before = state_on_vfs(on_vfs)
    proc, _counts = on_vfs.apply(docker_data_root="/var/lib/docker")
    assert proc.returncode == 0, proc.stdout
    assert "moved /opt/docker to /var/lib/docker (storage driver vfs kept)" in proc.stdout, proc.stdout
    assert json.loads(on_vfs.daemon_json())["storage-driver"] == "vfs"
    info = on_vfs.info()
    assert (info["Driver"], info["DockerRootDir"]) == ("vfs", "/var/lib/docker")
    assert state_on_vfs(on_vfs) == before
    assert on_vfs.sh("docker exec web cat /data/f").strip() == "kept"
    pid = on_vfs.daemon_pid()
    proc, counts = on_vfs.apply(docker_data_root="/var/lib/docker")
    assert proc.returncode == 0 and counts["changed"] == 0, proc.stdout
    assert on_vfs.daemon_pid() == pid


def state_on_vfs(host: EngineHost) -> dict:
    return {"images": sorted(host.sh("docker images -q --no-trunc").split()),
            "containers": host.sh("docker ps -a --format '{{.ID}} {{.Names}} {{.State}}' | sort"),
            "volumes": host.sh("docker volume ls -q")}  # fmt: skip
