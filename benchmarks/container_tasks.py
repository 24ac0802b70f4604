"""Twenty containers created and re-applied five ways, in one command, as ratios.

    .venv/bin/python benchmarks/container_tasks.py [--items 20] [--runs 5]

(a) our `container` module in a loop, (b) our `containers` module in one call, (c) community.docker's
`docker_container` in a loop, (d) our `compose` module with the same twenty as the services of one
project read from its directory, the first service building its image (FROM the test image, with a file
from its context: the re-run computes the build's fingerprint and builds nothing), (e) `docker compose up -d`
(Compose v2, see compose_cli.py) on the plain project's file.
community.docker comes with the `ansible` package on PyPI; it is installed into .build/bench-ansible
for this benchmark only (never a dependency of the collection). Each container has published ports,
env, labels, a bind volume and a restart policy. The create run is timed once per way; the
idempotent re-run (which must report changed=0) --runs times, median. Targets on the re-run:
(c) / (b) >= 5, (c) / (a) >= 1.3, (d) / (b) <= 1.2; (d) / (e) is printed.
"""

from __future__ import annotations

import json
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
from community import setup, timed  # noqa: E402
from compose_cli import compose_v2  # noqa: E402

COMMAND = ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"]
TARGETS = {"containers": 5.0, "container": 1.3}
COMPOSE_TARGET = 1.2  # the compose module's re-run against containers' with the same specs
CLI_PROJECT = "dybcli"


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


def compose_project(items: list[dict]) -> dict:
    """The specs as the services of one Compose project."""
    services = {}
    for spec in items:
        services[f"s{spec['name'].rsplit('-', 1)[1]}"] = {
            "image": spec["image"], "command": spec["command"], "ports": spec["ports"],
            "environment": spec["env"], "labels": spec["labels"], "volumes": spec["volumes"],
            "restart": spec["restart_policy"],
        }  # fmt: skip
    return {"services": services}


def project_with_a_build(directory: Path, image: str, project: dict) -> Path:
    """The project in a directory, its first service building its image from a context there."""
    (directory / "app").mkdir(parents=True)
    (directory / "app" / "Dockerfile").write_text(f"FROM {image}\nCOPY index.html /www/index.html\n")
    (directory / "app" / "index.html").write_text("built for the benchmark\n")
    first = next(iter(project["services"].values()))
    first.update(image="dy-bench-built:1", build={"context": "./app"})
    (directory / "compose.yaml").write_text(yaml.safe_dump(project))
    return directory


def compose_cli(binary: Path, file: Path) -> tuple[float, bool]:
    """Seconds `docker compose up -d` took, and whether it changed anything."""
    start = time.monotonic()
    proc = subprocess.run(
        [str(binary), "-p", CLI_PROJECT, "-f", str(file), "up", "-d"], check=False, capture_output=True, text=True
    )
    elapsed = time.monotonic() - start
    if proc.returncode != 0:
        raise SystemExit(f"docker compose up -d failed:\n{proc.stderr[-3000:]}")
    return elapsed, any(word in proc.stderr for word in ("Created", "Recreate", "Started"))


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
    "compose": (
        "    - name: One project\n      dockyard.docker.compose:\n        project_name: dybcompose\n"
        "        project_src: '{{ specs }}'\n"
    ),
}


def remove(client: docker.DockerClient) -> None:
    """Every container the ways made, then the compose projects' networks."""
    for way in (*WAYS, "cli"):
        for container in client.containers.list(all=True, filters={"label": f"bench=dy-bench-{way}"}):
            container.remove(force=True)
    for project in ("dybcompose", CLI_PROJECT):
        for network in client.networks.list(filters={"label": f"com.docker.compose.project={project}"}):
            network.remove()
    try:
        client.images.remove("dy-bench-built:1", force=True)
    except docker.errors.ImageNotFound:
        pass


def main() -> int:
    args, env, client, image = setup(__doc__)
    binary = compose_v2()
    books: dict[str, Path] = {}
    creates: dict[str, float] = {}
    reruns: dict[str, list[float]] = {way: [] for way in WAYS}
    remove(client)
    with tempfile.TemporaryDirectory(prefix="dockyard-bench-") as tmp:
        directory = Path(tmp)
        try:
            for way, task in WAYS.items():
                prefix = f"dy-bench-{way}"
                items = specs(prefix, image, directory, args.items)
                if way == "community":
                    items = [community_args(s) for s in items]
                if way == "compose":
                    items = str(project_with_a_build(directory / "project", image, compose_project(items)))
                books[way] = playbook(directory, way, task, items)
                creates[way], _changed = timed(books[way], env)
            cli_file = directory / "cli-compose.yaml"
            cli_file.write_text(yaml.safe_dump(compose_project(specs("dy-bench-cli", image, directory, args.items))))
            creates["docker compose"], _changed = compose_cli(binary, cli_file)
            reruns["docker compose"] = []
            # What any one-task playbook costs here: the part of a module's time that is Ansible's start-up.
            floor_book = playbook(directory, "floor", "    - name: Ping\n      ansible.builtin.ping:\n", [])
            reruns["floor"] = []
            # Re-runs take turns, so that a busy moment of the machine falls on every way alike.
            for run in range(args.runs):
                for way, book in books.items():
                    elapsed, changed = timed(book, env)
                    if changed:
                        print(f"{way}: re-run {run + 1} reported changes; it must not")
                        return 1
                    reruns[way].append(elapsed)
                elapsed, changed = compose_cli(binary, cli_file)
                if changed:
                    print(f"docker compose: re-run {run + 1} changed containers; it must not")
                    return 1
                reruns["docker compose"].append(elapsed)
                reruns["floor"].append(timed(floor_book, env)[0])
        finally:
            remove(client)
    print(f"{args.items} containers; created once, re-applied {args.runs} times (median), changed=0 on every re-run")
    print(f"{'way':14} {'create':>8} {'re-run':>8}")
    median = {way: statistics.median(times) for way, times in reruns.items()}
    for way in (*WAYS, "docker compose"):
        print(f"{way:14} {creates[way]:7.2f}s {median[way]:7.2f}s")
    worst = True
    print()
    for way, target in TARGETS.items():
        speedup = median["community"] / median[way]
        worst = worst and speedup >= target
        print(f"re-run community.docker / {way}: {speedup:5.2f}x faster (target >= {target}x)")
    compose_cost = median["compose"] / median["containers"]
    worst = worst and compose_cost <= COMPOSE_TARGET
    print(f"re-run compose / containers (same specs): {compose_cost:5.2f}x (target <= {COMPOSE_TARGET}x)")
    own = median["compose"] - median["floor"]
    print(f"re-run compose / docker compose up -d: {median['compose'] / median['docker compose']:5.2f}x; without"
          f" ansible-playbook's start-up (a one-task playbook: {median['floor']:.2f}s) {own:.2f}s against"
          f" {median['docker compose']:.2f}s")  # fmt: skip
    return 0 if worst else 1


if __name__ == "__main__":
    sys.exit(main())
