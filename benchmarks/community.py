"""What the benchmarks against community.docker share: installing it aside, and timing a playbook.

community.docker comes with the `ansible` package on PyPI; it is installed into .build/bench-ansible
for the benchmarks only (never a dependency of the collection).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import docker  # noqa: E402

from ansible_run import VENV_BIN, collections_path, run_playbook  # noqa: E402
from testbed.images import ensure_images  # noqa: E402

ANSIBLE_PACKAGE = "ansible==12.2.0"  # ships community.docker 4.x for ansible-core 2.19
BENCH = ROOT / ".build" / "bench-ansible"


def install_community_docker() -> dict[str, str]:
    """Install it when missing; the environment that finds both collections."""
    if not (BENCH / "ansible_collections" / "community" / "docker").is_dir():
        print(f"installing {ANSIBLE_PACKAGE} into {BENCH} (benchmark only) ...", flush=True)
        subprocess.run(
            [str(VENV_BIN / "pip"), "install", "--quiet", "--no-deps", "--target", str(BENCH), ANSIBLE_PACKAGE],
            check=True,
        )
    return {"ANSIBLE_COLLECTIONS_PATH": f"{collections_path()}:{BENCH}"}


def timed(path: Path, env: dict) -> tuple[float, int]:
    """Seconds the playbook took on localhost, and how many of its tasks reported a change."""
    start = time.monotonic()
    proc = run_playbook(
        path, inventory="localhost,", env=env, extra_vars={"ansible_python_interpreter": sys.executable}
    )
    elapsed = time.monotonic() - start
    if proc.returncode != 0:
        raise SystemExit(f"{path.name} failed:\n{proc.stdout[-3000:]}")
    recap = [line for line in proc.stdout.splitlines() if line.startswith("localhost")]
    return elapsed, int(recap[-1].split("changed=")[1].split()[0])


def setup(description: str) -> tuple[argparse.Namespace, dict[str, str], docker.DockerClient, str]:
    """--items and --runs, the environment that finds community.docker, a client and the busybox image."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=20)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    env = install_community_docker()
    client = docker.from_env()
    return args, env, client, ensure_images(client, ["busybox"])["busybox"]
