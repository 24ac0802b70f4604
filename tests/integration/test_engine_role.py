"""The engine role on a booted Debian 12 host over SSH: converge, re-run, change, refuse, roll back."""

from __future__ import annotations

import base64
import json

import pytest
import yaml

from ansible_run import ROOT, run_module, run_playbook
from engine_host import SITE, EngineHost
from testbed.tls_daemon import make_certs


@pytest.fixture(scope="module")
def engine(start_hosts, ssh_key):
    hosts, inventory = start_hosts("debian12", 1)
    engine = EngineHost(hosts[0], inventory, ssh_key)
    proc, counts = engine.apply()
    assert proc.returncode == 0, proc.stdout
    assert counts["changed"] > 0
    return engine


@pytest.fixture
def converged(engine):
    """The host back at BASE settings, daemon running, whatever the previous test did."""
    if engine.dirty:
        proc, _unused = engine.apply()
        assert proc.returncode == 0, proc.stdout
        engine.dirty = False
    return engine


@pytest.mark.smoke
def test_first_run_installs_and_configures_without_a_restart(engine):
    # The configuration is written before the package is installed: one start, with it.
    assert engine.daemon_starts() == 1
    config = json.loads(engine.daemon_json())
    assert config["registry-mirrors"] == ["https://mirror.example.com"]
    assert config["log-opts"] == {"max-size": "10m", "max-file": "3"}
    info = run_module("dockyard.docker.host_info", inventory=engine.inventory, hosts="all", become=True)
    host = next(iter(info.values()))["host"]
    assert host["registry_mirrors"] == ["https://mirror.example.com/"]
    assert host["insecure_registries"] == ["registry.internal:5000"]


@pytest.mark.smoke
def test_second_run_changes_nothing_and_restarts_nothing(converged):
    pid, starts = converged.daemon_pid(), converged.daemon_starts()
    proc, counts = converged.apply()
    assert proc.returncode == 0, proc.stdout
    assert counts["changed"] == 0, proc.stdout
    assert converged.daemon_pid() == pid
    assert converged.daemon_starts() == starts


@pytest.mark.smoke
def test_the_check_playbook_diagnoses_the_converged_host_and_changes_nothing(converged):
    # In the matrix's smoke slice so that check.yml, like site.yml, runs on every ansible-core version (and run_playbook
    # refuses a deprecation warning on each).
    proc = run_playbook(ROOT / "playbooks/check.yml", inventory=converged.inventory,
                        extra_vars={"check_hosts": "all", "check_timeout": 2})  # fmt: skip
    assert proc.returncode == 0, proc.stdout
    assert "errors/warnings" in proc.stdout
    assert "changed=0" in proc.stdout


def test_check_mode_predicts_the_change_and_writes_nothing(converged):
    before, pid = converged.daemon_json(), converged.daemon_pid()
    proc, counts = converged.apply(check=True, docker_dns=["1.1.1.1"])
    assert proc.returncode == 0, proc.stdout
    assert counts["changed"] >= 1
    assert converged.daemon_json() == before
    assert converged.daemon_pid() == pid


def test_changing_one_setting_restarts_the_daemon_exactly_once(converged):
    starts = converged.daemon_starts()
    proc, counts = converged.apply(docker_dns=["1.1.1.1"], docker_log_options={"max-size": "50m"})
    assert proc.returncode == 0, proc.stdout
    assert converged.daemon_starts() == starts + 1
    assert json.loads(converged.daemon_json())["dns"] == ["1.1.1.1"]
    _again, counts = converged.apply(docker_dns=["1.1.1.1"], docker_log_options={"max-size": "50m"})
    assert counts["changed"] == 0
    assert converged.daemon_starts() == starts + 1


def test_changing_registry_mirrors_reloads_without_a_restart(converged):
    pid, starts = converged.daemon_pid(), converged.daemon_starts()
    proc, _unused = converged.apply(docker_registry_mirrors=["https://other-mirror.example.com"])
    assert proc.returncode == 0, proc.stdout
    assert converged.daemon_pid() == pid
    assert converged.daemon_starts() == starts
    info = run_module("dockyard.docker.host_info", inventory=converged.inventory, hosts="all", become=True)
    assert next(iter(info.values()))["host"]["registry_mirrors"] == ["https://other-mirror.example.com/"]


