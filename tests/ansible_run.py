"""Run Ansible from tests the way a user does, and read back each host's result as data."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent


def collections_path() -> Path:
    """The checkout, importable as dockyard.docker (Ansible needs ansible_collections/<ns>/<name>)."""
    base = ROOT / ".build" / "collections"
    link = base / "ansible_collections" / "dockyard" / "docker"
    link.parent.mkdir(parents=True, exist_ok=True)
    if not link.is_symlink():
        link.symlink_to(ROOT)
    return base


def ansible_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "ANSIBLE_COLLECTIONS_PATH": str(collections_path()),
            "ANSIBLE_HOST_KEY_CHECKING": "False",
            "ANSIBLE_RETRY_FILES_ENABLED": "False",
            "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_PIPELINING": "True",
            "PATH": f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}",
        }
    )
    env.update(extra or {})
    return env


class ModuleResult(dict):
    """One host's result of a module call; ``failed`` and ``msg`` as Ansible reports them, and
    ``output``: everything ansible printed, to check that secrets never appear in it."""

    output = ""

    @property
    def failed(self) -> bool:
        return bool(self.get("failed") or self.get("unreachable"))


def run_module(
    module: str,
    args: dict | None = None,
    *,
    inventory: Path | None = None,
    hosts: str = "localhost",
    become: bool = False,
    check: bool = False,
    diff: bool = False,
    env: dict[str, str] | None = None,
    python: str | None = None,
) -> dict[str, ModuleResult]:
    """``ansible HOSTS -m MODULE -a ARGS``; returns host -> result (through tests/callback_plugins)."""
    cmd = [str(VENV_BIN / "ansible"), hosts, "-m", module]
    if args:
        cmd += ["-a", json.dumps(args)]
    if inventory:
        cmd += ["-i", str(inventory)]
    else:
        cmd += ["-i", "localhost,", "-c", "local"]
    python = python or (None if inventory else sys.executable)
    if python:
        cmd += ["-e", f"ansible_python_interpreter={python}"]
    if become:
        cmd.append("--become")
    if check:
        cmd.append("--check")
    if diff:
        cmd.append("--diff")
    extra = {
        "ANSIBLE_STDOUT_CALLBACK": "results_json",
        "ANSIBLE_CALLBACK_PLUGINS": str(ROOT / "tests" / "callback_plugins"),
        "ANSIBLE_LOAD_CALLBACK_PLUGINS": "True",
    }
    extra.update(env or {})
    proc = subprocess.run(cmd, capture_output=True, text=True, env=ansible_env(extra), cwd=ROOT, check=False)
    try:
        data = json.loads(proc.stdout)
    except json.JSONDecodeError as exc:
        raise AssertionError(f"ansible printed no JSON:\n{proc.stdout}\n{proc.stderr}") from exc
    results = {}
    for play in data["plays"]:
        for task in play["tasks"]:
            for host, result in task["hosts"].items():
                results[host] = ModuleResult(result)
                results[host].output = proc.stdout + proc.stderr
    return results


def run_playbook(
    playbook: Path,
    *,
    inventory: Path,
    extra_vars: dict | None = None,
    check: bool = False,
    diff: bool = False,
    env: dict[str, str] | None = None,
    limit: str | None = None,
) -> subprocess.CompletedProcess:
    cmd = [str(VENV_BIN / "ansible-playbook"), "-i", str(inventory), str(playbook)]
    if limit:
        cmd += ["--limit", limit]
    if extra_vars:
        cmd += ["-e", json.dumps(extra_vars)]
    if check:
        cmd.append("--check")
    if diff:
        cmd.append("--diff")
    proc = subprocess.run(cmd, capture_output=True, text=True, env=ansible_env(env), cwd=ROOT, check=False)
    assert_no_deprecation(playbook, proc.stdout + proc.stderr)
    return proc


DEPRECATION = "[DEPRECATION WARNING]"


def assert_no_deprecation(playbook: Path, output: str) -> None:
    """Users read a deprecation warning as a sign of neglect, and the next ansible-core turns it into an error: no
    playbook run by the tests (the collection's own included) may print one, on any ansible-core version tested."""
    lines = output.splitlines()
    found = [" ".join(lines[i : i + 3]) for i, line in enumerate(lines) if DEPRECATION in line]
    assert not found, f"{playbook.name} printed deprecation warnings:\n" + "\n".join(found)


def local_module(name: str, args: dict | None = None, **kwargs) -> ModuleResult:
    """``dockyard.docker.<name>`` run once against the local daemon; the one host's result."""
    return run_module(f"dockyard.docker.{name}", args, **kwargs)["localhost"]


def recap(stdout: str) -> dict[str, int]:
    """The PLAY RECAP counts of a one-host playbook run."""
    match = re.search(r"ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", stdout)
    assert match, stdout
    return dict(zip(("ok", "changed", "unreachable", "failed"), map(int, match.groups())))


def recap_all(stdout: str) -> dict[str, dict[str, int]]:
    """The PLAY RECAP counts of each host."""
    found = {}
    for match in re.finditer(r"^(\S+)\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", stdout, re.M):
        found[match.group(1)] = dict(zip(("ok", "changed", "unreachable", "failed"), map(int, match.groups()[1:])))
    assert found, stdout
    return found
