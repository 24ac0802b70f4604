# Copyright (c) dockyard.docker contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Plan what each container spec needs, before anything is touched.

Planning inspects, compares and checks what a spec refers to (image, networks, containers), so a
bad spec fails before any container is touched. What planning finds to do is carried out by
``container_apply``, which is loaded only then: an idempotent run never needs it. ``container``
plans one spec, ``containers`` many with the same client, image cache and network cache.
"""

from __future__ import annotations

from typing import Any

from ansible_collections.dockyard.docker.plugins.module_utils.client import APIError, NotFound
from ansible_collections.dockyard.docker.plugins.module_utils.container_compare import (
    differences,
    modes,
)
from ansible_collections.dockyard.docker.plugins.module_utils.container_spec import (
    SPECIAL_NETWORK_MODES,
    desired,
)
from ansible_collections.dockyard.docker.plugins.module_utils.resources import inspected


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
    """Plans container specs with one client (caching images and networks between specs) and carries them out."""

    def __init__(self, client, check_mode: bool = False) -> None:
        self.client = client
        self.check_mode = check_mode
        self.warnings: list[str] = []
        self._images: dict[tuple[str, str], dict[str, Any]] = {}
        self._networks: dict[str, bool] = {}
        self._swap_limit: bool | None = None
        self._planned: set[str] = set()  # containers that exist once the plans so far are carried out

    # -- looking things up ---------------------------------------------------------------------
    def inspect(self, name: str) -> dict[str, Any] | None:
        return inspected(self.client.inspect_container, name)

    def _resolve(self, name: str) -> str:
        found = self.inspect(name)
        return found["Id"] if found else name

    def _image(self, params: dict[str, Any]) -> dict[str, Any]:
        reference, policy = params["image"], params["pull"]
        key = (reference, policy)
        if key not in self._images:
            image = self._find_image(reference)
            if policy == "always" or (image is None and policy == "missing"):
                image = self._pulled(reference, params["pull_retries"], image)
            if image is None:
                raise ContainerError(f"image: {reference!r} is not on this host and pull is 'never'")
            self._images[key] = image
        return self._images[key]

    def _find_image(self, reference: str) -> dict[str, Any] | None:
        try:
            return self.client.inspect_image(reference)
        except NotFound:
            return None
        except APIError as exc:
            if exc.status_code == 400:  # not a reference at all: say what is wrong with it
                self._parsed(reference)
            raise

    @staticmethod
    def _parsed(reference: str) -> dict[str, Any]:
        from ansible_collections.dockyard.docker.plugins.module_utils.image_ref import (  # noqa: PLC0415 - pulls only
            ImageReferenceError,
            parse,
        )

        try:
            return parse(reference)
        except ImageReferenceError as exc:
            raise ContainerError(f"image: {exc}") from None

    def _pulled(self, reference: str, retries: int, local: dict[str, Any] | None) -> dict[str, Any] | None:
        """The image after a pull. In check mode nothing is pulled: the registry is asked for its digest,
        and an image it would replace stands in with an unknown ID."""
        from ansible_collections.dockyard.docker.plugins.module_utils.images import (  # noqa: PLC0415 - pulls only
            StreamError,
            pull,
            repo_digest,
        )

        ref = self._parsed(reference)
        if self.check_mode:
            if local is None:
                return {"Id": None, "Config": {}}
            try:
                remote = self.client.inspect_distribution(ref["full"])["Descriptor"]["digest"]
            except APIError as exc:
                self.warnings.append(f"image: could not ask the registry about {reference!r}: {exc.explanation}")
                return local
            return local if remote == repo_digest(local, ref) else {**local, "Id": None}
        try:
            pull(self.client, ref, None, None, retries)
        except (APIError, StreamError) as exc:
            why = getattr(exc, "explanation", None) or str(exc)
            raise ContainerError(f"image: cannot pull {reference!r}: {why}") from None
        return self._find_image(ref["full"])

    def _network_exists(self, name: str) -> bool:
        if name not in self._networks:
            self._networks[name] = inspected(self.client.inspect_network, name) is not None
        return self._networks[name]

    def _swap_limit_supported(self) -> bool:
        if self._swap_limit is None:
            self._swap_limit = bool(self.client.info().get("SwapLimit"))
        return self._swap_limit

    # -- planning ------------------------------------------------------------------------------
    def plan(self, params: dict[str, Any], want: dict[str, Any] | None = None) -> Plan:
        """Everything a spec needs, checked; raises SpecError or ContainerError before any change.

        ``want`` is ``desired(params)`` when the caller has already checked the options with it."""
        plan = Plan(params, self.inspect(params["name"]))
        state = params["state"]
        if state == "absent":
            plan.steps = ["removed"] if plan.current else []
            return plan
        plan.want = desired(params) if want is None else want
        if "memory_swap" in plan.want and not self._swap_limit_supported():
            del plan.want["memory_swap"]
            self.warnings.append(
                f"{plan.name}: memory_swap is ignored: this host's kernel does not account swap "
                "(add cgroup_enable=memory swapaccount=1 to the kernel command line and reboot)"
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
        self._planned.add(plan.name)
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
        """Networks and containers the new container refers to exist, or are created earlier in this call
        (else the create would fail half way)."""
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
            if other not in self._planned and self.inspect(other) is None:
                option = "network_mode" if mode == f"container:{other}" else "volumes_from"
                raise ContainerError(f"{option}: no container {other!r} on this host")

    # -- acting (container_apply is loaded only when there is something to do) -------------------
    def act(self, plan: Plan) -> None:
        if self.check_mode or not (plan.steps or plan.params["state"] == "healthy"):
            return
        from ansible_collections.dockyard.docker.plugins.module_utils.container_apply import (  # noqa: PLC0415
            ContainerActions,
        )

        ContainerActions(self).act(plan)

    def prune(self, label: str, value: str, keep: set[str], remove_volumes: bool) -> list[str]:
        """Remove containers labelled ``label=value`` whose names are not in ``keep``; their names."""
        listed = self.client.containers(all=True, filters={"label": f"{label}={value}"})
        leftovers = {s["Names"][0].lstrip("/"): s["Id"] for s in listed if s["Names"][0].lstrip("/") not in keep}
        if not self.check_mode:
            for container_id in leftovers.values():
                self.client.remove_container(container_id, force=True, v=remove_volumes)
        return sorted(leftovers)


NEW_CONTAINER_ACTIONS = {"present": ["created"], "stopped": ["created"], "absent": []}


def predicted_new(spec: dict) -> dict:
    """A spec's result on a host with no daemon yet (check mode before the engine is installed)."""
    actions = NEW_CONTAINER_ACTIONS.get(spec["state"], ["created", "started"])
    return {"name": spec["name"], "changed": bool(actions), "actions": actions, "differences": [], "container": {}}