@pytest.mark.parametrize(
    ("settings", "named"),
    [
        ({"docker_registry_mirrors": ["mirror.local"]}, "'mirror.local' is not a URL; use https://mirror.local"),
        ({"docker_insecure_registries": ["10.0.0.0/33"]}, "'10.0.0.0/33' is not a valid CIDR"),
        ({"docker_data_root": "docker-data"}, "'docker-data' is not an absolute path"),
        ({"docker_daemon_options": {"registry-mirror": ["https://m.example.com"]}}, "did you mean 'registry-mirrors'"),
        ({"docker_daemon_options": {"max-concurrent-downloads": "3"}},
         "max-concurrent-downloads: '3' must be a whole number"),
        ({"docker_daemon_options": {"hosts": ["unix:///var/run/docker.sock"]}}, "also set by the flag '-H'"),
        ({"docker_registry_ca_certs": {"registry.internal:5000": "not a pem"}},
         'docker_registry_ca_certs["registry.internal:5000"]'),
        ({"docker_proxy_http": "proxy.internal:3128"}, "docker_proxy_http"),
        ({"docker_users": ["nobody-here"]}, '["nobody-here"] do not exist'),
        ({"docker_daemon_options": {"log-opts": {"max-size": 10}}},
         "log-opts.max-size: '10' has no unit, so Docker reads it as 10 bytes; did you mean '10m'?"),
        ({"docker_log_options": {"max-size": "512b"}}, "docker_log_options.max-size: '512b' is under 1024 bytes"),
        ({"docker_registry_mirror": ["https://m.example.com"], "docker_strict_variables": True},
         "docker_registry_mirror: not a variable of dockyard.docker.engine, so it changes nothing; "
         "did you mean docker_registry_mirrors?"),
        ({"docker_daemon_restart": "sometimes"}, "docker_daemon_restart"),
    ],
    ids=["mirror-not-url", "bad-cidr", "relative-data-root", "unknown-key", "wrong-type", "hosts-conflict",
         "ca-not-pem", "proxy-not-url", "missing-user", "log-size-without-unit", "log-size-tiny",
         "misspelt-variable-strict", "restart-policy"],
)  # fmt: skip
def test_bad_input_fails_before_anything_is_written(converged, settings, named):
    before, pid = converged.daemon_json(), converged.daemon_pid()
    proc, counts = converged.apply(**settings)
    assert proc.returncode != 0
    assert named in proc.stdout, proc.stdout
    assert counts["changed"] == 0
    assert converged.daemon_json() == before
    assert converged.daemon_pid() == pid


def test_a_restart_beside_a_bad_value_restarts_nothing(converged, load_busybox):
    """A change that needs a restart (dns) and a bad proxy in the same run: the restart never happens, and the
    running container keeps running."""
    load_busybox(converged.inventory)
    converged.sh("docker rm -f keeps-running >/dev/null 2>&1; docker run -d --name keeps-running "
                 "dockyard-testbed/busybox sleep 3600")  # fmt: skip
    before, pid = converged.daemon_json(), converged.daemon_pid()
    started = converged.sh("docker inspect -f '{{.State.StartedAt}}' keeps-running")
    proc, counts = converged.apply(docker_dns=["1.1.1.1"], docker_proxy_http="proxy.internal:3128")
    assert proc.returncode != 0 and counts["changed"] == 0
    assert "docker_proxy_http: is not a URL" in proc.stdout, proc.stdout
    assert (converged.daemon_json(), converged.daemon_pid()) == (before, pid)
    assert converged.sh("docker inspect -f '{{.State.StartedAt}}' keeps-running") == started
    converged.sh("docker rm -f keeps-running")


def test_a_setting_the_daemon_refuses_is_rolled_back_and_the_daemon_keeps_running(converged):
    before = converged.daemon_json()
    proc, _unused = converged.apply(docker_storage_driver="zfs")
    assert proc.returncode != 0
    assert "previous daemon.json was restored" in proc.stdout
    assert "error initializing graphdriver" in proc.stdout  # the daemon's own words
    assert converged.daemon_json() == before
    assert converged.sh("docker version --format '{{.Server.Version}}'").startswith("20.10")


def test_registry_ca_certificate_is_trusted_without_a_restart(converged, tmp_path):
    pem = (make_certs(tmp_path / "ca") / "ca.pem").read_text()
    pid = converged.daemon_pid()
    proc, _unused = converged.apply(docker_registry_ca_certs={"registry.internal:5000": pem})
    assert proc.returncode == 0, proc.stdout
    assert converged.sh("cat /etc/docker/certs.d/registry.internal:5000/ca.crt").strip() == pem.strip()
    assert converged.daemon_pid() == pid


