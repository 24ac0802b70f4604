"""daemon.json validation: every bad value named, before anything is written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ansible_collections.dockyard.docker.plugins.module_utils.daemon_schema import (
    KEYS,
    apply_verdict,
    changed_keys,
    drift,
    file_drift,
    flag_keys,
    insecure_everywhere,
    merged,
    needs_restart,
    normalize,
    problems,
    running_settings,
    version_tuple,
)
from ansible_collections.dockyard.docker.plugins.module_utils.values import log_options_problems


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
        (
            {"log-opts": {"max-size": "10"}},
            "log-opts.max-size: '10' has no unit, so Docker reads it as 10 bytes; did you mean '10m'?",
        ),
        ({"log-opts": {"max-size": 10}}, "did you mean '10m'?"),
        ({"log-opts": {"max-size": "512b"}}, "log-opts.max-size: '512b' is under 1024 bytes; did you mean '512m'?"),
        ({"log-opts": {"max-size": "ten megs"}}, "log-opts.max-size: 'ten megs' is not a size"),
        ({"log-opts": {"max-file": "0"}}, "log-opts.max-file: '0' is not a positive whole number of files"),
        ({"default-shm-size": "64"}, "default-shm-size: '64' has no unit"),
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


def test_sound_log_sizes_pass():
    assert log_options_problems({"max-size": "10m", "max-file": 3}, "log-opts") == []
    assert log_options_problems({"max-size": "1k", "max-file": "5"}, "log-opts") == []


def test_each_of_dockers_log_drivers_takes_only_its_own_options():
    remote = {"syslog-address": "udp://10.0.0.9:514", "tag": "{{.Name}}", "mode": "non-blocking"}
    assert log_options_problems(remote, "log-opts", "syslog") == []
    assert log_options_problems({"max-size": "10m", **remote}, "log-opts", "syslog") == [
        "log-opts.max-size: the syslog log driver takes no such option (it takes: env, env-regex, labels, "
        "labels-regex, syslog-address, syslog-facility, syslog-format, syslog-tls-ca-cert, syslog-tls-cert, "
        "syslog-tls-key, syslog-tls-skip-verify, tag)"
    ]
    assert log_options_problems({}, "log-opts", "gelf") == ["log-opts: the gelf log driver needs gelf-address"]
    assert log_options_problems({"max-size": "10m"}, "log-opts", "local") == []
    # A plugin's driver: its options are its own.
    assert log_options_problems({"anything": "x"}, "log-opts", "loki") == []


INFO = {
    "RegistryConfig": {
        "Mirrors": ["https://mirror.example.com/"],
        "InsecureRegistryCIDRs": ["10.0.0.0/8", "127.0.0.0/8"],
        "IndexConfigs": {"docker.io": {"Secure": True, "Official": True}, "reg.local:5000": {"Secure": False}},
    },
    "Labels": ["zone=a"],
    "Debug": False,
    "LiveRestoreEnabled": True,
    "DockerRootDir": "/var/lib/docker",
    "Driver": "overlay2",
    "LoggingDriver": "json-file",
    "DefaultRuntime": "runc",
}


def test_running_settings_read_docker_info_in_daemon_json_words():
    assert running_settings(INFO) == {
        "registry-mirrors": ["https://mirror.example.com/"],
        "insecure-registries": ["reg.local:5000", "10.0.0.0/8"],
        "labels": ["zone=a"],
        "debug": False,
        "live-restore": True,
        "data-root": "/var/lib/docker",
        "storage-driver": "overlay2",
        "log-driver": "json-file",
        "default-runtime": "runc",
    }


def test_drift_compares_with_defaults_for_keys_the_file_does_not_have():
    running = running_settings(INFO)
    asked = {"registry-mirrors": ["https://mirror.example.com"], "labels": ["zone=a"], "live-restore": True,
             "insecure-registries": ["10.0.0.0/8", "reg.local:5000"]}  # fmt: skip
    assert drift(asked, running) == []
    # The mirror removed from the file while the daemon still uses it; live-restore's default is off.
    assert drift({"insecure-registries": ["10.0.0.0/8", "reg.local:5000"], "labels": ["zone=a"]}, running) == [
        "live-restore",
        "registry-mirrors",
    ]


def test_file_drift_counts_a_daemons_own_defaults_only_when_the_file_sets_them(tmp_path: Path):
    running = running_settings(INFO)
    path = tmp_path / "daemon.json"
    path.write_text('{"insecure-registries": ["10.0.0.0/8", "reg.local:5000"], "labels": ["zone=a"]}')
    assert file_drift(str(path), running) == ["live-restore", "registry-mirrors"]
    assert file_drift(str(path), running, frozenset({"live-restore"})) == ["registry-mirrors"]
    path.write_text('{"live-restore": false, "registry-mirrors": ["https://mirror.example.com"], "labels": ["zone=a"]}')
    assert file_drift(str(path), running, frozenset({"live-restore"})) == ["insecure-registries", "live-restore"]
    path.write_text("[]")  # daemon_config names a broken file; drift has nothing to compare
    assert file_drift(str(path), running) == []


def test_a_removed_reloadable_key_is_written_empty_so_that_a_reload_clears_it():
    current = {"registry-mirrors": ["https://m.example.com"], "live-restore": True, "dns": ["9.9.9.9"]}
    config = merged(current, {"registry-mirrors": None, "live-restore": None, "dns": None}, {})
    assert config == {"registry-mirrors": [], "live-restore": False}
    assert apply_verdict(changed_keys(current, config), config, {}, []) == (
        "restart",
        ["dns", "live-restore", "registry-mirrors"],
        [],
    )
    # Without dns, a reload does it all.
    config = merged(current, {"registry-mirrors": None, "live-restore": None}, {})
    assert apply_verdict(changed_keys(current, config), config, {}, [])[0] == "reload"
    # Written empty once, it stays: a second run changes nothing.
    assert merged(config, {"registry-mirrors": None}, {"registry-mirrors": []}) == config
    # A key that never was anywhere stays out of the file.
    assert merged({}, {"registry-mirrors": None, "debug": None}, {}) == {}


def test_what_the_daemon_has_not_applied_is_applied_even_when_the_file_is_right():
    # An earlier reload could not clear the mirror: the file is written empty and reloaded.
    running = {"registry-mirrors": ["https://old.example.com/"]}
    config = merged({}, {"registry-mirrors": None}, running)
    assert config == {"registry-mirrors": []}
    assert apply_verdict(changed_keys({}, config), config, running, []) == (
        "reload",
        ["registry-mirrors"],
        ["registry-mirrors"],
    )
    # A restart held back by an earlier run is still owed.
    assert apply_verdict([], {"dns": ["9.9.9.9"]}, {}, ["dns"]) == ("restart", ["dns"], [])
    # Keys a reload resets when absent need no empty value and no restart.
    assert merged({"max-concurrent-downloads": 6}, {"max-concurrent-downloads": None}, {}) == {}
    assert needs_restart(["max-concurrent-downloads"], {}) is False


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


def test_the_readme_lists_the_keys_a_reload_applies_as_the_schema_declares_them():
    readme = (Path(__file__).resolve().parents[4] / "README.md").read_text()
    paragraph = readme.split("**Which changes restart the daemon.**", 1)[1].split("Every other", 1)[0]
    assert set(re.findall(r"`([a-z-]+)`", paragraph)) == {k for k, spec in KEYS.items() if spec.reloadable}


def test_insecure_registries_for_every_address_are_named():
    assert insecure_everywhere({"insecure-registries": ["10.0.0.0/8", "reg.lan:5000", "192.168.0.0/16"]}) == []
    found = insecure_everywhere({"insecure-registries": ["0.0.0.0/0", "::/0", "10.1.2.3/0"]})
    assert [reason.split(" trusts")[0] for reason in found] == [
        "insecure-registries: '0.0.0.0/0'",
        "insecure-registries: '::/0'",
        "insecure-registries: '10.1.2.3/0'",
    ]


def test_keys_an_engine_removed_are_refused_there_with_what_replaced_them():
    assert problems({"api-cors-header": "*"}, "27.5.1") == []
    (refused,) = problems({"api-cors-header": "*"}, "28.5.2+dfsg4")
    assert refused.startswith("api-cors-header: Docker 28.0 removed it (the installed engine is 28.5.2+dfsg4); put a")
    assert problems({"firewall-backend": "nftables"}, "28.5.2") == [
        "firewall-backend: needs Docker 29.0 or later; the installed engine is 28.5.2"
    ]
    assert problems({"firewall-backend": "pf"}, "29.0.0") == ["firewall-backend: 'pf' is not one of iptables, nftables"]
    assert log_options_problems({"fluentd-async-connect": "true"}, "log-opts") == [
        "log-opts.fluentd-async-connect: Docker 28 removed it; use fluentd-async (there since Docker 20.10)"
    ]
