"""The main job (playbooks/examples/sandbox.yml) on two booted Debian 12 hosts over SSH, then the
registry's other two faces on the same hosts: a pull-through cache serving a Docker Hub name with no
internet, and a plain-HTTP registry that Docker refuses until the host lists it as insecure."""

from __future__ import annotations

import json
import shutil
import subprocess
import time

import pytest
import yaml

from ansible_run import ROOT, recap, run_playbook
from testbed.hosts import ssh_command

SANDBOX = ROOT / "playbooks/examples/sandbox.yml"
REGISTRY = ROOT / "tests/integration/playbooks/registry.yml"
ENGINE = ROOT / "tests/integration/playbooks/engine.yml"
IMAGE = {"registry_image": "dockyard-testbed/registry:2"}


def run_registry_role(inventory, host, extra: dict, settings: dict) -> subprocess.CompletedProcess:
    """The registry role on ``host`` alone with ``settings``; it must succeed."""
    proc = run_playbook(REGISTRY, inventory=inventory, limit=host.name, extra_vars={**extra, **settings})
    assert proc.returncode == 0, proc.stdout[-4000:]
    return proc


@pytest.fixture(scope="module")
def main_job(start_hosts, ssh_key, test_images):
    hosts, inventory = start_hosts("debian12", 2)
    work = inventory.parent
    shutil.copytree(ROOT / "playbooks/examples/group_vars", work / "group_vars")
    data = yaml.safe_load(inventory.read_text())
    data["all"]["children"]["registry_hosts"] = {"hosts": {hosts[0].name: None}}
    inventory.write_text(yaml.safe_dump(data))
    subprocess.run(["docker", "save", "-o", str(work / "images.tar"), test_images["registry"], test_images["busybox"]],
                   check=True)  # fmt: skip
    extra = {"sandbox_dir": str(work), **IMAGE}

    def sh(host, command: str, check: bool = True) -> subprocess.CompletedProcess:
        argv = ssh_command(host, ssh_key, "sudo", "sh", "-c", repr(command))
        return subprocess.run(argv, capture_output=True, text=True, check=check)

    # Careful operators run --check first: on hosts without Docker it completes and writes nothing.
    checked = run_playbook(SANDBOX, inventory=inventory, extra_vars=extra, check=True, diff=True)
    assert checked.returncode == 0, checked.stdout[-6000:]
    assert "no engine answers yet; a real run pushes busybox" in checked.stdout
    for host in hosts:
        left = sh(
            host,
            "for p in /etc/docker-registry /etc/docker/certs.d /usr/bin/dockerd; do test -e $p && echo $p; done; true",
        )
        assert left.stdout == "", f"check mode wrote {left.stdout} on {host.name}"
    first = run_playbook(SANDBOX, inventory=inventory, extra_vars=extra)
    assert first.returncode == 0, first.stdout[-6000:]
    password = (work / "registry-password").read_text().strip()
    assert password not in first.stdout + first.stderr + checked.stdout
    return hosts, inventory, extra, sh, first


def test_the_second_host_runs_a_container_pulled_from_the_first_hosts_registry(main_job):
    hosts, _inventory, _extra, sh, first = main_job
    address = f"{hosts[0].address}:5000"
    assert f"registry {address} (TLS, users) holds sandbox/busybox" in first.stdout
    image = sh(hosts[1], "docker inspect -f '{{.Config.Image}} {{.State.Running}}' hello").stdout.split()
    assert image == [f"{address}/sandbox/busybox:1", "true"]
    assert sh(hosts[1], f"cat /etc/docker/certs.d/{address}/ca.crt").stdout.startswith("-----BEGIN CERTIFICATE")


def test_a_second_run_of_the_main_job_changes_nothing(main_job):
    _hosts, inventory, extra, _sh, _first = main_job
    again = run_playbook(SANDBOX, inventory=inventory, extra_vars=extra)
    assert again.returncode == 0, again.stdout[-4000:]
    assert all("changed=0 " in line for line in again.stdout.splitlines() if "unreachable=" in line), again.stdout


