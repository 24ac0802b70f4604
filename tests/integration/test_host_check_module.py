"""host_check: each finding seen on a host that has the problem, with its fix, and gone once the fix is applied.

The local daemon serves what it can show without being reconfigured (daemon.json files given by path, a
container with the socket, registries and CAs); a booted Debian 12 host configured by the engine role
serves the rest: a healthy host, the docker group, the socket, ip_forward, a stopped daemon, the role's
log rotation and mirrors.
"""

from __future__ import annotations

import base64
import http.server
import json
import re
import threading

import pytest

from ansible_run import ROOT, local_module, run_module, run_playbook
from engine_host import boot_engine_host
from local_docker import bridge_address
from testbed.tls_daemon import make_certs


def ids(result) -> set[str]:
    assert not result.failed, result.get("msg")
    return {f["id"] for f in result["findings"]}


def check(**args):
    return local_module("host_check", {"timeout": 2, **args})


def test_daemon_json_problems_and_an_exposed_api_are_found_and_gone_once_fixed(tmp_path):
    path = tmp_path / "daemon.json"
    path.write_text('{"debug": true,')
    assert "daemon.json_invalid" in ids(check(daemon_json=str(path)))
    path.write_text(json.dumps({"hosts": ["fd://", "tcp://0.0.0.0:2375"], "insecure-registries": ["0.0.0.0/0"]}))
    found = check(daemon_json=str(path))
    assert {"security.tcp_without_tls", "daemon.json_problem"} <= ids(found)
    problems = [f["seen"] for f in found["findings"] if f["id"] == "daemon.json_problem"]
    assert any("without client certificates" in p for p in problems) and any("0.0.0.0/0" in p for p in problems)
    path.write_text(json.dumps({"log-opts": {"max-size": "10m"}}))
    assert not {"daemon.json_invalid", "daemon.json_problem", "security.tcp_without_tls"} & ids(
        check(daemon_json=str(path))
    )


def test_a_container_with_the_docker_socket_is_named(docker_client, test_images, suffix):
    name = f"dy-check-{suffix}"
    socket = {"/var/run/docker.sock": {"bind": "/var/run/docker.sock"}}
    container = docker_client.containers.run(test_images["busybox"], ["sleep", "300"], name=name, detach=True,
                                             volumes=socket)  # fmt: skip
    try:
        found = check(check_registries=False)
        (mounted,) = [f for f in found["findings"] if f["id"] == "security.socket_mounted"]
        assert name in mounted["seen"] and "socket proxy" in mounted["fix"]
    finally:
        container.remove(force=True)
    after = check(check_registries=False)
    assert all(name not in f["seen"] for f in after["findings"] if f["id"] == "security.socket_mounted")


@pytest.fixture
def plain_http_registry(docker_client):
    """An HTTP endpoint answering /v2/ on the bridge gateway: an address the daemon does not take as insecure."""
    gateway = bridge_address(docker_client)

    class V2(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args):
            return

    server = http.server.ThreadingHTTPServer((gateway, 0), V2)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"{gateway}:{server.server_address[1]}"
    server.shutdown()


def test_registries_that_answer_plain_http_or_do_not_match_their_ca(
    plain_http_registry, registry, secure_registry, tmp_path
):
    found = check(registries=[plain_http_registry, registry])
    (http_only,) = [f for f in found["findings"] if f["id"] == "registry.http_only"]
    assert plain_http_registry in http_only["seen"] and "server gave HTTP response to HTTPS client" in http_only["seen"]
    assert "docker_insecure_registries" in http_only["fix"]  # the loopback registry is trusted: not named
    address, _user, _password, ca = secure_registry
    certs_d = tmp_path / "certs.d"
    (certs_d / address).mkdir(parents=True)
    other = make_certs(tmp_path / "other", name="someone-else")
    (certs_d / address / "ca.crt").write_text((other / "ca.pem").read_text())
    mismatch = check(certs_d=str(certs_d), registries=[address])
    assert "registry.ca_mismatch" in ids(mismatch)
    (certs_d / address / "ca.crt").write_text(ca.read_text())
    assert not {"registry.ca_mismatch", "registry.unreachable", "registry.http_only"} & ids(
        check(certs_d=str(certs_d), registries=[address])
    )


def test_free_space_thresholds(tmp_path):
    found = check(check_registries=False, min_free_percent=100)
    (space,) = [f for f in found["findings"] if f["id"] == "storage.free_space"]
    assert space["severity"] in ("warning", "error") and "dockyard.docker.prune" in space["fix"]
    assert "storage.free_space" not in ids(check(check_registries=False, min_free_percent=0))


# -- a booted host configured by the engine role -----------------------------------------------------------
QUIET = {"docker_registry_mirrors": [], "docker_insecure_registries": []}
# What the test bed cannot mend: the hosts share this machine's kernel, whose command line the role cannot set.
TESTBED_LIMITS = {"kernel.swap_limit", "kernel.bridge_nf_call_iptables"}


@pytest.fixture(scope="module")
def host(start_hosts, ssh_key):
    engine = boot_engine_host(start_hosts, ssh_key, converge=False)
    proc, _counts = engine.apply(**QUIET)
    assert proc.returncode == 0, proc.stdout
    engine.sh("id carol >/dev/null 2>&1 || useradd -m carol")
    return engine


def remote(host, **args):
    result = run_module("dockyard.docker.host_check", {"timeout": 2, **args}, inventory=host.inventory, hosts="all",
                        become=True)  # fmt: skip
    return next(iter(result.values()))


