"""A multi-platform image as an OCI archive, what `docker save` writes on Docker 25 and later, made by hand.

Nothing can be pulled here, and a multi-platform image only comes from a registry or an archive. The amd64
image runs (busybox from this machine's busybox-static); the arm64 one is a layer with one file, which is all
an image store needs to hold it.
"""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
from pathlib import Path

INDEX = "application/vnd.oci.image.index.v1+json"
MANIFEST = "application/vnd.oci.image.manifest.v1+json"
CONFIG = "application/vnd.oci.image.config.v1+json"
LAYER = "application/vnd.oci.image.layer.v1.tar"
CREATED = "2026-01-01T00:00:00Z"


def _tar(files: dict[str, tuple[bytes, int]]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        for name, (data, mode) in sorted(files.items()):
            member = tarfile.TarInfo(name)
            member.size, member.mode, member.mtime = len(data), mode, 0
            archive.addfile(member, io.BytesIO(data))
    return buffer.getvalue()


class _Blobs:
    def __init__(self) -> None:
        self.blobs: dict[str, bytes] = {}

    def add(self, data: bytes, media_type: str, **extra) -> dict:
        digest = "sha256:" + hashlib.sha256(data).hexdigest()
        self.blobs[digest] = data
        return {"mediaType": media_type, "digest": digest, "size": len(data), **extra}

    def add_json(self, value: dict, media_type: str, **extra) -> dict:
        return self.add(json.dumps(value, separators=(",", ":")).encode(), media_type, **extra)


def multi_platform_archive(path: Path, reference: str) -> dict:
    """Write an archive of ``reference`` (name:tag) for linux/amd64 and linux/arm64 to ``path``; returns the
    digests: ``index`` (the image's ID in containerd's store) and ``manifests`` by architecture."""
    blobs = _Blobs()
    layers = {
        "amd64": _tar({"bin/busybox": (Path("/bin/busybox").read_bytes(), 0o755)}),
        "arm64": _tar({"platform": (b"arm64\n", 0o644)}),
    }
    manifests, listed = {}, []
    for architecture, layer in layers.items():
        layer_descriptor = blobs.add(layer, LAYER)
        config = blobs.add_json(
            {
                "architecture": architecture,
                "os": "linux",
                "created": CREATED,
                "config": {"Entrypoint": ["/bin/busybox"], "Cmd": ["echo", architecture]},
                "rootfs": {"type": "layers", "diff_ids": [layer_descriptor["digest"]]},
                "history": [{"created": CREATED, "created_by": "tests/oci_archive.py"}],
            },
            CONFIG,
        )
        manifest = blobs.add_json(
            {"schemaVersion": 2, "mediaType": MANIFEST, "config": config, "layers": [layer_descriptor]},
            MANIFEST,
            platform={"architecture": architecture, "os": "linux"},
        )
        manifests[architecture] = {"manifest": manifest["digest"], "config": config, "layer": layer_descriptor}
        listed.append(manifest)
    index = blobs.add_json({"schemaVersion": 2, "mediaType": INDEX, "manifests": listed}, INDEX)
    name, tag = reference.rsplit(":", 1)
    top = {**index, "annotations": {"io.containerd.image.name": f"docker.io/{name}:{tag}",
                                    "org.opencontainers.image.ref.name": tag}}  # fmt: skip
    host = manifests["amd64"]  # manifest.json, for loaders that read one image per tag, names the amd64 one
    legacy = [{"Config": "blobs/" + host["config"]["digest"].replace(":", "/"), "RepoTags": [reference],
               "Layers": ["blobs/" + host["layer"]["digest"].replace(":", "/")]}]  # fmt: skip
    members = {
        "oci-layout": json.dumps({"imageLayoutVersion": "1.0.0"}).encode(),
        "index.json": json.dumps({"schemaVersion": 2, "mediaType": INDEX, "manifests": [top]}).encode(),
        "manifest.json": json.dumps(legacy).encode(),
        **{"blobs/" + digest.replace(":", "/"): data for digest, data in blobs.blobs.items()},
    }
    path.write_bytes(_tar({name: (data, 0o644) for name, data in members.items()}))
    return {"index": index["digest"], "manifests": {a: m["manifest"] for a, m in manifests.items()}}
