"""A registry that goes away during a push or pull: bounded retries with backoff, a clear error when it
stays away, and a re-run that converges once it is back. The registry is real; a proxy in front of it
resets connections, as a registry that restarts or a network that drops would."""

from __future__ import annotations

import uuid

import pytest
from flaky_proxy import FlakyProxy

from ansible_run import local_module as module
from local_docker import forget


@pytest.fixture
def flaky_registry(registry):
    proxy = FlakyProxy(registry)
    yield proxy
    proxy.close()


def _tagged(docker_client, test_images, address: str) -> tuple[str, str]:
    repository = f"team/flaky-{uuid.uuid4().hex[:6]}"
    reference = f"{address}/{repository}:1"
    docker_client.images.get(test_images["busybox"]).tag(reference)
    return reference, repository


def test_a_push_cut_at_the_manifest_is_tried_again_and_a_pull_cut_likewise(docker_client, test_images,
                                                                           flaky_registry):  # fmt: skip
    reference, repository = _tagged(docker_client, test_images, flaky_registry.address)
    # The layers go up; the connection that carries the manifest is reset: the daemon gives up on this
    # push, and the module tries again.
    flaky_registry.cut(f"PUT /v2/{repository}/manifests/".encode(), times=1)
    pushed = module("image_push", {"name": reference})
    assert not pushed.failed, pushed
    assert flaky_registry.cuts_made == 1
    assert pushed["changed"] is True and pushed["attempts"] == 2
    again = module("image_push", {"name": reference})
    assert again["changed"] is False and again["attempts"] == 1 and again["digest"] == pushed["digest"]

    forget(docker_client, reference)
    flaky_registry.cut(f"/v2/{repository}/manifests/".encode(), times=1)
    pulled = module("image_pull", {"name": reference})
    assert not pulled.failed, pulled
    assert flaky_registry.cuts_made == 2
    assert pulled["changed"] is True and pulled["attempts"] == 2
    assert docker_client.images.get(reference).id == docker_client.images.get(test_images["busybox"]).id
    forget(docker_client, reference)


def test_a_registry_that_stays_away_fails_after_bounded_retries_and_a_rerun_converges(docker_client, test_images,
                                                                                      flaky_registry):  # fmt: skip
    reference, _repository = _tagged(docker_client, test_images, flaky_registry.address)
    flaky_registry.down()
    failed = module("image_push", {"name": reference, "retries": 2})
    assert failed.failed
    assert failed["msg"].startswith(f"pushing {reference} failed after 3 attempts: ")
    assert failed["attempts"] == 3 and flaky_registry.cuts_made >= 3

    flaky_registry.up()
    pushed = module("image_push", {"name": reference})
    assert not pushed.failed and pushed["changed"] is True and pushed["attempts"] == 1
    assert module("image_push", {"name": reference})["changed"] is False

    forget(docker_client, reference)
    flaky_registry.down()
    refused = module("image_pull", {"name": reference, "retries": 1})
    assert refused.failed
    assert refused["msg"].startswith(f"pulling {reference} failed after 2 attempts: ")
    flaky_registry.up()
    assert module("image_pull", {"name": reference})["changed"] is True
    assert module("image_pull", {"name": reference})["changed"] is False
    forget(docker_client, reference)
