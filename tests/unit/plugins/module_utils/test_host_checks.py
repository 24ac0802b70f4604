"""The host check's readings of files and answers, without a host: kernel configuration, mounts, listeners,
registries the daemon trusts, what a prune would reclaim, and the socket group cases."""

from __future__ import annotations

import os
import socket

import pytest

from ansible_collections.dockyard.docker.plugins.filter import check_report
from ansible_collections.dockyard.docker.plugins.module_utils import host_checks
from ansible_collections.dockyard.docker.plugins.module_utils.host_checks import (
    KERNEL_FEATURES,
    Host,
    exposed_without_tls,
    hosts_in_argv,
    is_insecure,
    missing_kernel_features,
    reclaimable,
    socket_access,
)


def test_kernel_features_built_in_or_as_modules_count_and_the_rest_are_named():
    config = "\n".join(f"CONFIG_{name}=y" for name in KERNEL_FEATURES if name not in ("VETH", "BRIDGE"))
    assert missing_kernel_features(config + "\nCONFIG_VETH=m\n# CONFIG_BRIDGE is not set\n") == ["BRIDGE"]


def test_the_advice_for_vfs_never_asks_for_overlay2_where_the_filesystem_cannot_hold_it():
    overlay_root = "22 1 0:21 / / rw - overlay overlay rw\n30 22 8:1 / /srv rw - ext4 /dev/sda1 rw\n"
    on_overlay = host_checks.driver_fix("/var/lib/docker", "vfs", overlay_root)
    assert on_overlay.startswith("a data root overlay2 can use (/ is overlay: overlay2 cannot stack on an overlay")
    assert (
        "docker_data_root on an ext4 or xfs (ftype=1) disk; the engine role moves the data and keeps vfs" in on_overlay
    )
    assert host_checks.driver_fix("/srv/docker", "vfs", overlay_root).startswith("docker_storage_driver: overlay2")


def test_tcp_listeners_without_client_certificates_are_named():
    argv = ["/usr/bin/dockerd", "-H", "fd://", "--host=tcp://0.0.0.0:2375", "-Htcp://127.0.0.1:2376"]
    hosts = hosts_in_argv(argv)
    assert hosts == ["fd://", "tcp://0.0.0.0:2375", "tcp://127.0.0.1:2376"]
    assert exposed_without_tls(hosts, {}) == ["tcp://0.0.0.0:2375"]
    assert exposed_without_tls(hosts, {"tlsverify": True}) == []


def test_a_registry_is_insecure_when_listed_or_in_an_insecure_network():
    indexes = {"reg.lan:5000": {"Secure": False}, "docker.io": {"Secure": True}}
    info = {"RegistryConfig": {"InsecureRegistryCIDRs": ["127.0.0.0/8", "10.0.0.0/8"], "IndexConfigs": indexes}}
    assert is_insecure("reg.lan:5000", info) and is_insecure("10.1.2.3:5000", info) and is_insecure("127.0.0.1", info)
    assert not is_insecure("192.0.2.7:5000", info) and not is_insecure("docker.io", info)


def test_what_a_prune_would_reclaim_counts_only_unused_things():
    usage = {
        "Images": [{"RepoTags": ["<none>:<none>"], "Containers": 0, "Size": 10},
                   {"RepoTags": [], "Containers": 1, "Size": 99}, {"RepoTags": ["app:1"], "Containers": 0, "Size": 7}],
        "Containers": [{"State": "exited", "SizeRw": 3}, {"State": "running", "SizeRw": 50}],
        "BuildCache": [{"InUse": False, "Size": 4}, {"InUse": True, "Size": 40}],
    }  # fmt: skip
    assert reclaimable(usage) == {"dangling images": (1, 10), "stopped containers": (1, 3), "build cache": (1, 4)}


@pytest.fixture
def sock(tmp_path):
    path = tmp_path / "docker.sock"
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    yield path
    server.close()


class Account:
    pw_name, pw_uid, pw_gid = "carol", 4242, 4242


class Group:
    def __init__(self, members):
        self.gr_name, self.gr_gid, self.gr_mem = "docker", os.getgid(), members


