"""Fixtures shared by the integration tests: the local daemon, test images and booted SSH hosts."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import docker
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ansible_run import collections_path
from testbed import hosts as testbed_hosts
from testbed.images import ensure_images

# Unit tests import the collection's code as Ansible does: ansible_collections.dockyard.docker.
sys.path.insert(0, str(collections_path()))

SESSION = f"pytest-{os.getpid()}"


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "image_stores: runs on the local daemon's classic image store and again, in scripts/test's store step,"
        " on containerd's image store (DOCKER_HOST pointing at testbed.store_daemon)",
    )
    config.addinivalue_line(
        "markers",
        "smoke: the slice of the integration tests that the ansible-core matrix (noxfile.py) runs with each"
        " version: the engine role on a booted host and its re-run, check mode on a fresh host, a containers"
        " batch, a compose project, a registry login and a pull",
    )


def pytest_report_header(config):
    return f"local daemon: {os.environ.get('DOCKER_HOST') or 'unix:///var/run/docker.sock'}"


@pytest.fixture(scope="session")
def docker_client():
    client = docker.from_env()
    try:
        client.ping()
    except Exception as exc:  # noqa: BLE001 - any failure means the test bed is not ready
        pytest.fail(f"no Docker daemon answers ({exc}); run scripts/prepare first")
    # Hosts left by a crashed run of the tests are removed before this one starts.
    testbed_hosts.sweep(client, stale_only=True)
    return client


@pytest.fixture(scope="session")
def test_images(docker_client):
    return ensure_images(docker_client, ["busybox", "registry"])


@pytest.fixture(scope="session")
def ssh_key(tmp_path_factory) -> Path:
    return testbed_hosts.ensure_key(tmp_path_factory.mktemp("ssh"))


@pytest.fixture(scope="session")
def start_hosts(docker_client, ssh_key, tmp_path_factory):
    """Factory: ``start_hosts("debian12", 2)`` -> (hosts, inventory path). Removed at session end.

    ``docker_io=True``: hosts with the release's docker.io already installed (set-up for tests of something else).
    """

    def start(release: str, count: int = 1, docker_io: bool = False) -> tuple[list[testbed_hosts.Host], Path]:
        hosts = testbed_hosts.start_hosts(
            docker_client, release, count, ssh_key, session=SESSION, owner_pid=os.getpid(), docker_io=docker_io
        )
        inventory = tmp_path_factory.mktemp("inventory") / "hosts.yml"
        testbed_hosts.write_inventory(hosts, ssh_key, inventory)
        return hosts, inventory

    yield start
    testbed_hosts.sweep(docker_client, session=SESSION)
