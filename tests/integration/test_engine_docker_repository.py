"""docker_package_source: docker and mirror, installed for real on booted Debian 12 and 13 hosts over SSH.

The repository is built in the test as Docker's is laid out (tests/docker_repository.py: docker-ce 26.1.5
and 28.5.2, containerd.io 2.1.9, the compose and buildx plugins, a signed Release) and published by the
controller: over HTTPS as download.docker.com (the host resolves that name to the controller and trusts the
test CA; nothing else differs from Docker's own), and over HTTP as a mirror (the field notes' case).

Debian 12: a host on Debian's docker.io 20.10 with a running container, a volume and an image, and an earlier
Docker source (a docker.list signed by a key in /usr/share/keyrings, a key in trusted.gpg.d) switches to
docker-ce pinned at 26.1: check mode first, then the switch keeps everything, the earlier source goes, apt
works, the pin holds; a second run changes nothing; a key rotated in the repository is fetched when a new pin
(28.5) upgrades the engine, with one restart. Debian 13: a fresh host installs from the mirror."""

from __future__ import annotations

import base64

import pytest
from docker_repository import build, version

from engine_host import EngineHost, boot_engine_host
from local_docker import bridge_address
from testbed.tls_daemon import make_certs

OLD_LIST = (
    "deb [arch=amd64 signed-by=/usr/share/keyrings/docker-archive-keyring.gpg]"
    " https://download.docker.com/linux/debian bookworm stable"
)
OLD_KEYS = ("/usr/share/keyrings/docker-archive-keyring.gpg", "/etc/apt/trusted.gpg.d/docker.gpg")
KEYRING, SOURCES = "/etc/apt/keyrings/docker.asc", "/etc/apt/sources.list.d/docker.sources"
KEEPER = "docker run -d --name keeper --restart always -v kept:/data dockyard-testbed/busybox sh -c 'echo kept > /data/f; sleep 1d'"  # noqa: E501


@pytest.fixture(scope="module")
def repository(docker_client, tmp_path_factory):
    """The repository, served as download.docker.com (HTTPS, port 443) and as a mirror (HTTP)."""
    out = tmp_path_factory.mktemp("docker-repository")
    repo = build(docker_client, out)
    gateway = bridge_address(docker_client)
    certs = make_certs(out / "tls", "repository", addresses=(gateway,), dns_names=("download.docker.com",))
    repo.serve(gateway, 443, (certs / "server-cert.pem", certs / "server-key.pem"))
    mirror = f"http://{gateway}:{repo.serve(gateway)}/linux"
    yield {"repo": repo, "mirror": mirror, "gateway": gateway, "ca": (certs / "ca.pem").read_bytes()}
    repo.close()


def write(host: EngineHost, path: str, content: bytes) -> None:
    host.sh(f"mkdir -p $(dirname {path}) && echo {base64.b64encode(content).decode()} | base64 -d > {path}")


def absent(host: EngineHost, *paths: str) -> list[str]:
    """Which of ``paths`` the host does not have."""
    return host.sh(" ; ".join(f"test -e {p} || echo {p}" for p in paths)).split()


def package_versions(host: EngineHost, *names: str) -> dict[str, str]:
    """The installed ones of ``names`` and their versions."""
    listed = host.sh(f"COLUMNS=300 dpkg -l {' '.join(names)} 2>/dev/null | grep -E '^[hi]i ' || true")
    return {words[1].split(":")[0]: words[2] for words in (line.split() for line in listed.splitlines())}


def kept(host: EngineHost) -> bool:
    """The container started on Debian's engine runs, its volume's data and its image are there."""
    state = host.sh("docker inspect -f '{{.State.Running}}' keeper; docker exec keeper cat /data/f").split()
    return state == ["true", "kept"] and "dockyard-testbed/busybox" in host.sh(
        "docker images --format '{{.Repository}}'"
    )


SWITCH = {"docker_package_source": "docker", "docker_version": "5:26.1", "docker_remove_conflicting_packages": True}


@pytest.fixture(scope="module")
def debian12(start_hosts, ssh_key, load_busybox, repository):
    """Debian 12 on its own docker.io, with data and an earlier Docker source, trusting the test CA for
    download.docker.com."""
    host = boot_engine_host(start_hosts, ssh_key)
    load_busybox(host.inventory)
    host.sh(KEEPER)
    write(host, "/usr/local/share/ca-certificates/dockyard-test-repository.crt", repository["ca"])
    host.sh(f"update-ca-certificates >/dev/null && echo '{repository['gateway']} download.docker.com' >> /etc/hosts")
    write(host, "/etc/apt/sources.list.d/docker.list", (OLD_LIST + "\n").encode())
    for key in OLD_KEYS:
        write(host, key, repository["repo"].key.read_bytes())
    return host


