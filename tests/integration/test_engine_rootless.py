"""docker_rootless_users on a booted Debian 12 host over SSH: two users get rootless Docker from the
role (one with subordinate ID ranges from useradd, one without any), their daemons run containers in
their own user namespaces with the role's settings, and a second run changes nothing.

The host is a container: it lacks the /dev/net/tun device a real server has (slirp4netns needs it), so
the test makes it first. Everything else is what the role does on any Debian host."""

from __future__ import annotations

import subprocess

import pytest

from engine_host import EngineHost, boot_engine_host

USERS = ["alice", "bob"]


@pytest.fixture(scope="module")
def host(start_hosts, ssh_key) -> EngineHost:
    host = boot_engine_host(start_hosts, ssh_key, converge=False)
    host.make_tun()
    host.sh("useradd -m -s /bin/sh alice && useradd -m -s /bin/sh bob && sed -i '/^bob:/d' /etc/subuid /etc/subgid")
    return host


def test_check_mode_on_a_fresh_host_predicts_and_touches_nothing(host):
    proc, counts = host.apply(check=True, docker_rootless_users=USERS)
    assert proc.returncode == 0, proc.stdout
    assert counts["changed"] >= 1
    assert host.sh("ls /var/lib/systemd/linger 2>/dev/null; ls /home/alice/.config 2>/dev/null; grep -c bob /etc/subuid"
                   " || true").split() == ["0"]  # fmt: skip


@pytest.mark.parametrize(
    ("users", "message"),
    [(["root"], "docker_rootless_users: root runs the system daemon"),
     (["alice", "nobody-here"], 'docker_rootless_users: ["nobody-here"] do not exist on')],
    ids=["root", "missing"],
)  # fmt: skip
def test_bad_users_are_named_before_anything_is_touched(host, users, message):
    proc, counts = host.apply(docker_rootless_users=users)
    assert proc.returncode != 0 and message in proc.stdout, proc.stdout
    assert counts["changed"] == 0


def test_each_user_gets_a_rootless_daemon_with_the_roles_settings(host, busybox_archive):
    proc, _counts = host.apply(docker_rootless_users=USERS)
    assert proc.returncode == 0, proc.stdout
    ranges = {}
    for user in USERS:
        info = host.rootless_info(user)
        assert "name=rootless" in info["SecurityOptions"]
        assert info["DockerRootDir"] == f"/home/{user}/.local/share/docker"
        assert info["RegistryConfig"]["Mirrors"] == ["https://mirror.example.com/"]
        assert host.sh(f"test -e /var/lib/systemd/linger/{user} && echo lingering").strip() == "lingering"
        ranges[user] = host.sh(f"grep ^{user}: /etc/subuid").strip()
    # bob had no range: his does not overlap alice's.
    assert ranges["bob"].split(":")[1] == str(int(ranges["alice"].split(":")[1]) + 65536), ranges
    # A container of alice's: root inside is alice outside, and other IDs come from her range.
    subprocess.run(["docker", "cp", str(busybox_archive), f"{host.host.container_id}:/srv/busybox.tar"], check=True)
    host.sh("chmod 644 /srv/busybox.tar")
    host.as_user("alice", "docker load -i /srv/busybox.tar")
    uid_map = host.as_user("alice", "docker run --rm dockyard-testbed/busybox cat /proc/self/uid_map").split()
    alice_uid = host.sh("id -u alice").strip()
    assert uid_map[:3] == ["0", alice_uid, "1"], uid_map
    assert uid_map[4] == ranges["alice"].split(":")[1], uid_map


def test_a_second_run_changes_nothing_and_a_changed_setting_restarts_only_the_users_daemons(host):
    again, counts = host.apply(docker_rootless_users=USERS)
    assert again.returncode == 0 and counts["changed"] == 0, again.stdout
    system_pid = host.daemon_pid()
    changed, _counts = host.apply(docker_rootless_users=USERS, docker_registry_mirrors=["https://other.example.com"])
    assert changed.returncode == 0, changed.stdout
    for user in USERS:
        assert host.rootless_info(user)["RegistryConfig"]["Mirrors"] == ["https://other.example.com/"]
    again, counts = host.apply(docker_rootless_users=USERS, docker_registry_mirrors=["https://other.example.com"])
    assert again.returncode == 0 and counts["changed"] == 0, again.stdout
    assert host.daemon_pid() == system_pid  # the system daemon reloads mirrors without a restart
