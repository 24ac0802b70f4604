"""registry_prune against a real registry (distribution v2): the newest kept with what shares their digest; a bad
age refused before the registry is touched."""

from __future__ import annotations

import uuid

import pytest

from ansible_run import local_module as module
from local_docker import labelled_image, push

pytestmark = pytest.mark.image_stores  # run again on containerd's image store (scripts/test store)


def test_prune_keeps_the_newest_and_what_shares_their_digest(docker_client, registry, test_images):
    repository = f"{registry}/prune-{uuid.uuid4().hex[:6]}/app"
    for n in range(1, 5):
        labelled_image(docker_client, test_images["busybox"], f"{repository}:build-{n}", str(n))
        push(docker_client, f"{repository}:build-{n}")
    # "stable" points to build-1's image: build-1 must survive though it is the oldest.
    docker_client.images.get(f"{repository}:build-1").tag(repository, "stable")
    push(docker_client, f"{repository}:stable")
    name = repository.split("/", 1)[1]
    args = {"registry": f"http://{registry}", "repositories": [name], "keep_last": 2, "protect": ["stable"]}

    predicted = module("registry_prune", args, check=True)
    assert predicted["changed"] is True
    assert [d["tags"] for d in predicted["deleted"]] == [["build-2"]]
    assert predicted["spared"] == [{"repository": name, "tag": "build-1", "kept_by": "stable"}]
    listing = {"registry": f"http://{registry}", "repository": name}
    assert len(module("registry_info", listing)["tags"]) == 5

    pruned = module("registry_prune", args)
    assert pruned["deleted"] == predicted["deleted"]
    assert sorted(module("registry_info", listing)["tags"]) == ["build-1", "build-3", "build-4", "stable"]
    assert module("registry_prune", args)["changed"] is False
    for n in range(1, 5):
        docker_client.images.remove(f"{repository}:build-{n}")
    docker_client.images.remove(f"{repository}:stable")


def test_prune_refuses_a_bad_age_before_touching_the_registry(registry):
    failed = module("registry_prune", {"registry": f"http://{registry}", "keep_younger_than": "30 days"})
    assert failed.failed and "keep_younger_than: '30 days' is not an age" in failed["msg"]
