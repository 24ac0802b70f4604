"""A swarm node from the inside (testinfra): every host is an active node of one swarm, the manager lists all of
them ready with their engines' versions, and the global service answers on every node's own host-mode port."""

from __future__ import annotations

import json

import pytest


@pytest.fixture
def swarm_info(host) -> dict:
    with host.sudo():
        return json.loads(host.check_output("docker info --format '{{json .Swarm}}'"))


def test_the_host_is_an_active_node_and_only_the_manager_manages(host, swarm_info):
    assert swarm_info["LocalNodeState"] == "active"
    assert swarm_info["ControlAvailable"] is (host.backend.get_hostname() == "swarm-debian13")


def test_the_manager_lists_every_release_ready(host, swarm_info):
    if not swarm_info["ControlAvailable"]:
        pytest.skip("workers cannot list the nodes")
    with host.sudo():
        nodes = [json.loads(line) for line in host.check_output("docker node ls --format '{{json .}}'").splitlines()]
    assert len(nodes) == 4 and {n["Status"] for n in nodes} == {"Ready"}
    versions = {n["EngineVersion"].split(".")[0] for n in nodes}
    assert len(versions) >= 2, versions  # a mixed swarm: Debian 11's 20.10 beside Debian 14's 28.5


def test_the_global_service_answers_on_the_nodes_own_port(host):
    answer = host.check_output(
        "curl -s --retry 10 --retry-delay 2 --retry-all-errors http://127.0.0.1:18080/index.html"
    )
    assert answer  # the hostname of this node's task container
