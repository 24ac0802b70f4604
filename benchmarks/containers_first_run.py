"""First runs of `containers` at N = 50, 100, 200 against the sequential SDK floor, in one command, as ratios.

    .venv/bin/python benchmarks/containers_first_run.py [--sizes 50 100 200] [--parallel 4]

The floor: the same containers created and started one after the other straight through docker-py, no
Ansible at all. Then `containers` creates them (first run, `parallel` workers) and re-applies them (which
must report changed=0). Targets: first run at most 0.6x the floor at the largest N; re-runs flat in N.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "benchmarks"))

import docker  # noqa: E402
from community import timed  # noqa: E402

from local_docker import TRAP  # noqa: E402
from testbed.images import ensure_images  # noqa: E402

TARGET = 0.6


def specs(prefix: str, image: str, count: int) -> list[dict]:
    common = {"image": image, "command": TRAP, "labels": {"bench": prefix}, "ports": ["127.0.0.1::80"]}
    return [{**common, "name": f"{prefix}-{i:03d}", "env": {"INDEX": str(i)}} for i in range(count)]


def remove(client: docker.DockerClient, prefix: str) -> None:
    for container in client.containers.list(all=True, filters={"label": f"bench={prefix}"}):
        container.remove(force=True)


def sdk_floor(client: docker.DockerClient, items: list[dict]) -> float:
    started = time.monotonic()
    for item in items:
        container = client.api.create_container(
            item["image"], item["command"], name=item["name"], environment=item["env"], labels=item["labels"],
            ports=[80], host_config=client.api.create_host_config(port_bindings={80: ("127.0.0.1",)}),
        )  # fmt: skip
        client.api.start(container["Id"])
    return time.monotonic() - started


def playbook(directory: Path, items: list[dict], parallel: int) -> Path:
    path = directory / f"first-run-{len(items)}.yml"
    path.write_text(
        "---\n- name: Benchmark\n  hosts: localhost\n  connection: local\n  gather_facts: false\n"
        f"  vars:\n    specs: {json.dumps(items)}\n  tasks:\n"
        f"    - name: One call\n      dockyard.docker.containers:\n        containers: '{{{{ specs }}}}'\n"
        f"        parallel: {parallel}\n"
    )
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[50, 100, 200])
    parser.add_argument("--parallel", type=int, default=8)
    args = parser.parse_args()
    client = docker.from_env()
    image = ensure_images(client, ["busybox"])["busybox"]
    env: dict[str, str] = {}
    rows = []
    with tempfile.TemporaryDirectory(prefix="dockyard-bench-") as tmp:
        for size in args.sizes:
            prefix = f"dy-first-{size}"
            remove(client, prefix)
            items = specs(prefix, image, size)
            try:
                floor = sdk_floor(client, items)
                remove(client, prefix)
                book = playbook(Path(tmp), items, args.parallel)
                first, changed = timed(book, env)
                rerun, changed_again = timed(book, env)
            finally:
                remove(client, prefix)
            if not changed or changed_again:
                print(f"N={size}: the first run must change and the re-run must not")
                return 1
            rows.append((size, floor, first, rerun))
            print(f"N={size:4d}  SDK floor {floor:6.1f}s  first run {first:6.1f}s ({first / floor:4.2f}x)  "
                  f"re-run {rerun:5.1f}s", flush=True)  # fmt: skip
    size, floor, first, _rerun = rows[-1]
    print(f"\nfirst run / sequential SDK floor at N={size}: {first / floor:.2f}x (target <= {TARGET}x)")
    print(f"re-run at N={rows[-1][0]} / N={rows[0][0]}: {rows[-1][3] / rows[0][3]:.2f}x (flat is about 1)")
    return 0 if first / floor <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
