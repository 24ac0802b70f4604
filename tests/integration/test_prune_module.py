"""prune against the local daemon. Other tests share the daemon and run at the same time, so every call here
is narrowed to this test's own label: prune must never reach past its filters."""

from __future__ import annotations

import io

import docker
import pytest

from ansible_run import local_module as module

pytestmark = pytest.mark.image_stores  # run again on containerd's image store (scripts/test store)


@pytest.fixture
def litter(docker_client, test_images, suffix):
    """Stopped containers, a dangling and an unused tagged image, an unused network and volume, all labelled,
    plus the same kinds without the label, which prune must leave alone."""
    label = {"dy-prune": suffix}
    made = {"containers": [], "images": [], "networks": [], "volumes": []}
    for index in range(2):
        name = f"dy-prune-{suffix}-{index}"
        made["containers"].append(
            docker_client.containers.create(test_images["busybox"], "true", name=name, labels=label)
        )
    spare = docker_client.containers.create(test_images["busybox"], "true", name=f"dy-prune-{suffix}-spare")
    tag = f"dockyard-prune-{suffix}:1"
    for step in ("one", "two"):  # the second build leaves the first image dangling
        dockerfile = f"FROM {test_images['busybox']}\nLABEL dy-prune={suffix}\nRUN echo {step} > /step\n"
        image, _log = docker_client.images.build(fileobj=io.BytesIO(dockerfile.encode()), tag=tag, rm=True)
        made["images"].append(image.id)
    network = docker_client.networks.create(f"dy-prune-{suffix}", labels=label)
    volume = docker_client.volumes.create(f"dy-prune-{suffix}", labels={**label, "com.docker.volume.anonymous": ""})
    yield {"labels": [f"dy-prune={suffix}"], "made": made, "tag": tag, "network": network.name, "volume": volume.name}
    for container in [*made["containers"], spare]:
        try:
            container.remove(force=True)
        except docker.errors.NotFound:  # pruned by the test
            pass
    for cleanup in (lambda: docker_client.images.remove(tag, force=True), network.remove, volume.remove):
        try:
            cleanup()
        except docker.errors.NotFound:
            pass
    docker_client.images.prune(filters={"label": f"dy-prune={suffix}", "dangling": True})


def test_check_mode_lists_what_a_run_then_removes_and_a_second_run_finds_nothing(docker_client, litter, suffix):
    every = {"containers": True, "images": True, "networks": True, "volumes": True, "labels": litter["labels"]}
    predicted = module("prune", every, check=True)
    assert predicted["changed"] is True, predicted.get("msg")
    assert sorted(predicted["removed"]["containers"]) == [f"dy-prune-{suffix}-0", f"dy-prune-{suffix}-1"]
    dangling = litter["made"]["images"][0]
    assert [i.split(" ")[0] for i in predicted["removed"]["images"]] == [dangling]  # the tagged one stays
    assert predicted["removed"]["networks"] == [litter["network"]]
    assert predicted["removed"]["volumes"] == [litter["volume"]]
    assert docker_client.containers.list(all=True, filters={"label": f"dy-prune={suffix}"})  # nothing went yet
    pruned = module("prune", every)
    assert not pruned.failed, pruned.get("msg")
    assert pruned["removed"] == {**predicted["removed"], "build_cache": []}
    assert not docker_client.containers.list(all=True, filters={"label": f"dy-prune={suffix}"})
    assert docker_client.containers.get(f"dy-prune-{suffix}-spare")  # no label: not touched
    assert docker_client.images.get(litter["tag"])  # tagged: only images_all takes it
    assert module("prune", every)["changed"] is False
    everything = module("prune", {"images": True, "images_all": True, "labels": litter["labels"]})
    assert [i.split(" ")[0] for i in everything["removed"]["images"]] == [litter["made"]["images"][1]]
    assert everything["space_reclaimed"] >= 0


def test_until_spares_what_is_newer_and_is_refused_for_volumes(litter, suffix):
    recent = module("prune", {"containers": True, "until": "1h", "labels": litter["labels"]})
    assert recent["changed"] is False and recent["removed"]["containers"] == []
    refused = module("prune", {"volumes": True, "until": "24h", "labels": litter["labels"]})
    assert refused.failed and "the engine does not prune volumes by age" in refused["msg"]
    bad = module("prune", {"containers": True, "until": "last week"})
    assert bad.failed and "until: 'last week' is neither a duration" in bad["msg"]
