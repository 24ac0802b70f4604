"""image_save against the local daemon: by tag the tag is recorded, by ID none."""

from __future__ import annotations

import os

import pytest

from ansible_run import local_module as module

pytestmark = pytest.mark.image_stores  # run again on containerd's image store (scripts/test store)


def test_save_by_tag_records_the_tag_and_by_id_records_none(docker_client, test_images, tmp_path):
    image = docker_client.images.get(test_images["busybox"])
    by_tag, by_id = tmp_path / "by-tag.tar", tmp_path / "by-id.tar"
    saved = module("image_save", {"names": [test_images["busybox"]], "path": str(by_tag)})
    assert saved["changed"] is True
    # The image's ID is its config digest in the classic store, a manifest digest in containerd's: ids has both.
    assert [(i["tags"], image.id in i["ids"]) for i in saved["images"]] == [([test_images["busybox"]], True)]
    mtime = os.stat(by_tag).st_mtime_ns
    again = module("image_save", {"names": [test_images["busybox"]], "path": str(by_tag)})
    assert again["changed"] is False and os.stat(by_tag).st_mtime_ns == mtime  # not rewritten
    assert [
        (i["tags"], image.id in i["ids"])
        for i in module("image_save", {"names": [image.id], "path": str(by_id)})["images"]
    ] == [([], True)]
