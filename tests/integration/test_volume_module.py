"""volume against the local daemon: created, left alone, recreated when it differs and is unused, removed."""

from __future__ import annotations

import uuid

import pytest

from ansible_run import local_module as module

pytestmark = pytest.mark.image_stores  # run again on containerd's image store (scripts/test store)


@pytest.fixture
def volume_name(docker_client):
    value = f"dy-vol-{uuid.uuid4().hex[:6]}"
    yield value
    for volume in docker_client.volumes.list(filters={"name": value}):
        volume.remove(force=True)


def test_volume_create_same_differ_recreate_in_use_and_remove(docker_client, volume_name, test_images):
    created = module("volume", {"name": volume_name, "labels": {"backup": "nightly"}})
    assert created["actions"] == ["created"] and created["volume"]["driver"] == "local"
    assert module("volume", {"name": volume_name, "labels": {"backup": "nightly"}})["changed"] is False
    assert module("volume", {"name": volume_name})["changed"] is False  # options not given are not compared
    differ = module("volume", {"name": volume_name, "labels": {"backup": "weekly"}})
    assert differ.failed and "removing the volume and its data" in differ["msg"]
    recreated = module("volume", {"name": volume_name, "labels": {"backup": "weekly"}, "recreate": True})
    assert recreated["actions"] == ["recreated"] and recreated["volume"]["labels"] == {"backup": "weekly"}
    # The same shape of differences as the container modules report.
    assert recreated["differences"] == [
        {"option": "labels", "before": {"backup": "nightly"}, "after": {"backup": "weekly"}, "how": "recreate"}
    ]
    user = docker_client.containers.create(test_images["busybox"], "true", volumes=[f"{volume_name}:/data"])
    try:
        in_use = module("volume", {"name": volume_name, "state": "absent"})
        assert in_use.failed and f"is used by {user.name}" in in_use["msg"]
    finally:
        user.remove()
    assert module("volume", {"name": volume_name, "state": "absent"}, check=True)["changed"] is True
    assert docker_client.volumes.get(volume_name)
    assert module("volume", {"name": volume_name, "state": "absent"})["actions"] == ["removed"]
    assert module("volume", {"name": volume_name, "state": "absent"})["changed"] is False
