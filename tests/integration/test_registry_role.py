"""The registry role on a booted Debian 12 host over SSH: TLS, bcrypt users, re-runs, changes, GC."""

from __future__ import annotations

import re
import subprocess

import pytest

from ansible_run import ROOT, recap, run_module, run_playbook
from testbed.hosts import ssh_command

PLAYBOOK = ROOT / "tests/integration/playbooks/registry.yml"
PASSWORD = "first-Secret-pw"
BASE = {
    "registry_image": "dockyard-testbed/registry:2",
    "registry_users": [{"name": "ci", "password": PASSWORD}],
    "registry_delete_enabled": True,
}
ADDRESS = "127.0.0.1:5000"
CA = "/etc/docker-registry/registry/certs/ca.pem"


@pytest.fixture(scope="module")
def registry_host(start_hosts, ssh_key, load_images):
    hosts, inventory = start_hosts("debian12", 1, docker_io=True)
    load_images(inventory, "registry", "busybox")
    first = run_playbook(PLAYBOOK, inventory=inventory, extra_vars=BASE)
    assert first.returncode == 0, first.stdout
    assert PASSWORD not in first.stdout + first.stderr

    # Docker on the host trusts the registry's CA where the engine role would put it.
    def sh(command: str) -> str:
        argv = ssh_command(hosts[0], ssh_key, "sudo", "sh", "-c", repr(command))
        return subprocess.run(argv, capture_output=True, text=True, check=True).stdout

    sh(f"mkdir -p /etc/docker/certs.d/{ADDRESS} && cp {CA} /etc/docker/certs.d/{ADDRESS}/ca.crt")
    return inventory, sh


def on_host(inventory, module: str, args: dict, **kwargs):
    return run_module(f"dockyard.docker.{module}", args, inventory=inventory, hosts="all", become=True, **kwargs)


def only(results: dict):
    (result,) = results.values()
    return result


def test_second_run_and_check_mode_change_nothing(registry_host):
    inventory, sh = registry_host
    container_id = sh("docker inspect -f '{{.Id}}' registry")
    again = run_playbook(PLAYBOOK, inventory=inventory, extra_vars=BASE)
    assert again.returncode == 0, again.stdout
    assert recap(again.stdout)["changed"] == 0, again.stdout
    checked = run_playbook(PLAYBOOK, inventory=inventory, extra_vars=BASE, check=True, diff=True)
    assert recap(checked.stdout)["changed"] == 0, checked.stdout
    assert PASSWORD not in checked.stdout
    assert sh("docker inspect -f '{{.Id}}' registry") == container_id


def test_files_are_private_and_the_password_is_stored_as_bcrypt(registry_host):
    _inventory, sh = registry_host
    files = ("auth/htpasswd", "certs/ca-key.pem", "certs/server-key.pem", "config.yml")
    modes = sh("stat -c '%a %n' " + " ".join(f"/etc/docker-registry/registry/{name}" for name in files))
    assert [line.split()[0] for line in modes.splitlines()] == ["600"] * 4
    assert sh("cut -d: -f2 /etc/docker-registry/registry/auth/htpasswd").startswith("$2b$")


def test_push_after_login_then_info_shows_the_digest_docker_has(registry_host):
    inventory, sh = registry_host
    login = only(on_host(inventory, "registry_login", {"registry": ADDRESS, "username": "ci", "password": PASSWORD}))
    assert not login.failed, login.get("msg")
    assert login["changed"] is True and sh("stat -c %a /root/.docker/config.json").strip() == "600"
    reference = f"{ADDRESS}/team/busybox:1"
    assert not only(
        on_host(inventory, "image_tag", {"source": "dockyard-testbed/busybox:latest", "targets": [reference]})
    ).failed
    pushed = only(on_host(inventory, "image_push", {"name": reference}))  # credentials from config.json
    assert not pushed.failed, pushed.get("msg")
    info = only(on_host(inventory, "registry_info", {"registry": ADDRESS, "repository": "team/busybox", "tag": "1"}))
    assert not info.failed, info.get("msg")
    assert f"{ADDRESS}/team/busybox@{info['manifest']['digest']}" in sh(
        f"docker inspect -f '{{{{json .RepoDigests}}}}' {reference}"
    )


def test_a_changed_password_restarts_the_registry_with_it(registry_host):
    inventory, sh = registry_host
    before = sh("docker inspect -f '{{.Id}}' registry")
    changed = run_playbook(
        PLAYBOOK,
        inventory=inventory,
        extra_vars={**BASE, "registry_users": [{"name": "ci", "password": "second-Secret-pw"}]},
    )
    assert changed.returncode == 0, changed.stdout
    assert sh("docker inspect -f '{{.Id}}' registry") != before
    old = only(on_host(inventory, "registry_info", {"registry": ADDRESS, "username": "ci", "password": PASSWORD}))
    assert old.failed and "refused user 'ci'" in old["msg"]
    new = only(
        on_host(inventory, "registry_info", {"registry": ADDRESS, "username": "ci", "password": "second-Secret-pw"})
    )
    assert not new.failed, new.get("msg")
    back = run_playbook(PLAYBOOK, inventory=inventory, extra_vars=BASE)
    assert back.returncode == 0, back.stdout


def test_prune_then_garbage_collection_frees_the_blobs(registry_host):
    inventory, sh = registry_host
    auth = {"registry": ADDRESS, "username": "ci", "password": PASSWORD}
    reference = f"{ADDRESS}/gc/busybox:old"
    # A layer of its own (200 kB of noise), so that collecting it frees space.
    sh("docker run --name gc-image dockyard-testbed/busybox:latest sh -c 'head -c 200000 /dev/urandom > /noise'"
       f" && docker commit gc-image {reference} && docker rm gc-image")  # fmt: skip
    assert not only(
        on_host(inventory, "image_push", {"name": reference, "username": "ci", "password": PASSWORD})
    ).failed
    pruned = only(
        on_host(inventory, "registry_prune", {**auth, "repositories": ["gc/*"], "keep_last": 0, "protect": []})
    )
    assert not pruned.failed, pruned.get("msg")
    assert [d["tags"] for d in pruned["deleted"]] == [["old"]]
    collected = run_playbook(PLAYBOOK, inventory=inventory, extra_vars={**BASE, "registry_garbage_collect": True})
    assert collected.returncode == 0, collected.stdout
    freed = re.search(r"garbage collection on registry freed ([\d.]+) (\w+)", collected.stdout)
    assert freed and float(freed.group(1)) > 0 and freed.group(2) in ("KB", "MB"), collected.stdout
    assert "readonly" not in sh("cat /etc/docker-registry/registry/config.yml")
    assert recap(run_playbook(PLAYBOOK, inventory=inventory, extra_vars=BASE).stdout)["changed"] == 0


def test_bad_settings_fail_before_anything_is_touched(registry_host):
    inventory, _sh = registry_host
    failed = run_playbook(
        PLAYBOOK, inventory=inventory, extra_vars={**BASE, "registry_tls": "off", "registry_port": 70000}
    )
    assert failed.returncode != 0
    assert "registry_port: 70000 is not a port" in failed.stdout
    assert "registry_users needs TLS" in failed.stdout
    assert recap(failed.stdout)["changed"] == 0
