"""image_build, image_save, image_load, container_commit, container_export and image_import
against the local daemon."""

from __future__ import annotations

import os
import tarfile
import uuid

import pytest

from ansible_run import local_module as module
from local_docker import forget


@pytest.fixture
def suffix():
    return uuid.uuid4().hex[:6]


def test_build_is_changed_only_when_the_image_id_changes(docker_client, test_images, tmp_path, suffix):
    dockerfile = [
        f"FROM {test_images['busybox']} AS app",
        "ARG GREETING=hello",
        "RUN echo $GREETING > /greeting",
        "FROM scratch AS unused",  # the last stage: only target picks app
    ]
    (tmp_path / "Dockerfile").write_text("\n".join(dockerfile) + "\n")
    name = f"dockyard-build-{suffix}:1"
    args = {"path": str(tmp_path), "name": name, "build_args": {"GREETING": "hi"}, "target": "app",
            "labels": {"team": "web"}}  # fmt: skip
    assert module("image_build", args, check=True)["changed"] is True
    first = module("image_build", args)
    assert first["changed"] is True, first
    built = docker_client.images.get(name)
    assert built.id == first["image_id"] and built.labels["team"] == "web"
    again = module("image_build", args)
    assert again["changed"] is False and again["image_id"] == first["image_id"]
    changed = module("image_build", {**args, "build_args": {"GREETING": "bonjour"}})
    assert changed["changed"] is True and changed["old_id"] == first["image_id"]
    forget(docker_client, name)


def test_build_errors_are_reported(tmp_path, suffix):
    (tmp_path / "Dockerfile").write_text("FROM dockyard-testbed/busybox:latest\nRUN exit 3\n")
    result = module("image_build", {"path": str(tmp_path), "name": f"broken-{suffix}"})
    assert result.failed and f"building docker.io/library/broken-{suffix}:latest failed" in result["msg"]
    missing = module("image_build", {"path": str(tmp_path / "nowhere"), "name": "x"})
    assert missing.failed and "does not exist" in missing["msg"]


def test_save_by_tag_records_the_tag_and_by_id_records_none(docker_client, test_images, tmp_path):
    image = docker_client.images.get(test_images["busybox"])
    by_tag, by_id = tmp_path / "by-tag.tar", tmp_path / "by-id.tar"
    saved = module("image_save", {"names": [test_images["busybox"]], "path": str(by_tag)})
    assert saved["changed"] is True
    assert saved["images"] == [{"id": image.id, "tags": [test_images["busybox"]]}]
    mtime = os.stat(by_tag).st_mtime_ns
    again = module("image_save", {"names": [test_images["busybox"]], "path": str(by_tag)})
    assert again["changed"] is False and os.stat(by_tag).st_mtime_ns == mtime  # not rewritten
    assert module("image_save", {"names": [image.id], "path": str(by_id)})["images"] == [{"id": image.id, "tags": []}]


def test_save_then_load_round_trip_keeps_ids_and_tags(docker_client, test_images, tmp_path, suffix):
    name = f"roundtrip-{suffix}:1"
    docker_client.images.get(test_images["busybox"]).tag(name)
    archive = tmp_path / "roundtrip.tar"
    saved = module("image_save", {"names": [name], "path": str(archive)})
    docker_client.images.remove(name)
    assert module("image_load", {"path": str(archive)}, check=True)["changed"] is True
    loaded = module("image_load", {"path": str(archive)})
    assert loaded["changed"] is True and loaded["loaded"] == [f"{name}"]
    assert docker_client.images.get(name).id == saved["images"][0]["id"]
    assert module("image_load", {"path": str(archive)})["changed"] is False
    forget(docker_client, name)


def test_load_of_a_missing_archive_is_a_clear_error(tmp_path):
    result = module("image_load", {"path": str(tmp_path / "absent.tar")})
    assert result.failed and "absent.tar does not exist" in result["msg"]


def test_commit_records_message_author_and_changes_once(docker_client, test_images, suffix):
    container = docker_client.containers.run(test_images["busybox"], "sh -c 'echo state > /state'", detach=True)
    container.wait()
    name = f"committed-{suffix}:1"
    args = {
        "container": container.id,
        "name": name,
        "commit_message": "kept state",
        "author": "Dockyard <d@example.com>",
        "changes": ['CMD ["cat", "/state"]'],
    }
    assert module("container_commit", args, check=True)["changed"] is True
    first = module("container_commit", args)
    assert first["changed"] is True
    image = docker_client.images.get(name)
    assert image.attrs["Comment"] == "kept state" and image.attrs["Author"] == "Dockyard <d@example.com>"
    assert docker_client.containers.run(name, remove=True).decode().strip() == "state"
    assert module("container_commit", args)["changed"] is False
    assert module("container_commit", {**args, "force": True})["changed"] is True
    container.remove()
    forget(docker_client, name)


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
    assert docker_client.containers.run(name, remove=True).decode().strip() == "kept"
    again = module("image_import", {"path": str(archive), "name": name, "changes": ['CMD ["cat", "/data/file"]']})
    assert again["changed"] is False
    container.remove()
    forget(docker_client, name)
