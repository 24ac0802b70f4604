"""What a `docker save` archive holds, read as image_load and image_save read it: the classic store's ID
(the config digest) and, from the OCI index Docker 25 and later write, the manifest and index digests that
lead to it, one of which is the image's ID in the containerd image store."""

from __future__ import annotations

import hashlib
import io
import json
import tarfile

from ansible_collections.dockyard.docker.plugins.module_utils.images import archive_manifest, same_image, shown


def _digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _archive(path, files: dict[str, bytes]) -> str:
    with tarfile.open(path, "w") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return str(path)


def _blob(files: dict, document: dict) -> str:
    data = json.dumps(document).encode()
    digest = _digest(data)
    files["blobs/" + digest.replace(":", "/")] = data
    return digest


def test_a_multi_platform_save_names_the_index_and_the_manifest_that_lead_to_each_config(tmp_path):
    files: dict[str, bytes] = {}
    amd64, arm64 = _blob(files, {"architecture": "amd64"}), _blob(files, {"architecture": "arm64"})
    manifests = [_blob(files, {"config": {"digest": config}, "layers": []}) for config in (amd64, arm64)]
    index = _blob(files, {"manifests": [{"digest": m} for m in manifests]})
    files["index.json"] = json.dumps({"manifests": [{"digest": index}]}).encode()
    files["manifest.json"] = json.dumps([{"Config": "blobs/" + amd64.replace(":", "/"),
                                          "RepoTags": ["app:1"], "Layers": []}]).encode()  # fmt: skip
    images = shown(archive_manifest(_archive(tmp_path / "app.tar", files)))
    assert images == [{"id": amd64, "ids": [amd64, *sorted([index, manifests[0]])], "tags": ["app:1"]}]
    assert manifests[1] not in images[0]["ids"]  # the other platform's manifest leads elsewhere


def test_a_classic_save_without_an_index_has_the_config_digest_only(tmp_path):
    config = "sha256:" + "a" * 64
    built = {"created": "2026-12-04T02:33:32.782921165Z", "architecture": "amd64", "os": "linux",
             "rootfs": {"diff_ids": ["sha256:" + "b" * 64]}, "config": {"Cmd": ["sh"], "Env": ["A=1"]}}  # fmt: skip
    files = {
        "manifest.json": json.dumps([{"Config": config[7:] + ".json", "RepoTags": ["app:1"], "Layers": []}]).encode(),
        config[7:] + ".json": json.dumps(built).encode(),
    }
    images = archive_manifest(_archive(tmp_path / "old.tar", files))
    assert shown(images) == [{"id": config, "ids": [config], "tags": ["app:1"]}]
    # The containerd image store gives it the ID of a manifest made on load: known by what its config says.
    run = {"Cmd": ["sh"], "Env": ["A=1"], "Labels": {}}
    loaded = {"Id": "sha256:" + "c" * 64, "Created": built["created"], "Architecture": "amd64", "Os": "linux",
              "RootFS": {"Layers": built["rootfs"]["diff_ids"]}, "Config": run}  # fmt: skip
    assert same_image(loaded, images[0])
    assert not same_image({**loaded, "Config": {"Cmd": ["sh"], "Env": ["A=2"]}}, images[0])
    assert not same_image({**loaded, "RootFS": {"Layers": []}}, images[0])
