"""The modules on every target Python and Docker SDK the booted Debian releases package: Debian 11 (Python 3.9,
python3-docker 4.1, the oldest SDK the modules accept), 12 (3.11, 5.0), 13 (3.13, 7.1) and 13 with Debian 14's
engine and SDK (3.13, 7.2), all four at once over SSH; and an SDK older than the minimum, named in the failure."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from ansible_run import ROOT, recap_all, run_module, run_playbook
from testbed import hosts as testbed_hosts

# release -> (its Python, its python3-docker): what the test expects each release to package.
PACKAGED = {
    "debian11": ("3.9", "4.1"),
    "debian12": ("3.11", "5.0"),
    "debian13": ("3.13", "7.1"),
    "debian13-docker28": ("3.13", "7.2"),
}
MODULES = ROOT / "tests/integration/playbooks/target_modules.yml"
# An SDK below the minimum (client.MIN_DOCKER_SDK), from PyPI, put first on the module's path.
OLD_SDK = "4.0.2"


@pytest.fixture(scope="module")
def fleet(start_hosts, ssh_key, tmp_path_factory, load_busybox):
    """One booted host per release with its own docker.io and python3-docker, in one inventory."""
    hosts = [start_hosts(release, 1, docker_io=True)[0][0] for release in PACKAGED]
    inventory = testbed_hosts.write_inventory(hosts, ssh_key, tmp_path_factory.mktemp("targets") / "hosts.yml")
    load_busybox(inventory)
    return hosts, inventory


def test_each_release_runs_the_modules_on_its_own_python_and_sdk_and_a_second_run_changes_nothing(fleet, test_images):
    hosts, inventory = fleet
    probe = "import sys, docker; print('%d.%d' % sys.version_info[:2], docker.__version__)"
    found = run_module("ansible.builtin.command", {"argv": ["python3", "-c", probe]}, inventory=inventory, hosts="all")
    for host in hosts:
        python, sdk = found[host.name]["stdout"].split()
        assert (python, ".".join(sdk.split(".")[:2])) == PACKAGED[host.release], host.release

    extra = {"busybox_image": test_images["busybox"]}
    first = run_playbook(MODULES, inventory=inventory, extra_vars=extra)
    assert first.returncode == 0, first.stdout + first.stderr
    counts = recap_all(first.stdout)
    assert all(counts[h.name]["changed"] > 0 for h in hosts), counts
    again = run_playbook(MODULES, inventory=inventory, extra_vars=extra)
    assert again.returncode == 0, again.stdout + again.stderr
    assert {h.release: recap_all(again.stdout)[h.name]["changed"] for h in hosts} == dict.fromkeys(PACKAGED, 0)


def test_an_sdk_older_than_the_minimum_fails_naming_the_installed_one(fleet, tmp_path):
    hosts, inventory = fleet
    oldest = next(h for h in hosts if h.release == "debian11")
    wheel_dir = tmp_path / "wheels"
    download = [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "-d", str(wheel_dir), f"docker=={OLD_SDK}"]
    for _attempt in range(3):
        if subprocess.run(download, capture_output=True, check=False).returncode == 0:
            break
    wheel = next(wheel_dir.glob("docker-*.whl"))
    playbook = tmp_path / "old_sdk.yml"
    playbook.write_text(json.dumps([{
        "hosts": "all", "become": True, "gather_facts": False,
        "tasks": [
            {"ansible.builtin.copy": {"src": str(wheel), "dest": "/tmp/old-sdk.whl"}},
            {"ansible.builtin.command": {"argv": ["python3", "-m", "zipfile", "-e", "/tmp/old-sdk.whl", "/opt/old-sdk"],
                                         "creates": "/opt/old-sdk/docker"}},
            {"dockyard.docker.host_info": {}, "environment": {"PYTHONPATH": "/opt/old-sdk"}},
        ],
    }]))  # fmt: skip
    proc = run_playbook(playbook, inventory=inventory, limit=oldest.name)
    assert proc.returncode != 0
    assert f"is {OLD_SDK}, older than 4.1.0" in proc.stdout, proc.stdout
    assert "pip install 'docker>=4.1.0'" in proc.stdout
