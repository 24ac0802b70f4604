"""playbooks/containers.yml over SSH on a booted Debian 12 host with Debian's docker.io and python3-docker."""

from __future__ import annotations

from ansible_run import ROOT, run_module, run_playbook

PLAYBOOK = ROOT / "playbooks" / "containers.yml"


def test_fleet_playbook_runs_the_containers_then_changes_nothing(docker_io_host, load_busybox, test_images):
    host, inventory = docker_io_host
    load_busybox(inventory)

    web = {"name": "web", "command": ["httpd", "-f", "-p", "80", "-h", "/www"], "ports": ["127.0.0.1::80"]}
    worker = {"name": "worker", "command": ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"], "env": {"Q": "1"}}
    extra = {
        "docker_containers_hosts": "all",
        "docker_containers_defaults": {"image": test_images["busybox"], "restart_policy": "unless-stopped"},
        "docker_containers": [web, worker],
    }
    first = run_playbook(PLAYBOOK, inventory=inventory, extra_vars=extra)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "web: running created, started" in first.stdout
    again = run_playbook(PLAYBOOK, inventory=inventory, extra_vars=extra)
    assert again.returncode == 0, again.stdout
    assert "changed=0" in again.stdout and "web: running unchanged" in again.stdout

    served = run_module("dockyard.docker.container_exec",
                        {"container": "web", "command": "wget -qO- http://127.0.0.1/index.html"},
                        inventory=inventory, hosts="all", become=True)[host.name]  # fmt: skip
    assert served["stdout"] == "dockyard busybox test image"

    extra["docker_containers"] = [web]
    predicted = run_playbook(PLAYBOOK, inventory=inventory, extra_vars=extra, check=True)
    assert "worker: would be removed (no longer in docker_containers)" in predicted.stdout, predicted.stdout
    pruned = run_playbook(PLAYBOOK, inventory=inventory, extra_vars=extra)
    assert pruned.returncode == 0, pruned.stdout
    # The summary names what was removed, not only what remains.
    assert "worker: removed (no longer in docker_containers)" in pruned.stdout, pruned.stdout
    gone = run_module("dockyard.docker.container", {"name": "worker", "state": "absent"},
                      inventory=inventory, hosts="all", become=True)[host.name]  # fmt: skip
    assert gone["changed"] is False  # the playbook already pruned it