def test_a_docker_hub_name_is_pulled_through_the_pull_through_cache(main_job):
    hosts, inventory, extra, sh, _first = main_job
    registry_host, client = hosts
    # An upstream without auth holds what Docker Hub would: library/busybox. (Docker Hub itself asks
    # for Bearer tokens, which a registry:2 cache answers; the test bed has no token service.)
    run_registry_role(inventory, registry_host, extra, {
        "registry_name": "upstream", "registry_port": 5003, "registry_users": [],
    })  # fmt: skip
    upstream_address = f"{registry_host.address}:5003"
    upstream_ca = sh(registry_host, "cat /etc/docker-registry/upstream/certs/ca.pem").stdout
    sh(registry_host, f"mkdir -p /etc/docker/certs.d/{upstream_address}"
                      f" && cp /etc/docker-registry/upstream/certs/ca.pem /etc/docker/certs.d/{upstream_address}/ca.crt"
                      # A layer of its own, so the client has none of the image and must fetch it all.
                      f" && docker run --name proof dockyard-testbed/busybox sh -c 'echo mirrored > /proof'"
                      f" && docker commit proof {upstream_address}/library/busybox:latest && docker rm proof"
                      f" && docker push {upstream_address}/library/busybox:latest")  # fmt: skip
    mirror = run_registry_role(inventory, registry_host, extra, {
        "registry_name": "mirror", "registry_port": 5001, "registry_users": [],
        "registry_proxy_remoteurl": f"https://{upstream_address}", "registry_proxy_ca_cert": upstream_ca,
    })  # fmt: skip
    assert "pull-through cache" in mirror.stdout and "refuses pushes" in mirror.stdout
    mirror_address = f"{registry_host.address}:5001"
    mirror_ca = sh(registry_host, "cat /etc/docker-registry/mirror/certs/ca.pem").stdout
    configured = run_playbook(ENGINE, inventory=inventory, limit=client.name, extra_vars={
        **extra, "docker_registry_mirrors": [f"https://{mirror_address}"],
        "docker_registry_ca_certs": {mirror_address: mirror_ca},
    })  # fmt: skip
    assert configured.returncode == 0, configured.stdout[-4000:]
    # Docker Hub is out of reach here: only the mirror can have served this pull.
    pulled = sh(client, "docker pull busybox", check=False)
    assert pulled.returncode == 0, pulled.stdout + pulled.stderr
    assert sh(client, "docker run --rm busybox cat /proof").stdout == "mirrored\n"
    # The cache now keeps the blobs it served: the manifest, the config and the new layer (it writes them
    # while serving, so allow it a moment). The base layer the client already had was never asked for.
    blobs = "cd /var/lib/docker-registry/{}/docker/registry/v2/blobs && find . -name data | sort"
    upstream_blobs = set(sh(registry_host, blobs.format("upstream")).stdout.split())
    deadline = time.monotonic() + 20
    while len(cached := set(sh(registry_host, blobs.format("mirror")).stdout.split())) < 3:
        assert time.monotonic() < deadline, (cached, upstream_blobs)
        time.sleep(1)
    assert cached <= upstream_blobs
    # The same manifest: the digest the upstream was given is the one the client holds.
    pushed = sh(
        registry_host, f"docker inspect -f '{{{{json .RepoDigests}}}}' {upstream_address}/library/busybox"
    ).stdout
    digest = next(d for d in json.loads(pushed) if d.startswith(upstream_address)).split("@")[1]
    assert f"busybox@{digest}" in json.loads(sh(client, "docker inspect -f '{{json .RepoDigests}}' busybox").stdout)


def test_a_cache_of_a_basic_auth_upstream_is_warned_about_before_pulls_fail(main_job):
    hosts, inventory, extra, sh, _first = main_job
    registry_host = hosts[0]
    password = (inventory.parent / "registry-password").read_text().strip()
    mirror = run_registry_role(inventory, registry_host, extra, {
        "registry_name": "basic-mirror", "registry_port": 5004, "registry_users": [],
        "registry_proxy_remoteurl": f"https://{registry_host.address}:5000", "registry_proxy_username": "deploy",
        "registry_proxy_password": password,
        "registry_proxy_ca_cert": sh(registry_host, "cat /etc/docker-registry/registry/certs/ca.pem").stdout,
    })  # fmt: skip
    assert "asks for Basic auth" in mirror.stdout
    assert password not in mirror.stdout
    sh(registry_host, "docker rm -f basic-mirror")


def test_a_plain_http_registry_fails_with_dockers_https_error_until_listed_as_insecure(main_job):
    hosts, inventory, extra, sh, _first = main_job
    registry_host, client = hosts
    run_registry_role(inventory, registry_host, extra, {
        "registry_name": "plain", "registry_port": 5002, "registry_tls": "off", "registry_users": [],
    })  # fmt: skip
    address = f"{registry_host.address}:5002"
    sh(registry_host, f"docker tag dockyard-testbed/busybox:latest {address}/plain/busybox:1")
    refused = sh(client, f"docker pull {address}/plain/busybox:1", check=False)
    assert refused.returncode != 0
    assert "server gave HTTP response to HTTPS client" in refused.stderr
    configured = run_playbook(ENGINE, inventory=inventory, limit=client.name,
                              extra_vars={**extra, "docker_insecure_registries": [address]})  # fmt: skip
    assert configured.returncode == 0, configured.stdout[-4000:]
    # The registry host's own Docker needs the same setting to push there.
    configured_host = run_playbook(ENGINE, inventory=inventory, limit=registry_host.name,
                                   extra_vars={**extra, "docker_insecure_registries": [address]})  # fmt: skip
    assert configured_host.returncode == 0, configured_host.stdout[-4000:]
    sh(registry_host, f"docker push {address}/plain/busybox:1")
    pulled = sh(client, f"docker pull {address}/plain/busybox:1", check=False)
    assert pulled.returncode == 0, pulled.stderr
    assert recap(configured.stdout)["failed"] == 0
