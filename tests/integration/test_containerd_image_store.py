"""The containerd image store (what Docker 29 uses on fresh installs) on the Docker 28.5 host, turned on by the
engine role with `features: {containerd-snapshotter: true}`, over SSH: `docker info` shows the store, a second
role run changes nothing, and image_load of an image already there reports no change (an archive without an
OCI index gets, in this store, the ID of a manifest made on load, not the config digest the archive names);
leaving the store while it holds images, or moving the data root (which would leave containerd's root behind),
is refused before anything is touched; host_check says which store is in use and where its data lives."""

from __future__ import annotations

import pytest

from ansible_run import run_module
from engine_host import EngineHost

STORE = {"docker_daemon_options": {"features": {"containerd-snapshotter": True}}}


@pytest.fixture(scope="module")
def store(start_hosts, ssh_key) -> EngineHost:
    hosts, inventory = start_hosts("debian13-docker28", 1)
    host = EngineHost(hosts[0], inventory, ssh_key)
    proc, _counts = host.apply(**STORE)
    assert proc.returncode == 0, proc.stdout
    return host


def load(host: EngineHost, path: str = "/tmp/busybox.tar"):
    results = run_module("dockyard.docker.image_load", {"path": path}, inventory=host.inventory, hosts="all",
                         become=True)  # fmt: skip
    result = next(iter(results.values()))
    assert not result.failed, result.get("msg")
    return result


def test_the_role_turns_the_store_on_and_a_second_run_changes_nothing(store):
    assert ["driver-type", "io.containerd.snapshotter.v1"] in store.info()["DriverStatus"]
    pid = store.daemon_pid()
    proc, counts = store.apply(**STORE)
    assert proc.returncode == 0 and counts["changed"] == 0, proc.stdout
    assert store.daemon_pid() == pid


def test_image_load_of_an_image_already_there_changes_nothing_and_loads_it_again_once_removed(store, load_busybox):
    load_busybox(store.inventory)  # copies /tmp/busybox.tar to the host and loads it
    image = store.sh("docker image inspect -f '{{.Id}}' dockyard-testbed/busybox").strip()
    assert image.startswith("sha256:")
    again = load(store)
    assert again["changed"] is False, again
    store.sh("docker image rm dockyard-testbed/busybox")
    back = load(store)
    assert back["changed"] is True and back["loaded"] == ["dockyard-testbed/busybox:latest"]
    assert store.sh("docker run --rm dockyard-testbed/busybox echo ran").strip() == "ran"


def test_leaving_the_store_while_it_holds_images_is_refused_before_anything_is_touched(store, load_busybox):
    load_busybox(store.inventory)
    pid, before = store.daemon_pid(), store.daemon_json()
    proc, counts = store.apply()  # without the feature: Docker 28 would go back to the classic store
    assert proc.returncode != 0 and counts["changed"] == 0, proc.stdout
    assert "docker_daemon_options.features.containerd-snapshotter: unset or false switches" in proc.stdout
    assert "from containerd's image store to the classic image store" in proc.stdout
    assert store.daemon_pid() == pid and store.daemon_json() == before
    assert ["driver-type", "io.containerd.snapshotter.v1"] in store.info()["DriverStatus"]


def test_a_data_root_move_is_refused_with_the_reason_while_images_are_in_containerds_store(store, load_busybox):
    load_busybox(store.inventory)
    pid, before = store.daemon_pid(), store.daemon_json()
    proc, counts = store.apply(**STORE, docker_data_root="/srv/docker-moved")
    assert proc.returncode != 0 and counts["changed"] == 0, proc.stdout
    assert "docker_data_root: Docker's data cannot move from /var/lib/docker to /srv/docker-moved" in proc.stdout
    assert "containerd's image store" in proc.stdout and "Move /var/lib/containerd by hand" in proc.stdout
    assert store.daemon_pid() == pid and store.daemon_json() == before
    assert store.sh("test -e /srv/docker-moved && echo there || echo absent").strip() == "absent"
    assert store.info()["DockerRootDir"] == "/var/lib/docker"


def test_host_check_names_the_store_in_use_and_where_images_live(store):
    results = run_module("dockyard.docker.host_check", {"timeout": 2, "check_registries": False},
                         inventory=store.inventory, hosts="all", become=True)  # fmt: skip
    result = next(iter(results.values()))
    assert not result.failed, result.get("msg")
    (found,) = [f for f in result["findings"] if f["id"] == "storage.image_store"]
    assert found["severity"] == "info"
    assert "containerd's image store under /var/lib/containerd" in found["seen"], found
    assert "the data root /var/lib/docker" in found["seen"], found
