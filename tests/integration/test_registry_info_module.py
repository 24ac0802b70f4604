"""registry_info against real registries (distribution v2): every repository across pages with the digest docker
shows; missing credentials named; a registry that stops answering fails after bounded retries."""

from __future__ import annotations

import threading
import time
import uuid
from pathlib import Path

import pytest

from ansible_run import local_module as module
from local_docker import in_containerd_store, push

pytestmark = pytest.mark.image_stores  # run again on containerd's image store (scripts/test store)


@pytest.fixture
def config_path(tmp_path) -> Path:
    return tmp_path / "docker" / "config.json"


def test_info_without_credentials_on_an_auth_registry_says_what_is_missing(secure_registry, config_path):
    address, _user, _password, _ca = secure_registry
    failed = module("registry_info", {"registry": address, "docker_config": str(config_path)})
    assert failed.failed and "asks for credentials and none were given or stored" in failed["msg"]


def test_a_registry_that_stops_answering_fails_after_bounded_retries_and_a_retry_converges(docker_client, registry):
    port = registry.split(":")[1]
    container = next(
        c for c in docker_client.containers.list() if (c.ports.get("5000/tcp") or [{}])[0].get("HostPort") == port
    )
    container.pause()  # docker-proxy still accepts the connection; nothing answers
    try:
        started = time.monotonic()
        failed = module("registry_info", {"registry": f"http://{registry}", "timeout": 1, "retries": 2})
        elapsed = time.monotonic() - started
        assert failed.failed and f"registry {registry} cannot be reached after 3 attempts" in failed["msg"]
        assert elapsed < 15, elapsed  # 3 timeouts of 1 s and pauses of 1 s and 2 s, not the default 30 s each
        # Back while the module is still retrying: the same run succeeds.
        threading.Timer(1.5, container.unpause).start()
        recovered = module("registry_info", {"registry": f"http://{registry}", "timeout": 1, "retries": 4})
        assert not recovered.failed, recovered
        assert "repositories" in recovered
    finally:
        container.reload()
        if container.status == "paused":
            container.unpause()


def test_info_lists_every_repository_across_pages_and_the_digest_docker_shows(docker_client, registry, test_images):
    prefix = f"catalog-{uuid.uuid4().hex[:6]}"
    image = docker_client.images.get(test_images["busybox"])
    references = [f"{registry}/{prefix}/app{n}:1.0" for n in range(5)]
    for reference in references:
        image.tag(reference)
        push(docker_client, reference)

    catalog = module("registry_info", {"registry": f"http://{registry}", "page_size": 2})
    assert {f"{prefix}/app{n}" for n in range(5)} <= set(catalog["repositories"])

    described = module(
        "registry_info", {"registry": f"http://{registry}", "repository": f"{prefix}/app0", "tag": "1.0"}
    )
    assert described["tags"] == ["1.0"]
    manifest = described["manifest"]
    repo_digests = docker_client.images.get(references[0]).attrs["RepoDigests"]
    assert f"{registry}/{prefix}/app0@{manifest['digest']}" in repo_digests
    # What the daemon pushed: containerd's image store pushes OCI manifests, the classic store Docker's own.
    assert manifest["media_type"] == (
        "application/vnd.oci.image.manifest.v1+json"
        if in_containerd_store(docker_client)
        else "application/vnd.docker.distribution.manifest.v2+json"
    )
    assert manifest["platforms"] == [{"os": "linux", "architecture": "amd64"}]
    assert manifest["created"]

    missing = module("registry_info", {"registry": f"http://{registry}", "repository": f"{prefix}/none", "tag": "1.0"})
    assert missing["tags"] == [] and missing["manifest"] is None
    for reference in references:
        docker_client.images.remove(reference)
