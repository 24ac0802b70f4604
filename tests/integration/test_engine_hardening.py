"""docker_hardening: cis on a booted Debian 12 host over SSH: the CIS daemon points checked where the benchmark
checks them (docker info, the default bridge's options, daemon.json) and where a user feels them (containers on the
default bridge cannot reach each other, a container process cannot gain privileges, published ports answer without
docker-proxy), the file owners and modes of its section 3 as stat shows them, the host check silent on them and
naming a socket opened to everyone, and a second run that changes nothing."""

from __future__ import annotations

import json
import socket

import pytest

from ansible_run import run_module
from engine_host import SITE, EngineHost
from local_docker import bridge_address
from testbed.tls_daemon import make_certs

REGISTRY = "registry.internal:5000"


@pytest.fixture(scope="module")
def cis(tmp_path_factory):
    """The profile, with a registry's CA to trust (a file the role writes, whose mode section 3 sets)."""
    pem = (make_certs(tmp_path_factory.mktemp("ca")) / "ca.pem").read_text()
    return {"docker_hardening": "cis", "docker_registry_ca_certs": {REGISTRY: pem}}


@pytest.fixture(scope="module")
def hardened(start_hosts, ssh_key, load_busybox, cis):
    hosts, inventory = start_hosts("debian12", 1)
    host = EngineHost(hosts[0], inventory, ssh_key)
    proc, counts = host.apply(playbook=SITE, **cis)
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


def test_the_host_check_is_silent_on_the_profile_it_meets_and_a_second_run_changes_nothing(hardened, cis):
    host, _first = hardened
    checked = run_module("dockyard.docker.host_check", {"check_registries": False, "expect_hardening": "cis"},
                         inventory=host.inventory, hosts="all", become=True)  # fmt: skip
    result = next(iter(checked.values()))
    # Only what the profile does not set (user namespaces and remote logging are asked for by their own variables),
    # as information.
    hardening = {f["id"]: f["severity"] for f in result["findings"] if f["id"].startswith("hardening.")}
    assert hardening == {"hardening.userns_remap": "info", "hardening.log_driver": "info"}
    pid = host.daemon_pid()
    proc, counts = host.apply(playbook=SITE, **cis)
    assert proc.returncode == 0, proc.stdout
    assert counts["changed"] == 0, proc.stdout
    assert host.daemon_pid() == pid


def test_the_files_of_section_3_have_their_owners_and_modes_and_a_socket_opened_to_everyone_is_named(hardened):
    host, _first = hardened
    # stat as the benchmark's audit reads them: the packages' files as installed, the role's as it wrote them.
    paths = {"3.1/3.2": "/lib/systemd/system/docker.service", "3.3/3.4": "/lib/systemd/system/docker.socket",
             "3.5/3.6": "/etc/docker", "3.7/3.8": f"/etc/docker/certs.d/{REGISTRY}/ca.crt",
             "3.15/3.16": "/run/docker.sock", "3.17/3.18": "/etc/docker/daemon.json",
             "3.23/3.24": "/run/containerd/containerd.sock"}  # fmt: skip
    seen = host.sh("stat -c '%U:%G %a' " + " ".join(paths.values())).splitlines()
    assert dict(zip(paths, seen)) == {"3.1/3.2": "root:root 644", "3.3/3.4": "root:root 644",
                                      "3.5/3.6": "root:root 755", "3.7/3.8": "root:root 444",
                                      "3.15/3.16": "root:docker 660", "3.17/3.18": "root:root 644",
                                      "3.23/3.24": "root:root 660"}  # fmt: skip
    # The usual wrong fix for "permission denied": the socket opened to every user. The check names it.
    host.sh("chmod 666 /run/docker.sock")
    try:
        checked = run_module("dockyard.docker.host_check", {"check_registries": False, "expect_hardening": "cis"},
                             inventory=host.inventory, hosts="all", become=True)  # fmt: skip
    finally:
        host.sh("chmod 660 /run/docker.sock")
    findings = next(iter(checked.values()))["findings"]
    (opened,) = [f for f in findings if f["id"].startswith("hardening.") and f["severity"] == "warning"]
    assert (opened["id"], opened["severity"], opened["fix"]) == (
        "hardening.docker_sock_mode", "warning", "chmod 660 /run/docker.sock")  # fmt: skip
    assert opened["seen"] == "CIS 3.16 (the Docker socket has mode 660 or less): /run/docker.sock is 666"


def test_leaving_a_point_out_takes_it_off_and_the_check_reports_it_by_its_cis_number(hardened, cis):
    host, _first = hardened
    proc, _counts = host.apply(playbook=SITE, **cis, docker_hardening_except=["2.16"])
    assert proc.returncode == 0, proc.stdout
    assert "userland-proxy" not in json.loads(host.daemon_json())
    checked = run_module("dockyard.docker.host_check", {"check_registries": False},
                         inventory=host.inventory, hosts="all", become=True)  # fmt: skip
    result = next(iter(checked.values()))
    (proxy,) = [f for f in result["findings"] if f["id"] == "hardening.userland_proxy"]
    assert proxy["severity"] == "info" and proxy["seen"].startswith("CIS 2.16 ")


def test_container_logs_leave_the_host_for_a_syslog_target_and_an_option_it_does_not_take_is_refused_first(
    hardened, cis, docker_client, test_images
):
    host, _first = hardened
    address = bridge_address(docker_client)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as listener:
        listener.bind((address, 0))
        listener.settimeout(60)
        target = f"udp://{address}:{listener.getsockname()[1]}"
        pid = host.daemon_pid()
        wrong = {"syslog-address": target, "max-size": "10m"}  # a json-file option, kept by habit
        refused, _counts = host.apply(playbook=SITE, **cis, docker_log_driver="syslog", docker_log_options=wrong)
        assert refused.returncode != 0
        assert "docker_log_options.max-size: the syslog log driver takes no such option" in refused.stdout
        assert host.daemon_pid() == pid and "syslog" not in host.daemon_json()

        remote = {**cis, "docker_log_driver": "syslog", "docker_log_options": {"syslog-address": target, "tag": "cis"}}
        proc, _counts = host.apply(playbook=SITE, **remote)
        assert proc.returncode == 0, proc.stdout
        assert host.info()["LoggingDriver"] == "syslog"  # CIS 2.13, as the benchmark reads it
        host.sh(f"docker run --rm {test_images['busybox']} echo sent-to-the-log-host")
        received = ""
        while "sent-to-the-log-host" not in received:
            received += listener.recv(65536).decode(errors="replace")
        assert " cis[" in received or " cis:" in received, received  # the tag asked for
    checked = run_module("dockyard.docker.host_check", {"check_registries": False, "expect_hardening": "cis"},
                         inventory=host.inventory, hosts="all", become=True)  # fmt: skip
    assert "hardening.log_driver" not in {f["id"] for f in next(iter(checked.values()))["findings"]}
    pid = host.daemon_pid()
    again, counts = host.apply(playbook=SITE, **remote)
    assert again.returncode == 0 and counts["changed"] == 0, again.stdout
    assert host.daemon_pid() == pid