@pytest.mark.parametrize(
    ("members", "uid", "groups", "expected"),
    [([], 0, [], ["daemon.socket_not_in_group"]),
     (["carol"], 4242, [], ["daemon.socket_log_in_again"]),  # in /etc/group, not in this session's groups
     (["carol"], 4242, [os.getgid()], []),
     (["carol"], 0, [], [])],  # root checks the group file only
)  # fmt: skip
def test_socket_access_tells_not_in_the_group_from_log_in_again(monkeypatch, sock, members, uid, groups, expected):
    os.chmod(sock, 0o660)
    monkeypatch.setattr(host_checks.pwd, "getpwnam", lambda name: Account())
    monkeypatch.setattr(host_checks.grp, "getgrgid", lambda gid: Group(members))
    monkeypatch.setattr(host_checks.os, "getuid", lambda: uid)
    monkeypatch.setattr(host_checks.os, "getgroups", lambda: groups)
    found = socket_access(Host(str(sock), "/nonexistent", {"user": "carol"}))
    assert [f["id"] for f in found] == expected


def test_a_world_writable_socket_is_an_error(sock):
    os.chmod(sock, 0o666)
    found = socket_access(Host(str(sock), "/nonexistent", {"user": "root"}))
    assert [(f["id"], f["severity"]) for f in found] == [("security.socket_world_writable", "error")]


SWAP = {"id": "kernel.swap_limit", "severity": "warning", "seen": "no swap limit", "fix": "docker_swap_accounting"}
DOWN = {"id": "daemon.not_running", "severity": "error", "seen": "no answer", "fix": "systemctl start docker"}
FLEET = {"web2": [SWAP], "web1": [DOWN, SWAP]}


def test_reports_put_errors_first_and_show_the_fleet_by_host():
    assert check_report.finding_lines(list(reversed(FLEET["web1"]))) == [
        "ERROR daemon.not_running: no answer -> systemctl start docker",
        "WARNING kernel.swap_limit: no swap limit -> docker_swap_accounting",
    ]
    assert check_report.finding_lines([]) == ["healthy: nothing found"]
    assert check_report.fleet_table(FLEET) == [
        "finding            | web1 | web2",
        "daemon.not_running |  E   |  .  ",
        "kernel.swap_limit  |  W   |  W  ",
        "errors/warnings    | 1/1  | 0/1 ",
    ]
    markdown = check_report.fleet_markdown(FLEET)
    assert "| `daemon.not_running` | E |  |" in markdown
    assert "## web1\n\n- **error** `daemon.not_running`: no answer. Fix: systemctl start docker" in markdown


@pytest.mark.parametrize(
    ("fstype", "driver", "found"),
    [("nfs4", "overlay2", "NFS cannot hold overlay2's layers"), ("overlay", "overlay2", "overlay2 cannot stack"),
     ("overlay", "vfs", None), ("ext4", "overlay2", None)],
)  # fmt: skip
def test_the_data_roots_filesystem_is_judged_by_the_rule_the_engine_role_uses(
    monkeypatch, tmp_path, fstype, driver, found
):
    mountinfo = f"22 1 0:21 / / rw - ext4 /dev/sda1 rw\n30 22 0:40 / {tmp_path} rw - {fstype} server:/x rw\n"
    real_read = host_checks._read
    monkeypatch.setattr(host_checks, "_read", lambda path: mountinfo if path.endswith("mountinfo") else real_read(path))
    params = {"min_free_percent": 0, "min_free_inodes_percent": 0}
    host = Host("/nonexistent", "/nonexistent", params, info={"DockerRootDir": str(tmp_path), "Driver": driver})
    findings = [f for f in host_checks.storage_checks(host) if f["id"] == "storage.filesystem"]
    if found is None:
        assert findings == []
    else:
        (finding,) = findings
        assert finding["severity"] == "error" and found in finding["seen"] and "docker_data_root" in finding["fix"]


@pytest.mark.parametrize(
    ("driver_status", "seen"),
    [([["driver-type", "io.containerd.snapshotter.v1"]], "images are in containerd's image store under"),
     ([["Backing Filesystem", "extfs"]], "images, containers and volumes are under the data root /srv/docker")],
)  # fmt: skip
def test_the_image_store_in_use_and_where_its_data_lives_are_reported(driver_status, seen):
    params = {"min_free_percent": 0, "min_free_inodes_percent": 0}
    info = {"DockerRootDir": "/srv/docker", "Driver": "overlay2", "DriverStatus": driver_status}
    found = host_checks.storage_checks(Host("/x", "/x", params, info=info))
    (store,) = [f for f in found if f["id"] == "storage.image_store"]
    assert store["severity"] == "info" and seen in store["seen"] and "/srv/docker" in store["seen"]
