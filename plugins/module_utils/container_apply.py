# Copyright (c) dockyard.docker contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Bring containers to what their specs say: plan every spec first, then act.

Planning inspects, compares and checks what a spec refers to (image, networks, containers), so a
bad spec fails before any container is touched. Acting creates, recreates (the old container is
kept aside under another name until the new one runs, and put back if it does not), updates in
place, connects networks and moves the container to its wanted state. ``container`` plans one spec,
``containers`` many with the same client, image cache and network cache.
"""

from __future__ import annotations

import time
from typing import Any

from ansible_collections.dockyard.docker.plugins.module_utils.container_compare import (
    differences,
    modes,
    network_changes,
)
from ansible_collections.dockyard.docker.plugins.module_utils.container_spec import (
    SPECIAL_NETWORK_MODES,
    SpecError,
    desired,
)
from ansible_collections.dockyard.docker.plugins.module_utils.image_ref import ImageReferenceError, parse
from ansible_collections.dockyard.docker.plugins.module_utils.images import APIError, NotFound, StreamError, pull

DEFAULT_STOP_TIMEOUT = 10


class ContainerError(Exception):
    """A spec that cannot be carried out; the message names the container and the option."""


def _running(container: dict[str, Any] | None) -> bool:
    return bool(container and (container.get("State") or {}).get("Running"))


def port_map(container: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """What `docker port` prints: container port -> the host addresses it is published on."""
    ports = (container.get("NetworkSettings") or {}).get("Ports") or {}
    return {
        port: [
            {"host_ip": b.get("HostIp"), "host_port": int(b["HostPort"])} for b in bindings or [] if b.get("HostPort")
        ]
        for port, bindings in sorted(ports.items())
    }


def container_facts(container: dict[str, Any] | None) -> dict[str, Any] | None:
    if container is None:
        return None
    state = container.get("State") or {}
    networks = (container.get("NetworkSettings") or {}).get("Networks") or {}
    return {
        "id": container.get("Id"),
        "name": (container.get("Name") or "").lstrip("/"),
        "image": (container.get("Config") or {}).get("Image"),
        "image_id": container.get("Image"),
        "status": state.get("Status"),
        "running": bool(state.get("Running")),
        "exit_code": state.get("ExitCode"),
        "health": (state.get("Health") or {}).get("Status"),
        "ports": port_map(container),
        "networks": {
            name: {"ip_address": e.get("IPAddress") or None, "aliases": e.get("Aliases") or []}
            for name, e in sorted(networks.items())
        },
        "labels": (container.get("Config") or {}).get("Labels") or {},
    }


class Plan:
    """What one spec needs: the container as it is, the differences, and the steps to take."""

    def __init__(self, params: dict[str, Any], current: dict[str, Any] | None) -> None:
        self.params = params
        self.name: str = params["name"]
        self.current = current
        self.want: dict[str, Any] = {}
        self.image: dict[str, Any] | None = None
        self.differences: list[dict[str, Any]] = []
        self.steps: list[str] = []
        self.after: dict[str, Any] | None = current

    @property
    def changed(self) -> bool:
        return bool(self.steps)

    def result(self) -> dict[str, Any]:
        result = {
            "name": self.name,
            "changed": self.changed,
            "actions": list(self.steps),
            "differences": self.differences,
            "container": container_facts(self.after),
        }
        return result

    def diff(self) -> dict[str, Any]:
        before = {d["option"]: d["before"] for d in self.differences}
        after = {d["option"]: d["after"] for d in self.differences}
        exists = self.current is not None
        wanted = self.params["state"] != "absent"
        if exists != wanted:
            before["exists"], after["exists"] = exists, wanted
        return {"before": before, "after": after}


class ContainerManager:
    """Plans and acts on container specs with one client; caches images and networks between specs."""

    def __init__(self, client, check_mode: bool = False) -> None:
        self.client = client
        self.check_mode = check_mode
        self.warnings: list[str] = []
        self._images: dict[tuple[str, str], dict[str, Any]] = {}
        self._networks: dict[str, bool] = {}
        self._swap_limit: bool | None = None

    # -- looking things up ---------------------------------------------------------------------
    def inspect(self, name: str) -> dict[str, Any] | None:
        try:
            return self.client.inspect_container(name)
        except NotFound:
            return None

    def _resolve(self, name: str) -> str:
        found = self.inspect(name)
        return found["Id"] if found else name

    def _image(self, params: dict[str, Any]) -> dict[str, Any]:
        reference, policy = params["image"], params["pull"]
        key = (reference, policy)
        if key in self._images:
            return self._images[key]
        try:
            ref = parse(reference)
        except ImageReferenceError as exc:
            raise ContainerError(f"image: {exc}") from None
        image = self._find_image(ref["full"])
        if policy == "always" or (image is None and policy == "missing"):
            if self.check_mode and image is not None:
                pass  # the registry is not asked in check mode; the local image stands in
            elif self.check_mode:
                image = {"Id": None, "Config": {}}
            else:
                try:
                    pull(self.client, ref, None, None, params["pull_retries"])
                except (APIError, StreamError) as exc:
                    why = getattr(exc, "explanation", None) or str(exc)
                    raise ContainerError(f"image: cannot pull {reference!r}: {why}") from None
                image = self._find_image(ref["full"])
        if image is None:
            raise ContainerError(f"image: {reference!r} is not on this host and pull is 'never'")
        self._images[key] = image
        return image

    def _find_image(self, reference: str) -> dict[str, Any] | None:
        try:
            return self.client.inspect_image(reference)
        except NotFound:
            return None

    def _network_exists(self, name: str) -> bool:
        if name not in self._networks:
            try:
                self.client.inspect_network(name)
                self._networks[name] = True
            except NotFound:
                self._networks[name] = False
        return self._networks[name]

    def _swap_limit_supported(self) -> bool:
        if self._swap_limit is None:
            self._swap_limit = bool(self.client.info().get("SwapLimit"))
        return self._swap_limit

    # -- planning ------------------------------------------------------------------------------
    def plan(self, params: dict[str, Any]) -> Plan:
        """Everything a spec needs, checked; raises SpecError or ContainerError before any change."""
        plan = Plan(params, self.inspect(params["name"]))
        state = params["state"]
        if state == "absent":
            plan.steps = ["removed"] if plan.current else []
            return plan
        plan.want = desired(params)
        if "memory_swap" in plan.want and not self._swap_limit_supported():
            del plan.want["memory_swap"]
            self.warnings.append(
                f"{plan.name}: memory_swap is ignored: this host's kernel does not account swap "
                "(enable it with the engine role's docker_swap_accounting and reboot)"
            )
        if params.get("image"):
            plan.image = self._image(params)
        elif plan.current is not None:
            plan.image = self.client.inspect_image(plan.current["Image"])
        else:
            raise ContainerError(f"image: needed to create the container {plan.name!r}")
        if plan.current is not None:
            plan.differences = differences(
                plan.want, plan.image, plan.current, modes(params.get("comparisons")), self._resolve
            )
        recreate = plan.current is None or params["recreate"] or any(d["how"] == "recreate" for d in plan.differences)
        if recreate:
            self._check_references(plan)
            plan.steps.append("created" if plan.current is None else "recreated")
        else:
            if any(d["how"] == "update" for d in plan.differences):
                plan.steps.append("updated")
            if any(d["how"] == "network" for d in plan.differences):
                plan.steps.append("reconnected")
        plan.steps.extend(self._state_steps(plan, recreate))
        return plan

    def _state_steps(self, plan: Plan, recreate: bool) -> list[str]:
        state, running = plan.params["state"], _running(plan.current)
        running_after_create = recreate and running and state == "present"
        if state in ("started", "healthy") and (recreate or not running):
            return ["started"]
        if state == "stopped" and running and not recreate:
            return ["stopped"]
        if state == "restarted":
            return ["restarted" if running and not recreate else "started"]
        if running_after_create:
            return ["started"]
        return []

    def _check_references(self, plan: Plan) -> None:
        """Networks and containers the new container refers to exist (else the create would fail half way)."""
        want = plan.want
        names = [e["name"] for e in want.get("networks") or []]
        mode = want.get("network_mode")
        if mode and mode not in SPECIAL_NETWORK_MODES and not mode.startswith("container:"):
            names.append(mode)
        for name in names:
            if name not in ("bridge", "default") and not self._network_exists(name):
                raise ContainerError(f"networks: no network {name!r}; create it first (dockyard.docker.network)")
        others = [v.split(":")[0] for v in want.get("volumes_from") or []]
        if mode and mode.startswith("container:"):
            others.append(mode[10:])
        for other in others:
            if other != plan.name and self.inspect(other) is None:
                option = "network_mode" if mode == f"container:{other}" else "volumes_from"
                raise ContainerError(f"{option}: no container {other!r} on this host")

    # -- acting --------------------------------------------------------------------------------
    def act(self, plan: Plan) -> None:
        if self.check_mode or not (plan.steps or plan.params["state"] == "healthy"):
            return
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
        present = {}
        for name, endpoint in ((plan.current.get("NetworkSettings") or {}).get("Networks") or {}).items():
            ipam = endpoint.get("IPAMConfig") or {}
            present[name] = {
                "aliases": sorted(endpoint.get("Aliases") or []),
                "ipv4_address": ipam.get("IPv4Address") or None,
                "ipv6_address": ipam.get("IPv6Address") or None,
            }
        rules = modes(plan.params.get("comparisons"))
        connect, disconnect = network_changes(plan.want["networks"], present, rules["networks"])
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

    # -- many at once --------------------------------------------------------------------------
    def prune(self, label: str, value: str, keep: set[str], remove_volumes: bool) -> list[str]:
        """Remove containers labelled ``label=value`` whose names are not in ``keep``; their names."""
        listed = self.client.containers(all=True, filters={"label": f"{label}={value}"})
        pruned = []
        for summary in listed:
            name = (summary.get("Names") or ["/"])[0].lstrip("/")
            if name in keep:
                continue
            pruned.append(name)
            if not self.check_mode:
                self.client.remove_container(summary["Id"], force=True, v=remove_volumes)
        return sorted(pruned)


__all__ = ["ContainerError", "ContainerManager", "Plan", "SpecError", "container_facts", "port_map"]
