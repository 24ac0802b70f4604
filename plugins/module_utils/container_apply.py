# Copyright (c) dockyard.docker contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Carry out a container plan: pull, create, recreate, update in place, reconnect, start, stop, wait,
remove.

The create and update payloads come from the option table (``container_spec.OPTIONS``): each wanted
value goes where the API keeps it. A recreation keeps the old container aside under another name
until the new one runs, and puts it back (and starts it again) if the new one cannot be created or
started.
"""

from __future__ import annotations

import io
import re
import tarfile
import time
from typing import Any

from ansible_collections.dockyard.docker.plugins.module_utils.client import (
    APIError,
    daemon_words,
    engine_request,
)
from ansible_collections.dockyard.docker.plugins.module_utils.container_plan import (
    WAITING_STATES,
    ContainerError,
    Plan,
    is_paused,
    is_running,
    log_text,
)
from ansible_collections.dockyard.docker.plugins.module_utils.container_spec import OPTIONS
from ansible_collections.dockyard.docker.plugins.module_utils.image_ref import parse
from ansible_collections.dockyard.docker.plugins.module_utils.images import StreamError, pull
from ansible_collections.dockyard.docker.plugins.module_utils.resources import inspected
from ansible_collections.dockyard.docker.plugins.module_utils.retry import again_while

DEFAULT_STOP_TIMEOUT = 10
# A container that exits at once may still show as running for a moment after the start call returns.
# How long that moment lasts grows with the host's load, as the create and start calls do: the wait is
# half the time they took, within these bounds.
SETTLE_SECONDS = (0.05, 0.5)
LOG_TAIL_LINES = 10
# What the engine says when containerd still holds a container's ID: a task started just before the
# daemon was killed, which the restarted daemon does not know about (20.10 says "id already in use",
# later engines "task <id>: already exists"), or that task's shim directory, left behind once a start
# has tried again ("failed to start shim: mkdir .../task/moby/<id>: file exists"). The container stays
# in "created" and never starts again.
STALE_TASK = re.compile(
    r"id already in use|task [0-9a-f]+.*already exists|container with id exists"
    r"|runtime\.v2\.task/[^/]+/[0-9a-f]+: file exists"
)
# A host port Docker chooses itself (publish_all_ports, or a port published without a host side) is the next of a
# count it keeps per address, blind to what holds the port: its own proxies on another address (127.0.0.1 beside
# 0.0.0.0) or any other program. It tries a few in a row and fails the start; started again, it counts on. A port
# the task names is not tried again: something else holds it. Docker 20.10 names the port it tried; Docker 28
# names the binding, its host port empty when Docker chose it.
PORT_TAKEN = (
    re.compile(r"listen (?:tcp|udp)\d? \S*:(?P<port>\d+): bind: address already in use"),
    re.compile(r"failed to bind host port for (?:\[[^\]]*\]|[^:\s]*):(?P<port>\d*):\S+: address already in use"),
)
PORT_ATTEMPTS = 3
SHELLS = ("sh", "bash", "ash", "dash", "zsh", "/bin/sh", "/bin/bash", "/bin/ash", "/bin/dash", "/bin/zsh")


def chosen_port_taken(message: str, ports: list[tuple[str, str, str]]) -> bool:
    """The start failed because a host port Docker chose itself was taken meanwhile; ``ports`` are the
    task's (container port, host IP, host port) bindings."""
    match = next((found for found in (pattern.search(message) for pattern in PORT_TAKEN) if found), None)
    named = {host for _inside, _ip, host in ports if host.isdigit()}
    return bool(match) and match.group("port") not in named


def _place(payload: dict[str, Any], path: str, value: Any) -> None:
    *parents, key = path.split(".")
    for parent in parents:
        payload = payload.setdefault(parent, {})
    payload[key] = value


def create_payload(want: dict[str, Any], image: str, network_mode: str | None) -> dict[str, Any]:
    """The body of ``POST /containers/create`` for ``want`` (what ``desired`` gave): each option where the
    API keeps it (``Config.`` fields at the top), the exposed ports with the published ones."""
    payload: dict[str, Any] = {"Image": image, "HostConfig": {}}
    for option in OPTIONS:
        if option.create and option.name in want:
            _place(payload, option.api.removeprefix("Config."), option.to_api(want[option.name]))
    exposed = set(want.get("expose") or []) | {port for port, _ip, _host in want.get("ports") or []}
    if exposed:
        payload["ExposedPorts"] = {port: {} for port in sorted(exposed)}
    if network_mode:
        payload["HostConfig"]["NetworkMode"] = network_mode
    return payload


