"""The containerd image store (what Docker 29 uses on fresh installs) on the Docker 28.5 host, turned on by the
engine role with `features: {containerd-snapshotter: true}`, over SSH: `docker info` shows the store, a second
role run changes nothing, and image_load of an image already there reports no change (an archive without an
OCI index gets, in this store, the ID of a manifest made on load, not the config digest the archive names);
leaving the store while it holds images is refused before anything is touched."""

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
