"""playbooks/containers.yml over SSH on a booted Debian 12 host with Debian's docker.io and python3-docker."""

from __future__ import annotations

from ansible_run import ROOT, run_module, run_playbook

PLAYBOOK = ROOT / "playbooks" / "containers.yml"


def test_fleet_playbook_runs_the_containers_then_changes_nothing(docker_io_host, docker_client, test_images, tmp_path):
    host, inventory = docker_io_host
    archive = tmp_path / "busybox.tar"
    with archive.open("wb") as out:
        # by name, so that the archive records that tag (Image.save(named=True) takes the first of many)
        for chunk in docker_client.api.get_image(test_images["busybox"]):
            out.write(chunk)
    copied = run_module("ansible.builtin.copy", {"src": str(archive), "dest": "/tmp/busybox.tar"},
                        inventory=inventory, hosts="all", become=True)[host.name]  # fmt: skip
    assert not copied.failed, copied.get("msg")
    loaded = run_module("dockyard.docker.image_load", {"path": "/tmp/busybox.tar"},
                        inventory=inventory, hosts="all", become=True)[host.name]  # fmt: skip
    assert not loaded.failed, loaded.get("msg")

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
    pruned = run_playbook(PLAYBOOK, inventory=inventory, extra_vars=extra)
    assert pruned.returncode == 0, pruned.stdout
    gone = run_module("dockyard.docker.container", {"name": "worker", "state": "absent"},
                      inventory=inventory, hosts="all", become=True)[host.name]  # fmt: skip
    assert gone["changed"] is False  # the playbook already pruned it
