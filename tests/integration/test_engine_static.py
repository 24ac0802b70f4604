"""docker_package_source: static on a booted Debian 12 host over SSH: the engine installed from a static
archive with the role's units, a second run that changes nothing, and an upgrade to a second archive that
replaces the binaries with one restart.

Docker's download site cannot be reached here, so the archives are built in the test the way Docker lays
them out (docker/dockerd, docker/containerd, ...) from the binaries of Debian's packages: Debian 11's engine
and Debian 12's. Debian builds dockerd against libdevmapper, which Docker's static build does not need, so the
host gets that one library first; everything else the role does as it would with Docker's archive."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from engine_host import EngineHost, boot_engine_host

OLD, NEW = "20.10.5", "20.10.24"
BINARIES = "dockerd docker docker-proxy containerd containerd-shim-runc-v2 ctr runc"
# Run in a container of the release's test image, which reaches the release's mirror.
PACK = f"""set -e
for pause in 5 10 20 40 0; do apt-get update -q >/dev/null && break; sleep $pause; done
mkdir -p /work/root /work/docker && cd /work
for pause in 5 10 20 40 0; do apt-get download docker.io containerd runc tini && break; sleep $pause; done
for deb in *.deb; do dpkg-deb -x "$deb" root; done
for name in {BINARIES}; do cp "$(find root/usr/bin root/usr/sbin -name "$name" -type f | head -n 1)" docker/; done
cp root/usr/bin/tini-static docker/docker-init
tar -czf /out/docker-$RELEASE.tgz docker
"""


@pytest.fixture(scope="module")
def archives(docker_client, tmp_path_factory) -> dict[str, tuple[Path, str]]:
    """Release -> (archive on the controller, its sha256:<hex> checksum)."""
    out = tmp_path_factory.mktemp("static")
    built = {}
    for release in ("debian11", "debian12"):
        docker_client.containers.run(
            f"dockyard-testbed/{release}", ["sh", "-c", PACK], environment={"RELEASE": release},
            volumes={str(out): {"bind": "/out", "mode": "rw"}}, remove=True,
        )  # fmt: skip
        archive = out / f"docker-{release}.tgz"
        built[release] = (archive, "sha256:" + hashlib.sha256(archive.read_bytes()).hexdigest())
    return built


@pytest.fixture(scope="module")
def fresh(start_hosts, ssh_key) -> EngineHost:
    host = boot_engine_host(start_hosts, ssh_key, converge=False)
    host.sh("for pause in 5 10 20 40 0; do apt-get update -q >/dev/null && apt-get install -q -y"
            " --no-install-recommends libdevmapper1.02.1 >/dev/null && break; sleep $pause; done")  # fmt: skip
    return host


def static(archive: tuple[Path, str], **settings) -> dict:
    return {"docker_package_source": "static", "docker_static_archive": str(archive[0]),
            "docker_static_checksum": archive[1], **settings}  # fmt: skip


def absent(host: EngineHost, *paths: str) -> bool:
    return host.sh(" ".join(f"test ! -e {path} &&" for path in paths) + " echo absent").strip() == "absent"


def test_check_mode_on_a_fresh_host_predicts_the_install_and_touches_nothing(fresh, archives):
    proc, counts = fresh.apply(check=True, **static(archives["debian11"]))
    assert proc.returncode == 0, proc.stdout
    assert counts["changed"] >= 1
    assert absent(fresh, "/usr/local/bin/dockerd", "/etc/systemd/system/docker.service",
                  "/var/lib/dockyard/static-engine.json", "/var/cache/dockyard/static")  # fmt: skip


def test_bad_archive_settings_are_named_before_anything_is_touched(fresh, archives, tmp_path):
    path, checksum = archives["debian11"]
    for settings, message in [
        ({"docker_static_checksum": "md5:abc"}, 'docker_static_checksum: "md5:abc" is not sha256:<64 hex digits>'),
        ({"docker_static_archive": str(tmp_path / "gone.tgz")}, f'"{tmp_path / "gone.tgz"}" does not exist on the'),
        ({"docker_version": OLD}, 'docker_version: "20.10.5" pins packages; with docker_package_source: static'),
    ]:
        proc, counts = fresh.apply(**{**static(archives["debian11"]), **settings})
        assert proc.returncode != 0 and message in proc.stdout, proc.stdout
        assert counts["changed"] == 0
    # A well-formed checksum of another file: found on the host, before any binary is replaced.
    proc, _counts = fresh.apply(**static((path, archives["debian12"][1])))
    assert proc.returncode != 0
    assert f"does not match {path} (its sha256 is {checksum.removeprefix('sha256:')})" in proc.stdout, proc.stdout
    assert absent(fresh, "/usr/local/bin/dockerd", "/var/lib/dockyard/static-engine.json")


def test_the_archive_installs_an_engine_that_runs_containers_and_a_second_run_changes_nothing(
    fresh, archives, load_busybox
):
    proc, _counts = fresh.apply(**static(archives["debian11"]))
    assert proc.returncode == 0, proc.stdout
    assert fresh.info()["ServerVersion"].startswith(OLD + "+")
    assert fresh.sh("readlink /proc/$(systemctl show docker --property=MainPID --value)/exe").strip() == (
        "/usr/local/bin/dockerd"
    )
    assert fresh.sh("stat -c '%G %a' /run/docker.sock; systemctl is-enabled docker").split() == [
        "docker", "660", "enabled"
    ]  # fmt: skip
    load_busybox(fresh.inventory)
    assert fresh.sh("docker run --rm dockyard-testbed/busybox echo ran").strip() == "ran"
    pid = fresh.daemon_pid()
    again, counts = fresh.apply(**static(archives["debian11"]))
    assert again.returncode == 0 and counts["changed"] == 0, again.stdout
    assert fresh.daemon_pid() == pid


def test_a_new_archive_replaces_the_binaries_with_one_restart(fresh, archives):
    fresh.sh("docker run -d --name keeps --restart always dockyard-testbed/busybox sleep 86400")
    starts = fresh.daemon_starts()
    proc, _counts = fresh.apply(**static(archives["debian12"]))
    assert proc.returncode == 0, proc.stdout
    assert fresh.info()["ServerVersion"].startswith(NEW + "+")
    assert fresh.daemon_starts() == starts + 1
    assert fresh.sh("docker inspect -f '{{.State.Running}}' keeps").strip() == "true"
    again, counts = fresh.apply(**static(archives["debian12"]))
    assert again.returncode == 0 and counts["changed"] == 0, again.stdout