def test_check_mode_predicts_the_switch_and_touches_nothing(debian12):
    proc, counts = debian12.apply(check=True, **SWITCH)
    assert proc.returncode == 0, proc.stdout
    assert counts["changed"] >= 3, proc.stdout  # old source and keys removed, key fetched, source written, packages
    assert absent(debian12, SOURCES, KEYRING, "/etc/apt/sources.list.d/docker.list", *OLD_KEYS) == [SOURCES, KEYRING]
    assert "docker.io" in package_versions(debian12, "docker.io", "docker-ce") and kept(debian12)


def test_the_switch_to_docker_ce_keeps_every_image_container_and_volume_and_replaces_the_old_source(debian12):
    proc, _counts = debian12.apply(**SWITCH)
    assert proc.returncode == 0, proc.stdout
    assert debian12.info()["ServerVersion"].startswith("26.1.5")
    installed = package_versions(debian12, "docker.io", "docker-ce", "docker-ce-cli", "containerd.io")
    assert installed == {"docker-ce": version("26.1.5", "bookworm"), "docker-ce-cli": version("26.1.5", "bookworm"),
                         "containerd.io": "2.1.9-1"}  # fmt: skip
    assert set(debian12.sh("apt-mark showhold").split()) == {"docker-ce", "docker-ce-cli"}
    assert kept(debian12)
    # The earlier source and its keys are gone, not duplicated: apt works without a word about Signed-By.
    assert absent(debian12, "/etc/apt/sources.list.d/docker.list", *OLD_KEYS) == [
        "/etc/apt/sources.list.d/docker.list",
        *OLD_KEYS,
    ]
    sources = debian12.sh(f"cat {SOURCES}")
    assert "URIs: https://download.docker.com/linux/debian\n" in sources and f"Signed-By: {KEYRING}\n" in sources
    update = debian12.sh("apt-get update 2>&1; echo rc=$?")
    assert update.rstrip().endswith("rc=0") and "Conflicting" not in update and "W:" not in update, update


def test_a_second_run_changes_nothing_and_restarts_nothing(debian12):
    pid = debian12.daemon_pid()
    proc, counts = debian12.apply(**SWITCH)
    assert proc.returncode == 0, proc.stdout
    assert counts["changed"] == 0, proc.stdout
    assert debian12.daemon_pid() == pid


def test_a_new_pin_upgrades_with_one_restart_and_picks_up_a_rotated_key(debian12, repository):
    repository["repo"].rotate()
    starts = debian12.daemon_starts()
    proc, counts = debian12.apply(**{**SWITCH, "docker_version": "5:28.5"})
    assert proc.returncode == 0, proc.stdout
    assert debian12.info()["ServerVersion"].startswith("28.5.2")
    assert debian12.daemon_starts() == starts + 1
    assert debian12.sh(f"cat {KEYRING}") == repository["repo"].key.read_text()
    assert package_versions(debian12, "docker-ce")["docker-ce"] == version("28.5.2", "bookworm")
    assert set(debian12.sh("apt-mark showhold").split()) == {"docker-ce", "docker-ce-cli"}
    assert kept(debian12)
    again, counts = debian12.apply(**{**SWITCH, "docker_version": "5:28.5"})
    assert again.returncode == 0 and counts["changed"] == 0, again.stdout


@pytest.fixture(scope="module")
def debian13(start_hosts, ssh_key):
    hosts, inventory = start_hosts("debian13", 1)
    return EngineHost(hosts[0], inventory, ssh_key)


def test_check_mode_on_a_fresh_host_predicts_the_mirror_source_key_and_packages(debian13, repository):
    proc, counts = debian13.apply(
        check=True, docker_package_source="mirror", docker_repository_mirror=repository["mirror"]
    )
    assert proc.returncode == 0, proc.stdout
    assert counts["changed"] >= 3, proc.stdout
    assert absent(debian13, SOURCES, KEYRING, "/usr/bin/dockerd") == [SOURCES, KEYRING, "/usr/bin/dockerd"]


def test_a_fresh_host_installs_from_the_mirror_and_a_second_run_changes_nothing(debian13, repository, load_busybox):
    settings = {"docker_package_source": "mirror", "docker_repository_mirror": repository["mirror"]}
    proc, counts = debian13.apply(**settings)
    assert proc.returncode == 0, proc.stdout
    assert debian13.info()["ServerVersion"].startswith("28.5.2")
    assert package_versions(debian13, "docker-ce")["docker-ce"] == version("28.5.2", "trixie")
    assert f"URIs: {repository['mirror']}/debian\n" in debian13.sh(f"cat {SOURCES}")
    load_busybox(debian13.inventory)
    assert debian13.sh("docker run --rm dockyard-testbed/busybox echo ran").strip() == "ran"
    assert "2.40.3" in debian13.sh("docker compose version") and "0.29.1" in debian13.sh("docker buildx version")
    pid = debian13.daemon_pid()
    again, counts = debian13.apply(**settings)
    assert again.returncode == 0 and counts["changed"] == 0, again.stdout
    assert debian13.daemon_pid() == pid
