"""Re-run time of the engine role on booted hosts, against a floor measured in the same command.

    .venv/bin/python benchmarks/engine_rerun.py [--runs 5] [--hosts 8] [--mitogen]

The floor is the least any playbook against those hosts costs: gather facts and ping, with the
same connection settings and as many forks as hosts. The role is converged once first; each
measured re-run must report changed=0 on every host. Prints the median of each and their ratio
(target: one host <= 1.5x the floor, a fleet of 8 <= 2x).

With --mitogen, the floor and the re-run are measured again under mitogen's strategy (mitogen_linear, from the
pinned mitogen package) and printed beside the plain figures; the targets apply to the plain run.
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


def mitogen_env() -> dict[str, str]:
    """Ansible's settings for mitogen's strategy. ansible-core 2.19 and later print a deprecation warning for any
    strategy plugin not its own (kept off here: run_playbook refuses deprecation warnings, and this one is
    ansible-core's, not the collection's)."""
    import ansible_mitogen  # noqa: PLC0415 (only with --mitogen)

    strategies = Path(ansible_mitogen.__file__).parent / "plugins" / "strategy"
    return {"ANSIBLE_STRATEGY_PLUGINS": str(strategies), "ANSIBLE_STRATEGY": "mitogen_linear",
            "ANSIBLE_DEPRECATION_WARNINGS": "False"}  # fmt: skip


def timed(playbook: Path, inventory: Path, extra: dict, forks: int, env: dict | None = None) -> tuple[float, int]:
    """Seconds the playbook took, and the hosts' changed tasks summed."""
    start = time.monotonic()
    proc = run_playbook(
        playbook, inventory=inventory, extra_vars=extra, env={"ANSIBLE_FORKS": str(forks), **(env or {})}
    )
    took = time.monotonic() - start
    if proc.returncode != 0:
        raise SystemExit(f"{playbook.name} failed:\n{proc.stdout[-3000:]}")
    changed = sum(int(n) for n in re.findall(r"changed=(\d+)", proc.stdout))
    return took, changed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--hosts", type=int, default=1, help="booted hosts, run with as many forks")
    parser.add_argument("--mitogen", action="store_true", help="also measure under mitogen's strategy")
    args = parser.parse_args()
    ways = {"plain": {}, **({"mitogen": mitogen_env()} if args.mitogen else {})}
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
            floors = {way: [] for way in ways}
            reruns = {way: [] for way in ways}
            for run in range(args.runs):
                for way, env in ways.items():
                    floors[way].append(timed(floor_playbook, inventory, {}, args.hosts, env)[0])
                    took, changed = timed(ROLE, inventory, settings, args.hosts, env)
                    if changed:
                        raise SystemExit(f"{way} re-run {run + 1} reported changed={changed}; expected 0")
                    reruns[way].append(took)
                    print(f"run {run + 1} ({way}): floor {floors[way][-1]:.2f}s, role re-run {took:.2f}s (changed=0)",
                          flush=True)  # fmt: skip
        finally:
            testbed_hosts.sweep(client, session=SESSION)
    print(f"\n{args.hosts} host(s), forks {args.hosts}")
    for way in ways:
        floor, rerun = statistics.median(floors[way]), statistics.median(reruns[way])
        print(f"{way:8} floor (facts + ping)      median {floor:.2f}s")
        print(f"{way:8} engine role re-run        median {rerun:.2f}s, changed=0 every time")
        print(
            f"{way:8} ratio re-run / floor      {rerun / floor:.2f}x"
            + (f"   (target <= {target:.2f}x)" if way == "plain" else "")
        )
    plain = statistics.median(reruns["plain"]) / statistics.median(floors["plain"])
    return 0 if plain <= target else 1


if __name__ == "__main__":
    sys.exit(main())
