"""The engine role's planner, per family, per package source, per input: the role's own defaults and vars
files resolved with each distribution's facts (as Ansible resolves them), a host as engine_facts reports it,
and the plan that comes out. No host is touched; these families cannot boot here (the booted tests cover
Debian 11-13)."""

from __future__ import annotations

from pathlib import Path

import pytest
from ansible.errors import AnsibleError
from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar

from ansible_collections.dockyard.docker.plugins.action.engine_plan import FACTS
from ansible_collections.dockyard.docker.plugins.module_utils import _engine_plan
from ansible_compat import trust_as_template

ROLE = Path(__file__).resolve().parents[4] / "roles" / "engine"
MIRROR = "https://mirror.example.cn/docker-ce/linux"
FAMILIES = {
    "ubuntu2404": {"ansible_os_family": "Debian", "ansible_distribution": "Ubuntu",
                   "ansible_distribution_release": "noble", "ansible_distribution_major_version": "24"},
    "mint22": {"ansible_os_family": "Debian", "ansible_distribution": "Linux Mint",
               "ansible_distribution_release": "wilma", "ansible_distribution_major_version": "22"},
    "debian12": {"ansible_os_family": "Debian", "ansible_distribution": "Debian",
                 "ansible_distribution_release": "bookworm", "ansible_distribution_major_version": "12"},
    "debian13": {"ansible_os_family": "Debian", "ansible_distribution": "Debian",
                 "ansible_distribution_release": "trixie", "ansible_distribution_major_version": "13"},
    "rocky9": {"ansible_os_family": "RedHat", "ansible_distribution": "Rocky",
               "ansible_distribution_release": "Blue Onyx", "ansible_distribution_major_version": "9"},
    "rhel9": {"ansible_os_family": "RedHat", "ansible_distribution": "RedHat",
              "ansible_distribution_release": "Plow", "ansible_distribution_major_version": "9"},
    "fedora41": {"ansible_os_family": "RedHat", "ansible_distribution": "Fedora",
                 "ansible_distribution_release": "", "ansible_distribution_major_version": "41"},
    "amazon2023": {"ansible_os_family": "RedHat", "ansible_distribution": "Amazon",
                   "ansible_distribution_release": "", "ansible_distribution_major_version": "2023"},
    "opensuse15": {"ansible_os_family": "Suse", "ansible_distribution": "openSUSE Leap",
                   "ansible_distribution_release": "", "ansible_distribution_major_version": "15"},
    "alpine320": {"ansible_os_family": "Alpine", "ansible_distribution": "Alpine",
                  "ansible_distribution_release": "", "ansible_distribution_major_version": "3"},
    "arch": {"ansible_os_family": "Archlinux", "ansible_distribution": "Archlinux",
             "ansible_distribution_release": "", "ansible_distribution_major_version": "rolling"},
}  # fmt: skip
# A host as engine_facts reports it before Docker is installed.
FRESH = {
    "installed": [],
    "versions": {},
    "held": [],
    "group_exists": False,
    "group_members": [],
    "missing_users": [],
    "present_paths": [],
    "records": {},
    "rootless": {"users": {}},
    "service_active": False,
    "service_enabled": False,
    "legacy_options": {"settings": {}, "migrate": [], "kept": []},
    "daemon": {"answering": False},
    "daemon_json_content": {"exists": False, "config": {}},
    "service_flags": [],
    "data_root_mount": {"point": "/var/lib/docker", "fstype": "ext4"},
}


def templar(distro: str, settings: dict) -> Templar:
    """The role's variables as Ansible resolves them for ``distro``: defaults, then vars/main.yml and the
    family's file (both above extra vars in precedence only for names the user does not set here)."""
    loader = DataLoader()

    def load(path: Path) -> dict:  # the role's files are trusted templates, as Ansible takes them
        return {name: _trusted(value) for name, value in loader.load_from_file(str(path)).items()}

    facts = {**FAMILIES[distro], "ansible_architecture": "x86_64", "ansible_distribution_version": ""}
    # The role reads them through ansible_facts; the planner is handed them by their injected names (FACTS).
    as_facts = {name.removeprefix("ansible_"): value for name, value in facts.items()}
    variables = {**load(ROLE / "defaults/main.yml"), **facts, "ansible_facts": as_facts}
    variables.update(load(ROLE / "vars/main.yml"))
    family = Templar(loader=loader, variables=variables).template(variables["docker_family_vars"])
    variables.update(load(ROLE / "vars" / family))
    variables.update(settings)
    return Templar(loader=loader, variables=variables)


