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
