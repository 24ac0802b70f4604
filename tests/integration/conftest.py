"""Fixtures for integration tests that need more than the local daemon."""

from __future__ import annotations

import pytest

from ansible_run import ROOT, run_playbook
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
