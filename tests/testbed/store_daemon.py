"""A second engine on this machine, Docker 28.5 with containerd 2.1 and containerd's image store (what
Docker 29 uses on fresh installs), so that the local-daemon tests run the same cases on both stores.

This machine's own engine is Debian 12's 20.10, which has no containerd store. Debian 14's dockerd and
containerd need glibc 2.34, which Debian 12 has: their binaries are fetched once (in a container of the
Debian 12 test image, from this machine's mirror), kept in CACHE by the package list, and run beside the
main daemon with their own root, sockets and bridge (the main daemon's docker0 is left alone).

    scripts/testbed store start    # prints DOCKER_HOST for it
    scripts/testbed store stop
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import docker

from .images import ensure_images

PACKAGES = "docker.io/forky docker-cli/forky containerd/forky"
BINARIES = {"dockerd": "usr/sbin", "docker-proxy": "usr/sbin", "docker": "usr/bin", "containerd": "usr/bin",
            "containerd-shim-runc-v2": "usr/bin", "ctr": "usr/bin"}  # fmt: skip
CACHE = Path("/var/cache/dockyard-testbed") / ("engine-" + hashlib.sha256(PACKAGES.encode()).hexdigest()[:12])
RUN = Path("/run/dockyard-store")  # short: unix socket paths have a 108-byte limit
DATA = Path("/var/lib/dockyard-store")
BRIDGE, BRIDGE_ADDRESS = "dyk-store0", "198.19.250.1/24"
SOCKET = RUN / "docker.sock"
# Kubernetes' plugins: not needed, and slow to start.
CRI_PLUGINS = ["io.containerd.grpc.v1.cri", "io.containerd.cri.v1.images", "io.containerd.cri.v1.runtime"]
DOCKER_HOST = f"unix://{SOCKET}"
FETCH = f"""set -e
retry() {{ for pause in 5 10 20 40 0; do "$@" && return 0; [ "$pause" = 0 ] && return 1; sleep "$pause"; done; }}
mirror=$(awk '$1 == "deb" {{ print $2; exit }}' /etc/apt/sources.list)
echo "deb [check-valid-until=no] $mirror forky main" > /etc/apt/sources.list.d/forky.list
retry apt-get update -q >/dev/null
cd /tmp && retry apt-get download -q {PACKAGES} 2>/dev/null
for deb in *.deb; do dpkg-deb -x "$deb" /tmp/root; done
""" + "".join(f"cp /tmp/root/{where}/{name} /out/\n" for name, where in BINARIES.items())


def say(message: str) -> None:
    print(f"store daemon: {message}", file=sys.stderr, flush=True)


def fetch(client: docker.DockerClient) -> Path:
    if all((CACHE / name).exists() for name in BINARIES):
        return CACHE
    ensure_images(client, ["debian12"])
    say(f"fetching {PACKAGES} into {CACHE}")
    partial = CACHE.with_suffix(".partial")
    partial.mkdir(parents=True, exist_ok=True)
    client.containers.run("dockyard-testbed/debian12", ["sh", "-c", FETCH], remove=True,
                          volumes={str(partial): {"bind": "/out", "mode": "rw"}})  # fmt: skip
    partial.rename(CACHE)
    return CACHE


def _wait(path: Path, process: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{log.stem} exited: {log.read_text()[-2000:]}")
        if path.exists():
            return
        time.sleep(0.2)
    raise TimeoutError(f"{path} did not appear within {timeout:.0f}s: {log.read_text()[-2000:]}")


def _unmount_under(*roots: Path) -> None:
    """Unmount what a stopped engine left mounted below ``roots`` (dockerd keeps its default network namespace
    bind-mounted under its exec root after it exits), deepest first."""
    with open("/proc/self/mountinfo", encoding="utf-8") as handle:
        points = [line.split()[4] for line in handle]
    below = [p for p in points if any(p == str(r) or p.startswith(f"{r}/") for r in roots)]
    for point in sorted(set(below), key=len, reverse=True):
        subprocess.run(["umount", "-l", point], capture_output=True, check=False)


def start() -> str:
    """Start containerd and dockerd with an empty store (one left running by an earlier run is stopped first:
    no test may pass on what it left); returns DOCKER_HOST."""
    stop()
    binaries = fetch(docker.from_env())
    # Every start begins with an empty store: no test may pass on what an earlier run left.
    _unmount_under(DATA, RUN)
    subprocess.run(["rm", "-rf", str(DATA), str(RUN)], check=True)
    RUN.mkdir(parents=True)
    DATA.mkdir(parents=True)
    subprocess.run(["ip", "link", "add", BRIDGE, "type", "bridge"], capture_output=True, check=False)
    subprocess.run(["ip", "addr", "add", BRIDGE_ADDRESS, "dev", BRIDGE], capture_output=True, check=False)
    subprocess.run(["ip", "link", "set", BRIDGE, "up"], capture_output=True, check=False)
    (RUN / "containerd.toml").write_text(
        f'version = 3\nroot = "{DATA}/containerd"\nstate = "{RUN}/containerd"\n'
        f"disabled_plugins = {json.dumps(CRI_PLUGINS)}\n"
        f'[grpc]\n  address = "{RUN}/containerd.sock"\n[ttrpc]\n  address = "{RUN}/containerd.sock.ttrpc"\n'
        f'[debug]\n  address = "{RUN}/containerd-debug.sock"\n'
    )
    (RUN / "daemon.json").write_text(json.dumps({
        "data-root": f"{DATA}/docker", "exec-root": f"{RUN}/exec", "pidfile": f"{RUN}/dockerd.pid",
        "hosts": [DOCKER_HOST], "containerd": f"{RUN}/containerd.sock", "bridge": BRIDGE,
        "iptables": False, "ip-masq": False, "userland-proxy-path": str(binaries / "docker-proxy"),
        "features": {"containerd-snapshotter": True},
    }))  # fmt: skip
    env = {**os.environ, "PATH": f"{binaries}:{os.environ.get('PATH', '')}"}
    for name, argv, ready in (
        (
            "containerd",
            [str(binaries / "containerd"), "--config", str(RUN / "containerd.toml")],
            RUN / "containerd.sock",
        ),
        ("dockerd", [str(binaries / "dockerd"), "--config-file", str(RUN / "daemon.json")], SOCKET),
    ):
        log = RUN / f"{name}.log"
        process = subprocess.Popen(argv, stdout=log.open("w"), stderr=subprocess.STDOUT, env=env,
                                   start_new_session=True)  # fmt: skip
        (RUN / f"{name}.run-pid").write_text(str(process.pid))
        _wait(ready, process, log)
    client = docker.DockerClient(base_url=DOCKER_HOST)
    deadline = time.monotonic() + 30
    while True:
        try:
            client.ping()
            break
        except Exception:  # not answering yet
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
    say(f"Docker {client.version()['Version']} with containerd's image store on {DOCKER_HOST}")
    return DOCKER_HOST


def stop() -> None:
    for name in ("dockerd", "containerd"):
        pid_file = RUN / f"{name}.run-pid"
        if not pid_file.exists():
            continue
        pid = int(pid_file.read_text())
        try:
            os.kill(pid, signal.SIGTERM)
            for _tick in range(100):
                os.kill(pid, 0)
                time.sleep(0.2)
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        pid_file.unlink()
    SOCKET.unlink(missing_ok=True)