def worrying(result) -> set[str]:
    assert not result.failed, result.get("msg")
    return {f["id"] for f in result["findings"] if f["severity"] != "info"} - TESTBED_LIMITS


def test_a_host_the_engine_role_configured_is_healthy(host):
    result = remote(host)
    assert worrying(result) == set(), result["findings"]


def test_the_socket_group_and_a_world_writable_socket(host):
    assert "daemon.socket_not_in_group" in worrying(remote(host, user="carol"))
    proc, _counts = host.apply(docker_users=["carol"], **QUIET)
    assert proc.returncode == 0, proc.stdout
    assert worrying(remote(host, user="carol")) == set()
    host.sh("chmod 666 /var/run/docker.sock")
    try:
        assert "security.socket_world_writable" in worrying(remote(host))
    finally:
        host.sh("chmod 660 /var/run/docker.sock")
    assert worrying(remote(host)) == set()


def test_ip_forward_off_and_a_stopped_daemon(host):
    host.sh("sysctl -qw net.ipv4.ip_forward=0")
    try:
        (forward,) = [f for f in remote(host)["findings"] if f["id"] == "kernel.ip_forward"]
        assert forward["severity"] == "error" and "sysctl -w net.ipv4.ip_forward=1" in forward["fix"]
    finally:
        host.sh("sysctl -qw net.ipv4.ip_forward=1")
    host.sh("systemctl stop docker.socket docker.service")
    try:
        # systemd may leave the socket file behind: then it is there and nothing answers on it.
        assert {"daemon.socket_missing", "daemon.not_running"} & worrying(remote(host))
    finally:
        host.sh("systemctl start docker.socket docker.service")
    assert worrying(remote(host)) == set()


def test_settings_the_role_can_set_badly_are_found_and_mended_by_the_role(host):
    bad = {"docker_log_rotation": {}, "docker_registry_mirrors": ["http://192.0.2.1:5000"],
           "docker_insecure_registries": ["192.0.2.2:5000"], "docker_live_restore": False}  # fmt: skip
    proc, _counts = host.apply(**bad)
    assert proc.returncode == 0, proc.stdout
    found = worrying(remote(host, expect_live_restore=True))
    expected = {"security.log_rotation", "registry.mirror_unreachable", "registry.insecure_unreachable",
                "security.live_restore"}  # fmt: skip
    assert expected <= found, found
    proc, _counts = host.apply(docker_live_restore=True, **QUIET)
    assert proc.returncode == 0, proc.stdout
    assert worrying(remote(host, expect_live_restore=True)) == set()


def test_a_hand_edited_daemon_json_that_clashes_with_the_unit_or_is_not_applied(host):
    original = host.daemon_json()
    edited = {**json.loads(original), "hosts": ["unix:///var/run/docker.sock"], "debug": True}
    write = "echo {} | base64 -d > /etc/docker/daemon.json"
    host.sh(write.format(base64.b64encode(json.dumps(edited).encode()).decode()))
    try:
        found = {f["id"]: f for f in remote(host)["findings"]}
        assert "-H" in found["daemon.flag_clash"]["seen"], found
        assert "debug" in found["daemon.config_not_applied"]["seen"], found
    finally:
        host.sh(write.format(base64.b64encode(original.encode()).decode()))
    assert worrying(remote(host)) == set()


def test_stopped_containers_are_hygiene_findings_until_pruned(host):
    # No image can be pulled: a one-file image is imported, and a container created from it never started.
    host.sh(
        "mkdir -p /tmp/one && echo x > /tmp/one/x && tar cf /tmp/one.tar -C /tmp/one . "
        "&& docker import /tmp/one.tar dy/one:1 >/dev/null && docker create --label dy-check=1 dy/one:1 true"
    )
    (stopped,) = [f for f in remote(host)["findings"] if f["id"] == "hygiene.stopped_containers"]
    assert stopped["severity"] == "info" and "containers: true" in stopped["fix"]
    pruned = run_module("dockyard.docker.prune", {"containers": True, "labels": ["dy-check=1"]},
                        inventory=host.inventory, hosts="all", become=True)  # fmt: skip
    assert next(iter(pruned.values()))["changed"] is True
    assert "hygiene.stopped_containers" not in {f["id"] for f in remote(host)["findings"]}


def test_the_check_playbook_shows_the_fleet_writes_reports_and_fails_on_errors(host, tmp_path):
    extra = {"check_hosts": "all", "check_report_dir": str(tmp_path), "check_timeout": 2}
    proc = run_playbook(ROOT / "playbooks/check.yml", inventory=host.inventory, extra_vars=extra)
    assert proc.returncode == 0, proc.stdout
    assert "errors/warnings" in proc.stdout
    # Writing the local reports changes no host.
    assert set(re.findall(r"changed=(\d+)", proc.stdout.split("PLAY RECAP")[1])) == {"0"}, proc.stdout
    report = json.loads((tmp_path / "report.json").read_text())
    (name,) = report
    assert not [f for f in report[name] if f["severity"] == "error"]
    assert f"## {name}" in (tmp_path / "report.md").read_text()
    host.sh("sysctl -qw net.ipv4.ip_forward=0")
    try:
        failed = run_playbook(ROOT / "playbooks/check.yml", inventory=host.inventory, extra_vars=extra)
    finally:
        host.sh("sysctl -qw net.ipv4.ip_forward=1")
    assert failed.returncode != 0 and "1 error(s): kernel.ip_forward" in failed.stdout
    assert "kernel.ip_forward" in json.loads((tmp_path / "report.json").read_text())[name][0]["id"]
