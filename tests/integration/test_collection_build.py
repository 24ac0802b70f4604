"""The collection builds into a tarball that ansible-galaxy installs, and the installed copy works."""

from __future__ import annotations

import json
import shutil
import subprocess
import tarfile
import time

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


def test_the_site_playbook_runs_from_the_installed_copy(installed, start_hosts):
    """`ansible-playbook dockyard.docker.site`, found only in the installed copy (not the checkout), makes a
    fresh host a Docker host, and a second run changes nothing."""
    collections = installed[1]
    _hosts, inventory = start_hosts("debian12", 1)
    settings = ROOT / "playbooks/examples/group_vars/docker_hosts.yml"
    command = [str(VENV_BIN / "ansible-playbook"), "-i", str(inventory), "dockyard.docker.site", "-e", f"@{settings}"]
    env = ansible_env({"ANSIBLE_COLLECTIONS_PATH": str(collections)})
    for run, changed in (("first", True), ("second", False)):
        proc = subprocess.run(command, capture_output=True, text=True, env=env, check=False, cwd=collections)
        assert proc.returncode == 0, f"{run} run:\n{proc.stdout[-3000:]}"
        assert ("changed=0" not in proc.stdout) is changed, proc.stdout[-2000:]
    assert str(collections) in subprocess.run(
        [str(VENV_BIN / "ansible-galaxy"), "collection", "list", "dockyard.docker"],
        capture_output=True, text=True, env=env, check=True,
    ).stdout  # fmt: skip


def test_the_installed_collection_tells_ansible_builder_what_an_execution_environment_needs(installed):
    collections = installed[1]
    found = subprocess.run([str(VENV_BIN / "ansible-builder"), "introspect", str(collections)],
                           capture_output=True, text=True, check=True).stdout  # fmt: skip
    for line in (ROOT / "meta/ee-requirements.txt").read_text().splitlines():
        if line and not line.startswith("#"):
            assert f"{line.split()[0]}  # from collection dockyard.docker" in found, found
    assert "openssh-clients [platform:rpm]  # from collection dockyard.docker" in found


def test_the_documented_execution_environment_makes_a_build_context_with_the_collection(installed, tmp_path):
    tarball = installed[0]
    definition = ROOT / "docs/execution-environment/execution-environment.yml"
    (tmp_path / "collections").mkdir()
    shutil.copy(tarball, tmp_path / "collections")
    shutil.copy(definition, tmp_path)
    subprocess.run([str(VENV_BIN / "ansible-builder"), "create", "-f", definition.name, "--context", "context"],
                   cwd=tmp_path, capture_output=True, text=True, check=True)  # fmt: skip
    context = tmp_path / "context"
    assert (context / "_build/dockyard" / tarball.name).is_file()
    build = (context / "Dockerfile").read_text()
    assert "COPY _build/dockyard/ /tmp/dockyard/" in build
    assert "ansible-galaxy collection install" in build
    assert "/tmp/dockyard/dockyard-docker.tar.gz" in (context / "_build/requirements.yml").read_text()


def test_the_execution_environment_requirements_resolve_on_pypi(tmp_path):
    """pip resolves the pinned set without installing it (retried: a slow index must not fail the test)."""
    command = [str(VENV_BIN / "pip"), "install", "--dry-run", "--ignore-installed", "--quiet",
               "--report", str(tmp_path / "report.json"), "-r", str(ROOT / "meta/ee-requirements.txt")]  # fmt: skip
    for attempt in range(4):
        proc = subprocess.run(command, capture_output=True, text=True, check=False)
        if proc.returncode == 0:
            break
        time.sleep(2**attempt)
    assert proc.returncode == 0, proc.stderr
    report = json.loads((tmp_path / "report.json").read_text())
    resolved = {item["metadata"]["name"].lower() for item in report["install"]}
    assert {"docker", "requests", "cryptography", "bcrypt"} <= resolved
