"""Helpers for tests that work on the local daemon."""

from __future__ import annotations

import docker

# A busybox process that stops at once on SIGTERM (a shell as PID 1 would ignore it).
TRAP_SCRIPT = "trap 'exit 0' TERM; sleep 3600 & wait"
TRAP = ["sh", "-c", TRAP_SCRIPT]


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


def labelled_image(client, base: str, reference: str, label: str) -> None:
    """A distinct image (its own digest) built on ``base``, tagged ``reference``."""
    container = client.containers.create(base, "sh")
    try:
        container.commit(*reference.rsplit(":", 1), changes=[f"LABEL build={label}"])
    finally:
        container.remove()
