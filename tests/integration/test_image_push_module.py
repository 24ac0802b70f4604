"""image_push against a TLS registry with htpasswd auth: sent once, then nothing; clear failures."""

from __future__ import annotations

import uuid

import pytest

from ansible_run import local_module as module
from local_docker import forget

pytestmark = pytest.mark.image_stores  # run again on containerd's image store (scripts/test store)


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
