"""image_remove against the local daemon: a second name untagged, an image in use refused."""

from __future__ import annotations

import uuid

import pytest

from ansible_run import local_module as module
from local_docker import committed

pytestmark = pytest.mark.image_stores  # run again on containerd's image store (scripts/test store)


def test_remove_untags_a_second_name_and_refuses_an_image_in_use(docker_client, test_images):
    suffix = uuid.uuid4().hex[:6]
    base = docker_client.images.get(test_images["busybox"])
    container = docker_client.containers.create(base.id, "sh")
    image = committed(docker_client, container, repository=f"rm-{suffix}", tag="a")
    container.remove()
    image.tag(f"rm-{suffix}", "b")
    untag = module("image_remove", {"name": f"rm-{suffix}:a"})
    assert untag["changed"] is True and untag["untagged"] == [f"rm-{suffix}:a"] and untag["deleted"] == []
    assert docker_client.images.get(f"rm-{suffix}:b").id == image.id
    user = docker_client.containers.create(f"rm-{suffix}:b", "sh", name=f"uses-rm-{suffix}")
    refused = module("image_remove", {"name": f"rm-{suffix}:b"})
    assert refused.failed and f"uses-rm-{suffix}" in refused["msg"]
    assert module("image_remove", {"name": f"rm-{suffix}:b", "force": True}, check=True)["changed"] is True
    assert docker_client.images.get(f"rm-{suffix}:b")
    user.remove()
    deleted = module("image_remove", {"name": f"rm-{suffix}:b"})
    assert deleted["changed"] is True and image.id in deleted["deleted"]
    assert module("image_remove", {"name": f"rm-{suffix}:b"})["changed"] is False
