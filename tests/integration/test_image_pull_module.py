"""image_pull against a real registry: pull when missing or always, changed only when the image changes,
and clear failures."""

from __future__ import annotations

import uuid

import docker
import pytest

from ansible_run import local_module as module
from local_docker import committed, forget
from testbed.tls_daemon import free_port


@pytest.fixture
def pushed(docker_client, registry, test_images):
    """A fresh repository in the registry holding the busybox image; the local copy removed."""
    reference = f"{registry}/dockyard/bb-{uuid.uuid4().hex[:6]}:1"
    image = docker_client.images.get(test_images["busybox"])
    image.tag(reference)
    for line in docker_client.api.push(reference, stream=True, decode=True):
        assert "error" not in line, line
    forget(docker_client, reference)
    yield reference
    forget(docker_client, reference)


@pytest.mark.smoke
def test_pull_missing_predicts_pulls_then_leaves_it(docker_client, pushed, test_images):
    predicted = module("image_pull", {"name": pushed}, check=True)
    assert predicted["changed"] is True
    with pytest.raises(docker.errors.ImageNotFound):
        docker_client.images.get(pushed)
    pulled = module("image_pull", {"name": pushed})
    assert pulled["changed"] is True and pulled["pulled"] is True
    assert pulled["old_id"] is None
    assert pulled["new_id"] == docker_client.images.get(test_images["busybox"]).id
    assert pulled["digest"].startswith("sha256:")
    again = module("image_pull", {"name": pushed})
    assert again["changed"] is False and again["pulled"] is False


def test_pull_always_reports_a_change_only_when_the_image_id_changes(docker_client, pushed):
    first = module("image_pull", {"name": pushed})
    same = module("image_pull", {"name": pushed, "pull": "always"})
    assert same["pulled"] is True and same["changed"] is False
    assert module("image_pull", {"name": pushed, "pull": "always"}, check=True)["changed"] is False
    # Somebody else pushes a new image under the same tag; this host still has the old one.
    container = docker_client.containers.create(pushed, "sh")
    newer = committed(docker_client, container, changes=["LABEL rebuilt=yes"])
    container.remove()
    newer.tag(pushed)
    for line in docker_client.api.push(pushed, stream=True, decode=True):
        assert "error" not in line, line
    docker_client.api.tag(first["new_id"], pushed.rsplit(":", 1)[0], "1")
    assert module("image_pull", {"name": pushed}, check=False)["changed"] is False  # missing: left alone
    predicted = module("image_pull", {"name": pushed, "pull": "always"}, check=True)
    assert predicted["changed"] is True
    assert docker_client.images.get(pushed).id == first["new_id"]
    pulled = module("image_pull", {"name": pushed, "pull": "always"})
    assert pulled["changed"] is True
    assert pulled["old_id"] == first["new_id"] and pulled["new_id"] == newer.id


def test_unreachable_registry_fails_clearly_after_bounded_retries():
    reference = f"127.0.0.1:{free_port()}/dockyard/nothing:1"
    result = module("image_pull", {"name": reference, "retries": 1})
    assert result.failed
    assert f"pulling {reference} failed" in result["msg"]
    assert "connection refused" in result["msg"]


def test_unknown_image_fails_at_once(registry):
    result = module("image_pull", {"name": f"{registry}/dockyard/never-pushed:1"})
    assert result.failed
    assert "pulling" in result["msg"] and ("not found" in result["msg"] or "unknown" in result["msg"])


@pytest.mark.parametrize(("name", "why"), [("Team/App:1", "must be lowercase"), ("app:-1", "is not a valid tag")])
def test_malformed_reference_fails_before_contacting_anything(name, why):
    result = module("image_pull", {"name": name, "docker_host": "unix:///nonexistent.sock"})
    assert result.failed
    assert result["msg"].startswith(f"name: '{name}'") and why in result["msg"]
