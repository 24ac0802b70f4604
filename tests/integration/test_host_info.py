"""dockyard.docker.host_info against the local daemon, a daemon over TLS, and booted hosts over SSH."""

from __future__ import annotations

import subprocess
import uuid

import pytest

from ansible_run import run_module
from testbed.hosts import ssh_command
from testbed.tls_daemon import free_port, make_certs

MODULE = "dockyard.docker.host_info"


def local(args=None, **kwargs):
    return run_module(MODULE, args, **kwargs)["localhost"]


def test_reports_what_docker_info_reports(docker_client):
    result = local()
    info, version = docker_client.info(), docker_client.version()
    assert not result.failed, result
    assert result["changed"] is False
    assert result["can_talk_to_docker"] is True
    host = result["host"]
    assert host["server_version"] == info["ServerVersion"]
    assert host["api_version"] == version["ApiVersion"]
    assert host["storage_driver"] == info["Driver"]
    assert host["data_root"] == info["DockerRootDir"]
    assert host["cgroup_version"] == str(info["CgroupVersion"])
    assert host["cgroup_driver"] == info["CgroupDriver"]
    assert host["swap_limit_support"] is bool(info["SwapLimit"])
    assert host["images"] == info["Images"]
    # Docker's implicit loopback entries are not configuration and are left out.
    assert "127.0.0.0/8" not in host["insecure_registries"]


def test_lists_containers_images_networks_and_volumes(docker_client, test_images):
    name = f"dockyard-info-{uuid.uuid4().hex[:6]}"
    volume = docker_client.volumes.create(name)
    network = docker_client.networks.create(name)
    container = docker_client.containers.create(
        test_images["busybox"], "sleep 60", name=name, volumes={name: {"bind": "/data"}}
    )
    try:
        running = local({"containers": True, "images": True, "networks": True, "volumes": True})
        everything = local({"containers": True, "containers_all": True})
    finally:
        container.remove(force=True)
        network.remove()
        volume.remove()
    assert name not in [c["name"] for c in running["containers"]]  # created, not running
    listed = {c["name"]: c for c in everything["containers"]}
    assert listed[name]["image"] == test_images["busybox"]
    assert listed[name]["state"] == "created"
    assert any(test_images["busybox"] in i["tags"] for i in running["images"])
    assert name in [n["name"] for n in running["networks"]]
    assert name in [v["name"] for v in running["volumes"]]


def test_check_mode_reads_the_same_and_changes_nothing():
    result = local(check=True)
    assert result["changed"] is False
    assert result["host"]["server_version"]


def test_stopped_daemon_is_a_clear_error(tmp_path):
    result = local({"docker_host": f"unix://{tmp_path}/docker.sock"})
    assert result.failed
    assert "Is dockerd running?" in result["msg"]
    assert f"{tmp_path}/docker.sock does not exist" in result["msg"]


def test_unreachable_daemon_is_tolerated_when_asked(tmp_path):
    result = local({"docker_host": f"unix://{tmp_path}/docker.sock", "tolerate_unreachable": True})
    assert not result.failed
    assert result["can_talk_to_docker"] is False
    assert "Is dockerd running?" in result["error"]
    assert "host" not in result


def test_refused_tcp_connection_says_so(tmp_path):
    result = local({"docker_host": f"tcp://127.0.0.1:{free_port()}"})
    assert result.failed
    assert "connection refused" in result["msg"] and "listening on that address" in result["msg"]


def test_docker_host_from_environment(tmp_path):
    result = local(env={"DOCKER_HOST": f"unix://{tmp_path}/from-env.sock"})
    assert result.failed
    assert f"{tmp_path}/from-env.sock" in result["msg"]


class TestTLS:
    def test_client_certificates_from_cert_path(self, tls_daemon):
        result = local(
            {"docker_host": tls_daemon.url, "validate_certs": True, "cert_path": str(tls_daemon.client_cert_path)}
        )
        assert not result.failed, result
        assert result["host"]["server_version"]

    def test_tls_settings_from_environment(self, tls_daemon):
        result = local(
            env={
                "DOCKER_HOST": tls_daemon.url,
                "DOCKER_TLS_VERIFY": "1",
                "DOCKER_CERT_PATH": str(tls_daemon.client_cert_path),
            }
        )
        assert not result.failed, result

    def test_plain_http_to_a_tls_daemon_says_tls_is_expected(self, tls_daemon):
        result = local({"docker_host": tls_daemon.url})
        assert result.failed
        assert "expects TLS" in result["msg"]

    def test_untrusted_daemon_certificate_is_a_tls_error(self, tls_daemon, tmp_path):
        other = make_certs(tmp_path / "other", name="other")
        result = local({"docker_host": tls_daemon.url, "validate_certs": True, "cert_path": str(other / "client")})
        assert result.failed
        assert "TLS with the Docker daemon" in result["msg"]
        assert "certificate verify failed" in result["msg"]


class TestOverSSH:
    def test_missing_sdk_names_the_package_to_install(self, start_hosts):
        inventory = start_hosts("debian12", 1)[1]
        result = next(iter(run_module(MODULE, inventory=inventory, hosts="all", become=True).values()))
        assert result.failed
        assert "python3-docker" in result["msg"]
        assert "pip install docker" in result["msg"]

    def test_reports_the_engine_of_a_remote_debian12_host(self, docker_io_host):
        host, inventory = docker_io_host
        result = run_module(MODULE, {"networks": True}, inventory=inventory, hosts="all", become=True)[host.name]
        assert not result.failed, result
        assert result["host"]["server_version"].startswith("20.10")
        assert result["host"]["operating_system"].startswith("Debian GNU/Linux 12")
        assert result["host"]["storage_driver"] == "overlay2"
        assert {"bridge", "host", "none"} <= {n["name"] for n in result["networks"]}

    def test_permission_denied_names_the_docker_group(self, docker_io_host):
        host, inventory = docker_io_host
        result = run_module(MODULE, inventory=inventory, hosts="all")[host.name]
        assert result.failed
        assert "permission denied" in result["msg"]
        assert "'dockyard'" in result["msg"] and "'docker' group" in result["msg"]

    def test_stopped_daemon_on_a_remote_host(self, docker_io_host, ssh_key):
        host, inventory = docker_io_host

        def ssh(*command):
            subprocess.run(ssh_command(host, ssh_key, "sudo", *command), check=True, capture_output=True)

        ssh("systemctl", "stop", "docker.socket", "docker.service")
        try:
            failed = run_module(MODULE, inventory=inventory, hosts="all", become=True)[host.name]
            tolerated = run_module(
                MODULE, {"tolerate_unreachable": True}, inventory=inventory, hosts="all", become=True
            )[host.name]
        finally:
            ssh("systemctl", "start", "docker.socket", "docker.service")
        assert failed.failed
        assert "Is dockerd running?" in failed["msg"]
        assert tolerated["can_talk_to_docker"] is False
        after = run_module(MODULE, inventory=inventory, hosts="all", become=True)[host.name]
        assert after["can_talk_to_docker"] is True


@pytest.mark.parametrize("bad", ["not-a-bool"])
def test_bad_option_value_is_rejected_before_connecting(bad):
    result = local({"containers": bad})
    assert result.failed
    assert "containers" in result["msg"] and bad in result["msg"]
