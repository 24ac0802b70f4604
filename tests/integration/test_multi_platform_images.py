"""An image of two platforms (linux/amd64 and linux/arm64) in containerd's image store, which keeps every platform
under one ID (the index's digest): loaded once, tagged, pushed whole to a registry, saved, run on this host's
platform and removed, each module reporting a change only when there was one. The classic store keeps one platform
of an image, so these run in scripts/test's store step only."""

from __future__ import annotations

import uuid

import pytest
from oci_archive import multi_platform_archive

from ansible_run import local_module as module
from local_docker import forget, in_containerd_store, output_of

pytestmark = pytest.mark.image_stores  # run again on containerd's image store (scripts/test store)


@pytest.fixture(scope="module")
def multi(docker_client, tmp_path_factory):
    if not in_containerd_store(docker_client):
        pytest.skip("the classic image store keeps one platform of an image (scripts/test's store step runs these)")
    name = f"dockyard-testbed/multi-{uuid.uuid4().hex[:6]}:1"
    archive = tmp_path_factory.mktemp("multi") / "multi.tar"
    digests = multi_platform_archive(archive, name)
    yield name, archive, digests
    forget(docker_client, name)


def test_an_image_of_two_platforms_loads_once_under_its_index_and_runs_this_hosts(docker_client, multi):
    name, archive, digests = multi
    first = module("image_load", {"path": str(archive)})
    assert first["changed"] is True and first["loaded"] == [name], first
    assert docker_client.api.inspect_image(name)["Id"] == digests["index"]
    assert module("image_load", {"path": str(archive)})["changed"] is False
    assert output_of(docker_client, name) == b"amd64\n"  # Entrypoint busybox, Cmd echo <architecture>


def test_tag_and_push_send_both_platforms_once(docker_client, multi, registry):
    name, archive, digests = multi
    module("image_load", {"path": str(archive)})
    target = f"{registry}/team/multi-{uuid.uuid4().hex[:6]}:1"
    assert module("image_tag", {"source": name, "targets": [target]})["changed"] is True
    assert module("image_tag", {"source": name, "targets": [target]})["changed"] is False
    pushed = module("image_push", {"name": target})
    assert pushed["changed"] is True and pushed["digest"] == digests["index"], pushed
    assert module("image_push", {"name": target})["changed"] is False
    repository, tag = target.split("/", 1)[1].rsplit(":", 1)
    described = module("registry_info", {"registry": f"http://{registry}", "repository": repository, "tag": tag})
    manifest = described["manifest"]
    assert manifest["digest"] == digests["index"]
    assert manifest["media_type"] == "application/vnd.oci.image.index.v1+json"
    platforms = sorted((p["os"], p["architecture"], p["digest"]) for p in manifest["platforms"])
    assert platforms == [("linux", arch, digests["manifests"][arch]) for arch in ("amd64", "arm64")]
    forget(docker_client, target)


def test_save_keeps_both_platforms_and_remove_takes_the_image_away(docker_client, multi, tmp_path):
    name, archive, digests = multi
    module("image_load", {"path": str(archive)})
    saved_path = tmp_path / "saved.tar"
    saved = module("image_save", {"names": [name], "path": str(saved_path)})
    assert saved["changed"] is True and digests["index"] in saved["images"][0]["ids"], saved
    assert module("image_save", {"names": [name], "path": str(saved_path)})["changed"] is False
    removed = module("image_remove", {"name": name})
    assert removed["changed"] is True, removed
    assert module("image_remove", {"name": name})["changed"] is False
    back = module("image_load", {"path": str(saved_path)})
    assert back["changed"] is True and docker_client.api.inspect_image(name)["Id"] == digests["index"]
    assert module("image_load", {"path": str(saved_path)})["changed"] is False
