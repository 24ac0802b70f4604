"""container_exec, network and volume against the local daemon."""

from __future__ import annotations

import uuid

import docker
import pytest

from ansible_run import local_module as module

TRAP = ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"]


@pytest.fixture
def running(docker_client, test_images):
    container = docker_client.containers.run(
        test_images["busybox"], TRAP, detach=True, name=f"dy-x-{uuid.uuid4().hex[:6]}"
    )
    yield container
    container.remove(force=True)


def test_exec_returns_rc_output_and_takes_user_workdir_env_and_stdin(running):
    result = module(
        "container_exec",
        {
            "container": running.name,
            "command": "id -u; pwd; echo $GREETING; cat; echo oops >&2",
            "shell": True,
            "user": "1234",
            "working_dir": "/www",
            "env": {"GREETING": "hello"},
            "stdin": "from stdin",
        },
    )
    assert result["changed"] is True and result["rc"] == 0
    assert result["stdout_lines"] == ["1234", "/www", "hello", "from stdin"]
    assert result["stderr"] == "oops"


def test_exec_non_zero_rc_fails_unless_told_otherwise(running):
    failed = module("container_exec", {"container": running.name, "command": ["sh", "-c", "echo no; exit 3"]})
    assert failed.failed and failed["rc"] == 3 and "exited with 3" in failed["msg"]
    allowed = module("container_exec", {"container": running.name, "command": "sh -c 'exit 3'", "check_rc": False})
    assert not allowed.failed and allowed["rc"] == 3


def test_exec_in_a_stopped_or_missing_container_says_so(docker_client, running):
    missing = module("container_exec", {"container": "dy-no-such-container", "command": "true"})
    assert missing.failed and "no container 'dy-no-such-container'" in missing["msg"]
    running.stop(timeout=2)
    stopped = module("container_exec", {"container": running.name, "command": "true"})
    assert stopped.failed and "is not running (it is exited)" in stopped["msg"]


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
    subnet = {"ipam_config": [{"subnet": "172.31.88.0/24"}], "labels": {"team": "a"}}
    created = module("network", {"name": network_name, **subnet})
    assert created["actions"] == ["created"] and created["network"]["subnets"] == ["172.31.88.0/24"]
    assert module("network", {"name": network_name, **subnet})["changed"] is False
    docker_client.networks.get(network_name).connect(running, aliases=["api"], ipv4_address="172.31.88.20")
    moved = {"ipam_config": [{"subnet": "172.31.88.0/24", "gateway": "172.31.88.254"}], "labels": {"team": "b"}}
    refused = module("network", {"name": network_name, **moved})
    assert refused.failed
    assert f"disconnects {running.name}" in refused["msg"] and "force: true" in refused["msg"]
    predicted = module("network", {"name": network_name, **moved, "force": True}, check=True, diff=True)
    assert predicted["actions"] == ["recreated"] and predicted["diff"]["after"]["labels"] == {"team": "b"}
    assert docker_client.networks.get(network_name).attrs["Labels"] == {"team": "a"}
    recreated = module("network", {"name": network_name, **moved, "force": True})
    assert recreated["reconnected"] == [running.name]
    endpoint = docker_client.api.inspect_container(running.id)["NetworkSettings"]["Networks"][network_name]
    assert "api" in endpoint["Aliases"] and endpoint["IPAddress"] == "172.31.88.20"
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


@pytest.fixture
def volume_name(docker_client):
    value = f"dy-vol-{uuid.uuid4().hex[:6]}"
    yield value
    for volume in docker_client.volumes.list(filters={"name": value}):
        volume.remove(force=True)


def test_volume_create_same_differ_recreate_in_use_and_remove(docker_client, volume_name, test_images):
    created = module("volume", {"name": volume_name, "labels": {"backup": "nightly"}})
    assert created["actions"] == ["created"] and created["volume"]["driver"] == "local"
    assert module("volume", {"name": volume_name, "labels": {"backup": "nightly"}})["changed"] is False
    assert module("volume", {"name": volume_name})["changed"] is False  # options not given are not compared
    differ = module("volume", {"name": volume_name, "labels": {"backup": "weekly"}})
    assert differ.failed and "removing the volume and its data" in differ["msg"]
    recreated = module("volume", {"name": volume_name, "labels": {"backup": "weekly"}, "recreate": True})
    assert recreated["actions"] == ["recreated"] and recreated["volume"]["labels"] == {"backup": "weekly"}
    user = docker_client.containers.create(test_images["busybox"], "true", volumes=[f"{volume_name}:/data"])
    try:
        in_use = module("volume", {"name": volume_name, "state": "absent"})
        assert in_use.failed and f"is used by {user.name}" in in_use["msg"]
    finally:
        user.remove()
    assert module("volume", {"name": volume_name, "state": "absent"}, check=True)["changed"] is True
    assert docker_client.volumes.get(volume_name)
    assert module("volume", {"name": volume_name, "state": "absent"})["actions"] == ["removed"]
    assert module("volume", {"name": volume_name, "state": "absent"})["changed"] is False
