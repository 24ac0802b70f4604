"""image_pull, image_tag, image_remove and image_info against the local daemon and a local registry."""

from __future__ import annotations

import uuid

import docker
import pytest

from ansible_run import local_module as module
from local_docker import forget
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
    newer = container.commit(changes=["LABEL rebuilt=yes"])
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


def test_tag_adds_names_once_and_moves_a_name_that_points_elsewhere(docker_client, test_images, registry):
    suffix = uuid.uuid4().hex[:6]
    targets = [f"{registry}/team/bb-{suffix}:2", f"bb-{suffix}"]
    busybox = docker_client.images.get(test_images["busybox"])
    first = module("image_tag", {"source": test_images["busybox"], "targets": targets})
    assert first["changed"] is True
    assert first["tagged"] == [targets[0], f"docker.io/library/bb-{suffix}:latest"]
    assert docker_client.images.get(targets[1]).id == busybox.id
    assert module("image_tag", {"source": test_images["busybox"], "targets": targets})["changed"] is False
    container = docker_client.containers.create(busybox.id, "sh")
    other = container.commit(changes=["LABEL other=yes"])
    container.remove()
    predicted = module("image_tag", {"source": other.id, "targets": [targets[1]]}, check=True)
    assert predicted["changed"] is True
    assert docker_client.images.get(targets[1]).id == busybox.id
    moved = module("image_tag", {"source": other.id, "targets": [targets[1]]})
    assert moved["changed"] is True and docker_client.images.get(targets[1]).id == other.id
    for name in (*targets, other.id):
        forget(docker_client, name)


def test_remove_untags_a_second_name_and_refuses_an_image_in_use(docker_client, test_images):
    suffix = uuid.uuid4().hex[:6]
    base = docker_client.images.get(test_images["busybox"])
    container = docker_client.containers.create(base.id, "sh")
    image = container.commit(repository=f"rm-{suffix}", tag="a")
    container.remove()
    image.tag(f"rm-{suffix}", "b")
    untag = module("image_remove", {"name": f"rm-{suffix}:a"})
    assert untag["changed"] is True and untag["untagged"] == [f"rm-{suffix}:a"] and untag["deleted"] == []
    assert docker_client.images.get(f"rm-{suffix}:b").id == image.id
    user = docker_client.containers.create(f"rm-{suffix}:b", "sh", name=f"uses-rm-{suffix}")
    refused = module("image_remove", {"name": f"rm-{suffix}:b"})
    assert refused.failed and f"uses-rm-{suffix}" in refused["msg"]
    assert module("image_remove", {"name": f"rm-{suffix}:b", "force": True}, check=True)["changed"] is True
    assert docker_client.images.get(f"rm-{suffix}:b")
    user.remove()
    deleted = module("image_remove", {"name": f"rm-{suffix}:b"})
    assert deleted["changed"] is True and image.id in deleted["deleted"]
    assert module("image_remove", {"name": f"rm-{suffix}:b"})["changed"] is False


def test_image_info_inspects_names_and_reports_missing_ones(test_images):
    result = module("image_info", {"names": [test_images["busybox"], "dockyard/not-here:1"], "history": True})
    assert not result.failed, result
    assert len(result["images"]) == 1 and test_images["busybox"] in result["images"][0]["tags"]
    assert result["images"][0]["cmd"] == ["sh"]
    assert result["images"][0]["history"]
    assert result["missing"] == ["dockyard/not-here:1"]
    listed = module("image_info", {"filters": {"reference": test_images["busybox"]}})
    assert [test_images["busybox"] in i["tags"] for i in listed["images"]] == [True]


def test_push_sends_once_then_reports_nothing_sent(docker_client, secure_registry, test_images):
    address, user, password, _ca = secure_registry
    reference = f"{address}/team/bb-{uuid.uuid4().hex[:6]}:1"
    docker_client.images.get(test_images["busybox"]).tag(reference)
    auth = {"name": reference, "username": user, "password": password}
    predicted = module("image_push", auth, check=True)
    assert predicted["changed"] is True
    pushed = module("image_push", auth)
    assert not pushed.failed, pushed
    assert pushed["changed"] is True and pushed["layers_pushed"] >= 1
    assert pushed["digest"].startswith("sha256:")
    again = module("image_push", auth)
    assert again["changed"] is False and again["layers_pushed"] == 0 and again["digest"] == pushed["digest"]
    assert module("image_push", auth, check=True)["changed"] is False
    for result in (predicted, pushed, again):
        assert password not in result.output
    # And back: pull over TLS with the same credentials.
    forget(docker_client, reference)
    pulled = module("image_pull", auth | {"name": reference})
    assert pulled["changed"] is True and password not in pulled.output


def test_push_with_a_wrong_password_is_a_clear_error_that_hides_the_password(docker_client, secure_registry,
                                                                             test_images):  # fmt: skip
    address, user, _password, _ca = secure_registry
    reference = f"{address}/team/denied:1"
    docker_client.images.get(test_images["busybox"]).tag(reference)
    wrong = "not-the-password-123"
    result = module("image_push", {"name": reference, "username": user, "password": wrong})
    forget(docker_client, reference)
    assert result.failed
    assert f"pushing {reference} failed" in result["msg"], result["msg"]
    assert "unauthorized" in result["msg"].lower() or "authentication required" in result["msg"].lower()
    assert wrong not in result.output


def test_push_of_a_missing_image_names_it(secure_registry):
    address = secure_registry[0]
    result = module("image_push", {"name": f"{address}/team/never-built:1"})
    assert result.failed and "no image" in result["msg"]
