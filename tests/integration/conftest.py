"""Fixtures for integration tests that need more than the local daemon."""

from __future__ import annotations

import os
import time
import urllib.request

import pytest

from ansible_run import ROOT, run_playbook
from testbed.hosts import LABEL, OWNER_PID_LABEL, SESSION_LABEL
from testbed.tls_daemon import start_tls_daemon


@pytest.fixture(scope="session")
def docker_io_host(start_hosts):
    """A booted Debian 12 host, reached over SSH, with Debian's docker.io installed and running."""
    hosts, inventory = start_hosts("debian12", 1)
    proc = run_playbook(ROOT / "tests/integration/playbooks/install_docker_io.yml", inventory=inventory)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return hosts[0], inventory


@pytest.fixture(scope="session")
def tls_daemon(tmp_path_factory, docker_client):
    daemon = start_tls_daemon(tmp_path_factory.mktemp("tls-dockerd"))
    yield daemon
    daemon.stop()


@pytest.fixture(scope="session")
def registry(docker_client, test_images):
    """A registry v2 on a loopback port (plain HTTP: Docker trusts 127.0.0.0/8), removed at the end."""
    container = docker_client.containers.run(
        test_images["registry"], detach=True, ports={"5000/tcp": ("127.0.0.1", None)},
        labels={LABEL: "registry", SESSION_LABEL: "pytest-registry", OWNER_PID_LABEL: str(os.getpid())},
    )  # fmt: skip
    try:
        container.reload()
        address = f"127.0.0.1:{container.ports['5000/tcp'][0]['HostPort']}"
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"http://{address}/v2/", timeout=2).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        yield address
    finally:
        container.remove(force=True, v=True)
