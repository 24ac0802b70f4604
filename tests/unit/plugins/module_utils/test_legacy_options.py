"""dockerd flags from old option files (DOCKER_OPTS, OPTIONS, other_args) in daemon.json's words."""

from __future__ import annotations

import shlex

from ansible_collections.dockyard.docker.plugins.module_utils.legacy_options import (
    MIGRATED,
    data_root,
    read_all,
    read_file,
    translate,
)


def test_the_flags_the_field_notes_use_become_daemon_json_settings():
    argv = shlex.split(
        "--insecure-registry 10.0.0.5:5000 --insecure-registry=registry.local --registry-mirror https://m.example.com "
        "-g /data/docker --dns 8.8.8.8 --dns=1.1.1.1 --log-opt max-size=10m --log-opt max-file=3 "
        "-H fd:// -H unix:///var/run/docker.sock --live-restore --icc=false -s overlay2 --mtu 1400"
    )
    translation = translate(argv)
    assert translation.settings == {
        "insecure-registries": ["10.0.0.5:5000", "registry.local"],
        "registry-mirrors": ["https://m.example.com"],
        "data-root": "/data/docker",
        "dns": ["8.8.8.8", "1.1.1.1"],
        "log-opts": {"max-size": "10m", "max-file": "3"},
        "live-restore": True,
        "icc": False,
        "storage-driver": "overlay2",
        "mtu": 1400,
    }
    assert translation.kept == []


def test_a_plain_tcp_listener_and_unknown_flags_stay_flags_with_the_reason():
    translation = translate(["-H", "tcp://0.0.0.0:2375", "--default-ulimit", "nofile=1024:2048", "--bogus"])
    assert translation.settings == {}
    assert translation.kept == [
        ("-H tcp://0.0.0.0:2375", "the remote API needs TLS here: set docker_tls_listen and its certificates"),
        ("--default-ulimit nofile=1024:2048", "no daemon.json form the role writes"),
        ("--bogus", "no daemon.json form the role writes"),
    ]


DEFAULT_DOCKER = """\
# Docker Upstart and SysVinit configuration file
#DOCKER_OPTS="--dns 8.8.8.8 --dns 8.8.4.4"
export DOCKER_OPTS="--insecure-registry 10.0.0.5:5000 -H tcp://0.0.0.0:2375"
"""


def test_a_live_line_is_replaced_by_its_record_and_what_stays_a_flag():
    found = read_file("/etc/default/docker", DEFAULT_DOCKER, ("DOCKER_OPTS",))
    assert found.settings == {"insecure-registries": ["10.0.0.5:5000"]}
    line = 'export DOCKER_OPTS="--insecure-registry 10.0.0.5:5000 -H tcp://0.0.0.0:2375"'
    assert found.migrate == [{
        "path": "/etc/default/docker",
        "line": line,
        "replacement": f"{MIGRATED} {line}\nDOCKER_OPTS='-H tcp://0.0.0.0:2375'",
    }]  # fmt: skip
    assert [flag for flag, _why in found.kept] == ["/etc/default/docker DOCKER_OPTS: -H tcp://0.0.0.0:2375"]


def test_after_the_move_the_record_keeps_the_settings_and_nothing_is_left_to_move():
    found = read_file("/etc/default/docker", DEFAULT_DOCKER, ("DOCKER_OPTS",))
    after = DEFAULT_DOCKER.replace(found.migrate[0]["line"], found.migrate[0]["replacement"])
    again = read_file("/etc/default/docker", after, ("DOCKER_OPTS",))
    assert again.settings == {"insecure-registries": ["10.0.0.5:5000"]}
    assert again.migrate == []


def test_sysconfig_other_args_and_options_are_read_and_a_later_line_wins(tmp_path):
    (tmp_path / "etc/sysconfig").mkdir(parents=True)
    (tmp_path / "etc/sysconfig/docker").write_text(
        "OPTIONS='--selinux-enabled --log-driver=journald'\nother_args=\"-g /srv/docker\"\nunrelated=--dns 9.9.9.9\n"
    )
    found = read_all(str(tmp_path))
    assert found.settings == {"selinux-enabled": True, "log-driver": "journald", "data-root": "/srv/docker"}
    assert [entry["line"] for entry in found.migrate] == [
        "OPTIONS='--selinux-enabled --log-driver=journald'",
        'other_args="-g /srv/docker"',
    ]
    assert all("\n" not in entry["replacement"] for entry in found.migrate)  # nothing stays a flag


def test_a_line_with_nothing_to_carry_over_is_left_alone():
    found = read_file("/etc/default/docker", "DOCKER_OPTS='-H tcp://0.0.0.0:2375'\n", ("DOCKER_OPTS",))
    assert found.migrate == [] and found.settings == {}


def test_the_data_root_is_the_one_asked_else_an_old_option_files_else_dockers_default():
    old = read_file("/etc/default/docker", 'DOCKER_OPTS="-g /srv/docker-old"\n', ("DOCKER_OPTS",)).settings
    assert data_root("/data/docker", old) == "/data/docker"
    assert data_root("", old) == data_root(None, old) == "/srv/docker-old"
    assert data_root("", {}) == "/var/lib/docker"
