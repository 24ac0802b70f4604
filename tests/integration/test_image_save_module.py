"""image_save against the local daemon: by tag the tag is recorded, by ID none."""

from __future__ import annotations

import os

from ansible_run import local_module as module


def test_save_by_tag_records_the_tag_and_by_id_records_none(docker_client, test_images, tmp_path):
    image = docker_client.images.get(test_images["busybox"])
    by_tag, by_id = tmp_path / "by-tag.tar", tmp_path / "by-id.tar"
    saved = module("image_save", {"names": [test_images["busybox"]], "path": str(by_tag)})
    assert saved["changed"] is True
    assert saved["images"] == [{"id": image.id, "ids": [image.id], "tags": [test_images["busybox"]]}]
    mtime = os.stat(by_tag).st_mtime_ns
    again = module("image_save", {"names": [test_images["busybox"]], "path": str(by_tag)})
    assert again["changed"] is False and os.stat(by_tag).st_mtime_ns == mtime  # not rewritten
    assert module("image_save", {"names": [image.id], "path": str(by_id)})["images"] == [
        {"id": image.id, "ids": [image.id], "tags": []}
    ]