def test_proxy_goes_to_a_private_drop_in_and_restarts_once(converged):
    starts = converged.daemon_starts()
    proxy = {"docker_proxy_http": "http://user:secret@proxy.internal:3128", "docker_proxy_no_proxy": "localhost"}
    proc, _unused = converged.apply(**proxy)
    assert proc.returncode == 0, proc.stdout
    assert "secret" not in proc.stdout
    dropin = "/etc/systemd/system/docker.service.d/http-proxy.conf"
    assert converged.sh(f"stat -c %a {dropin}").strip() == "600"
    assert "HTTP_PROXY=http://user:secret@proxy.internal:3128" in converged.sh("systemctl show docker -p Environment")
    assert converged.daemon_starts() == starts + 1


def test_users_join_the_docker_group_and_reach_the_daemon_in_a_new_session(converged):
    proc, _unused = converged.apply(docker_users=["dockyard"])
    assert proc.returncode == 0, proc.stdout
    # A new SSH session of the user (not sudo) talks to the daemon: the membership applies.
    result = run_module("dockyard.docker.host_info", inventory=converged.inventory, hosts="all")
    assert next(iter(result.values()))["can_talk_to_docker"] is True


def test_a_user_taken_off_the_list_is_warned_about_and_removed_only_with_users_exclusive(converged):
    setup, _counts = converged.apply(docker_users=["dockyard"])
    assert setup.returncode == 0, setup.stdout
    converged.sh("id olduser >/dev/null 2>&1 || useradd --create-home olduser; usermod -aG docker olduser")
    kept, counts = converged.apply(docker_users=["dockyard"])
    assert kept.returncode == 0 and counts["changed"] == 0, kept.stdout
    said = " ".join((kept.stdout + kept.stderr).split())  # warnings go to stderr, wrapped over lines
    assert "the docker group also has olduser, which docker_users does not list" in said, kept.stdout
    assert "olduser" in converged.sh("getent group docker")
    removed, counts = converged.apply(docker_users=["dockyard"], docker_users_exclusive=True)
    assert removed.returncode == 0 and counts["changed"] == 1, removed.stdout
    members = converged.sh("getent group docker").strip().split(":")[3].split(",")
    assert "olduser" not in members and "dockyard" in members
    again, counts = converged.apply(docker_users=["dockyard"], docker_users_exclusive=True)
    assert again.returncode == 0 and counts["changed"] == 0, again.stdout


def test_remote_api_is_served_only_with_tls_and_client_certificates(converged, tmp_path):
    certs = make_certs(tmp_path / "api", name="api", addresses=(converged.host.address,))
    tls = {
        "docker_tls_listen": "0.0.0.0:2376",
        "docker_tls_ca_cert": (certs / "ca.pem").read_text(),
        "docker_tls_server_cert": (certs / "server-cert.pem").read_text(),
        "docker_tls_server_key": (certs / "server-key.pem").read_text(),
    }
    starts = converged.daemon_starts()
    proc, _counts = converged.apply(**tls)
    assert proc.returncode == 0, proc.stdout
    assert "PRIVATE KEY" not in proc.stdout
    assert converged.daemon_starts() == starts + 1
    assert converged.sh("stat -c %a /etc/docker/tls/server-key.pem").strip() == "600"
    # The vendor unit is untouched; the role's drop-in replaces its command line.
    assert "-H fd://" in converged.sh("cat /lib/systemd/system/docker.service")
    url = f"tcp://{converged.host.address}:2376"
    with_certs = run_module("dockyard.docker.host_info", {"docker_host": url, "validate_certs": True,
                                                          "cert_path": str(certs / "client")})["localhost"]  # fmt: skip
    assert with_certs["can_talk_to_docker"] is True, with_certs
    without = run_module("dockyard.docker.host_info", {"docker_host": url})["localhost"]
    assert without.failed and "expects TLS" in without["msg"]
    # The local socket still answers (fd:// stays in daemon.json), and a re-run changes nothing.
    assert converged.sh("docker version --format '{{.Server.Version}}'").startswith("20.10")
    proc, counts = converged.apply(**tls)
    assert counts["changed"] == 0, proc.stdout
    # Clearing docker_tls_listen gives the unit its -H flag back and takes the hosts out of daemon.json.
    proc, _counts = converged.apply()
    assert proc.returncode == 0, proc.stdout
    assert "hosts" not in json.loads(converged.daemon_json())
    assert converged.sh("docker version --format '{{.Server.Version}}'").startswith("20.10")


