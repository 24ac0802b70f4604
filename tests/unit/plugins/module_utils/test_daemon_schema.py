"""daemon.json validation: every bad value named, before anything is written."""

from __future__ import annotations

import pytest

from ansible_collections.dockyard.docker.plugins.module_utils.daemon_schema import (
    flag_keys,
    needs_restart,
    normalize,
    problems,
    version_tuple,
)


def test_a_sound_configuration_has_no_problems():
    assert (
        problems(
            {
                "registry-mirrors": ["https://mirror.example.com", "http://10.0.0.5:5000/"],
                "insecure-registries": ["registry.local:5000", "10.0.0.0/8", "[fd00::1]:5000"],
                "data-root": "/srv/docker",
                "dns": ["9.9.9.9", "2620:fe::fe"],
                "log-driver": "json-file",
                "log-opts": {"max-size": "10m", "max-file": "3"},
                "live-restore": True,
                "hosts": ["fd://", "tcp://127.0.0.1:2375"],
            },
            "20.10.24+dfsg1",
        )
        == []
    )


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        (
            {"registry-mirrors": ["mirror.local"]},
            "registry-mirrors[0]: 'mirror.local' is not a URL; use https://mirror.local",
        ),
        ({"registry-mirrors": ["https://m.example.com/v2/"]}, "has a path"),
        ({"registry-mirrors": ["https://u:p@m.example.com"]}, "carries credentials"),
        ({"insecure-registries": ["10.0.0.0/33"]}, "insecure-registries[0]: '10.0.0.0/33' is not a valid CIDR"),
        ({"insecure-registries": ["http://reg:5000"]}, "must not have a scheme; write host:port, like reg:5000"),
        ({"insecure-registries": ["reg:99999"]}, "neither host[:port] nor a CIDR"),
        ({"data-root": "docker-data"}, "data-root: 'docker-data' is not an absolute path"),
        ({"dns": ["dns.google"]}, "dns[0]: 'dns.google' is not an IP address"),
        (
            {"registry-mirror": ["https://m"]},
            "registry-mirror: unknown daemon.json key; did you mean 'registry-mirrors'?",
        ),
        ({"live-restore": "yes"}, "live-restore: 'yes' must be true or false, not str"),
        ({"max-concurrent-downloads": True}, "max-concurrent-downloads: True must be a whole number"),
        ({"log-opts": {"max-size": ["10m"]}}, "log-opts.max-size: ['10m'] must be a string"),
        ({"log-level": "verbose"}, "log-level: 'verbose' is not one of debug, info, warn, error, fatal"),
        ({"hosts": ["0.0.0.0:2375"]}, "is not a daemon address"),
    ],
)
def test_each_bad_value_is_named_with_what_would_be_accepted(settings, expected):
    found = problems(normalize(settings), "26.1.5")
    assert any(expected in p for p in found), found


def test_keys_newer_than_the_engine_are_refused():
    assert problems({"default-network-opts": {}}, "20.10.24") == [
        "default-network-opts: needs Docker 24.0 or later; the installed engine is 20.10.24"
    ]
    assert problems({"default-network-opts": {}}, "26.1.5") == []
    assert problems({"default-network-opts": {}}, None) == []  # engine not installed yet


def test_a_public_tcp_listener_needs_client_certificates():
    found = problems({"hosts": ["fd://", "tcp://0.0.0.0:2375"]})
    assert len(found) == 1
    assert "tcp://0.0.0.0:2375" in found[0] and "tlsverify: true, tlscacert, tlscert, tlskey" in found[0]
    secured = {
        "hosts": ["fd://", "tcp://0.0.0.0:2376"],
        "tlsverify": True,
        "tlscacert": "/etc/docker/tls/ca.pem",
        "tlscert": "/etc/docker/tls/server-cert.pem",
        "tlskey": "/etc/docker/tls/server-key.pem",
    }
    assert problems(secured) == []


def test_log_opts_numbers_become_strings():
    assert normalize({"log-opts": {"max-file": 3, "compress": True}})["log-opts"] == {"max-file": "3", "compress": True}


def test_mirrors_and_insecure_registries_reload_but_dns_restarts():
    assert needs_restart(["registry-mirrors", "insecure-registries", "debug"]) is False
    assert needs_restart(["registry-mirrors", "dns"]) is True
    assert needs_restart(["some-future-key"]) is True


def test_version_tuple_reads_distribution_versions():
    assert version_tuple("20.10.24+dfsg1") == (20, 10, 24)
    assert version_tuple("26.1.5+dfsg1") == (26, 1, 5)
    assert version_tuple("27.3.1-1~debian.12~bookworm") == (27, 3, 1)


def test_flags_map_to_the_keys_they_set():
    argv = ["/usr/sbin/dockerd", "-H", "fd://", "--containerd=/run/containerd/containerd.sock", "--dns", "8.8.8.8",
            "--registry-mirror=https://m", "-g", "/data"]  # fmt: skip
    assert flag_keys(argv) == {
        "hosts": "-H",
        "containerd": "--containerd=/run/containerd/containerd.sock",
        "dns": "--dns",
        "registry-mirrors": "--registry-mirror=https://m",
        "data-root": "-g",
    }
