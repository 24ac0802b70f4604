"""Where distributions hide dockerd flags."""

from __future__ import annotations

from ansible_collections.dockyard.docker.plugins.module_utils.service_flags import (
    option_file_flags,
    parse_exec_start,
    parse_option_file,
)


def test_exec_start_from_systemctl_show():
    out = (
        "ExecStart={ path=/usr/sbin/dockerd ; argv[]=/usr/sbin/dockerd -H fd:// $DOCKER_OPTS ; "
        "ignore_errors=no ; start_time=[n/a] ; stop_time=[n/a] ; pid=0 ; code=(null) ; status=0/0 }\n"
    )
    assert parse_exec_start(out) == ["/usr/sbin/dockerd", "-H", "fd://", "$DOCKER_OPTS"]
    assert parse_exec_start("ExecStart=\n") == []


def test_option_files_as_the_field_notes_wrote_them():
    debian = '# Use DOCKER_OPTS to modify the daemon startup options.\n#DOCKER_OPTS="--dns 8.8.8.8"\n'
    assert parse_option_file(debian, ("DOCKER_OPTS",)) == []
    set_up = 'DOCKER_OPTS="--registry-mirror=https://m.example -g /data"\n'
    assert parse_option_file(set_up, ("DOCKER_OPTS",)) == ["--registry-mirror=https://m.example", "-g", "/data"]
    centos = "other_args='--insecure-registry 10.0.0.5:5000'\nOPTIONS=--selinux-enabled\n"
    assert parse_option_file(centos, ("OPTIONS", "other_args")) == [
        "--insecure-registry", "10.0.0.5:5000", "--selinux-enabled",
    ]  # fmt: skip
    assert parse_option_file('export EXTRA_ARGS="--dns 1.1.1.1"', ("EXTRA_ARGS",)) == ["--dns", "1.1.1.1"]


def test_option_files_are_found_under_a_root(tmp_path):
    (tmp_path / "etc/default").mkdir(parents=True)
    (tmp_path / "etc/default/docker").write_text('DOCKER_OPTS="--dns 8.8.8.8"\n')
    assert option_file_flags(str(tmp_path)) == [("/etc/default/docker", ["--dns", "8.8.8.8"])]
