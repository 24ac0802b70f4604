"""Container options as docker run writes them, and their comparison with what the daemon reports."""

from __future__ import annotations

import pytest

from ansible_collections.dockyard.docker.plugins.module_utils.container_compare import compare, modes
from ansible_collections.dockyard.docker.plugins.module_utils.container_spec import (
    desired,
    port_bindings,
    volumes,
)
from ansible_collections.dockyard.docker.plugins.module_utils.values import SpecError, byte_size, duration_ns


@pytest.mark.parametrize(
    ("spec", "bindings"),
    [
        ("80", [("80/tcp", "", "")]),
        ("8080:80", [("80/tcp", "", "8080")]),
        ("0.0.0.0:8080:80", [("80/tcp", "", "8080")]),
        ("127.0.0.1:8080:80", [("80/tcp", "127.0.0.1", "8080")]),
        ("127.0.0.1::80", [("80/tcp", "127.0.0.1", "")]),
        ("53:53/udp", [("53/udp", "", "53")]),
        ("[::1]:8080:80", [("80/tcp", "::1", "8080")]),
        ("8000-8001:80-81", [("80/tcp", "", "8000"), ("81/tcp", "", "8001")]),
        ("8000-8010:80", [("80/tcp", "", "8000-8010")]),
    ],
)
def test_port_specs_as_docker_run_reads_them(spec, bindings):
    assert port_bindings([spec]) == bindings


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("80:80:80:80", "is not [ip:][host_port:]container_port"),
        ("http", "container port 'http' is not a port"),
        ("0:80", "host port '0' is outside 1-65535"),
        ("80/icmp", "protocol 'icmp' is not one of tcp, udp, sctp"),
        ("300.0.0.1:80:80", "'300.0.0.1' is not an IP address"),
        ("8000-8002:80-81", "the host and container ranges differ in length"),
    ],
)
def test_bad_port_specs_are_named(spec, message):
    with pytest.raises(SpecError, match="ports: ") as raised:
        port_bindings([spec])
    assert message in str(raised.value)


def test_volumes_split_into_binds_and_anonymous():
    binds, anonymous = volumes(["/srv/app/:/app:ro", "data:/data:rw", "/cache", "/x:/y:ro,z"])
    assert binds == ["/srv/app:/app:ro", "/x:/y:ro,z", "data:/data"]
    assert anonymous == ["/cache"]


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("./data:/data", "neither an absolute host path nor a volume name"),
        ("data/sub:/data", "neither an absolute host path nor a volume name"),
        ("/data:relative", "the container path 'relative' must be absolute"),
        ("/a:/b:rx", "unknown option 'rx'"),
    ],
)
def test_bad_volumes_are_named(spec, message):
    with pytest.raises(SpecError, match=message):
        volumes([spec])


def test_sizes_and_durations():
    assert byte_size("512m", "memory") == 512 * 1024**2
    assert byte_size("1.5g", "memory") == int(1.5 * 1024**3)
    assert byte_size(1024, "memory") == 1024
    assert duration_ns("1m30s", "interval") == 90 * 10**9
    assert duration_ns("500ms", "interval") == 500 * 10**6
    with pytest.raises(SpecError, match="'soon' is not a duration"):
        duration_ns("soon", "healthcheck.interval")


def test_conflicting_options_are_refused():
    with pytest.raises(SpecError, match="restart_retries: only applies with restart_policy: on-failure"):
        desired({"restart_policy": "always", "restart_retries": 3})
    with pytest.raises(SpecError, match="memory_swap: '32m' is below memory '64m'"):
        desired({"memory": "64m", "memory_swap": "32m"})
    with pytest.raises(SpecError, match=r"comparisons\.env: 'loose' is not one of"):
        desired({"comparisons": {"env": "loose"}})


IMAGE = {
    "Id": "sha256:img",
    "Config": {
        "Env": ["PATH=/bin"],
        "Labels": {"from": "image"},
        "ExposedPorts": {"80/tcp": {}},
        "Volumes": {"/v": {}},
    },
}


def differences(want, image, held, rules):
    return compare(want, image, held, rules).differences


def container(**host_config):
    return {
        "Image": "sha256:img",
        "Config": {
            "Env": ["PATH=/bin", "A=1"],
            "Labels": {"from": "image", "tier": "web"},
            "ExposedPorts": {"80/tcp": {}, "9000/tcp": {}},
            "Volumes": {"/v": {}, "/anon": {}},
            "Cmd": ["sh"],
        },
        "HostConfig": {"RestartPolicy": {"Name": "always", "MaximumRetryCount": 0}, "LogConfig": {}, **host_config},
        "NetworkSettings": {"Networks": {}},
    }


def test_image_defaults_are_not_differences():
    want = desired(
        {
            "env": {"A": 1},
            "labels": {"tier": "web"},
            "expose": ["9000"],
            "volumes": ["/anon"],
            "restart_policy": "always",
        }
    )
    assert differences(want, IMAGE, container(), modes(None)) == []


def test_each_difference_says_how_it_is_mended():
    want = desired({"env": {"A": 2}, "restart_policy": "unless-stopped"})
    found = {d["option"]: d["how"] for d in differences(want, IMAGE, container(), modes(None))}
    assert found == {"env": "recreate", "restart_policy": "update"}


