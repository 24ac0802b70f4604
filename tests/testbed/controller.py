"""Run a command on a controller with a newer Python than this machine's (Debian 13's), as if it ran here.

The container shares this machine's network (booted hosts answer on 127.0.0.1), process IDs (hosts are labelled
with the pid of the test run that owns them), Docker socket, /tmp and the checkout at its own path, so the tests
run in it unchanged. Its home directory (pip's cache, nox, ansible-test's venvs) is kept between runs beside the test
bed's other caches, as this machine's own ~/.ansible is.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import docker

from .images import DEFAULT_IMAGES, PREBUILT, ensure_images, say

ROOT = Path(__file__).resolve().parents[2]
HOME = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "dockyard-testbed" / "controller-home"
PASSED_ON = ("DOCKYARD_", "PYTEST_", "CI", "PIP_")
# This machine's way to PyPI (a proxy's CA in the trust store, pip's configuration, a local wheel directory),
# lent to the controller where present, so that it installs what this machine would.
LENT = ("/etc/ssl/certs/ca-certificates.crt", "/etc/pip.conf", "/opt/wheels", "/opt/pypi", "/opt/pypi-more")


def run(client: docker.DockerClient, command: list[str]) -> int:
    """Run ``command`` in the checkout's current directory on the controller; return its exit status."""
    # The images the tests use are made here first: the controller has no debootstrap.
    tags = ensure_images(client, [*DEFAULT_IMAGES, "controller"])
    HOME.mkdir(parents=True, exist_ok=True)
    socket = "/var/run/docker.sock"
    env = {key: value for key, value in os.environ.items() if key.startswith(PASSED_ON) or key.endswith("_CA_BUNDLE")}
    env.update({"HOME": str(HOME), PREBUILT: "1", "PYTHONUNBUFFERED": "1", "LANG": "C.UTF-8"})
    say(f"controller: {' '.join(command)}")
    container = client.containers.run(
        tags["controller"],
        command,
        detach=True,
        network_mode="host",
        pid_mode="host",
        working_dir=os.getcwd(),
        environment=env,
        volumes={
            str(ROOT): {"bind": str(ROOT), "mode": "rw"},
            str(HOME): {"bind": str(HOME), "mode": "rw"},
            "/tmp": {"bind": "/tmp", "mode": "rw"},
            socket: {"bind": socket, "mode": "rw"},
            **{path: {"bind": path, "mode": "ro"} for path in LENT if Path(path).exists()},
        },
        labels={"dockyard.testbed": "controller"},
        # Half the CPU weight of the booted hosts: the matrix runs beside the integration tests and yields to them.
        cpu_shares=512,
    )
    try:
        for chunk in container.logs(stream=True, follow=True):
            sys.stdout.buffer.write(chunk)
            sys.stdout.flush()
        return int(container.wait()["StatusCode"])
    finally:
        container.remove(force=True)
