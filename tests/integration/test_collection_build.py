"""The collection builds into a tarball that ansible-galaxy installs, and the installed copy works."""

from __future__ import annotations

import subprocess
import tarfile

import pytest

from ansible_run import ROOT, VENV_BIN, ansible_env, run_module


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    out = tmp_path_factory.mktemp("build")
    subprocess.run(
        [str(VENV_BIN / "ansible-galaxy"), "collection", "build", "--output-path", str(out), str(ROOT)],
        check=True,
        capture_output=True,
        env=ansible_env(),
    )
    tarball = next(out.glob("dockyard-docker-*.tar.gz"))
    collections = tmp_path_factory.mktemp("collections")
    subprocess.run(
        [
            str(VENV_BIN / "ansible-galaxy"),
            "collection",
            "install",
            "--offline",
            "--force",
            str(tarball),
            "-p",
            str(collections),
        ],
        check=True,
        capture_output=True,
        env=ansible_env({"ANSIBLE_COLLECTIONS_PATH": str(collections)}),
    )
    return tarball, collections


def test_tarball_holds_the_collection_and_no_local_state(installed):
    tarball = installed[0]
    names = tarfile.open(tarball).getnames()
    assert "plugins/modules/host_info.py" in names
    assert "plugins/module_utils/client.py" in names
    assert "MANIFEST.json" in names
    leaked = [n for n in names if n.split("/")[0] in {".venv", ".testbed", ".build", "scripts", ".git"}]
    assert leaked == []


def test_installed_collection_documents_host_info(installed):
    collections = installed[1]
    doc = subprocess.run(
        [str(VENV_BIN / "ansible-doc"), "dockyard.docker.host_info"],
        capture_output=True,
        text=True,
        check=True,
        env=ansible_env({"ANSIBLE_COLLECTIONS_PATH": str(collections)}),
    )
    assert "tolerate_unreachable" in doc.stdout
    assert "docker_host" in doc.stdout  # from the shared doc fragment
    assert "can_talk_to_docker" in doc.stdout


def test_installed_collection_runs_host_info(installed, docker_client):
    collections = installed[1]
    result = run_module("dockyard.docker.host_info", env={"ANSIBLE_COLLECTIONS_PATH": str(collections)})["localhost"]
    assert not result.failed, result
    assert result["host"]["server_version"] == docker_client.version()["Version"]
