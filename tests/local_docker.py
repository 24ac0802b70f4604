"""Helpers for tests that work on the local daemon."""

from __future__ import annotations

import io
import json
import subprocess
import tarfile
import time
from dataclasses import dataclass

import docker

from ansible_collections.dockyard.docker.plugins.module_utils.images import commit

# A busybox process that stops at once on SIGTERM (a shell as PID 1 would ignore it).
TRAP_SCRIPT = "trap 'exit 0' TERM; sleep 3600 & wait"
TRAP = ["sh", "-c", TRAP_SCRIPT]


@dataclass(frozen=True)
class FileIn:
    text: str
    mode: int
    uid: int
    gid: int


def file_in(container, path: str) -> FileIn:
    """A file in a container, read through the archive API.

    Not `docker exec cat`: the daemon can drop a short-lived exec's output under load (moby/moby#27289,
    docker/docker-py#2042), and a test would then see an empty file.
    """
    stream, _stat = container.get_archive(path)
    with tarfile.open(fileobj=io.BytesIO(b"".join(stream))) as archive:
        member = archive.next()
        assert member is not None and member.isfile(), f"{path} in {container.name} is not a file"
        text = archive.extractfile(member).read().decode()
    return FileIn(text, member.mode & 0o7777, member.uid, member.gid)


def forget(client, reference: str) -> None:
    """Remove an image from the local daemon, if it is there."""
    try:
        client.images.remove(reference, force=True)
    except docker.errors.ImageNotFound:
        pass


def push(client, reference: str) -> str:
    """Push ``reference`` from the local daemon; the digest the registry gave it."""
    digest = None
    for line in client.api.push(reference, stream=True, decode=True):
        assert "error" not in line, line
        digest = (line.get("aux") or {}).get("Digest", digest)
    return digest


def committed(client, container, repository: str | None = None, tag: str | None = None, changes=None):
    """``container.commit(...)`` through the collection's commit, which tries again when containerd's image store
    fails commits that run at once (test workers do); the image."""
    answer = commit(client.api, container.id, repository=repository, tag=tag, changes=changes)
    return client.images.get(answer["Id"])


def labelled_image(client, base: str, reference: str, label: str) -> None:
    """A distinct image (its own digest) built on ``base``, tagged ``reference``."""
    container = client.containers.create(base, "sh")
    try:
        committed(client, container, *reference.rsplit(":", 1), changes=[f"LABEL build={label}"])
    finally:
        container.remove()


def output_of(client, image: str, command=None, timeout: float = 15) -> bytes:
    """What a container of ``image`` that exits at once printed. ``containers.run(..., remove=True)`` can
    return before the daemon's log copier has written the output (seen on a loaded machine, as b''): wait
    for the exit, then read the logs until the last line is complete."""
    container = client.containers.run(image, command, detach=True)
    try:
        container.wait(timeout=timeout)
        deadline = time.monotonic() + timeout
        while True:
            output = container.logs()
            if output.endswith(b"\n") or time.monotonic() > deadline:
                return output
            time.sleep(0.2)
    finally:
        container.remove(force=True)


def bridge_address(client) -> str:
    """The host's address on the default bridge. A fresh daemon's network lists only the subnet in its IPAM
    config (no Gateway), so it is read from the bridge interface itself, which always carries it."""
    bridge = client.networks.get("bridge").attrs
    interface = (bridge.get("Options") or {}).get("com.docker.network.bridge.name", "docker0")
    shown = json.loads(subprocess.run(["ip", "-j", "-4", "addr", "show", "dev", interface], check=True,
                                      capture_output=True, text=True).stdout)  # fmt: skip
    return shown[0]["addr_info"][0]["local"]


def in_containerd_store(client) -> bool:
    """Whether the daemon keeps images in containerd's image store (pushes OCI manifests, IDs are manifest
    digests) rather than the classic one."""
    return any(pair[:2] == ["driver-type", "io.containerd.snapshotter.v1"] for pair in client.info()["DriverStatus"])
