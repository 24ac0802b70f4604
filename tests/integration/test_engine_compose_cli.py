"""The engine role with docker_compose_cli on booted hosts over SSH: Debian 13 gets Compose v2 from its own
packages, so `docker compose` works beside the compose module (which, told remote_src, reads project files on the
host with the PyYAML the role installs); Debian 12, which packages only Compose v1, is refused before anything is
touched."""

from __future__ import annotations

import base64

import pytest

from ansible_run import run_module
from engine_host import EngineHost

PROJECT = "services:\n  web:\n    image: dockyard-testbed/busybox\n    command: [sleep, '3600']\n"


@pytest.fixture(scope="module")
def trixie(start_hosts, ssh_key):
    hosts, inventory = start_hosts("debian13", 1)
    return EngineHost(hosts[0], inventory, ssh_key)


def test_debian13_gets_compose_v2_and_the_compose_module_reads_files_on_the_host(trixie, load_busybox):
    proc, _counts = trixie.apply(docker_compose_cli=True)
    assert proc.returncode == 0, proc.stdout
    assert trixie.sh("docker compose version --short").startswith("2.")
    load_busybox(trixie.inventory)
    encoded = base64.b64encode(PROJECT.encode()).decode()
    trixie.sh(f"mkdir -p /srv/shop && echo {encoded} | base64 -d > /srv/shop/compose.yaml")
    args = {"project_src": "/srv/shop", "remote_src": True}
    results = run_module("dockyard.docker.compose", args, inventory=trixie.inventory, hosts="all", become=True)
    result = next(iter(results.values()))
    assert result["changed"] is True, result
    assert "shop-web-1" in trixie.sh("docker compose -p shop ps --format '{{.Name}}'")
    again, counts = trixie.apply(docker_compose_cli=True)
    assert again.returncode == 0 and counts["changed"] == 0, again.stdout


def test_debian12_is_refused_as_it_has_only_compose_v1(start_hosts, ssh_key):
    hosts, inventory = start_hosts("debian12", 1)
    host = EngineHost(hosts[0], inventory, ssh_key)
    proc, counts = host.apply(docker_compose_cli=True)
    assert proc.returncode != 0 and counts["changed"] == 0
    assert "docker_compose_cli: Debian 12 packages no Compose v2" in proc.stdout, proc.stdout
    assert host.sh("dpkg-query -W -f='${Status}' docker.io 2>/dev/null || echo absent").strip() == "absent"
