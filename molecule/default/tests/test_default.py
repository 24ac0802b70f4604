"""What a converged host looks like from the inside (testinfra, over the molecule inventory)."""

import json
import os

import pytest


@pytest.fixture
def info(host):
    with host.sudo():
        return json.loads(host.check_output("docker info --format '{{json .}}'"))


@pytest.fixture
def daemon_json(host):
    with host.sudo():
        return json.loads(host.file("/etc/docker/daemon.json").content_string)


def test_docker_service_is_running_and_enabled(host):
    service = host.service("docker")
    assert service.is_running
    assert service.is_enabled


def test_engine_started_once_with_its_configuration_and_was_never_restarted(host):
    # converge wrote the configuration before installing; idempotence must not restart it.
    with host.sudo():
        journal = host.check_output("journalctl -u docker.service --no-pager")
    assert journal.count("Daemon has completed initialization") == 1


def test_mirrors_and_insecure_registries_are_live(info):
    assert info["RegistryConfig"]["Mirrors"] == ["https://mirror.example.com/"]
    assert "10.99.0.0/16" in info["RegistryConfig"]["InsecureRegistryCIDRs"]
    assert info["RegistryConfig"]["IndexConfigs"]["registry.internal:5000"]["Secure"] is False


def test_daemon_json_holds_dns_logs_and_extra_options(daemon_json, info):
    assert daemon_json["dns"] == ["9.9.9.9", "149.112.112.112"]
    assert daemon_json["log-opts"] == {"max-size": "20m", "max-file": "5"}  # numbers written as strings
    assert daemon_json["default-address-pools"] == [{"base": "10.200.0.0/16", "size": 24}]
    assert info["LoggingDriver"] == "json-file"


def test_registry_ca_certificate_is_in_certs_d(host):
    ca = host.file("/etc/docker/certs.d/registry.internal:5443/ca.crt")
    assert ca.exists and ca.mode == 0o644
    assert ca.content_string.startswith("-----BEGIN CERTIFICATE-----")


def test_proxy_reaches_the_daemon_from_a_private_drop_in(host):
    dropin = host.file("/etc/systemd/system/docker.service.d/http-proxy.conf")
    assert dropin.mode == 0o600
    env = host.check_output("systemctl show docker --property=Environment")
    assert "HTTP_PROXY=http://proxy.internal:3128" in env
    assert "NO_PROXY=localhost,127.0.0.1,registry.internal" in env


def test_login_user_is_in_the_docker_group_and_reaches_the_daemon_without_sudo(host):
    assert "docker" in host.user("dockyard").groups
    assert host.run("docker version").rc == 0


def test_a_container_runs(host):
    image = os.path.join(os.environ["MOLECULE_EPHEMERAL_DIRECTORY"], "images.tar")
    host.ansible("copy", f"src={image} dest=/tmp/images.tar mode=0644", become=True, check=False)
    with host.sudo():
        host.check_output("docker load -i /tmp/images.tar")
        out = host.check_output("docker run --rm dockyard-testbed/busybox:latest sh -c 'cat /etc/resolv.conf'")
    assert "nameserver 9.9.9.9" in out  # the daemon's DNS setting reaches containers
