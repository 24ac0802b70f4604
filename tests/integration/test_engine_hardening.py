"""docker_hardening: cis on a booted Debian 12 host over SSH: the CIS daemon points checked where the benchmark
checks them (docker info, the default bridge's options, daemon.json) and where a user feels them (containers on the
default bridge cannot reach each other, a container process cannot gain privileges, published ports answer without
docker-proxy), the host check silent on them, and a second run that changes nothing."""

from __future__ import annotations

import json

import pytest

from ansible_run import run_module
from engine_host import SITE, EngineHost

CIS = {"docker_hardening": "cis"}


@pytest.fixture(scope="module")
def hardened(start_hosts, ssh_key, load_busybox):
    hosts, inventory = start_hosts("debian12", 1)
    host = EngineHost(hosts[0], inventory, ssh_key)
    proc, counts = host.apply(playbook=SITE, **CIS)
    assert proc.returncode == 0, proc.stdout
    assert counts["changed"] > 0
    load_busybox(inventory)
    return host, proc


def test_the_daemon_runs_with_every_point_of_the_profile(hardened):
    host, first = hardened
    info = host.info()
    assert info["LiveRestoreEnabled"] is True  # CIS 2.15
    bridge = json.loads(host.sh("docker network inspect bridge --format '{{json .Options}}'"))
    assert bridge["com.docker.network.bridge.enable_icc"] == "false"  # CIS 2.2
    config = json.loads(host.daemon_json())
    assert (config["no-new-privileges"], config["userland-proxy"], config["log-level"]) == (True, False, "info")
    assert host.daemon_starts() == 1  # written before the install: one start, hardened
    assert "| check healthy" in first.stdout  # site.yml's host check expects the profile and finds it met


def test_containers_run_and_answer_but_cannot_reach_each_other_or_gain_privileges(hardened, test_images):
    host, _first = hardened
    image = test_images["busybox"]
    host.sh(f"docker run -d --name web -p 18081:80 {image} httpd -f -p 80 -h /www")
    try:
        # Published ports answer (through iptables: no docker-proxy runs, CIS 2.16), on loopback and the address.
        assert host.sh("curl -s --retry 5 --retry-all-errors http://127.0.0.1:18081/").strip()
        assert host.sh(f"curl -s http://{host.host.address}:18081/").strip()
        assert host.sh("pgrep -c docker-proxy || true").strip() == "0"
        web = host.sh("docker inspect -f '{{.NetworkSettings.IPAddress}}' web").strip()
        # CIS 2.2: another container on the default bridge is refused; on a network of their own they talk.
        fetch = f"timeout 5 wget -qO- http://{web}/index.html >/dev/null && echo yes || echo no"
        reached = host.sh(f"docker run --rm {image} sh -c '{fetch}'")
        assert reached.strip() == "no"
        host.sh("docker network create talk && docker network connect talk web")
        # (by address, and bounded by timeout: the static busybox's wget resolves no names here and crashes on -T)
        networks = json.loads(host.sh("docker inspect -f '{{json .NetworkSettings.Networks}}' web"))
        on_talk = networks["talk"]["IPAddress"]
        talked = host.sh(f"docker run --rm --network talk {image} timeout 5 wget -qO- http://{on_talk}/index.html")
        assert talked.strip()
        # CIS 2.14: the kernel's no_new_privs flag is set on every container process.
        assert host.sh(f"docker run --rm {image} grep NoNewPrivs /proc/self/status").split() == ["NoNewPrivs:", "1"]
    finally:
        host.sh("docker rm -f web; docker network rm talk; true")


def test_the_host_check_is_silent_on_the_profile_it_meets_and_a_second_run_changes_nothing(hardened):
    host, _first = hardened
    checked = run_module("dockyard.docker.host_check", {"check_registries": False, "expect_hardening": "cis"},
                         inventory=host.inventory, hosts="all", become=True)  # fmt: skip
    result = next(iter(checked.values()))
    assert [f["id"] for f in result["findings"] if f["id"].startswith("hardening.")] == []
    pid = host.daemon_pid()
    proc, counts = host.apply(playbook=SITE, **CIS)
    assert proc.returncode == 0, proc.stdout
    assert counts["changed"] == 0, proc.stdout
    assert host.daemon_pid() == pid


def test_leaving_a_point_out_takes_it_off_and_the_check_reports_it_by_its_cis_number(hardened):
    host, _first = hardened
    proc, _counts = host.apply(playbook=SITE, docker_hardening="cis", docker_hardening_except=["2.16"])
    assert proc.returncode == 0, proc.stdout
    assert "userland-proxy" not in json.loads(host.daemon_json())
    checked = run_module("dockyard.docker.host_check", {"check_registries": False},
                         inventory=host.inventory, hosts="all", become=True)  # fmt: skip
    result = next(iter(checked.values()))
    (proxy,) = [f for f in result["findings"] if f["id"] == "hardening.userland_proxy"]
    assert proxy["severity"] == "info" and proxy["seen"].startswith("CIS 2.16 ")
