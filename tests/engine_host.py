"""A booted test host driven by the engine role over SSH, as the engine tests see it."""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

from ansible_run import ROOT, recap, run_playbook
from testbed.hosts import ssh_command

PLAYBOOK = ROOT / "tests/integration/playbooks/engine.yml"
SITE = ROOT / "playbooks/site.yml"
BASE = {
    "docker_registry_mirrors": ["https://mirror.example.com"],
    "docker_insecure_registries": ["registry.internal:5000"],
    "docker_dns": ["9.9.9.9"],
}


@dataclass
class EngineHost:
    host: object
    inventory: Path
    key: Path
    dirty: bool = False  # a test left settings other than BASE in place

    def sh(self, command: str) -> str:
        proc = subprocess.run(ssh_command(self.host, self.key, "sudo", "sh", "-c", repr(command)),
                              capture_output=True, text=True, check=True)  # fmt: skip
        return proc.stdout

    def apply(self, check: bool = False, playbook: Path = PLAYBOOK, **settings):
        extra = {**BASE, **settings}
        proc = run_playbook(playbook, inventory=self.inventory, extra_vars=extra, check=check, diff=check)
        self.dirty = self.dirty or (bool(settings) and proc.returncode == 0)
        return proc, recap(proc.stdout)

    def info(self) -> dict:
        """What the daemon runs with: docker info, as the engine API gives it."""
        return json.loads(self.sh("docker info --format '{{json .}}'"))

    def daemon_json(self) -> str:
        return self.sh("cat /etc/docker/daemon.json")

    def daemon_pid(self) -> str:
        return self.sh("systemctl show docker --property=MainPID --value").strip()

    def as_user(self, user: str, command: str) -> str:
        return self.sh(f"runuser -u {user} -- env HOME=/home/{user} {command}")

    def rootless_info(self, user: str) -> dict:
        """docker info as the user's plain `docker` sees it (through the rootless context)."""
        return json.loads(self.as_user(user, "docker info --format '{{json .}}'"))

    def make_tun(self) -> None:
        """The /dev/net/tun a real server has and a test host (a container) lacks; slirp4netns needs it."""
        self.sh("mkdir -p /dev/net && (test -e /dev/net/tun || mknod -m 666 /dev/net/tun c 10 200)")

    def daemon_starts(self) -> int:
        return int(
            self.sh("journalctl -u docker.service --no-pager | grep -c 'Daemon has completed initialization' || true")
        )


def boot_engine_host(start_hosts, ssh_key, converge: bool = True) -> EngineHost:
    """A fresh Debian 12 host; with ``converge``, the engine role applied to it once (BASE settings)."""
    hosts, inventory = start_hosts("debian12", 1)
    host = EngineHost(hosts[0], inventory, ssh_key)
    if converge:
        proc, _counts = host.apply()
        assert proc.returncode == 0, proc.stdout
    return host
