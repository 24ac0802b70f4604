"""playbooks/containers.yml over SSH on a booted Debian 12 host with Debian's docker.io and python3-docker."""

from __future__ import annotations

import shlex
import subprocess

from ansible_run import ROOT, run_module, run_playbook
from testbed.hosts import ssh_command

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


# The daemon is SIGKILLed while containers the module created are being started, as a crash would: a
# start it had handed to containerd but not recorded leaves a task the restarted daemon does not know.
# The CLI starts them (in parallel, so the kill lands between the two halves of some start); the module
# then finds them as a fleet run after the crash would. The kill lands early, which leaves such a task
# most of the time; each attempt is a few seconds, and the test needs one success out of several.
CRASH = r"""
base=$(ctr -n moby task ls -q | wc -l)
for name in {names}; do docker start "$name" >/dev/null 2>&1 & done
until [ "$(ctr -n moby task ls -q | wc -l)" -gt "$base" ]; do sleep 0.02; done
pkill -9 -x dockerd; wait
systemctl reset-failed docker; systemctl start docker
for id in $(docker ps -aq --no-trunc --filter status=created --filter label=dockyard.test=crash); do
  ctr -n moby task ls -q | grep -qx "$id" && echo "$id"
done
true
"""
CRASH_ATTEMPTS = 8


def test_a_container_a_daemon_crash_left_unstartable_is_recreated_once(docker_io_host, ssh_key, load_busybox,
                                                                       test_images):  # fmt: skip
    host, inventory = docker_io_host
    load_busybox(inventory)
    specs = [
        {"name": f"crash-{n}", "command": ["sleep", "3600"], "labels": {"dockyard.test": "crash"}} for n in range(24)
    ]
    batch = {"defaults": {"image": test_images["busybox"], "restart_policy": "unless-stopped"}, "containers": specs}

    def containers(state: str):
        args = {**batch, "defaults": {**batch["defaults"], "state": state}}
        return run_module("dockyard.docker.containers", args, inventory=inventory, hosts="all", become=True)[host.name]

    def sh(script: str) -> str:
        return subprocess.run(ssh_command(host, ssh_key, "sudo", "bash", "-c", shlex.quote(script)),
                              capture_output=True, text=True, check=True).stdout  # fmt: skip

    stale: list[str] = []
    for attempt in range(1, CRASH_ATTEMPTS + 1):
        assert not containers("absent").failed
        assert not containers("present").failed  # created, not started: the CLI starts them next
        stale = sh(CRASH.format(names=" ".join(s["name"] for s in specs))).split()
        if stale:
            print(f"daemon kill {attempt} left {len(stale)} container(s) with a stale task")
            break
    assert stale, f"no daemon kill in {CRASH_ATTEMPTS} attempts left a container its stale task keeps from starting"
    # Without the recovery, every start of such a container fails, run after run.
    stuck = sh(f"docker start {stale[0]} 2>&1 || true")
    assert "already in use" in stuck or "already exists" in stuck, stuck

    recovered = containers("started")
    assert not recovered.failed, recovered.output
    by_id = {r["container"]["id"]: r for r in recovered["results"]}
    assert not set(stale) & set(by_id), "a stale container was not replaced"
    recreated = [r for r in recovered["results"] if "recreated" in r["actions"]]
    assert len(recreated) == len(stale), recovered["results"]
    assert all(r["actions"] == ["recreated", "started"] for r in recreated)
    for result in recreated:
        assert any(w.startswith(f"{result['name']}: recreated: the engine would not start it")
                   for w in recovered["warnings"]), recovered["warnings"]  # fmt: skip
    assert all(r["container"]["running"] for r in recovered["results"])

    again = containers("started")
    assert not again.failed and again["changed"] is False, again["results"]
    # The warning's claim: the old task still runs outside Docker until ctr kills it.
    tasks = sh("ctr -n moby task ls -q").split()
    assert set(stale) <= set(tasks)
    sh("".join(f"ctr -n moby task kill -s KILL {task}; " for task in stale) + "true")
    assert not containers("absent").failed