def test_a_public_listener_without_tls_is_refused(converged):
    before = converged.daemon_json()
    proc, _counts = converged.apply(docker_daemon_options={"hosts": ["fd://", "tcp://0.0.0.0:2375"]})
    assert proc.returncode != 0
    assert "exposes the Docker API on the network without client certificates" in proc.stdout
    assert converged.daemon_json() == before


def test_swap_accounting_is_left_alone_on_a_kernel_that_accounts_swap(converged):
    # This machine's kernel accounts swap (cgroup v1 memsw files); nothing to do, nothing touched.
    assert converged.sh("test -e /sys/fs/cgroup/memory/memory.memsw.limit_in_bytes && echo yes").strip() == "yes"
    proc, counts = converged.apply(docker_swap_accounting=True)
    assert counts["changed"] == 0, proc.stdout


def test_swap_accounting_edits_grub_and_flags_a_reboot_with_a_stand_in_update_grub(converged):
    """A container has no boot loader: /etc/default/grub is written here and update-grub is a stand-in
    that records its calls. The kernel is made to look as if it lacked swap accounting."""
    lacking = {"docker_swap_accounting": True, "docker_swap_accounting_proof": ["/nonexistent/memory.memsw"]}
    converged.sh("rm -f /etc/default/grub /run/reboot-required /tmp/update-grub.calls")
    before, pid = converged.daemon_json(), converged.daemon_pid()
    proc, _counts = converged.apply(**lacking)
    assert proc.returncode != 0
    assert "/etc/default/grub, where its command line would get cgroup_enable=memory swapaccount=1" in proc.stdout
    assert converged.daemon_json() == before

    files = {
        "/etc/default/grub": ('GRUB_DEFAULT=0\nGRUB_CMDLINE_LINUX_DEFAULT="quiet swapaccount=1"\n', "0644"),
        "/usr/local/sbin/update-grub": ("#!/bin/sh\necho called >> /tmp/update-grub.calls\n", "0755"),
    }
    for path, (content, mode) in files.items():
        written = run_module("ansible.builtin.copy", {"dest": path, "content": content, "mode": mode},
                             inventory=converged.inventory, hosts="all", become=True)  # fmt: skip
        assert not next(iter(written.values())).failed
    try:
        proc, counts = converged.apply(**lacking)
        assert proc.returncode == 0, proc.stdout
        assert counts["changed"] >= 2
        line = converged.sh("grep ^GRUB_CMDLINE_LINUX_DEFAULT= /etc/default/grub").strip()
        assert line == 'GRUB_CMDLINE_LINUX_DEFAULT="quiet swapaccount=1 cgroup_enable=memory"'
        assert converged.sh("cat /tmp/update-grub.calls").split() == ["called"]
        assert "swap accounting" in converged.sh("cat /run/reboot-required")
        assert converged.daemon_pid() == pid  # the daemon does not care; the kernel does, after a reboot
        proc, counts = converged.apply(**lacking)
        assert counts["changed"] == 0, proc.stdout
        assert converged.sh("cat /tmp/update-grub.calls").split() == ["called"]
    finally:
        converged.sh("rm -f /etc/default/grub /usr/local/sbin/update-grub /run/reboot-required /tmp/update-grub.calls")


