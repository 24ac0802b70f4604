# Copyright (c) dockyard.docker contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Carry out a container plan: create, recreate, update in place, reconnect, start, stop, wait.

A recreation keeps the old container aside under another name until the new one runs, and puts
it back (and starts it again) if the new one cannot be created or started.
"""

from __future__ import annotations

import time
from typing import Any

from ansible_collections.dockyard.docker.plugins.module_utils.container_compare import endpoints, modes, network_changes
from ansible_collections.dockyard.docker.plugins.module_utils.container_plan import ContainerError, Plan, _running

DEFAULT_STOP_TIMEOUT = 10


class ContainerActions:
    """The changes a ContainerManager planned, made with its client; warnings go to the manager."""

    def __init__(self, manager) -> None:
        self.client = manager.client
        self.warnings = manager.warnings

    def act(self, plan: Plan) -> None:
        params, current = plan.params, plan.current
        container_id = current["Id"] if current else None
        for step in plan.steps:
            if step == "removed":
                self.client.remove_container(container_id, force=True, v=params["remove_volumes"])
                plan.after = None
                return
            if step == "created":
                container_id = self._create(plan)
            elif step == "recreated":
                container_id = self._recreate(plan)
            elif step == "updated":
                self._update(container_id, plan)
            elif step == "reconnected":
                self._reconnect(container_id, plan)
            elif step == "started" and "recreated" not in plan.steps:  # _recreate started it
                self.client.start(container_id)
            elif step == "stopped":
                self.client.stop(container_id, timeout=self._stop_timeout(params))
            elif step == "restarted":
                self.client.restart(container_id, timeout=self._stop_timeout(params))
        if params["state"] == "healthy":
            self._wait_healthy(container_id, plan)
        plan.after = self.client.inspect_container(container_id)

    @staticmethod
    def _stop_timeout(params: dict[str, Any]) -> int:
        return params["stop_timeout"] if params.get("stop_timeout") is not None else DEFAULT_STOP_TIMEOUT

    def _create(self, plan: Plan) -> str:
        params, want = plan.params, plan.want
        networks = want.get("networks") or []
        mode = want.get("network_mode") or (networks[0]["name"] if networks else None)
        endpoints = {e["name"]: self._endpoint(e) for e in networks}
        first = {mode: endpoints.pop(mode)} if mode in endpoints else {}
        exposed = sorted(set(want.get("expose") or []) | {p for p, _ip, _host in want.get("ports") or []})
        created = self.client.create_container(
            image=params.get("image") or plan.image["Id"],
            name=plan.name,
            command=want.get("command"),
            entrypoint=want.get("entrypoint"),
            environment=[f"{k}={v}" for k, v in want["env"].items()] if "env" in want else None,
            labels=want.get("labels"),
            ports=[(int(p.split("/")[0]), p.split("/")[1]) for p in exposed] or None,
            volumes=want.get("anonymous_volumes") or None,
            user=want.get("user"),
            working_dir=want.get("working_dir"),
            hostname=want.get("hostname"),
            healthcheck=want.get("healthcheck"),
            host_config=self._host_config(want, mode),
            networking_config={"EndpointsConfig": first} if first else None,
            detach=True,
            # The CLI's ~/.docker/config.json proxies would land in env and look like drift.
            use_config_proxy=False,
        )
        self.warnings.extend(f"{plan.name}: {w}" for w in created.get("Warnings") or [])
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

    @staticmethod
    def _host_config(want: dict[str, Any], mode: str | None) -> dict[str, Any]:
        config: dict[str, Any] = {}
        if mode:
            config["NetworkMode"] = mode
        if want.get("ports"):
            bindings: dict[str, list[dict[str, str]]] = {}
            for port, ip, host in want["ports"]:
                bindings.setdefault(port, []).append({"HostIp": ip, "HostPort": host})
            config["PortBindings"] = bindings
        simple = {
            "volumes": "Binds", "volumes_from": "VolumesFrom", "memory": "Memory", "memory_swap": "MemorySwap",
            "memory_reservation": "MemoryReservation", "cpus": "NanoCpus", "cpu_shares": "CpuShares",
            "init": "Init", "privileged": "Privileged", "read_only": "ReadonlyRootfs", "cap_add": "CapAdd",
            "cap_drop": "CapDrop", "tmpfs": "Tmpfs", "restart_policy": "RestartPolicy",
        }  # fmt: skip
        for option, key in simple.items():
            if option in want:
                config[key] = want[option]
        if "log_driver" in want or "log_options" in want:
            config["LogConfig"] = {"Type": want.get("log_driver", ""), "Config": want.get("log_options") or {}}
        return config

    def _recreate(self, plan: Plan) -> str:
        """A new container under the name; the old one waits aside and comes back if the new one fails."""
        old = plan.current
        was_running = _running(old)
        wants_running = "started" in plan.steps
        if was_running:
            self.client.stop(old["Id"], timeout=self._stop_timeout(plan.params))
        aside = f"{plan.name}-replaced-{old['Id'][:12]}"
        self.client.rename(old["Id"], aside)
        new_id = None
        try:
            new_id = self._create(plan)
            if wants_running:
                self.client.start(new_id)
        except Exception:
            if new_id:
                self.client.remove_container(new_id, force=True)
            self.client.rename(old["Id"], plan.name)
            if was_running:
                self.client.start(old["Id"])
            raise
        self.client.remove_container(old["Id"], force=True, v=plan.params["remove_volumes"])
        return new_id

    def _update(self, container_id: str, plan: Plan) -> None:
        keys = {
            "restart_policy": "RestartPolicy", "memory": "Memory", "memory_swap": "MemorySwap",
            "memory_reservation": "MemoryReservation", "cpus": "NanoCpus", "cpu_shares": "CpuShares",
        }  # fmt: skip
        body = {key: plan.want[option] for option, key in keys.items() if option in plan.want}
        if "Memory" in body and "MemorySwap" not in body and plan.current:
            # The daemon refuses memory above the current memory+swap limit unless both move together.
            current_swap = (plan.current.get("HostConfig") or {}).get("MemorySwap") or 0
            if current_swap > 0 and body["Memory"] > current_swap:
                body["MemorySwap"] = 2 * body["Memory"]
        # docker-py's update_container knows no NanoCpus (it predates --cpus), so post the API body itself.
        response = self.client._post_json(self.client._url("/containers/{0}/update", container_id), data=body)
        self.client._raise_for_status(response)

    def _reconnect(self, container_id: str, plan: Plan) -> None:
        rules = modes(plan.params.get("comparisons"))
        connect, disconnect = network_changes(plan.want["networks"], endpoints(plan.current), rules["networks"])
        for name in disconnect:
            self.client.disconnect_container_from_network(container_id, name)
        for endpoint in connect:
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
            if not _running(container):
                raise ContainerError(
                    f"{plan.name!r} stopped (exit code {container['State'].get('ExitCode')}) before it was healthy"
                )
            if time.monotonic() > deadline:
                raise ContainerError(
                    f"{plan.name!r} was not healthy within {plan.params['healthy_timeout']}s; last check said: {last}"
                )
            time.sleep(0.5)
