"""network against the local daemon: created, left alone, changed with its containers reattached, refused."""

from __future__ import annotations

import uuid

import docker
import pytest

from ansible_run import local_module as module

pytestmark = pytest.mark.image_stores  # run again on containerd's image store (scripts/test store)


@pytest.fixture
def network_name(docker_client):
    value = f"dy-net-{uuid.uuid4().hex[:6]}"
    yield value
    for network in docker_client.networks.list(names=[value]):
        network.reload()
        for container in network.containers:
            network.disconnect(container, force=True)
        network.remove()


def test_network_create_same_change_with_attached_containers(docker_client, network_name, running):
    subnet = {"ipam_config": [{"subnet": "198.18.88.0/24"}], "labels": {"team": "a"}}
    created = module("network", {"name": network_name, **subnet})
    assert created["actions"] == ["created"] and created["network"]["subnets"] == ["198.18.88.0/24"]
    assert module("network", {"name": network_name, **subnet})["changed"] is False
    docker_client.networks.get(network_name).connect(running, aliases=["api"], ipv4_address="198.18.88.20")
    moved = {"ipam_config": [{"subnet": "198.18.88.0/24", "gateway": "198.18.88.254"}], "labels": {"team": "b"}}
    refused = module("network", {"name": network_name, **moved})
    assert refused.failed
    assert f"disconnects {running.name}" in refused["msg"] and "force: true" in refused["msg"]
    predicted = module("network", {"name": network_name, **moved, "force": True}, check=True, diff=True)
    assert predicted["actions"] == ["recreated"] and predicted["diff"]["after"]["labels"] == {"team": "b"}
    assert docker_client.networks.get(network_name).attrs["Labels"] == {"team": "a"}
    recreated = module("network", {"name": network_name, **moved, "force": True})
    assert recreated["reconnected"] == [running.name]
    assert [(d["option"], d["how"]) for d in recreated["differences"]] == [("ipam_config", "recreate"),
                                                                           ("labels", "recreate")]  # fmt: skip
    endpoint = docker_client.api.inspect_container(running.id)["NetworkSettings"]["Networks"][network_name]
    assert "api" in endpoint["Aliases"] and endpoint["IPAddress"] == "198.18.88.20"
    assert module("network", {"name": network_name, **moved})["changed"] is False
    assert module("network", {"name": network_name, "state": "absent"}).failed
    removed = module("network", {"name": network_name, "state": "absent", "force": True})
    assert removed["actions"] == ["removed"]
    with pytest.raises(docker.errors.NotFound):
        docker_client.networks.get(network_name)


def test_network_bad_subnet_and_docker_own_networks_are_refused(network_name):
    bad = module("network", {"name": network_name, "ipam_config": [{"subnet": "172.31.999.0/24"}]})
    assert bad.failed and "ipam_config[0].subnet: '172.31.999.0/24'" in bad["msg"]
    own = module("network", {"name": "bridge", "state": "absent"})
    assert own.failed and "Docker's own networks" in own["msg"]
