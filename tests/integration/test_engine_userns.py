"""docker_userns_remap (CIS 2.9) on a booted Debian 12 host over SSH: refused while the daemon holds data it would
no longer show, then turned on when the user says so: the daemon reports user namespaces, root in a container is
an unprivileged ID on the host (the uid map, a volume's file), a second run changes nothing and restarts nothing
(the data root the daemon reports under remapping is not taken for a move), the host check meets the point; and
turned off again, the images held before are there as they were."""

from __future__ import annotations

import pytest

from ansible_run import run_module
from engine_host import SITE, EngineHost

REMAP = {"docker_userns_remap": "default"}


@pytest.fixture(scope="module")
def engine_with_data(start_hosts, ssh_key, load_busybox):
    hosts, inventory = start_hosts("debian12", 1)
    host = EngineHost(hosts[0], inventory, ssh_key)
    proc, _counts = host.apply(playbook=SITE)
    assert proc.returncode == 0, proc.stdout
    load_busybox(inventory)
    return host


def image_ids(host: EngineHost) -> list[str]:
    return sorted(host.sh("docker images -q --no-trunc").split())


def test_turning_user_namespaces_on_over_data_is_refused_before_anything_changes(engine_with_data):
    host = engine_with_data
    pid, before = host.daemon_pid(), host.daemon_json()
    proc, _counts = host.apply(playbook=SITE, **REMAP)
    assert proc.returncode != 0
    assert "turns user namespaces on for" in proc.stdout and "docker_userns_remap_switch: true" in proc.stdout
    assert (host.daemon_pid(), host.daemon_json()) == (pid, before)


def test_turned_on_containers_run_as_unprivileged_ids_and_a_second_run_changes_nothing(engine_with_data, test_images):
    host = engine_with_data
    held = image_ids(host)
    proc, counts = host.apply(playbook=SITE, **REMAP, docker_userns_remap_switch=True)
    assert proc.returncode == 0, proc.stdout
    assert "root in a container is an unprivileged ID" in " ".join(proc.stderr.split())  # the warning
    info = host.info()
    assert "name=userns" in info["SecurityOptions"]
    remapped_root = info["DockerRootDir"]
    assert remapped_root.startswith("/var/lib/docker/") and remapped_root != "/var/lib/docker"
    assert image_ids(host) == []  # a store of its own: what was held is out of sight, not gone
    host.sh("docker load -i /tmp/busybox.tar >/dev/null")
    image = test_images["busybox"]
    uid_map = host.sh(f"docker run --rm {image} cat /proc/self/uid_map").split()
    assert uid_map[0] == "0" and int(uid_map[1]) >= 100000  # root inside is a high ID outside
    host.sh(f"docker run --rm -v userns-data:/data {image} touch /data/written")
    owner = host.sh(f"stat -c %u {remapped_root}/volumes/userns-data/_data/written").strip()
    assert owner == uid_map[1]
    checked = run_module("dockyard.docker.host_check", {"check_registries": False}, inventory=host.inventory,
                         hosts="all", become=True)  # fmt: skip
    assert "hardening.userns_remap" not in {f["id"] for f in next(iter(checked.values()))["findings"]}

    pid = host.daemon_pid()
    again, counts = host.apply(playbook=SITE, **REMAP)
    assert again.returncode == 0 and counts["changed"] == 0, again.stdout
    assert host.daemon_pid() == pid

    # Off again (confirmed, as the remapped store now holds an image and a volume): what was held before is back.
    off, _counts = host.apply(playbook=SITE)
    assert off.returncode != 0 and "docker_userns_remap: empty turns user namespaces off for" in off.stdout
    back, _counts = host.apply(playbook=SITE, docker_userns_remap_switch=True)
    assert back.returncode == 0, back.stdout
    assert "name=userns" not in host.info()["SecurityOptions"]
    assert image_ids(host) == held
