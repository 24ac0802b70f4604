"""Fixtures for integration tests that need more than the local daemon."""

from __future__ import annotations

import os
import shutil
import ssl
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

import slow_first
from ansible_run import run_module
from local_docker import TRAP
from testbed.hosts import LABEL, OWNER_PID_LABEL, SESSION_LABEL
from testbed.tls_daemon import make_certs, start_tls_daemon


def pytest_collection_modifyitems(items):
    slow_first.order(items)


def pytest_runtest_logreport(report):
    slow_first.record(report)


def pytest_sessionfinish(session):
    slow_first.write(session)


@pytest.fixture(scope="session")
def docker_io_host(start_hosts):
    """A booted Debian 12 host, reached over SSH, with Debian's docker.io installed and running."""
    hosts, inventory = start_hosts("debian12", 1, docker_io=True)
    return hosts[0], inventory


@pytest.fixture(scope="session")
def image_archive(docker_client, test_images, tmp_path_factory):
    """Factory: ``image_archive("busybox")`` -> a test image saved by name (loading it restores the tag)."""
    saved: dict[str, Path] = {}

    def archive(name: str) -> Path:
        if name not in saved:
            saved[name] = tmp_path_factory.mktemp(name) / f"{name}.tar"
            with saved[name].open("wb") as out:
                for chunk in docker_client.api.get_image(test_images[name]):
                    out.write(chunk)
        return saved[name]

    return archive


@pytest.fixture(scope="session")
def busybox_archive(image_archive) -> Path:
    return image_archive("busybox")


@pytest.fixture(scope="session")
def load_images(image_archive):
    """Factory: ``load_images(inventory, "busybox", "registry")`` loads test images into every host's engine."""

    def load(inventory: Path, *names: str) -> None:
        for name in names:
            for module, args in (
                ("ansible.builtin.copy", {"src": str(image_archive(name)), "dest": f"/tmp/{name}.tar"}),
                ("dockyard.docker.image_load", {"path": f"/tmp/{name}.tar"}),
            ):
                for host, result in run_module(module, args, inventory=inventory, hosts="all", become=True).items():
                    assert not result.failed, f"{module} on {host}: {result.get('msg')}"

    return load


@pytest.fixture(scope="session")
def load_busybox(load_images):
    """Factory: ``load_busybox(inventory)`` loads the busybox test image into every host's engine."""
    return lambda inventory: load_images(inventory, "busybox")


@pytest.fixture(scope="session")
def tls_daemon(tmp_path_factory, docker_client):
    daemon = start_tls_daemon(tmp_path_factory.mktemp("tls-dockerd"))
    yield daemon
    daemon.stop()


def _run_registry(docker_client, image: str, environment=None, volumes=None, ca: Path | None = None):
    """A registry container on a random loopback port; returns (container, host:port) once /v2/ answers.

    docker-proxy accepts connections before the registry listens, so only an HTTP answer counts.
    """
    container = docker_client.containers.run(
        image, detach=True, ports={"5000/tcp": ("127.0.0.1", None)}, environment=environment or {},
        volumes=volumes or {},
        labels={LABEL: "registry", SESSION_LABEL: "pytest-registry", OWNER_PID_LABEL: str(os.getpid())},
    )  # fmt: skip
    container.reload()
    address = f"127.0.0.1:{container.ports['5000/tcp'][0]['HostPort']}"
    url = f"{'https' if ca else 'http'}://{address}/v2/"
    context = ssl.create_default_context(cafile=str(ca)) if ca else None
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(url, timeout=2, context=context).close()
            return container, address
        except urllib.error.HTTPError as exc:
            if exc.code == 401:  # answering, and asking for credentials
                return container, address
            last = exc
        except OSError as exc:
            last = exc
        if time.monotonic() > deadline:
            container.remove(force=True)
            raise TimeoutError(f"registry at {url} did not answer: {last}")
        time.sleep(0.2)


@pytest.fixture(scope="session")
def registry(docker_client, test_images):
    """A registry v2 on a loopback port (plain HTTP: Docker trusts 127.0.0.0/8), removed at the end."""
    container, address = _run_registry(docker_client, test_images["registry"])
    try:
        yield address
    finally:
        container.remove(force=True, v=True)


@pytest.fixture(scope="session")
def secure_registry(docker_client, test_images, tmp_path_factory):
    """A registry with TLS (its own CA) and htpasswd auth. Yields (address, user, password, CA path)."""
    work = tmp_path_factory.mktemp("secure-registry")
    certs = make_certs(work / "certs", name="registry")
    user, password = "pusher", f"pw-{os.getpid()}-secret"
    htpasswd = subprocess.run(["htpasswd", "-Bbn", user, password], capture_output=True, text=True, check=True)
    (work / "auth").mkdir()
    (work / "auth" / "htpasswd").write_text(htpasswd.stdout)
    container, address = _run_registry(
        docker_client, test_images["registry"],
        environment={
            "REGISTRY_AUTH": "htpasswd", "REGISTRY_AUTH_HTPASSWD_REALM": "dockyard",
            "REGISTRY_AUTH_HTPASSWD_PATH": "/auth/htpasswd",
            "REGISTRY_HTTP_TLS_CERTIFICATE": "/certs/server-cert.pem", "REGISTRY_HTTP_TLS_KEY": "/certs/server-key.pem",
        },
        volumes={str(work / "auth"): {"bind": "/auth", "mode": "ro"}, str(certs): {"bind": "/certs", "mode": "ro"}},
        ca=certs / "ca.pem",
    )  # fmt: skip
    # Trust the registry's CA the way the engine role does it.
    trust = Path("/etc/docker/certs.d") / address
    trust.mkdir(parents=True, exist_ok=True)
    (trust / "ca.crt").write_text((certs / "ca.pem").read_text())
    try:
        yield address, user, password, certs / "ca.pem"
    finally:
        container.remove(force=True, v=True)
        shutil.rmtree(trust, ignore_errors=True)


@pytest.fixture
def running(docker_client, test_images):
    """A running busybox container on the local daemon, removed afterwards."""
    container = docker_client.containers.run(
        test_images["busybox"], TRAP, detach=True, name=f"dy-x-{uuid.uuid4().hex[:6]}"
    )
    yield container
    container.remove(force=True)


@pytest.fixture
def suffix() -> str:
    """A short random suffix for names this test creates on the local daemon."""
    return uuid.uuid4().hex[:6]
