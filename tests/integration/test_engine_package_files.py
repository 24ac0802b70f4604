"""docker_package_source: files on a booted Debian 12 host over SSH that reaches no repository: the
engine installed from .deb files the controller holds (fetched beforehand from the same distribution,
as an air-gapped fleet's operator would), and a second run that changes nothing."""

from __future__ import annotations

import subprocess

import pytest

from engine_host import boot_engine_host

ENGINE = "docker.io python3-yaml python3-docker"


@pytest.fixture(scope="module")
def offline(start_hosts, ssh_key, tmp_path_factory):
    """(host, the .deb files on the controller): what the engine needs, fetched, then the host's
    repositories taken away."""
    host = boot_engine_host(start_hosts, ssh_key, converge=False)
    host.sh(
        "for pause in 5 10 20 40; do apt-get update -q && apt-get install -q -y --download-only"
        f" --no-install-recommends {ENGINE} && break; sleep $pause; done"
    )
    debs = tmp_path_factory.mktemp("debs")
    subprocess.run(["docker", "cp", f"{host.host.container_id}:/var/cache/apt/archives/.", str(debs)], check=True)
    host.sh("rm -f /etc/apt/sources.list /var/cache/apt/archives/*.deb && rm -rf /var/lib/apt/lists/*")
    files = sorted(str(path) for path in debs.glob("*.deb"))
    assert any("docker.io_" in path for path in files)
    return host, files


def test_a_missing_package_file_is_named_before_anything_is_touched(offline):
    host, files = offline
    without_sdk = [path for path in files if "/python3-docker_" not in path]
    proc, counts = host.apply(docker_package_source="files", docker_package_files=without_sdk)
    assert proc.returncode != 0
    assert 'docker_package_files: no file for ["python3-docker"], which the host lacks' in proc.stdout, proc.stdout
    assert counts["changed"] == 0
    assert host.sh("test -e /usr/sbin/dockerd || echo absent").strip() == "absent"


def test_the_engine_installs_from_the_files_and_a_second_run_changes_nothing(offline):
    host, files = offline
    proc, _counts = host.apply(docker_package_source="files", docker_package_files=files)
    assert proc.returncode == 0, proc.stdout
    assert host.info()["ServerVersion"].startswith("20.10")
    # Still no repository: nothing came from one.
    assert host.sh("ls /var/lib/apt/lists | grep -c Packages || true").strip() == "0"
    again, counts = host.apply(docker_package_source="files", docker_package_files=files)
    assert again.returncode == 0 and counts["changed"] == 0, again.stdout
