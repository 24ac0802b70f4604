"""Twenty containers created and re-applied three ways, in one command, as ratios.

    .venv/bin/python benchmarks/container_tasks.py [--items 20] [--runs 5]

(a) our `container` module in a loop, (b) our `containers` module in one call, (c) community.docker's
`docker_container` in a loop. community.docker comes with the `ansible` package on PyPI; it is
installed into .build/bench-ansible for this benchmark only (never a dependency of the collection).
Each container has published ports, env, labels, a bind volume and a restart policy. The create run
is timed once per way; the idempotent re-run (which must report changed=0) --runs times, median.
Targets on the re-run: (c) / (b) >= 5, (c) / (a) >= 1.3.
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import docker  # noqa: E402
from community import setup, timed  # noqa: E402

COMMAND = ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"]
TARGETS = {"containers": 5.0, "container": 1.3}


def specs(prefix: str, image: str, bind: Path, items: int) -> list[dict]:
    return [
        {
            "name": f"{prefix}-{i:02d}",
            "image": image,
            "command": COMMAND,
            "ports": ["127.0.0.1::80", f"127.0.0.1::{9000 + i}"],
            "env": {"INDEX": str(i), "ROLE": "bench"},
            "labels": {"bench": prefix, "index": str(i)},
            "volumes": [f"{bind}:/config:ro"],
            "restart_policy": "unless-stopped",
        }
        for i in range(items)
    ]


def community_args(spec: dict) -> dict:
    args = {k: v for k, v in spec.items() if k != "ports"}
    return {**args, "published_ports": spec["ports"], "state": "started"}


def playbook(directory: Path, name: str, task: str, items: list[dict]) -> Path:
    path = directory / f"{name}.yml"
    path.write_text(
        "---\n- name: Benchmark\n  hosts: localhost\n  connection: local\n  gather_facts: false\n"
        f"  vars:\n    specs: {json.dumps(items)}\n  tasks:\n{task}"
    )
    return path


WAYS = {
    "container": (
        "    - name: One task per container\n      dockyard.docker.container: '{{ item }}'\n      loop: '{{ specs }}'\n"
    ),
    "containers": "    - name: One call\n      dockyard.docker.containers:\n        containers: '{{ specs }}'\n",
    "community": (
        "    - name: community.docker, one task per container\n"
        "      community.docker.docker_container: '{{ item }}'\n      loop: '{{ specs }}'\n"
    ),
}


def remove(client: docker.DockerClient, prefix: str) -> None:
    for container in client.containers.list(all=True, filters={"label": f"bench={prefix}"}):
        container.remove(force=True)


def main() -> int:
    args, env, client, image = setup(__doc__)
    books: dict[str, Path] = {}
    creates: dict[str, float] = {}
    reruns: dict[str, list[float]] = {way: [] for way in WAYS}
    with tempfile.TemporaryDirectory(prefix="dockyard-bench-") as tmp:
        directory = Path(tmp)
        try:
            for way, task in WAYS.items():
                prefix = f"dy-bench-{way}"
                remove(client, prefix)
                items = specs(prefix, image, directory, args.items)
                if way == "community":
                    items = [community_args(s) for s in items]
                books[way] = playbook(directory, way, task, items)
                creates[way], _changed = timed(books[way], env)
            # Re-runs take turns, so that a busy moment of the machine falls on every way alike.
            for run in range(args.runs):
                for way, book in books.items():
                    elapsed, changed = timed(book, env)
                    if changed:
                        print(f"{way}: re-run {run + 1} reported changes; it must not")
                        return 1
                    reruns[way].append(elapsed)
        finally:
            for way in WAYS:
                remove(client, f"dy-bench-{way}")
    print(f"{args.items} containers; created once, re-applied {args.runs} times (median), changed=0 on every re-run")
    print(f"{'way':12} {'create':>8} {'re-run':>8}")
    median = {way: statistics.median(times) for way, times in reruns.items()}
    for way in WAYS:
        print(f"{way:12} {creates[way]:7.2f}s {median[way]:7.2f}s")
    worst = True
    print()
    for way, target in TARGETS.items():
        speedup = median["community"] / median[way]
        worst = worst and speedup >= target
        print(f"re-run community.docker / {way}: {speedup:5.2f}x faster (target >= {target}x)")
    return 0 if worst else 1


if __name__ == "__main__":
    sys.exit(main())