def test_comparison_rules_allow_more_and_ignore():
    want = desired({"env": {}, "labels": {"tier": "db"}})
    assert [d["option"] for d in differences(want, IMAGE, container(), modes(None))] == ["env", "labels"]
    rules = modes({"env": "allow_more", "labels": "ignore"})
    assert differences(want, IMAGE, container(), rules) == []
    assert differences(want, IMAGE, container(), modes({"*": "ignore"})) == []


def test_the_network_mode_network_counts_as_listed():
    want = desired({"network_mode": "bridge", "networks": [{"name": "backend", "aliases": ["api"]}]})
    assert [n["name"] for n in want["networks"]] == ["bridge", "backend"]
    only = desired({"networks": [{"name": "backend"}]})
    assert [n["name"] for n in only["networks"]] == ["backend"]


def test_secret_looking_env_values_are_masked_in_differences():
    want = desired({"env": {"A": "2", "DB_PASSWORD": "hunter2"}})
    [found] = differences(want, IMAGE, container(), modes(None))
    assert found["after"]["DB_PASSWORD"] == "********" and found["after"]["A"] == "2"
    assert "hunter2" not in repr(found)


def test_run_flags_as_docker_run_spells_them():
    want = desired({"ulimits": ["nproc=64", "nofile=1024:2048"], "devices": ["/dev/fuse", "/dev/null:/dev/x:r"],
                    "extra_hosts": {"db": "10.0.0.5", "gw": "host-gateway"}, "stop_signal": "term",
                    "security_opts": ["no-new-privileges:true", "label:disable"], "shm_size": "128m",
                    "dns": ["9.9.9.9"], "ipc_mode": "shareable", "pid_mode": "container:web"})  # fmt: skip
    assert want["ulimits"] == [
        {"Name": "nofile", "Soft": 1024, "Hard": 2048},
        {"Name": "nproc", "Soft": 64, "Hard": 64},
    ]
    assert want["devices"] == [
        {"PathOnHost": "/dev/fuse", "PathInContainer": "/dev/fuse", "CgroupPermissions": "rwm"},
        {"PathOnHost": "/dev/null", "PathInContainer": "/dev/x", "CgroupPermissions": "r"},
    ]
    assert want["extra_hosts"] == {"db": "10.0.0.5", "gw": "host-gateway"}
    assert want["stop_signal"] == "SIGTERM" and desired({"stop_signal": 9})["stop_signal"] == "SIGKILL"
    assert want["security_opts"] == ["label=disable", "no-new-privileges"]
    assert want["shm_size"] == 128 << 20


def test_run_flags_held_by_the_daemon_read_back_in_the_same_shape():
    held = container(
        Ulimits=[{"Name": "nproc", "Soft": 64, "Hard": 64}, {"Name": "nofile", "Soft": 1024, "Hard": 2048}],
        ExtraHosts=["gw:host-gateway", "db=10.0.0.5"],
        SecurityOpt=["no-new-privileges:true", "label=disable"],
        Devices=[{"PathOnHost": "/dev/fuse", "PathInContainer": "/dev/fuse", "CgroupPermissions": "rwm"}],
    )
    held["Config"]["StopSignal"] = "SIGTERM"
    want = desired(
        {
            "ulimits": ["nofile=1024:2048", "nproc=64"],
            "extra_hosts": {"db": "10.0.0.5", "gw": "host-gateway"},
            "security_opts": ["label=disable", "no-new-privileges"],
            "devices": ["/dev/fuse"],
            "stop_signal": "15",
        }
    )
    assert differences(want, IMAGE, held, modes(None)) == []
    changed = differences({**want, "stop_signal": "SIGINT"}, IMAGE, held, modes(None))
    assert changed == [{"option": "stop_signal", "before": "SIGTERM", "after": "SIGINT", "how": "recreate"}]


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"ulimits": ["nofile=2048:1024"]}, r"ulimits: 'nofile=2048:1024': the soft limit is above the hard one"),
        ({"ulimits": ["nofile"]}, r"ulimits: 'nofile' is not name=soft\[:hard\]"),
        ({"devices": ["fuse"]}, r"devices: 'fuse' is not /host/device"),
        ({"extra_hosts": {"db": "db.local"}}, r"extra_hosts\.db: 'db\.local' is not an IP address or host-gateway"),
        ({"dns": ["dns.google"]}, r"dns: 'dns\.google' is not an IP address"),
        ({"stop_signal": "SIG TERM"}, r"stop_signal: 'SIG TERM' is not a signal"),
        ({"security_opts": ["seccomp=/nonexistent.json"]}, r"cannot read the seccomp profile"),
        ({"security_opts": ["privileged"]}, r"security_opts: 'privileged' is not one of seccomp="),
        ({"pid_mode": "private"}, r"pid_mode: 'private' is not one of host or container:NAME"),
        ({"links": ["db:db"]}, r"links: \['db:db'\]: legacy links are not supported .* user-defined network"),
        ({"auto_remove": True, "restart_policy": "always"}, r"auto_remove: a container removed when it stops cannot"),
        ({"state": "completed", "auto_remove": True}, r"auto_remove: state completed keeps the container"),
        ({"state": "completed", "restart_policy": "always"}, r"restart_policy: a container restarted 'always' never"),
    ],
)
def test_bad_run_flags_are_named(given, message):
    with pytest.raises(SpecError, match=message):
        desired(given)
