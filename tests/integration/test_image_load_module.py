"""image_load against the local daemon: a saved archive loads back with its IDs and tags; a missing one is named."""

from __future__ import annotations

import pytest

from ansible_run import local_module as module
from local_docker import forget

pytestmark = pytest.mark.image_stores  # run again on containerd's image store (scripts/test store)


def test_save_then_load_round_trip_keeps_ids_and_tags(docker_client, test_images, tmp_path, suffix):
    name = f"roundtrip-{suffix}:1"
    docker_client.images.get(test_images["busybox"]).tag(name)
    archive = tmp_path / "roundtrip.tar"
    saved = module("image_save", {"names": [name], "path": str(archive)})
    docker_client.images.remove(name)
    assert module("image_load", {"path": str(archive)}, check=True)["changed"] is True
    loaded = module("image_load", {"path": str(archive)})
    assert loaded["changed"] is True and loaded["loaded"] == [f"{name}"]
    assert docker_client.images.get(name).id in saved["images"][0]["ids"]  # either image store's ID
    assert module("image_load", {"path": str(archive)})["changed"] is False
    forget(docker_client, name)


def test_load_of_a_missing_archive_is_a_clear_error(tmp_path):
    result = module("image_load", {"path": str(tmp_path / "absent.tar")})
    assert result.failed and "absent.tar does not exist" in result["msg"]
