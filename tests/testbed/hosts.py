"""Booted test hosts: containers running systemd and sshd, reached over SSH like real servers."""

from __future__ import annotations

import os
import subprocess
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import docker
import yaml

from .images import DOCKER_IO, HOST_RELEASES, ensure_images, say

LABEL = "dockyard.testbed"
SESSION_LABEL = "dockyard.testbed.session"
OWNER_PID_LABEL = "dockyard.testbed.pid"
SSH_USER = "dockyard"

# --privileged is refused here (CAP_SYS_RESOURCE cannot be granted), so ask for everything else.
# "systempaths=unconfined" is a CLI spelling: the API takes empty MaskedPaths and ReadonlyPaths.
_SECURITY = {
    "cap_add": ["ALL"],
    "cap_drop": ["SYS_RESOURCE"],
    "security_opt": ["seccomp=unconfined", "apparmor=unconfined"],
}
_UNMASKED = {"MaskedPaths": [], "ReadonlyPaths": []}


@dataclass
class Host:
    name: str
    release: str
    container_id: str
    ssh_port: int
    address: str

    def inventory_vars(self, key: Path) -> dict:
        return {
            "ansible_host": "127.0.0.1",
            "ansible_port": self.ssh_port,
            "ansible_user": SSH_USER,
            "ansible_ssh_private_key_file": str(key),
            "ansible_ssh_common_args": "-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR",
            "ansible_python_interpreter": "/usr/bin/python3",
            "testbed_release": self.release,
            "testbed_container": self.container_id,
        }


def ensure_key(directory: Path) -> Path:
    """An SSH key pair for this run, made once in ``directory`` (never committed)."""
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = directory / "id_ed25519"
    if not key.exists():
        subprocess.run(
            ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "dockyard-testbed", "-f", str(key)],
            check=True,
        )
    return key


def _pid_alive(pid: str) -> bool:
    try:
        os.kill(int(pid), 0)
    except (ValueError, ProcessLookupError):
        return False
    except PermissionError:
        return True
    return True


def sweep(client: docker.DockerClient, session: str | None = None, stale_only: bool = False) -> int:
    """Remove test hosts of ``session`` (all sessions when None), with their anonymous volumes.

    With ``stale_only``, only those whose owning process has exited (left by a crashed run).
    """
    filters = {"label": [f"{SESSION_LABEL}={session}"] if session else [LABEL]}
    removed = 0
    for container in client.containers.list(all=True, filters=filters):
        pid = container.labels.get(OWNER_PID_LABEL, "")
        if stale_only and (not pid or _pid_alive(pid)):
            continue
        try:
            container.remove(force=True, v=True)
        except docker.errors.NotFound:
            continue
        except docker.errors.APIError as exc:
            # Each test worker sweeps at its start: another one is removing this host already.
            if exc.status_code == 409 and "already in progress" in str(exc):
                continue
            raise
        removed += 1
    return removed


def _boot_container(client, image: str, name: str, pubkey: Path, session: str, owner_pid: int | None):
    labels = {LABEL: "host", SESSION_LABEL: session}
    if owner_pid:
        labels[OWNER_PID_LABEL] = str(owner_pid)
    api = client.api
    host_config = api.create_host_config(
        cgroupns="host",
        binds={
            "/sys/fs/cgroup": {"bind": "/sys/fs/cgroup", "mode": "rw"},
            str(pubkey): {"bind": f"/home/{SSH_USER}/.ssh/authorized_keys", "mode": "ro"},
        },
        # Anonymous volumes, so that Docker inside the host runs on overlay2 (and containerd's image store on
        # its overlayfs snapshotter), and a data disk (/srv) that it could move its data root to (the host's
        # own root is an overlay, which overlay2 refuses).
        mounts=[
            docker.types.Mount(target=path, source=None, type="volume")
            for path in ("/var/lib/docker", "/var/lib/containerd", "/srv")
        ],
        tmpfs={"/run": "", "/run/lock": "", "/tmp": ""},
        port_bindings={22: ("127.0.0.1", None)},
        **_SECURITY,
    )
    host_config.update(_UNMASKED)
    created = api.create_container(
        image,
        command="/sbin/init",
        name=name,
        hostname=name,
        stop_signal="SIGRTMIN+3",  # what systemd takes as "halt"
        labels=labels,
        ports=[22],
        host_config=host_config,
    )
    api.start(created["Id"])
    return client.containers.get(created["Id"])


def _wait_booted(container, deadline: float) -> str:
    """Wait for systemd to finish booting; ``degraded`` is fine (a container lacks kernel modules)."""
    state = "unknown"
    while time.monotonic() < deadline:
        result = container.exec_run(["systemctl", "is-system-running"])
        state = result.output.decode().strip()
        if state in ("running", "degraded"):
            return state
        time.sleep(0.3)
    raise TimeoutError(f"{container.name}: systemd did not finish booting (last state: {state})")


def ssh_command(host: Host, key: Path, *command: str) -> list[str]:
    return [
        "ssh", "-i", str(key), "-p", str(host.ssh_port),
        "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
        "-o", "LogLevel=ERROR", "-o", "ConnectTimeout=5",
        f"{SSH_USER}@127.0.0.1", *command,
    ]  # fmt: skip


def _wait_ssh(host: Host, key: Path, deadline: float) -> None:
    while time.monotonic() < deadline:
        if subprocess.run(ssh_command(host, key, "true"), capture_output=True, check=False).returncode == 0:
            return
        time.sleep(0.3)
    raise TimeoutError(f"{host.name}: SSH on 127.0.0.1:{host.ssh_port} did not answer")


def start_hosts(
    client: docker.DockerClient,
    release: str,
    count: int,
    key: Path,
    session: str,
    owner_pid: int | None = None,
    timeout: float = 120,
    docker_io: bool = False,
) -> list[Host]:
    """Start ``count`` hosts of ``release`` (debian11, debian12, debian13) and wait until SSH answers.

    With ``docker_io``, hosts that have the release's docker.io and Docker SDK installed and running already.
    """
    if release not in HOST_RELEASES:
        raise ValueError(f"release {release!r} unknown; use one of {', '.join(HOST_RELEASES)}")
    image_name = release + DOCKER_IO if docker_io else release
    image = ensure_images(client, [image_name])[image_name]
    pubkey = key.with_suffix(".pub")
    started = time.monotonic()
    hosts = []
    for _index in range(count):
        name = f"dockyard-{release}-{uuid.uuid4().hex[:6]}"
        container = _boot_container(client, image, name, pubkey, session, owner_pid)
        container.reload()
        port = int(container.ports["22/tcp"][0]["HostPort"])
        address = container.attrs["NetworkSettings"]["IPAddress"]
        hosts.append(Host(name, release, container.id, port, address))
    deadline = started + timeout
    for host in hosts:
        container = client.containers.get(host.container_id)
        state = _wait_booted(container, deadline)
        _wait_ssh(host, key, deadline)
        say(f"host {host.name}: systemd {state}, SSH on 127.0.0.1:{host.ssh_port}")
    say(f"{count} {release} host(s) reachable over SSH in {time.monotonic() - started:.1f}s")
    return hosts


def inventory(hosts: list[Host], key: Path, group: str = "docker_hosts") -> dict:
    return {"all": {"children": {group: {"hosts": {h.name: h.inventory_vars(key) for h in hosts}}}}}


def write_inventory(hosts: list[Host], key: Path, path: Path, group: str = "docker_hosts") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(inventory(hosts, key, group), sort_keys=False))
    return path
