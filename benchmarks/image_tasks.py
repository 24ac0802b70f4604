"""Image tasks with our modules and with community.docker's, in one command, as ratios.

    .venv/bin/python benchmarks/image_tasks.py [--items 20] [--runs 5]

community.docker comes with the `ansible` package on PyPI; it is installed into .build/bench-ansible
for this benchmark only (never a dependency of the collection). Each task runs in a playbook that loops
over --items image names on the local daemon, so one task start-up does not hide the per-item cost:
pull of an image already present, tag (already tagged: the idempotent re-run), and inspect.
Prints the median time of each and ours / theirs (target: never above 1.00, below on re-runs).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from community import setup, timed  # noqa: E402

TASKS = {
    "pull (present)": (
        "dockyard.docker.image_pull",
        "name: '{{ item }}'",
        "community.docker.docker_image_pull",
        "name: '{{ item }}'\n        pull: not_present",
    ),
    "tag (already tagged)": (
        "dockyard.docker.image_tag",
        "source: '{{ item }}'\n        targets: ['{{ item }}-again']",
        "community.docker.docker_image_tag",
        "name: '{{ item }}'\n        repository: ['{{ item }}-again']",
    ),
    "inspect": (
        "dockyard.docker.image_info",
        "names: ['{{ item }}']",
        "community.docker.docker_image_info",
        "name: ['{{ item }}']",
    ),
}


def playbook(module: str, args: str, items: list[str], directory: Path, name: str) -> Path:
    path = directory / f"{name}.yml"
    path.write_text(
        f"""---
- name: Benchmark
  hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - name: Run
      {module}:
        {args}
      loop: {items}
"""
    )
    return path


def main() -> int:
    args, env, client, source = setup(__doc__)
    items = [f"dockyard-bench/img{i}:1" for i in range(args.items)]
    for item in items:
        client.images.get(source).tag(item)
        client.images.get(source).tag(f"{item}-again")
    worst = 0.0
    with tempfile.TemporaryDirectory(prefix="dockyard-bench-") as tmp:
        directory = Path(tmp)
        print(f"{'task':24} {'ours':>8} {'community':>10} {'ratio':>7}")
        for label, (ours_module, ours_args, theirs_module, theirs_args) in TASKS.items():
            ours_book = playbook(ours_module, ours_args, items, directory, "ours")
            theirs_book = playbook(theirs_module, theirs_args, items, directory, "theirs")
            ours, theirs = [], []
            for _run in range(args.runs):
                theirs.append(timed(theirs_book, env)[0])
                ours.append(timed(ours_book, env)[0])
            o, t = statistics.median(ours), statistics.median(theirs)
            worst = max(worst, o / t)
            print(f"{label:24} {o:7.2f}s {t:9.2f}s {o / t:6.2f}x", flush=True)
    for item in items:
        for name in (item, f"{item}-again"):
            client.images.remove(name)
    print(f"\nworst ratio ours / community.docker: {worst:.2f}x (target <= 1.00x)")
    return 0 if worst <= 1.0 else 1


if __name__ == "__main__":
    sys.exit(main())
