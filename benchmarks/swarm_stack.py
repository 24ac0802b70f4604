"""A stack's re-run on a five-node swarm, against `docker stack deploy` and a floor, in one command, as ratios.

    .venv/bin/python benchmarks/swarm_stack.py [--runs 5] [--services 6]

Five booted Debian 12 hosts with docker.io form a swarm (three managers, two workers) through playbooks/swarm.yml.
A project of --services services (replicated, a secret and a config) is deployed once by the stack module; then
each run times, against the same first manager:
(a) the floor: a playbook that gathers facts and pings the manager (the least any run costs);
(b) the stack module's re-run (a playbook with one task), which must report changed=0;
(c) `docker stack deploy -c compose.yaml` run on the manager over SSH, which updates every service of a second
    stack from the same file each time (moby#31115): what a re-run costs with the CLI.
Prints the medians and (b)/(a), (b)/(c). Target: (b)/(a) <= 1.5.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import docker  # noqa: E402
import yaml  # noqa: E402

from ansible_run import run_playbook  # noqa: E402
from testbed import hosts as testbed_hosts  # noqa: E402
from testbed.images import ensure_images  # noqa: E402

SESSION = f"bench-{os.getpid()}"
TARGET = 1.5
FLOOR = """---
- name: Floor
  hosts: "{{ manager }}"
  become: true
  tasks:
    - name: Ping
      ansible.builtin.ping:
"""
STACK = """---
- name: Stack
  hosts: "{{ manager }}"
  become: true
  tasks:
    - name: Deploy the stack
      dockyard.docker.stack:
        name: bench
        project_src: "{{ project }}"
"""
COMMAND = ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"]


def project(directory: Path, image: str, services: int) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    config = {
        "version": "3.8",  # the CLI of Docker 20.10 (Debian 12) reads no file without it
        "services": {
            f"s{i}": {"image": image, "command": COMMAND, "environment": {"INDEX": str(i)}, "secrets": ["token"],
                      "configs": [{"source": "app", "target": "/etc/app.conf"}], "deploy": {"replicas": 2}}
            for i in range(services)
        },
        "secrets": {"token": {"file": "./token.txt"}},
        "configs": {"app": {"file": "./app.conf"}},
    }  # fmt: skip
    (directory / "compose.yaml").write_text(yaml.safe_dump(config))
    (directory / "token.txt").write_text("s3cret\n")
    (directory / "app.conf").write_text("mode=bench\n")
    return directory


def timed(argv_or_playbook, inventory: Path | None = None, extra: dict | None = None) -> tuple[float, str]:
    start = time.monotonic()
    if inventory is None:
        proc = subprocess.run(argv_or_playbook, capture_output=True, text=True, check=False)
    else:
        proc = run_playbook(argv_or_playbook, inventory=inventory, extra_vars=extra)
    took = time.monotonic() - start
    if proc.returncode != 0:
        raise SystemExit(f"failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-2000:]}")
    return took, proc.stdout


def changed(stdout: str) -> int:
    return sum(int(n) for n in re.findall(r"changed=(\d+)", stdout))


def load_image(client, image: str, hosts, key: Path, work: Path) -> None:
    """The test image into every host's engine (nothing can be pulled here)."""
    archive = work / "busybox.tar"
    with archive.open("wb") as out:
        for chunk in client.api.get_image(image):
            out.write(chunk)
    for host in hosts:
        with archive.open("rb") as handle:
            loaded = subprocess.run(testbed_hosts.ssh_command(host, key, "sudo", "docker", "load", "-q"),
                                    stdin=handle, capture_output=True, check=False)  # fmt: skip
        if loaded.returncode:
            raise SystemExit(f"docker load on {host.name}: {loaded.stderr.decode()}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--services", type=int, default=6)
    args = parser.parse_args()
    client = docker.from_env()
    image = ensure_images(client, ["busybox"])["busybox"]
    with tempfile.TemporaryDirectory(prefix="dockyard-bench-") as tmp:
        work = Path(tmp)
        key = testbed_hosts.ensure_key(work / "ssh")
        try:
            hosts = testbed_hosts.start_hosts(client, "debian12", 5, key, session=SESSION, owner_pid=os.getpid(),
                                              docker_io=True)  # fmt: skip
            names = [h.name for h in hosts]
            groups = {"swarm_managers": names[:3], "swarm_workers": names[3:]}
            inventory = work / "inventory.yml"
            inventory.write_text(yaml.safe_dump({"all": {"children": {
                group: {"hosts": {h.name: h.inventory_vars(key) for h in hosts if h.name in members}}
                for group, members in groups.items()}}}))  # fmt: skip
            print("forming the swarm ...", flush=True)
            load_image(client, image, hosts, key, work)
            timed(ROOT / "playbooks/swarm.yml", inventory, {})
            manager = hosts[0]
            source = project(work / "bench", image, args.services)
            subprocess.run(["scp", "-q", "-r", "-i", str(key), "-P", str(manager.ssh_port), "-o", "BatchMode=yes",
                            "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
                            str(source), f"{testbed_hosts.SSH_USER}@127.0.0.1:/home/{testbed_hosts.SSH_USER}/bench"],
                           check=True)  # fmt: skip
            cli = testbed_hosts.ssh_command(
                manager, key, "cd", "bench", "&&", "sudo", "docker", "stack", "deploy", "-c", "compose.yaml", "cli"
            )
            floor_playbook, stack_playbook = work / "floor.yml", work / "stack.yml"
            floor_playbook.write_text(FLOOR)
            stack_playbook.write_text(STACK)
            extra = {"manager": manager.name, "project": str(source)}
            print(f"deploying the stack once ({args.services} services) ...", flush=True)
            timed(stack_playbook, inventory, extra)
            timed(cli)
            floors, reruns, clis = [], [], []
            for run in range(args.runs):
                floors.append(timed(floor_playbook, inventory, extra)[0])
                took, out = timed(stack_playbook, inventory, extra)
                if changed(out):
                    raise SystemExit(f"re-run {run + 1} reported changed={changed(out)}; expected 0")
                reruns.append(took)
                clis.append(timed(cli)[0])
                print(f"run {run + 1}: floor {floors[-1]:.2f}s, stack re-run {took:.2f}s (changed=0), "
                      f"docker stack deploy {clis[-1]:.2f}s", flush=True)  # fmt: skip
        finally:
            testbed_hosts.sweep(client, session=SESSION)
    floor, rerun, cli_time = statistics.median(floors), statistics.median(reruns), statistics.median(clis)
    print(f"\n5 nodes (3 managers), {args.services} services")
    print(f"floor (facts + ping)           median {floor:.2f}s")
    print(f"stack module re-run            median {rerun:.2f}s, changed=0 every time")
    print(f"docker stack deploy (SSH)      median {cli_time:.2f}s, updates every service")
    print(f"ratio re-run / floor           {rerun / floor:.2f}x   (target <= {TARGET:.2f}x)")
    print(f"ratio re-run / stack deploy    {rerun / cli_time:.2f}x")
    return 0 if rerun / floor <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
