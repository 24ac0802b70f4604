"""image_tag against the local daemon: names added once, a name moved that points elsewhere."""

from __future__ import annotations

import uuid

import pytest

from ansible_run import local_module as module
from local_docker import committed, forget

pytestmark = pytest.mark.image_stores  # run again on containerd's image store (scripts/test store)


def test_tag_adds_names_once_and_moves_a_name_that_points_elsewhere(docker_client, test_images, registry):
    suffix = uuid.uuid4().hex[:6]
    targets = [f"{registry}/team/bb-{suffix}:2", f"bb-{suffix}"]
    busybox = docker_client.images.get(test_images["busybox"])
    first = module("image_tag", {"source": test_images["busybox"], "targets": targets})
    assert first["changed"] is True
    assert first["tagged"] == [targets[0], f"docker.io/library/bb-{suffix}:latest"]
    assert docker_client.images.get(targets[1]).id == busybox.id
    assert module("image_tag", {"source": test_images["busybox"], "targets": targets})["changed"] is False
    container = docker_client.containers.create(busybox.id, "sh")
    other = committed(docker_client, container, changes=["LABEL other=yes"])
    container.remove()
    predicted = module("image_tag", {"source": other.id, "targets": [targets[1]]}, check=True)
    assert predicted["changed"] is True
    assert docker_client.images.get(targets[1]).id == busybox.id
    moved = module("image_tag", {"source": other.id, "targets": [targets[1]]})
    assert moved["changed"] is True and docker_client.images.get(targets[1]).id == other.id
    for name in (*targets, other.id):
        forget(docker_client, name)