def test_reloadable_keys_added_changed_and_removed_show_in_docker_info_without_a_restart(converged):
    """A reload re-reads most keys only when daemon.json names them: a removed mirror used to stay
    active while every later run reported changed=0. docker info is the judge after each step."""
    pid, starts = converged.daemon_pid(), converged.daemon_starts()
    steps = [
        ({"docker_registry_mirrors": ["https://a.example.com"], "docker_insecure_registries": ["reg-a:5000"],
          "docker_live_restore": True, "docker_daemon_options": {"labels": ["zone=a"], "debug": True}},
         (["https://a.example.com/"], ["reg-a:5000"], True, ["zone=a"], True)),
        ({"docker_registry_mirrors": ["https://b.example.com"], "docker_insecure_registries": ["10.9.0.0/16"],
          "docker_live_restore": True, "docker_daemon_options": {"labels": ["zone=b"], "debug": False}},
         (["https://b.example.com/"], ["10.9.0.0/16"], True, ["zone=b"], False)),
        ({"docker_registry_mirrors": [], "docker_insecure_registries": [], "docker_live_restore": False},
         ([], [], False, [], False)),
    ]  # fmt: skip
    for settings, (mirrors, insecure, live_restore, labels, debug) in steps:
        proc, counts = converged.apply(**settings)
        assert proc.returncode == 0, proc.stdout
        assert counts["changed"] > 0, proc.stdout
        info = converged.info()
        registry = info["RegistryConfig"]
        assert registry["Mirrors"] == mirrors, settings
        shown = [n for n, i in registry["IndexConfigs"].items() if not i["Secure"]]
        shown += [c for c in registry["InsecureRegistryCIDRs"] if c != "127.0.0.0/8"]
        assert shown == insecure, settings
        assert (info["LiveRestoreEnabled"], info["Labels"] or [], info["Debug"]) == (live_restore, labels, debug)
        again, counts = converged.apply(**settings)
        assert counts["changed"] == 0, again.stdout
    assert (converged.daemon_pid(), converged.daemon_starts()) == (pid, starts)


def test_a_daemon_still_running_a_removed_mirror_is_brought_in_line(converged):
    """A host left by the old behaviour: the file has no mirror, the daemon still uses one."""
    converged.dirty = True
    config = json.loads(converged.daemon_json())
    stale = {**config, "registry-mirrors": ["https://stale.example.com"]}
    config.pop("registry-mirrors")
    write = "echo {} | base64 -d > /etc/docker/daemon.json".format
    stale_b64, config_b64 = (base64.b64encode(json.dumps(c).encode()).decode() for c in (stale, config))
    converged.sh(f"{write(stale_b64)} && systemctl restart docker && {write(config_b64)} && systemctl reload docker")
    assert converged.info()["RegistryConfig"]["Mirrors"] == ["https://stale.example.com/"]
    proc, counts = converged.apply(docker_registry_mirrors=[])
    assert proc.returncode == 0, proc.stdout
    assert counts["changed"] > 0
    assert converged.info()["RegistryConfig"]["Mirrors"] == []
    _again, counts = converged.apply(docker_registry_mirrors=[])
    assert counts["changed"] == 0


def test_a_misspelt_role_variable_is_named_with_the_one_meant(converged):
    proc, counts = converged.apply(docker_registry_mirror=["https://m.example.com"])
    assert proc.returncode == 0, proc.stdout
    assert counts["changed"] == 0
    assert "docker_registry_mirror: not a variable of dockyard.docker.engine" in proc.stdout + proc.stderr
    assert "did you mean docker_registry_mirrors?" in proc.stdout + proc.stderr


def test_a_restart_names_the_containers_it_stops_and_never_holds_it_back(converged, load_busybox):
    load_busybox(converged.inventory)
    converged.sh("docker rm -f sleeper >/dev/null 2>&1; docker run -d --name sleeper dockyard-testbed/busybox sleep 1d")
    pid = converged.daemon_pid()
    held = {"docker_dns": ["1.0.0.1"], "docker_daemon_restart": "never"}
    proc, counts = converged.apply(**held)
    assert proc.returncode == 0, proc.stdout
    assert counts["changed"] > 0
    assert converged.daemon_pid() == pid
    assert json.loads(converged.daemon_json())["dns"] == ["1.0.0.1"]
    assert json.loads(converged.sh("cat /run/dockyard-docker-restart-pending"))["keys"] == ["dns"]
    _again, counts = converged.apply(**held)
    assert counts["changed"] == 0  # the restart is still owed, and nothing new was done
    assert converged.sh("docker inspect -f '{{.State.Running}}' sleeper").strip() == "true"

    proc, counts = converged.apply(docker_dns=["1.0.0.1"])
    assert proc.returncode == 0, proc.stdout
    assert "stops the running containers sleeper (live-restore is off)" in proc.stdout
    assert converged.daemon_pid() != pid
    assert converged.sh("test -e /run/dockyard-docker-restart-pending || echo gone").strip() == "gone"
    _again, counts = converged.apply(docker_dns=["1.0.0.1"])
    assert counts["changed"] == 0
    converged.sh("docker rm -f sleeper")


