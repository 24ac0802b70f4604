"""container_export and image_import against the local daemon: files kept, metadata not."""

from __future__ import annotations

import tarfile

import pytest

from ansible_run import local_module as module
from local_docker import forget, output_of

pytestmark = pytest.mark.image_stores  # run again on containerd's image store (scripts/test store)


def test_export_then_import_keeps_files_but_not_metadata(docker_client, test_images, tmp_path, suffix):
    container = docker_client.containers.run(test_images["busybox"], "sh -c 'echo kept > /data/file'", detach=True)
    container.wait()
    archive = tmp_path / "rootfs.tar"
    exported = module("container_export", {"container": container.id, "path": str(archive)})
    assert exported["changed"] is True
    assert "data/file" in tarfile.open(archive).getnames()
    assert module("container_export", {"container": container.id, "path": str(archive)})["changed"] is False
    name = f"flat-{suffix}:1"
    imported = module("image_import", {"path": str(archive), "name": name, "changes": ['CMD ["cat", "/data/file"]']})
    assert imported["changed"] is True, imported
    flat = docker_client.images.get(name)
    assert len(flat.history()) == 1  # one layer, no history from the source image
    assert flat.attrs["Config"]["Cmd"] == ["cat", "/data/file"]
    assert output_of(docker_client, name).decode().strip() == "kept"
    again = module("image_import", {"path": str(archive), "name": name, "changes": ['CMD ["cat", "/data/file"]']})
    assert again["changed"] is False
    container.remove()
    forget(docker_client, name)