def _trusted(value):
    if isinstance(value, str):
        return trust_as_template(value)
    if isinstance(value, dict):
        return {k: _trusted(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_trusted(v) for v in value]
    return value


def role_vars(distro: str, **settings) -> dict:
    t = templar(distro, settings)
    v = {name: t.template(value) for name, value in t.available_variables.items() if name.startswith("docker_")}
    v["facts"] = {name: t.available_variables.get(name) for name in FACTS}
    v["inventory_hostname"] = "host1"
    return v


def plan(distro: str, host: dict | None = None, check_mode: bool = False, **settings) -> dict:
    return _engine_plan.plan(role_vars(distro, **settings), {**FRESH, **(host or {})}, check_mode, lambda _p: True)


def render(distro: str, template: str, **settings) -> str:
    t = templar(distro, settings)
    the_plan = _engine_plan.plan(role_vars(distro, **settings), FRESH, False, lambda _p: True)
    t.available_variables = {**t.available_variables, "__docker_plan": the_plan, "ansible_managed": "managed"}
    return t.template(trust_as_template((ROLE / "templates" / template).read_text()))


def test_ubuntu_docker_mirror_apt_source():
    p = plan("ubuntu2404", docker_package_source="mirror", docker_repository_mirror=MIRROR + "/")
    v = role_vars("ubuntu2404")
    assert v["docker_package_manager"] == "apt" and v["docker_service_manager"] == "systemd"
    assert p["packages"]["wanted"][:2] == ["docker-ce", "docker-ce-cli"]
    assert {"docker.io", "podman-docker"} <= set(v["docker_conflicting_packages"]["docker"])
    repo = p["repository"]["sources_text"]
    assert f"URIs: {MIRROR}/ubuntu\n" in repo and "Signed-By: /etc/apt/keyrings/docker.asc\n" in repo
    assert "Suites: noble\n" in repo and "Architectures: amd64\n" in repo
    assert p["repository"]["key_url"] == f"{MIRROR}/ubuntu/gpg"
    assert p["pending"]["repository"] is True and p["problems"] == []


def test_mint_uses_ubuntu_tree_and_release():
    repo = plan("mint22", docker_package_source="docker")["repository"]["sources_text"]
    assert "URIs: https://download.docker.com/linux/ubuntu\n" in repo
    assert "Suites: noble\n" in repo


# An earlier Docker source as an install script or geerlingguy.docker left it: a one-line docker.list
# signed by a key in /usr/share/keyrings, and Docker's key in trusted.gpg.d.
OLD_LIST = (
    "deb [arch=amd64 signed-by=/usr/share/keyrings/docker-archive-keyring.gpg]"
    " https://download.docker.com/linux/debian bookworm stable\n"
)
KEYRING = "/etc/apt/keyrings/docker.asc"
OLD_KEYS = ["/etc/apt/trusted.gpg.d/docker.gpg", "/usr/share/keyrings/docker-archive-keyring.gpg"]


def apt_host(files: dict, keys: list, present=()) -> dict:
    debian = {"/etc/apt/sources.list": "deb http://deb.debian.org/debian bookworm main\n"}
    return {"apt_sources": {"files": {**debian, **files}, "keyrings": keys}, "present_paths": list(present)}


def test_an_earlier_docker_list_and_its_keys_are_removed_before_the_role_writes_its_source():
    host = apt_host({"/etc/apt/sources.list.d/docker.list": OLD_LIST}, OLD_KEYS)
    repo = plan("debian12", host, docker_package_source="docker")["repository"]
    assert repo["stale_files"] == ["/etc/apt/sources.list.d/docker.list"]
    assert repo["stale_keys"] == OLD_KEYS and repo["stale_lines"] == []
    assert repo["refresh_key"] is True


def test_docker_lines_in_a_file_with_other_sources_are_commented_out_and_the_file_stays():
    host = apt_host({"/etc/apt/sources.list": "deb http://deb.debian.org/debian bookworm main\n" + OLD_LIST}, [])
    repo = plan("debian12", host, docker_package_source="mirror", docker_repository_mirror=MIRROR)["repository"]
    assert repo["stale_files"] == [] and repo["stale_lines"] == [
        {"path": "/etc/apt/sources.list", "text": OLD_LIST.strip()}
    ]


def test_a_mirror_source_in_deb822_beside_other_stanzas_is_refused_naming_the_file():
    mixed = (
        "Types: deb\nURIs: http://deb.debian.org/debian\nSuites: bookworm\nComponents: main\n\n"
        f"Types: deb\nURIs: {MIRROR}/debian\nSuites: bookworm\nComponents: stable\n"
    )
    p = plan("debian12", apt_host({"/etc/apt/sources.list.d/extra.sources": mixed}, []), docker_package_source="docker")
    assert any(m.startswith("/etc/apt/sources.list.d/extra.sources names Docker's repository") for m in p["problems"])


def test_the_role_source_in_place_with_its_key_and_nothing_to_install_leaves_the_repository_alone():
    first = plan("debian12", docker_package_source="docker")["repository"]
    installed = ["docker-ce", "docker-ce-cli", "containerd.io", "docker-buildx-plugin", "docker-compose-plugin",
                 "python3-yaml", "python3-docker"]  # fmt: skip
    written = {"/etc/apt/sources.list.d/docker.sources": first["sources_text"]}
    host = {**apt_host(written, [KEYRING], present=[KEYRING]), "installed": installed, "group_exists": True}
    p = plan("debian12", host, docker_package_source="docker")
    assert p["repository"]["refresh_key"] is False and p["pending"]["repository"] is False
    # A new pin makes apt refresh its lists: the key is fetched again then (a rotated key reaches the host).
    pinned = plan("debian12", {**host, "versions": dict.fromkeys(installed, "5:26.1.5-1~debian.12~bookworm")},
                  docker_package_source="docker", docker_version="5:28.5")  # fmt: skip
    assert pinned["packages"]["off_pin"] == ["docker-ce", "docker-ce-cli"]
    assert pinned["repository"]["refresh_key"] is True and pinned["pending"]["repository"] is True


def test_debian13_distro_packages_include_the_split_cli():
    p = plan("debian13")
    assert p["packages"]["wanted"] == ["docker.io", "docker-cli", "python3-yaml", "python3-docker"]
    assert p["pending"]["repository"] is False  # distro packages need no repository
    assert plan("debian12")["packages"]["wanted"] == ["docker.io", "python3-yaml", "python3-docker"]


@pytest.mark.parametrize(("distro", "tree"), [("rocky9", "centos"), ("rhel9", "rhel"), ("fedora41", "fedora")])
def test_redhat_repo_file_carries_the_mirror_in_baseurl_and_gpgkey(distro, tree):
    settings = {"docker_package_source": "mirror", "docker_repository_mirror": MIRROR}
    v = role_vars(distro, **settings)
    assert v["docker_package_manager"] == "dnf"
    assert v["docker_repository"]["file"] == "/etc/yum.repos.d/docker-ce.repo"
    repo = render(distro, "docker-ce.repo.j2", **settings)
    assert f"baseurl={MIRROR}/{tree}/$releasever/$basearch/stable\n" in repo
    assert f"gpgkey={MIRROR}/{tree}/gpg\n" in repo
    assert {"moby-engine", "podman-docker"} <= set(v["docker_conflicting_packages"]["docker"])


def test_fedora_and_amazon_distro_packages():
    assert plan("fedora41")["packages"]["wanted"][0] == "moby-engine"
    assert plan("amazon2023")["packages"]["wanted"][0] == "docker"
    assert role_vars("amazon2023")["docker_repository_supported"] is False


def test_rhel_has_no_distro_engine_and_the_plan_says_which_source_to_use():
    p = plan("rocky9")
    assert p["packages"]["wanted"] == ["python3-pyyaml", "python3-docker"]
    assert p["problems"] == [
        'docker_package_source: "distro" does not work on Rocky : it has no Docker engine '
        "package of its own; use docker_package_source: docker"
    ]


@pytest.mark.parametrize(
    ("distro", "manager", "service", "sdk"),
    [("opensuse15", "zypper", "systemd", "python3-docker"), ("alpine320", "apk", "openrc", "py3-docker-py"),
     ("arch", "pacman", "systemd", "python-docker")],
)  # fmt: skip
def test_distro_only_families(distro, manager, service, sdk):
    v = role_vars(distro)
    assert v["docker_package_manager"] == manager and v["docker_service_manager"] == service
    assert plan(distro)["packages"]["wanted"][-1] == sdk
    assert v["docker_repository_supported"] is False
    assert "Docker publishes no packages" in plan(distro, docker_package_source="docker")["problems"][0]


def test_openrc_proxy_goes_to_its_conf_d_which_the_service_reads():
    p = plan("alpine320", docker_proxy_http="http://proxy:3128")
    assert p["service"]["proxy_file"] == "/etc/conf.d/docker.dockyard-proxy"
    assert p["service"]["proxy_source"] == "/etc/conf.d/docker"  # /etc/init.d/docker reads only this
    assert p["pending"]["proxy"] is True
    assert plan("debian13")["service"]["proxy_source"] == ""


def test_daemon_settings_drop_empty_values_and_merge_options():
    options = {"log-opts": {"compress": "true"}, "debug": True}
    settings = plan("debian13", docker_dns=["9.9.9.9"], docker_daemon_options=options)["daemon_settings"]
    assert settings["dns"] == ["9.9.9.9"]
    assert settings["registry-mirrors"] is None  # cleared variable -> key removed from daemon.json
    assert settings["log-opts"] == {"max-size": "10m", "max-file": "3", "compress": "true"}
    assert settings["debug"] is True


def test_insecure_registries_for_every_address_are_refused_unless_allowed():
    refused = plan("debian13", docker_insecure_registries=["10.0.0.0/8", "0.0.0.0/0"])["problems"]
    assert refused[0].startswith("docker_insecure_registries: '0.0.0.0/0' trusts every registry over plain HTTP")
    assert refused[0].endswith("docker_insecure_registries_allow_everywhere: true takes it as it is")
    assert (
        plan("debian13", docker_insecure_registries=["::/0"], docker_insecure_registries_allow_everywhere=True)[
            "problems"
        ]
        == []
    )
    assert plan("debian13", docker_insecure_registries=["10.0.0.0/8", "reg.lan:5000"])["problems"] == []


@pytest.mark.parametrize(
    ("distro", "file", "command"),
    [("ubuntu2404", "/etc/default/grub", "update-grub"), ("rocky9", "/etc/default/grub", "grubby"),
     ("opensuse15", "/etc/default/grub", "grub2-mkconfig"), ("arch", "/etc/default/grub", "grub-mkconfig"),
     ("alpine320", "/etc/update-extlinux.conf", "update-extlinux")],
)  # fmt: skip
def test_boot_loader_for_swap_accounting(distro, file, command):
    v = role_vars(distro)
    assert v["docker_boot_loader"]["file"] == file and v["docker_boot_loader"]["command"][0] == command
    refused = plan(distro, docker_swap_accounting=True)["problems"]
    assert any(p.startswith(f"docker_swap_accounting: this kernel does not account swap, and {file}") for p in refused)
    assert plan(distro, {"present_paths": [file]}, docker_swap_accounting=True)["pending"]["swap_accounting"] is True


def test_an_unknown_family_fails_at_once_naming_the_supported_ones():
    FAMILIES["gentoo"] = {"ansible_os_family": "Gentoo", "ansible_distribution": "Gentoo"}
    try:
        with pytest.raises(
            AnsibleError,
            match="Gentoo \\(Gentoo family\\) is not supported by the engine role; it "
            "knows the families Alpine, Archlinux, Debian, RedHat, Suse",
        ):
            templar("gentoo", {})
    finally:
        del FAMILIES["gentoo"]


UNPINNED = ["containerd.io", "docker-buildx-plugin", "docker-compose-plugin"]


@pytest.mark.parametrize(
    ("distro", "source", "version", "packages", "hold"),
    [("rocky9", "docker", "24.0.7", [*UNPINNED, "docker-ce-24.0.7*", "docker-ce-cli-24.0.7*"],
      ["dnf", "versionlock", "add"]),
     ("ubuntu2404", "docker", "5:27.3.1", [*UNPINNED, "docker-ce=5:27.3.1*", "docker-ce-cli=5:27.3.1*"],
      ["apt-mark", "hold"]),
     ("opensuse15", "distro", "24.0.7", ["docker=24.0.7*"], ["zypper", "--non-interactive", "addlock"]),
     ("alpine320", "distro", "25.0", ["docker~25.0", "docker-cli~25.0"], [])],
    ids=["dnf-versionlock", "apt-mark", "zypper-lock", "apk-constraint"],
)  # fmt: skip
def test_pins_apply_to_the_engine_packages_and_name_the_hold(distro, source, version, packages, hold):
    p = plan(distro, docker_package_source=source, docker_version=version, docker_install_sdk=False)
    assert p["packages"]["wanted"] == packages
    assert role_vars(distro)["docker_hold_commands"]["hold"] == hold


def test_a_pin_that_moves_releases_the_hold_and_holds_again():
    host = {
        "installed": ["docker.io", "python3-docker"],
        "versions": {"docker.io": "20.10.24+dfsg1-1+b3"},
        "held": ["docker.io"],
        "group_exists": True,
    }
    same = plan("debian12", host, docker_version="20.10.24")["packages"]
    assert same["off_pin"] == [] and same["hold_released"] == [] and same["hold_wanted"] == []
    moved = plan("debian12", host, docker_version="26.1")["packages"]
    assert moved["off_pin"] == ["docker.io"] and moved["hold_released"] == ["docker.io"]
    assert moved["hold_wanted"] == ["docker.io"]
    cleared = plan("debian12", host)["packages"]
    assert cleared["hold_released"] == ["docker.io"] and cleared["hold_wanted"] == []


STATIC = {
    "docker_package_source": "static",
    "docker_static_archive": "https://downloads.example.com/docker-27.3.1.tgz",
    "docker_static_checksum": "sha256:" + "0" * 64,
    "docker_static_bin_dir": "/opt/docker/bin",
}


@pytest.mark.parametrize("distro", ["rocky9", "opensuse15"])
def test_static_install_uses_systemd_units_and_conflicts_with_either_packaged_engine(distro):
    p = plan(distro, **STATIC)
    assert p["static"]["unit_paths"] == ["/etc/systemd/system/docker.service", "/etc/systemd/system/docker.socket"]
    assert p["packages"]["wanted"][0] == "iptables" and p["static"]["work"] is True
    assert {"docker", "podman-docker"} <= set(role_vars(distro)["docker_conflicting_packages"]["static"])
    service = render(distro, "static/docker.service.j2", **STATIC)
    assert "ExecStart=/opt/docker/bin/dockerd -H fd://\n" in service
    assert "Environment=PATH=/opt/docker/bin:" in service
    assert "SocketGroup=docker\n" in render(distro, "static/docker.socket.j2", **STATIC)


def test_static_install_on_alpine_is_an_openrc_service_that_reads_the_proxy():
    p = plan("alpine320", **STATIC)
    assert p["static"]["unit_paths"] == ["/etc/init.d/docker"]
    script = render("alpine320", "static/docker.openrc.j2", **STATIC)
    assert script.startswith("#!/sbin/openrc-run\n")
    assert 'command="/opt/docker/bin/dockerd"' in script
    assert p["service"]["proxy_source"] == "/etc/conf.d/docker"
    assert 'export PATH="/opt/docker/bin:${PATH}"' in script


def test_a_static_install_already_in_place_has_no_work():
    record = {
        "/var/lib/dockyard/static-engine.json": {
            "checksum": STATIC["docker_static_checksum"],
            "bin_dir": "/opt/docker/bin",
        }
    }
    units = ["/etc/systemd/system/docker.service", "/etc/systemd/system/docker.socket"]
    assert plan("rocky9", {"records": record, "present_paths": units}, **STATIC)["static"]["work"] is False
    assert plan("rocky9", {"records": record, "present_paths": units[:1]}, **STATIC)["static"]["work"] is True


@pytest.mark.parametrize(
    ("distro", "source", "packages"),
    [("ubuntu2404", "docker", ["docker-ce-rootless-extras", "uidmap", "slirp4netns", "dbus-user-session"]),
     ("debian13", "distro", ["uidmap", "rootlesskit", "slirp4netns", "dbus-user-session"]),
     ("rocky9", "docker", ["docker-ce-rootless-extras", "shadow-utils", "slirp4netns"]),
     ("opensuse15", "distro", ["docker-rootless-extras", "shadow", "slirp4netns"])],
)  # fmt: skip
def test_rootless_packages_per_family(distro, source, packages):
    p = plan(distro, docker_package_source=source, docker_rootless_users=["alice"])
    assert p["rootless"]["supported"] is True and p["problems"] == []
    assert p["packages"]["wanted"][-len(packages) :] == packages


@pytest.mark.parametrize(
    ("distro", "source"),
    [("alpine320", "distro"), ("arch", "distro"), ("fedora41", "distro"), ("ubuntu2404", "static")],
)
def test_rootless_is_refused_where_nothing_packages_it(distro, source):
    extra = STATIC if source == "static" else {"docker_package_source": source}
    p = plan(distro, docker_rootless_users=["alice"], **extra)
    assert p["rootless"]["supported"] is False
    assert any(
        problem.startswith("docker_rootless_users: rootless Docker is not packaged") for problem in p["problems"]
    )


# -- every problem before anything is touched, in the role's terms ------------------------------------------
@pytest.mark.parametrize(
    ("settings", "problem"),
    [({"docker_registry_mirrors": ["mirror.gcr.io"]},
      "docker_registry_mirrors[0]: 'mirror.gcr.io' is not a URL; use https://mirror.gcr.io"),
     ({"docker_data_root": "srv/docker"}, "docker_data_root: 'srv/docker' is not an absolute path"),
     ({"docker_log_options": {"max-size": "512b"}}, "docker_log_options.max-size: '512b' is under 1024 bytes"),
     ({"docker_log_rotation": {"max-size": "512b"}}, "docker_log_rotation.max-size: '512b' is under 1024 bytes"),
     ({"docker_log_driver": "syslog", "docker_log_options": {"max-size": "10m"}},
      "docker_log_options.max-size: the syslog log driver takes no such option"),
     ({"docker_daemon_options": {"max-concurrent-downloads": "3"}},
      "docker_daemon_options.max-concurrent-downloads: '3' must be a whole number"),
     ({"docker_daemon_options": {"dns": ["x"]}}, "docker_daemon_options.dns[0]: 'x' is not an IP address"),
     ({"docker_tls_listen": "0.0.0.0:2376"}, "docker_tls_ca_cert: empty; docker_tls_listen needs it as PEM text")],
    ids=["mirror", "relative-data-root", "log-size", "rotation-size", "syslog-size", "option-type",
         "option-over-variable", "tls-without-certs"],
)  # fmt: skip
def test_a_bad_value_is_named_by_its_role_variable(settings, problem):
    problems = plan("debian12", **settings)["problems"]
    assert any(p.startswith(problem) for p in problems), problems


def test_log_rotation_goes_to_the_drivers_that_keep_logs_on_the_host_and_remote_ones_take_their_address():
    assert plan("debian12")["daemon_settings"]["log-opts"] == {"max-size": "10m", "max-file": "3"}
    local = plan("debian12", docker_log_driver="local", docker_log_options={"max-size": "50m"})
    assert local["daemon_settings"]["log-opts"] == {"max-size": "50m", "max-file": "3"}
    remote = {"docker_log_driver": "syslog", "docker_log_options": {"syslog-address": "udp://10.0.0.9:514"}}
    p = plan("debian12", **remote)
    assert p["problems"] == [] and p["daemon_settings"]["log-opts"] == {"syslog-address": "udp://10.0.0.9:514"}
    assert plan("debian12", docker_log_driver="journald")["daemon_settings"]["log-opts"] is None  # none written


def test_tls_listen_names_only_the_conditions_that_fail():
    pem = "-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----"
    problems = plan(
        "debian12",
        docker_tls_listen="0.0.0.0:2376",
        docker_tls_ca_cert=pem,
        docker_tls_server_cert=pem,
        docker_tls_server_key="not a key",
    )["problems"]
    assert problems == [
        "docker_tls_server_key: not PEM; docker_tls_listen needs it as PEM text (-----BEGIN ... PRIVATE "
        "KEY-----): the remote API is never served without TLS and client certificates"
    ]


def test_a_flag_of_the_service_that_daemon_json_would_repeat_is_refused_in_the_role_terms():
    host = {"service_flags": [["hosts", "-H", "docker.service ExecStart"]]}
    problems = plan("debian12", host, docker_daemon_options={"hosts": ["unix:///var/run/docker.sock"]})["problems"]
    assert problems[0].startswith("docker_daemon_options.hosts: also set by the flag '-H' in docker.service ExecStart")
    # The role's drop-in takes -H off the unit when docker_tls_listen names the hosts.
    pem = "-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----"
    key = "-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----"
    assert (
        plan(
            "debian12",
            host,
            docker_tls_listen="0.0.0.0:2376",
            docker_tls_ca_cert=pem,
            docker_tls_server_cert=pem,
            docker_tls_server_key=key,
        )["problems"]
        == []
    )


ANSWERING = {
    "answering": True,
    "version": "20.10.24",
    "data_root": "/var/lib/docker",
    "storage_driver": "overlay2",
    "images": 1,
    "containers": 1,
    "volumes": 0,
    "running_settings": {},
    "drift": [],
    "pending_restart": [],
}


def test_a_data_root_overlay2_cannot_use_is_refused_on_a_fresh_install_unless_another_driver_is_named():
    on_overlay = {"data_root_mount": {"point": "/", "fstype": "overlay"}}
    problems = plan("debian12", on_overlay, docker_data_root="/srv/docker")["problems"]
    assert problems == [
        'docker_data_root: "/srv/docker" is on / is overlay: overlay2 cannot stack on an overlay '
        "filesystem; the daemon would fall back to vfs, a full copy of every layer. Give a data root on "
        "ext4, xfs with ftype=1 or btrfs, or set docker_storage_driver: vfs to take vfs as it is"
    ]
    assert plan("debian12", on_overlay, docker_data_root="/srv/docker", docker_storage_driver="vfs")["problems"] == []
    xfs0 = {"data_root_mount": {"point": "/srv", "fstype": "xfs", "xfs_ftype": 0}}
    assert "ftype=1" in plan("debian12", xfs0, docker_data_root="/srv/docker")["problems"][0]
    # A daemon already running on that root is left as it is (it holds what it holds).
    running = {"daemon": {**ANSWERING, "data_root": "/srv/docker", "storage_driver": "vfs"}, **on_overlay}
    assert plan("debian12", running, docker_data_root="/srv/docker")["problems"] == []


def test_a_move_the_data_cannot_make_is_said_with_every_other_problem_before_anything():
    host = {"daemon": ANSWERING, "data_root_move_problems": ["/srv/full is not empty (left-here)"]}
    problems = plan("debian12", host, docker_data_root="/srv/full", docker_registry_mirrors=["mirror.gcr.io"])[
        "problems"
    ]
    assert problems[0].startswith("docker_registry_mirrors[0]: 'mirror.gcr.io' is not a URL")
    assert problems[1] == (
        "docker_data_root: Docker's data cannot move from /var/lib/docker to /srv/full: /srv/full "
        "is not empty (left-here)"
    )


def test_a_move_keeps_the_storage_driver_the_data_was_written_with():
    vfs = {"daemon": {**ANSWERING, "storage_driver": "vfs", "data_root": "/opt/docker"}}
    moving = plan("debian12", vfs, docker_data_root="/var/lib/docker")
    assert moving["pending"]["data_root_move"] is True
    assert moving["daemon_settings"]["storage-driver"] == "vfs"
    # Once moved, daemon.json names vfs: it stays while docker_storage_driver is empty.
    moved = {
        "daemon": {**ANSWERING, "storage_driver": "vfs"},
        "daemon_json_content": {"exists": True, "config": {"storage-driver": "vfs"}},
    }
    assert plan("debian12", moved)["daemon_settings"]["storage-driver"] == "vfs"
    # A daemon that holds no data, or a driver the user names, is not pinned.
    assert (
        plan("debian12", {"daemon": {**ANSWERING, "images": 0, "containers": 0}})["daemon_settings"]["storage-driver"]
        is None
    )
    assert plan("debian12", vfs, docker_storage_driver="overlay2")["daemon_settings"]["storage-driver"] == "overlay2"


def test_docker_users_exclusive_removes_the_members_not_listed_and_warns_without_it():
    host = {"group_exists": True, "group_members": ["deploy", "old", "root", "backup"], "system_accounts": ["backup"]}
    kept = plan("debian12", host, docker_users=["deploy"])
    assert kept["users_to_remove"] == [] and kept["pending"]["users"] is False
    assert "the docker group also has old, which docker_users does not list" in kept["warnings"][0]
    exclusive = plan("debian12", host, docker_users=["deploy"], docker_users_exclusive=True)
    assert exclusive["users_to_remove"] == ["old"] and exclusive["pending"]["users"] is True
    assert exclusive["warnings"] == []


def test_a_settled_host_has_no_work():
    settings = _engine_plan.settings_asked(role_vars("debian12"), False)
    config = {k: v for k, v in settings.items() if v is not None}
    running = {"log-driver": "json-file", "live-restore": False}
    host = {
        "installed": ["docker.io", "python3-yaml", "python3-docker"],
        "group_exists": True,
        "service_active": True,
        "service_enabled": True,
        "daemon": {**ANSWERING, "running_settings": running},
        "daemon_json_content": {"exists": True, "config": config},
    }
    assert plan("debian12", host)["work"] == []
    assert plan("debian12", host, docker_dns=["9.9.9.9"])["work"] == ["daemon_json"]


@pytest.mark.parametrize(
    ("distro", "source", "packages"),
    [("debian13", "distro", ["docker-compose"]), ("ubuntu2404", "distro", ["docker-compose-v2"]),
     ("fedora41", "distro", ["docker-compose"]), ("debian12", "docker", [])],
)  # fmt: skip
def test_the_compose_cli_comes_from_the_family_or_with_dockers_engine(distro, source, packages):
    p = plan(distro, docker_package_source=source, docker_compose_cli=True)
    assert p["problems"] == []
    engine = role_vars(distro)["docker_packages"]["docker" if source == "docker" else "distro"]
    assert p["packages"]["names"][len(engine) : len(engine) + len(packages)] == packages
    if source == "docker":
        assert "docker-compose-plugin" in p["packages"]["names"]


def test_the_compose_cli_is_refused_where_the_distribution_has_only_compose_v1():
    problems = plan("debian12", docker_compose_cli=True)["problems"]
    assert problems == ["docker_compose_cli: Debian 12 packages no Compose v2 (`docker compose`; Debian 11 and 12 have "
                        "only Compose v1, another program); use docker_package_source: docker, whose "
                        "docker-compose-plugin is installed with the engine"]  # fmt: skip
    assert (
        "static archive carries no compose plugin" in plan("debian12", docker_compose_cli=True, **STATIC)["problems"][0]
    )


def test_a_data_root_given_through_docker_daemon_options_moves_the_data_too():
    moving = plan("debian12", {"daemon": ANSWERING}, docker_daemon_options={"data-root": "/srv/docker"})
    assert moving["data_root_wanted"] == "/srv/docker" and moving["pending"]["data_root_move"] is True
    assert moving["daemon_settings"]["storage-driver"] == "overlay2"  # the data's driver goes with it
    assert plan("debian12", {"daemon": ANSWERING})["pending"]["data_root_move"] is False


# A Docker 28 host whose classic store holds images and containers.
CLASSIC_WITH_DATA = {
    "daemon": {"answering": True, "version": "28.5.2", "image_store": "classic", "images": 4, "containers": 2,
               "volumes": 1, "data_root": "/var/lib/docker", "storage_driver": "overlay2"},
}  # fmt: skip
SNAPSHOTTER = {"features": {"containerd-snapshotter": True}}


def test_switching_image_stores_while_the_old_one_holds_data_is_refused_naming_what_would_be_hidden():
    p = plan("debian13", CLASSIC_WITH_DATA, docker_daemon_options=SNAPSHOTTER)
    assert p["problems"] == [
        "docker_daemon_options.features.containerd-snapshotter: true switches host1 from the classic image store to"
        " containerd's image store, where its 4 images and 2 containers are not seen (they stay on disk, out of"
        " sight, until it is switched back); move them over first (docker save, then docker load after the"
        " switch), or set docker_image_store_switch: true"
    ]
    assert plan("debian13", CLASSIC_WITH_DATA, docker_daemon_options=SNAPSHOTTER,
                docker_image_store_switch=True)["problems"] == []  # fmt: skip
    empty = {"daemon": {**CLASSIC_WITH_DATA["daemon"], "images": 0, "containers": 0}}
    assert plan("debian13", empty, docker_daemon_options=SNAPSHOTTER)["problems"] == []


def test_user_namespaces_are_written_and_warned_about_and_turning_them_on_over_data_is_refused():
    fresh = plan("debian12", docker_userns_remap="default")
    assert fresh["daemon_settings"]["userns-remap"] == "default" and fresh["problems"] == []
    assert any(w.startswith('docker_userns_remap: "default": root in a container') for w in fresh["warnings"])
    refused = plan("debian12", CLASSIC_WITH_DATA, docker_userns_remap="default")["problems"]
    assert refused == [
        'docker_userns_remap: "default" turns user namespaces on for host1, where its 4 images, 2 containers and 1'
        " volumes are not seen (they stay on disk, out of sight, until user namespaces are turned off again); move"
        " what you need over (docker save, then docker load after the switch; volumes by copying), or set"
        " docker_userns_remap_switch: true"
    ]
    assert plan("debian12", CLASSIC_WITH_DATA, docker_userns_remap="default",
                docker_userns_remap_switch=True)["problems"] == []  # fmt: skip
    remapped = {"daemon": {**CLASSIC_WITH_DATA["daemon"], "userns_remap": True}}
    settled = plan("debian12", remapped, docker_userns_remap="default")
    assert settled["problems"] == [] and not [w for w in settled["warnings"] if "root in a container" in w]
    (off,) = plan("debian12", remapped)["problems"]
    assert off.startswith("docker_userns_remap: empty turns user namespaces off for host1, where its 4 images")


def test_user_namespaces_with_containerds_image_store_are_refused_together():
    (found,) = plan("debian13", docker_userns_remap="default", docker_daemon_options=SNAPSHOTTER)["problems"]
    assert found == (
        'docker_userns_remap: "default" and docker_daemon_options.features.containerd-snapshotter: true: Docker'
        " does not run containerd's image store with user namespaces; leave one of them out"
    )


def test_dropping_the_feature_on_docker_28_switches_back_and_is_refused_but_docker_29_keeps_its_store():
    on = {"daemon": {**CLASSIC_WITH_DATA["daemon"], "image_store": "containerd"}}
    assert (
        "switches host1 from containerd's image store to the classic image store" in plan("debian13", on)["problems"][0]
    )
    on29 = {"daemon": {**on["daemon"], "version": "29.1.0"}}
    assert plan("debian13", on29)["problems"] == []
    assert plan("debian13", on, docker_daemon_options=SNAPSHOTTER)["problems"] == []


def test_live_restore_on_a_swarm_node_is_refused_since_its_engine_would_not_start():
    node = {"daemon": {**ANSWERING, "swarm": "active"}}
    assert plan("debian12", node, docker_live_restore=True)["problems"] == [
        "docker_live_restore: true, but this host is a swarm node and its engine does not start with live-restore "
        "in swarm mode; keep it off, or take the host out of the swarm first"
    ]
    assert plan("debian12", node)["problems"] == []
    assert plan("debian12", {"daemon": {**ANSWERING, "swarm": "inactive"}}, docker_live_restore=True)["problems"] == []


CIS = {"icc": False, "log-level": "info", "no-new-privileges": True, "live-restore": True, "userland-proxy": False}


def test_the_cis_profile_sets_its_points_where_the_users_own_settings_leave_them():
    settings = plan("debian12", docker_hardening="cis")["daemon_settings"]
    assert {key: settings[key] for key in CIS} == CIS
    assert "icc" not in plan("debian12")["daemon_settings"] or plan("debian12")["daemon_settings"]["icc"] is None
    # docker_daemon_options wins over the profile; a point left out is not written.
    mine = plan("debian12", docker_hardening="cis", docker_daemon_options={"icc": True, "log-level": "warn"},
                docker_hardening_except=["2.16"])["daemon_settings"]  # fmt: skip
    assert (mine["icc"], mine["log-level"], mine.get("userland-proxy"), mine["no-new-privileges"]) == (
        True, "warn", None, True)  # fmt: skip


def test_the_cis_profile_writes_the_roles_certificates_with_section_3s_modes():
    assert plan("debian12")["file_modes"] == {"registry_ca": "0644", "tls_ca": "0644", "tls_cert": "0644",
                                              "tls_key": "0600"}  # fmt: skip
    hardened = plan("debian12", docker_hardening="cis", docker_hardening_except=["3.8"])["file_modes"]
    assert hardened == {"registry_ca": "0644", "tls_ca": "0444", "tls_cert": "0444", "tls_key": "0400"}


def test_the_profile_on_a_swarm_node_is_refused_in_its_own_terms_until_2_15_is_left_out():
    node = {"daemon": {**ANSWERING, "swarm": "active"}}
    assert plan("debian12", node, docker_hardening="cis")["problems"] == [
        "docker_hardening: cis (CIS 2.15, live-restore): true, but this host is a swarm node and its engine does not "
        "start with live-restore in swarm mode; list 2.15 in docker_hardening_except, or take the host out of the "
        "swarm first"
    ]
    assert plan("debian12", node, docker_hardening="cis", docker_hardening_except=["2.15"])["problems"] == []


def test_an_unknown_profile_or_point_is_named_before_anything_is_done():
    found = plan("debian12", docker_hardening="strict", docker_hardening_except=["2.99", 2.14])["problems"]
    assert found == [
        "docker_hardening: 'strict' is no profile; use cis, or leave it empty",
        "docker_hardening_except: '2.99' is no point of the cis profile (its points: 2.2, 2.3, 2.9, 2.13, 2.14, 2.15, "
        "2.16, and 3.1 to 3.24 for file owners and modes)",
    ]
