"""Re-run time of the engine role on booted hosts, against a floor measured in the same command.

    .venv/bin/python benchmarks/engine_rerun.py [--runs 5] [--hosts 8]

The floor is the least any playbook against those hosts costs: gather facts and ping, with the
same connection settings and as many forks as hosts. The role is converged once first; each
measured re-run must report changed=0 on every host. Prints the median of each and their ratio
(target: one host <= 1.5x the floor, a fleet of 8 <= 2x).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
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

SESSION = f"bench-{os.getpid()}"
SETTINGS = ROOT / "playbooks/examples/group_vars/docker_hosts.yml"
FLOOR = """---
- name: Floor
  hosts: all
  become: true
  tasks:
    - name: Ping
      ansible.builtin.ping:
"""
ROLE = ROOT / "tests/integration/playbooks/engine.yml"


def timed(playbook: Path, inventory: Path, extra: dict, forks: int) -> tuple[float, int]:
    """Seconds the playbook took, and the hosts' changed tasks summed."""
    start = time.monotonic()
    proc = run_playbook(playbook, inventory=inventory, extra_vars=extra, env={"ANSIBLE_FORKS": str(forks)})
    took = time.monotonic() - start
    if proc.returncode != 0:
        raise SystemExit(f"{playbook.name} failed:\n{proc.stdout[-3000:]}")
    changed = sum(int(n) for n in re.findall(r"changed=(\d+)", proc.stdout))
    return took, changed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--hosts", type=int, default=1, help="booted hosts, run with as many forks")
    args = parser.parse_args()
    target = 1.5 if args.hosts == 1 else 2.0
    settings = yaml.safe_load(SETTINGS.read_text())
    client = docker.from_env()
    with tempfile.TemporaryDirectory(prefix="dockyard-bench-") as tmp:
        work = Path(tmp)
        key = testbed_hosts.ensure_key(work / "ssh")
        try:
            hosts = testbed_hosts.start_hosts(
                client, "debian12", args.hosts, key, session=SESSION, owner_pid=os.getpid()
            )
            inventory = testbed_hosts.write_inventory(hosts, key, work / "inventory.yml")
            floor_playbook = work / "floor.yml"
            floor_playbook.write_text(FLOOR)
            print("converging once (installs docker.io) ...", flush=True)
            timed(ROLE, inventory, settings, args.hosts)
            floors, reruns = [], []
            for run in range(args.runs):
                floors.append(timed(floor_playbook, inventory, {}, args.hosts)[0])
                took, changed = timed(ROLE, inventory, settings, args.hosts)
                if changed:
                    raise SystemExit(f"re-run {run + 1} reported changed={changed}; expected 0")
                reruns.append(took)
                print(f"run {run + 1}: floor {floors[-1]:.2f}s, role re-run {took:.2f}s (changed=0)", flush=True)
        finally:
            testbed_hosts.sweep(client, session=SESSION)
    floor, rerun = statistics.median(floors), statistics.median(reruns)
    print(f"\n{args.hosts} host(s), forks {args.hosts}")
    print(f"floor (facts + ping)      median {floor:.2f}s")
    print(f"engine role re-run        median {rerun:.2f}s, changed=0 every time")
    print(f"ratio re-run / floor      {rerun / floor:.2f}x   (target <= {target:.2f}x)")
    return 0 if rerun / floor <= target else 1


if __name__ == "__main__":
    sys.exit(main())
