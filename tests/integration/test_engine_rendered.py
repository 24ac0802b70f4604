"""The engine role's data and templates for the families this machine cannot boot.

These are rendered, not booted: the role's vars/<family>.yml and templates are resolved with
the facts of each distribution and the result is checked; no such host runs here.
"""

from __future__ import annotations

import json
import sys

import pytest

from ansible_run import ROOT, run_playbook

MIRROR = "https://mirror.example.cn/docker-ce/linux"

FAMILIES = {
    "ubuntu2404": {"ansible_os_family": "Debian", "ansible_distribution": "Ubuntu",
                   "ansible_distribution_release": "noble", "ansible_distribution_major_version": "24"},
    "mint22": {"ansible_os_family": "Debian", "ansible_distribution": "Linux Mint",
               "ansible_distribution_release": "wilma", "ansible_distribution_major_version": "22"},
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


def render(tmp_path, distro: str, **settings):
    tmp_path.mkdir(parents=True, exist_ok=True)
    facts = dict(FAMILIES[distro], ansible_architecture="x86_64")
    extra = {**facts, "render_dir": str(tmp_path), "ansible_python_interpreter": sys.executable, **settings}
    proc = run_playbook(ROOT / "tests/integration/playbooks/render_engine.yml", inventory="localhost,",
                        extra_vars=extra)  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    data = json.loads((tmp_path / "data.json").read_text())
    repo = tmp_path / "repository"
    return data, (repo.read_text() if repo.exists() else None)


def test_rendered_ubuntu_docker_mirror_apt_source(tmp_path):
    data, repo = render(tmp_path, "ubuntu2404", docker_package_source="mirror", docker_repository_mirror=MIRROR + "/")
    assert data["package_manager"] == "apt" and data["service_manager"] == "systemd"
    assert data["packages"][:2] == ["docker-ce", "docker-ce-cli"]
    assert "docker.io" in data["conflicts"] and "podman-docker" in data["conflicts"]
    assert f"URIs: {MIRROR}/ubuntu\n" in repo
    assert "Suites: noble\n" in repo and "Architectures: amd64\n" in repo
    assert data["key_url"] == f"{MIRROR}/ubuntu/gpg"


def test_rendered_mint_uses_ubuntu_tree_and_release(tmp_path):
    _data, repo = render(tmp_path, "mint22", docker_package_source="docker")
    assert "URIs: https://download.docker.com/linux/ubuntu\n" in repo
    assert "Suites: noble\n" in repo


def test_rendered_debian13_distro_packages_include_the_split_cli(tmp_path):
    data, repo = render(tmp_path, "debian13")
    assert data["packages"] == ["docker.io", "docker-cli", "python3-docker"]
    assert repo is None  # distro packages need no repository


@pytest.mark.parametrize(("distro", "tree"), [("rocky9", "centos"), ("rhel9", "rhel"), ("fedora41", "fedora")])
def test_rendered_redhat_repo_file_carries_the_mirror_in_baseurl_and_gpgkey(tmp_path, distro, tree):
    data, repo = render(tmp_path, distro, docker_package_source="mirror", docker_repository_mirror=MIRROR)
    assert data["package_manager"] == "dnf"
    assert data["repository_file"] == "/etc/yum.repos.d/docker-ce.repo"
    assert f"baseurl={MIRROR}/{tree}/$releasever/$basearch/stable\n" in repo
    assert f"gpgkey={MIRROR}/{tree}/gpg\n" in repo
    assert "moby-engine" in data["conflicts"] and "podman-docker" in data["conflicts"]


def test_rendered_fedora_and_amazon_distro_packages(tmp_path):
    fedora, _unused = render(tmp_path / "f", "fedora41")
    amazon, _unused = render(tmp_path / "a", "amazon2023")
    assert fedora["packages"][0] == "moby-engine"
    assert amazon["packages"][0] == "docker"
    assert amazon["repository_supported"] is False


def test_rendered_rhel_has_no_distro_engine(tmp_path):
    data, _unused = render(tmp_path, "rocky9")
    assert data["packages"] == ["python3-docker"]  # validate.yml stops on this: no engine package


@pytest.mark.parametrize(
    ("distro", "manager", "service", "sdk"),
    [("opensuse15", "zypper", "systemd", "python3-docker"), ("alpine320", "apk", "openrc", "py3-docker-py"),
     ("arch", "pacman", "systemd", "python-docker")],
)  # fmt: skip
def test_rendered_distro_only_families(tmp_path, distro, manager, service, sdk):
    data, _unused = render(tmp_path, distro)
    assert data["package_manager"] == manager
    assert data["service_manager"] == service
    assert data["packages"][-1] == sdk
    assert data["repository_supported"] is False


def test_rendered_openrc_proxy_goes_to_its_conf_d_which_the_service_reads(tmp_path):
    data, _unused = render(tmp_path, "alpine320")
    assert data["proxy_file"] == "/etc/conf.d/docker.dockyard-proxy"
    # /etc/init.d/docker reads only /etc/conf.d/docker: that file reads the proxy file.
    assert data["proxy_source"] == {
        "path": "/etc/conf.d/docker",
        "line": "[ -f /etc/conf.d/docker.dockyard-proxy ] && . /etc/conf.d/docker.dockyard-proxy",
    }
    systemd, _unused = render(tmp_path / "debian", "debian13")
    assert systemd["proxy_source"] == {}


def test_rendered_daemon_settings_drop_empty_values_and_merge_options(tmp_path):
    options = {"log-opts": {"compress": "true"}, "debug": True}
    data, _unused = render(tmp_path, "debian13", docker_dns=["9.9.9.9"], docker_daemon_options=options)
    settings = data["daemon_settings"]
    assert settings["dns"] == ["9.9.9.9"]
    assert settings["registry-mirrors"] is None  # cleared variable -> key removed from daemon.json
    assert settings["log-opts"] == {"max-size": "10m", "max-file": "3", "compress": "true"}
    assert settings["debug"] is True


def test_rendered_insecure_registries_for_every_address_are_refused_unless_allowed(tmp_path):
    data, _unused = render(tmp_path / "refused", "debian13", docker_insecure_registries=["10.0.0.0/8", "0.0.0.0/0"])
    assert data["insecure_everywhere_problem"].startswith(
        'docker_insecure_registries: ["0.0.0.0/0"] trusts every registry, Docker Hub included, over plain HTTP'
    )
    allowed, _unused = render(tmp_path / "allowed", "debian13", docker_insecure_registries=["::/0"],
                              docker_insecure_registries_allow_everywhere=True)  # fmt: skip
    assert allowed["insecure_everywhere_problem"] == ""
    named, _unused = render(tmp_path / "named", "debian13", docker_insecure_registries=["10.0.0.0/8", "reg.lan:5000"])
    assert named["insecure_everywhere_problem"] == ""


@pytest.mark.parametrize(
    ("distro", "file", "command"),
    [("ubuntu2404", "/etc/default/grub", "update-grub"), ("rocky9", "/etc/default/grub", "grubby"),
     ("opensuse15", "/etc/default/grub", "grub2-mkconfig"), ("arch", "/etc/default/grub", "grub-mkconfig"),
     ("alpine320", "/etc/update-extlinux.conf", "update-extlinux")],
)  # fmt: skip
def test_rendered_boot_loader_for_swap_accounting(tmp_path, distro, file, command):
    data, _unused = render(tmp_path, distro)
    assert data["boot_loader"]["file"] == file
    assert data["boot_loader"]["command"][0] == command


def test_an_unknown_family_fails_at_once_naming_the_supported_ones(tmp_path):
    facts = {"ansible_os_family": "Gentoo", "ansible_distribution": "Gentoo", "ansible_architecture": "x86_64",
             "render_dir": str(tmp_path), "ansible_python_interpreter": sys.executable}  # fmt: skip
    proc = run_playbook(ROOT / "tests/integration/playbooks/render_engine.yml", inventory="localhost,",
                        extra_vars=facts)  # fmt: skip
    assert proc.returncode != 0
    assert (
        "Gentoo (Gentoo family) is not supported by the engine role; it knows the families "
        "Alpine, Archlinux, Debian, RedHat, Suse" in proc.stdout
    ), proc.stdout


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
def test_rendered_pins_apply_to_the_engine_packages_and_name_the_hold(
    tmp_path, distro, source, version, packages, hold
):
    data, _repo = render(tmp_path, distro, docker_package_source=source, docker_version=version,
                         docker_install_sdk=False)  # fmt: skip
    assert data["packages"] == packages
    assert data["hold_commands"]["hold"] == hold


STATIC = {"docker_package_source": "static", "docker_static_archive": "https://downloads.example.com/docker-27.3.1.tgz",
          "docker_static_checksum": "sha256:" + "0" * 64, "docker_static_bin_dir": "/opt/docker/bin"}  # fmt: skip


@pytest.mark.parametrize("distro", ["rocky9", "opensuse15"])
def test_rendered_static_install_uses_systemd_units_and_conflicts_with_either_packaged_engine(tmp_path, distro):
    data, _repo = render(tmp_path, distro, **STATIC)
    assert data["static_units"] == ["/etc/systemd/system/docker.service", "/etc/systemd/system/docker.socket"]
    assert data["packages"][0] == "iptables"
    assert {"docker", "podman-docker"} <= set(data["conflicts"])
    service = (tmp_path / "docker.service").read_text()
    assert "ExecStart=/opt/docker/bin/dockerd -H fd://\n" in service
    assert "Environment=PATH=/opt/docker/bin:" in service
    assert "SocketGroup=docker\n" in (tmp_path / "docker.socket").read_text()


def test_rendered_static_install_on_alpine_is_an_openrc_service_that_reads_the_proxy(tmp_path):
    data, _repo = render(tmp_path, "alpine320", **STATIC)
    assert data["static_units"] == ["/etc/init.d/docker"]
    script = (tmp_path / "docker").read_text()
    assert script.startswith("#!/sbin/openrc-run\n")
    assert 'command="/opt/docker/bin/dockerd"' in script
    # openrc-run reads /etc/conf.d/<service> for the script, and that file reads the proxy file.
    assert data["proxy_source"]["path"] == "/etc/conf.d/docker"
    assert ". /etc/conf.d/docker.dockyard-proxy" in data["proxy_source"]["line"]
    assert 'export PATH="/opt/docker/bin:${PATH}"' in script


@pytest.mark.parametrize(
    ("distro", "source", "packages", "command"),
    [("ubuntu2404", "docker", ["docker-ce-rootless-extras", "uidmap", "slirp4netns", "dbus-user-session"],
      "/usr/bin/dockerd-rootless.sh"),
     ("debian13", "distro", ["uidmap", "rootlesskit", "slirp4netns", "dbus-user-session"],
      "/usr/share/docker.io/contrib/dockerd-rootless.sh"),
     ("rocky9", "docker", ["docker-ce-rootless-extras", "shadow-utils", "slirp4netns"], "/usr/bin/dockerd-rootless.sh"),
     ("opensuse15", "distro", ["docker-rootless-extras", "shadow", "slirp4netns"], "/usr/bin/dockerd-rootless.sh")],
)  # fmt: skip
def test_rendered_rootless_packages_and_script_per_family(tmp_path, distro, source, packages, command):
    data, _repo = render(tmp_path, distro, docker_package_source=source, docker_rootless_users=["alice"])
    assert data["rootless_supported"] is True
    assert data["rootless_packages"] == packages
    assert data["rootless_command"] == command


@pytest.mark.parametrize(("distro", "source"), [("alpine320", "distro"), ("arch", "distro"), ("fedora41", "distro"),
                                                ("ubuntu2404", "static")])  # fmt: skip
def test_rendered_rootless_is_refused_where_nothing_packages_it(tmp_path, distro, source):
    extra = STATIC if source == "static" else {"docker_package_source": source}
    data, _repo = render(tmp_path, distro, docker_rootless_users=["alice"], **extra)
    assert data["rootless_supported"] is False and data["rootless_packages"] == []
