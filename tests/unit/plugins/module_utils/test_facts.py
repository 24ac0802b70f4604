"""Summaries of engine API answers."""

from __future__ import annotations

from ansible_collections.dockyard.docker.plugins.module_utils.facts import (
    container_listing,
    host_summary,
    insecure_registries,
)

INFO = {
    "ServerVersion": "26.1.5",
    "Driver": "overlay2",
    "DockerRootDir": "/srv/docker",
    "CgroupVersion": "2",
    "CgroupDriver": "systemd",
    "SwapLimit": False,
    "MemoryLimit": True,
    "RegistryConfig": {
        "InsecureRegistryCIDRs": ["10.0.0.0/8", "127.0.0.0/8", "::1/128"],
        "IndexConfigs": {
            "docker.io": {"Name": "docker.io", "Secure": True, "Official": True},
            "registry.local:5000": {"Name": "registry.local:5000", "Secure": False, "Official": False},
        },
        "Mirrors": ["https://mirror.example.com/"],
    },
}


def test_insecure_registries_are_configured_hosts_and_networks_without_loopback():
    assert insecure_registries(INFO) == ["registry.local:5000", "10.0.0.0/8"]


def test_host_summary_names():
    summary = host_summary(INFO, {"ApiVersion": "1.45", "MinAPIVersion": "1.24"})
    assert summary["data_root"] == "/srv/docker"
    assert summary["registry_mirrors"] == ["https://mirror.example.com/"]
    assert summary["swap_limit_support"] is False
    assert summary["cgroup_version"] == "2"
    assert summary["api_version"] == "1.45"


def test_container_ports_print_like_docker_port():
    c = container_listing(
        {
            "Names": ["/web"],
            "Ports": [
                {"IP": "127.0.0.1", "PrivatePort": 80, "PublicPort": 32768, "Type": "tcp"},
                {"PrivatePort": 53, "Type": "udp"},
            ],
        }
    )
    assert c["name"] == "web"
    assert c["ports"] == ["127.0.0.1:32768->80/tcp", "53/udp"]