@pytest.mark.parametrize(
    ("settings", "predicted"),
    [({"docker_registry_mirrors": ["https://new-mirror.example.com"]}, "daemon: would reload: registry-mirrors"),
     ({"docker_dns": ["8.8.4.4"]}, "daemon: would restart: dns")],
    ids=["reload", "restart"],
)  # fmt: skip
def test_check_mode_on_a_configured_host_names_the_reload_or_restart(converged, settings, predicted):
    before, pid = converged.daemon_json(), converged.daemon_pid()
    proc, counts = converged.apply(check=True, playbook=SITE, **settings)
    assert proc.returncode == 0, proc.stdout
    assert counts["changed"] >= 1
    assert predicted in proc.stdout, proc.stdout
    assert "| check " in proc.stdout  # the host check's verdict joins the summary
    assert converged.daemon_json() == before
    assert converged.daemon_pid() == pid


@pytest.mark.smoke
def test_check_mode_on_a_host_without_docker_predicts_everything_and_writes_nothing(start_hosts, ssh_key, tmp_path):
    hosts, inventory = start_hosts("debian12", 1)
    fresh = EngineHost(hosts[0], inventory, ssh_key)
    settings = {"docker_users": ["dockyard"], "docker_containers_hosts": "all",
                "docker_containers": [{"name": "web", "image": "registry.local:5000/web:1"}]}  # fmt: skip
    proc, counts = fresh.apply(check=True, playbook=SITE, **settings)
    assert proc.returncode == 0, proc.stdout
    assert counts["changed"] > 0
    assert '+  "registry-mirrors": [' in proc.stdout  # the diff of daemon.json
    assert "engine not installed yet (check mode: a real run installs and starts it)" in proc.stdout
    assert "| check -" in proc.stdout  # nothing to check before the engine is there
    assert "would add dockyard to the docker group" in proc.stdout
    untouched = "dpkg-query -W docker.io >/dev/null 2>&1 && echo package; test -e /etc/docker && echo etc; " \
                "getent group docker >/dev/null && echo group; true"  # fmt: skip
    assert fresh.sh(untouched).split() == []
    containers = run_playbook(ROOT / "playbooks/containers.yml", inventory=inventory, extra_vars=settings, check=True)
    assert containers.returncode == 0, containers.stdout
    assert "web: absent created, started" in containers.stdout, containers.stdout
    project = {"project_name": "shop", "definition": {
        "services": {"web": {"image": "registry.local:5000/web:1", "networks": ["front"], "volumes": ["data:/d"]}},
        "networks": {"front": {}}, "volumes": {"data": {}}}}  # fmt: skip
    # A project on the controller that builds its image and has a secret file: predicted, nothing sent or built.
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "Dockerfile").write_text("FROM registry.local:5000/web:1\n")
    (tmp_path / "token.txt").write_text("t0ken\n")
    (tmp_path / "compose.yaml").write_text("services:\n  app:\n    build: ./app\n    secrets: [token]\n"
                                           "secrets:\n  token: {file: ./token.txt}\n")  # fmt: skip
    built = {"project_src": str(tmp_path), "project_name": "shopb"}
    projects = {"docker_compose_hosts": "all", "docker_compose_projects": [project, built]}
    compose = run_playbook(ROOT / "playbooks/compose.yml", inventory=inventory, check=True, extra_vars=projects,
                           diff=True)  # fmt: skip
    assert compose.returncode == 0, compose.stdout
    assert "no Docker daemon answers yet" in compose.stderr
    assert "shop: changed | containers shop-web-1 | networks would create shop_front | would remove -" in compose.stdout
    assert "shopb: changed | containers shopb-app-1 | networks would create shopb_default" in compose.stdout
    assert "t0ken" not in compose.stdout + compose.stderr
    # registry.yml too (the host in registry_hosts as well): a registry with TLS and a user, predicted.
    both = yaml.safe_load(inventory.read_text())
    groups = both["all"]["children"]
    groups["registry_hosts"] = {"hosts": dict.fromkeys(groups["docker_hosts"]["hosts"])}
    (tmp_path / "both.yml").write_text(yaml.safe_dump(both))
    registry = {"registry_image": "dockyard-testbed/registry:2", "registry_users": [{"name": "u", "password": "p4ss"}]}
    predicted = run_playbook(ROOT / "playbooks/registry.yml", inventory=tmp_path / "both.yml", check=True,
                             extra_vars=registry)  # fmt: skip
    assert predicted.returncode == 0, predicted.stdout
    assert fresh.sh(untouched + "; test -e /etc/docker-registry && echo registry; true").split() == []
