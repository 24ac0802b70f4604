"""Docker Compose v2 for the benchmarks: the binary of Debian 13's docker-compose package, from the mirror
this machine's apt sources name, unpacked into .build/bench-compose (benchmark only). Debian 12, which
this machine runs, has only Compose 1.29; Debian 13's binary is static and runs here standalone."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from testbed.apt_sources import debian_mirror  # noqa: E402

SUITE = "trixie"
TARGET = ROOT / ".build" / "bench-compose"
BINARY = TARGET / "usr/libexec/docker/cli-plugins/docker-compose"


def _apt(options: list[str], *command: str, cwd: Path | None = None) -> None:
    """apt-get with a private source list, retried with backoff (a slow mirror must not fail the benchmark)."""
    for attempt in range(4):
        proc = subprocess.run(
            ["apt-get", "-qq", *options, *command], check=False, cwd=cwd, capture_output=True, text=True
        )
        if proc.returncode == 0:
            return
        time.sleep(2**attempt)
    raise SystemExit(f"apt-get {' '.join(command)} failed: {proc.stderr.strip()}")


def compose_v2() -> Path:
    """The docker-compose v2 binary, fetched once."""
    if BINARY.is_file():
        return BINARY
    print(f"fetching Debian {SUITE}'s docker-compose into {TARGET} (benchmark only) ...", flush=True)
    with tempfile.TemporaryDirectory(prefix="dockyard-compose-") as tmp:
        work = Path(tmp)
        (work / "lists" / "partial").mkdir(parents=True)
        (work / "sources.list").write_text(f"deb {debian_mirror()} {SUITE} main\n")
        options = [
            "-o", f"Dir::Etc::SourceList={work / 'sources.list'}", "-o", "Dir::Etc::SourceParts=/nonexistent",
            "-o", f"Dir::State::Lists={work / 'lists'}", "-o", "APT::Get::List-Cleanup=0",
        ]  # fmt: skip
        _apt(options, "update")
        _apt(options, "download", "docker-compose", cwd=work)
        package = next(work.glob("docker-compose_*.deb"))
        subprocess.run(["dpkg-deb", "-x", str(package), str(TARGET)], check=True)
    return BINARY