def update_payload(want: dict[str, Any], current: dict[str, Any] | None) -> dict[str, Any]:
    """The body of ``POST /containers/{id}/update``: the options ``docker update`` changes, by their
    HostConfig names."""
    body = {
        option.api.rpartition(".")[2]: want[option.name] for option in OPTIONS if option.update and option.name in want
    }
    if "Memory" in body and "MemorySwap" not in body and current:
        # The daemon refuses memory above the current memory+swap limit unless both move together.
        current_swap = (current.get("HostConfig") or {}).get("MemorySwap") or 0
        if current_swap > 0 and body["Memory"] > current_swap:
            body["MemorySwap"] = 2 * body["Memory"]
    return body


def files_archive(files: list[dict[str, Any]]) -> bytes:
    """A tar of ``files`` ({path, content, mode, uid, gid}) to unpack at the container's root before it starts:
    how Compose gives secrets and configs that have no file on the host."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        for file in files:
            data = file["content"].encode()
            member = tarfile.TarInfo(file["path"].lstrip("/"))
            member.size, member.mode, member.uid, member.gid = len(data), file["mode"], file["uid"], file["gid"]
            member.mtime = int(time.time())
            archive.addfile(member, io.BytesIO(data))
    return buffer.getvalue()


class ContainerActions:
    """Makes the changes a plan names, with the client it is given; warnings are added to ``warnings``."""

    def __init__(self, client, warnings: list[str]) -> None:
        self.client = client
        self.warnings = warnings
        # Wait a moment after a start before looking whether the container still runs; off while a batch is
        # carried out, which looks again at the end instead (check_started), when that moment has passed.
        self.settle = True

    def pull(self, reference: str, retries: int, platform: str | None = None) -> dict[str, Any]:
        """The image after pulling ``reference`` (for ``platform``, when given)."""
        try:
            pull(self.client, parse(reference), platform, None, retries)
        except (APIError, StreamError) as exc:
            why = daemon_words(exc)
            raise ContainerError(f"image: cannot pull {reference!r}: {why}") from None
        return self.client.inspect_image(reference)

    def remove(self, container_ids: list[str], remove_volumes: bool) -> None:
        for container_id in container_ids:
            self.client.remove_container(container_id, force=True, v=remove_volumes)

    def act(self, plan: Plan) -> None:
        params, current = plan.params, plan.current
        container_id = current["Id"] if current else None
        began = time.monotonic()
        for step in list(plan.steps):  # a start may turn into a recreation (_start)
            if step == "removed":
                self.client.remove_container(container_id, force=True, v=params["remove_volumes"])
                plan.after = None
                return
            if step in ("created", "recreated"):
                container_id = self._create(plan) if step == "created" else self._recreate(plan)
            elif step == "started" and "recreated" not in plan.steps:
                container_id = self._start(container_id, plan)
            elif step != "started":  # _recreate started it
                self._in_place(step, container_id, plan)
        if params["state"] == "healthy":
            self._wait_healthy(container_id, plan)
        if params["state"] == "completed":
            self._wait_completed(container_id, plan)
            return
        plan.after = inspected(self.client.inspect_container, container_id)  # auto_remove may have removed it
        if self.started(plan):
            settle = min(max(SETTLE_SECONDS[0], (time.monotonic() - began) / 2), SETTLE_SECONDS[1])
            self._check_still_running(container_id, plan, settle if self.settle else 0.0)

    def _in_place(self, step: str, container_id: str, plan: Plan) -> None:
        """A step that acts on the container as it is."""
        timeout = self._stop_timeout(plan.params, plan.current)
        calls = {
            "updated": lambda: self._update(container_id, plan),
            "reconnected": lambda: self._reconnect(container_id, plan),
            "stopped": lambda: self.client.stop(container_id, timeout=timeout),
            "restarted": lambda: self.client.restart(container_id, timeout=timeout),
            "paused": lambda: self.client.pause(container_id),
            "unpaused": lambda: self.client.unpause(container_id),
        }
        calls[step]()

    def _start(self, container_id: str, plan: Plan) -> str:
        """Start the container; one that a task left over from a daemon crash keeps from starting is
        created again under a new ID, once, with a warning. Returns the ID that runs."""
        try:
            self._start_call(container_id, plan)
            return container_id
        except APIError as exc:
            why = daemon_words(exc)
            created = ((plan.current or {}).get("State") or {}).get("Status") == "created"
            if not (created and STALE_TASK.search(why)):
                raise
        self.client.remove_container(container_id, force=True)  # its anonymous volumes stay
        new_id = self._create(plan)
        self._start_call(new_id, plan)
        plan.steps.insert(plan.steps.index("started"), "recreated")
        self.warnings.append(
            f"{plan.name}: recreated: the engine would not start it ({why}); containerd still held its ID "
            f"{container_id[:12]} from a task started before the daemon was killed. That task's process may "
            f"still run outside Docker: 'ctr -n moby task ls' lists it, 'ctr -n moby task kill -s KILL "
            f"{container_id}' ends it"
        )
        return new_id

    def _start_call(self, container_id: str, plan: Plan) -> None:
        """POST /start, again while a port Docker chose for the container was taken before it bound it."""
        ports = plan.want.get("ports") or []
        again_while(
            lambda: self.client.start(container_id),
            lambda message: chosen_port_taken(message, ports),
            PORT_ATTEMPTS,
        )

    @staticmethod
    def _stop_timeout(params: dict[str, Any], container: dict[str, Any] | None) -> int:
        """The task's stop_timeout, else the container's own (``docker run --stop-timeout``), else Docker's 10."""
        if params.get("stop_timeout") is not None:
            return params["stop_timeout"]
        configured = ((container or {}).get("Config") or {}).get("StopTimeout")
        return configured if configured is not None else DEFAULT_STOP_TIMEOUT

    def _create(self, plan: Plan) -> str:
        want = plan.want
        networks = want.get("networks") or []
        mode = want.get("network_mode") or (networks[0]["name"] if networks else None)
        endpoints = {e["name"]: self._endpoint(e) for e in networks}
        payload = create_payload(want, plan.params.get("image") or plan.image["Id"], mode)
        if mode in endpoints:
            payload["NetworkingConfig"] = {"EndpointsConfig": {mode: endpoints.pop(mode)}}
        platform = {"platform": plan.params["platform"]} if plan.params.get("platform") else {}
        created = self.client.create_container_from_config(payload, plan.name, **platform)
        self.warnings.extend(f"{plan.name}: {w}" for w in created.get("Warnings") or [])
        if plan.params.get("copied"):
            self.client.put_archive(created["Id"], "/", files_archive(plan.params["copied"]))
        for name, endpoint in endpoints.items():
            self._connect(created["Id"], name, endpoint)
        return created["Id"]

    @staticmethod
    def _endpoint(endpoint: dict[str, Any]) -> dict[str, Any]:
        config: dict[str, Any] = {"Aliases": endpoint["aliases"] or None}
        addresses = {
            k: endpoint[o]
            for o, k in (("ipv4_address", "IPv4Address"), ("ipv6_address", "IPv6Address"))
            if endpoint.get(o)
        }
        if addresses:
            config["IPAMConfig"] = addresses
        return config

    def _connect(self, container_id: str, name: str, endpoint: dict[str, Any]) -> None:
        ipam = endpoint.get("IPAMConfig") or {}
        self.client.connect_container_to_network(
            container_id,
            name,
            aliases=endpoint["Aliases"],
            ipv4_address=ipam.get("IPv4Address"),
            ipv6_address=ipam.get("IPv6Address"),
        )

    def _recreate(self, plan: Plan) -> str:
        """A new container under the name; the old one waits aside and comes back if the new one fails.
        An old container with auto_remove is gone once stopped: it is renamed first, and cannot come back."""
        old = plan.current
        was_running = is_running(old)
        wants_running = "started" in plan.steps
        kept = not (old.get("HostConfig") or {}).get("AutoRemove")
        if is_paused(old):  # a frozen container cannot stop in time: it would wait for the kill
            self.client.unpause(old["Id"])
        aside = f"{plan.name}-replaced-{old['Id'][:12]}"
        if kept and was_running:
            self.client.stop(old["Id"], timeout=self._stop_timeout(plan.params, old))
        self.client.rename(old["Id"], aside)
        if not kept and was_running:
            self.client.stop(old["Id"], timeout=self._stop_timeout(plan.params, old))
        new_id = None
        try:
            new_id = self._create(plan)
            if wants_running:
                self._start_call(new_id, plan)
        except Exception:
            if new_id:
                self.client.remove_container(new_id, force=True)
            if kept:
                self.client.rename(old["Id"], plan.name)
                if was_running:
                    self.client.start(old["Id"])
            raise
        if kept or not was_running:
            self.client.remove_container(old["Id"], force=True, v=plan.params["remove_volumes"])
        return new_id

    def _update(self, container_id: str, plan: Plan) -> None:
        # docker-py's update_container knows no NanoCpus (it predates --cpus): the API body is posted as is.
        engine_request(
            self.client, "POST", f"/containers/{container_id}/update", update_payload(plan.want, plan.current)
        )

    def _reconnect(self, container_id: str, plan: Plan) -> None:
        for name in plan.disconnect:
            self.client.disconnect_container_from_network(container_id, name)
        for endpoint in plan.connect:
            self._connect(container_id, endpoint["name"], self._endpoint(endpoint))

    def _wait_healthy(self, container_id: str, plan: Plan) -> None:
        deadline = time.monotonic() + plan.params["healthy_timeout"]
        while True:
            container = self.client.inspect_container(container_id)
            health = (container.get("State") or {}).get("Health")
            if health is None:
                raise ContainerError(
                    f"state: {plan.name!r} has no healthcheck to wait for; set healthcheck or use started"
                )
            if health.get("Status") == "healthy":
                return
            log = health.get("Log") or [{}]
            last = (log[-1].get("Output") or "").strip()
            if health.get("Status") == "unhealthy":
                raise ContainerError(f"{plan.name!r} is unhealthy; last check said: {last}")
            if not is_running(container):
                raise ContainerError(
                    f"{plan.name!r} stopped (exit code {container['State'].get('ExitCode')}) before it was healthy"
                )
            if time.monotonic() > deadline:
                raise ContainerError(
                    f"{plan.name!r} was not healthy within {plan.params['healthy_timeout']}s; last check said: {last}"
                )
            time.sleep(0.5)

    @staticmethod
    def started(plan: Plan) -> bool:
        """The plan started the container, and its state does not wait for anything beyond that."""
        return plan.params["state"] not in WAITING_STATES and bool({"started", "restarted"} & set(plan.steps))

    def check_started(self, plan: Plan) -> None:
        """After a batch: whether each container it started still runs (see _check_still_running)."""
        if plan.after is not None and is_running(plan.after):
            plan.after = inspected(self.client.inspect_container, plan.after["Id"])
            self._check_still_running(plan.after["Id"] if plan.after else "", plan, settle=0.0)

    def _check_still_running(self, container_id: str, plan: Plan, settle: float) -> None:
        """A container just started that has exited already is reported with its exit code and last log
        lines: a failure when the code is not 0, else a warning (the next run would start it again)."""
        if settle and is_running(plan.after):
            time.sleep(settle)
            plan.after = inspected(self.client.inspect_container, container_id)
        if plan.after is None:
            self.warnings.append(f"{plan.name}: exited and was removed at once (auto_remove); nothing is left to read")
            return
        if is_running(plan.after):
            return
        state, config = plan.after["State"], plan.after.get("Config") or {}
        code = state.get("ExitCode")
        tail = log_text(self.client, container_id, tail=LOG_TAIL_LINES).rstrip() or "(nothing)"
        message = f"{plan.name!r} exited right after it was started (status {state.get('Status')}, exit code {code})"
        command = [*(config.get("Entrypoint") or []), *(config.get("Cmd") or [])]
        lone_shell = len(command) == 1 and command[0] in SHELLS
        if lone_shell and not (config.get("Tty") or config.get("OpenStdin")):
            message += "; a shell without a terminal or input exits at once: set tty and interactive (docker run -dit)"
        elif code == 0:
            message += "; for a job that is meant to end, use state: completed"
        message += f". Its last log lines:\n{tail}"
        if code != 0:
            raise ContainerError(message)
        self.warnings.append(message)

    def _wait_completed(self, container_id: str, plan: Plan) -> None:
        """Wait for the run to end; its output and exit code go on the plan, and an exit code the task does
        not expect fails the task."""
        timeout, expected = plan.params["completed_timeout"], plan.params["expected_exit_codes"]
        deadline, pause = time.monotonic() + timeout, 0.05
        container = self.client.inspect_container(container_id)
        while is_running(container):
            if time.monotonic() > deadline:
                tail = log_text(self.client, container_id, tail=LOG_TAIL_LINES).rstrip()
                raise ContainerError(f"{plan.name!r} still runs after {timeout}s (completed_timeout):\n{tail}")
            time.sleep(pause)
            pause = min(pause * 2, 1.0)
            container = self.client.inspect_container(container_id)
        plan.after = container
        plan.output = {  # a run again is a new container: its logs are this run's alone
            "stdout": log_text(self.client, container_id, stdout=True, stderr=False),
            "stderr": log_text(self.client, container_id, stdout=False, stderr=True),
        }
        code = container["State"].get("ExitCode")
        if code not in expected:
            lines = (plan.output["stderr"] or plan.output["stdout"]).rstrip().splitlines()[-LOG_TAIL_LINES:]
            wanted = " or ".join(map(str, expected))
            raise ContainerError(f"{plan.name!r} exited with code {code}, not {wanted}:\n" + "\n".join(lines))
