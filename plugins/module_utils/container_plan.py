# Copyright (c) dockyard.docker contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Plan what a container spec needs, before anything is touched.

Planning only asks: it inspects the container, the image (and the registry's digest for an image a
pull may replace), the networks and containers a spec refers to, and compares. A bad spec fails here,
before any container is touched. The plan carries everything the apply step needs: the steps, the
image to pull, the network endpoints to connect and disconnect.
"""

from __future__ import annotations

from typing import Any

from ansible_collections.dockyard.docker.plugins.module_utils.client import APIError, NotFound, TaskError
from ansible_collections.dockyard.docker.plugins.module_utils.container_compare import compare, modes
from ansible_collections.dockyard.docker.plugins.module_utils.container_spec import (
    NAMESPACE_MODES,
    OPTIONS,
    SPECIAL_NETWORK_MODES,
)
from ansible_collections.dockyard.docker.plugins.module_utils.image_ref import ImageReferenceError, parse
from ansible_collections.dockyard.docker.plugins.module_utils.images import repo_digest
from ansible_collections.dockyard.docker.plugins.module_utils.resources import diff_mode, inspected

# An image a pull will bring: its ID is not known until then, so it differs from any container's.
UNKNOWN_IMAGE: dict[str, Any] = {"Id": None, "Config": {}}


def image_platform(image: dict[str, Any]) -> str:
    """An image's platform as docker writes it: os/architecture[/variant]."""
    parts = [image.get("Os") or "linux", image.get("Architecture") or ""]
    return "/".join(parts + ([image["Variant"]] if image.get("Variant") else []))


def on_platform(image: dict[str, Any], platform: str) -> bool:
    """Whether ``image`` is for ``platform`` (os/architecture[/variant]; a variant not given matches any)."""

    def normal(text: str) -> list[str]:
        parts = text.lower().split("/")
        parts[1:2] = [{"x86_64": "amd64", "aarch64": "arm64"}.get(p, p) for p in parts[1:2]]
        return parts[:2] if parts[1:] == ["arm64", "v8"] else parts  # arm64's one variant, named or not

    wanted, have = normal(platform), normal(image_platform(image))
    return have[: len(wanted)] == wanted


class ContainerError(TaskError):
    """A spec that cannot be carried out; the message names the container and the option."""


def is_running(container: dict[str, Any] | None) -> bool:
    return bool(container and (container.get("State") or {}).get("Running"))


def is_paused(container: dict[str, Any] | None) -> bool:
    return bool(container and (container.get("State") or {}).get("Paused"))


def has_completed(container: dict[str, Any] | None, expected_exit_codes: list[int]) -> bool:
    """The container ran and exited with one of ``expected_exit_codes`` (``state: completed`` is met)."""
    state = (container or {}).get("State") or {}
    return state.get("Status") == "exited" and state.get("ExitCode") in expected_exit_codes


def port_map(container: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """What `docker port` prints: container port -> the host addresses it is published on."""
    ports = (container.get("NetworkSettings") or {}).get("Ports") or {}
    return {
        port: [
            {"host_ip": b.get("HostIp"), "host_port": int(b["HostPort"])} for b in bindings or [] if b.get("HostPort")
        ]
        for port, bindings in sorted(ports.items())
    }


def container_result(container: dict[str, Any] | None) -> dict[str, Any] | None:
    """The ``container`` the container modules return: what a user looks at after the task."""
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
        "paused": bool(state.get("Paused")),
        "exit_code": state.get("ExitCode"),
        "health": (state.get("Health") or {}).get("Status"),
        "ports": port_map(container),
        "networks": {
            name: {"ip_address": e.get("IPAddress") or None, "aliases": e.get("Aliases") or []}
            for name, e in sorted(networks.items())
        },
        "labels": (container.get("Config") or {}).get("Labels") or {},
    }


def container_details(container: dict[str, Any]) -> dict[str, Any]:
    """``container_result`` with what ``docker inspect`` adds for a look at a running or finished container:
    restarts, times, mounts with their host paths, the command and the restart policy."""
    state, config, host = container.get("State") or {}, container.get("Config") or {}, container.get("HostConfig") or {}
    return {
        **container_result(container),
        "restart_count": container.get("RestartCount", 0),
        "restarting": bool(state.get("Restarting")),
        "oom_killed": bool(state.get("OOMKilled")),
        "error": state.get("Error") or None,
        "started_at": state.get("StartedAt"),
        "finished_at": state.get("FinishedAt"),
        "created": container.get("Created"),
        "command": [*(config.get("Entrypoint") or []), *(config.get("Cmd") or [])],
        "restart_policy": (host.get("RestartPolicy") or {}).get("Name") or "no",
        "mounts": [
            {
                "type": m.get("Type"),
                "name": m.get("Name") or None,
                "source": m.get("Source"),
                "destination": m.get("Destination"),
                "mode": m.get("Mode") or "",
                "rw": bool(m.get("RW")),
            }
            for m in container.get("Mounts") or []
        ],
    }


def log_text(client, container_id: str, **which: Any) -> str:
    """``docker logs`` as text (``which``: stdout, stderr, tail, since, timestamps); a log driver that cannot
    be read back (none, syslog on older engines) gives a note instead of an error."""
    try:
        return client.logs(container_id, **which).decode("utf-8", errors="replace")
    except APIError as exc:
        return f"(no logs: {exc.explanation})"


def container_references(want: dict[str, Any]) -> list[tuple[str, str]]:
    """(option, container name) for each other container a spec names: volumes_from, and the network, PID
    and IPC modes that join another container's namespace."""
    found = [("volumes_from", entry.split(":")[0]) for entry in want.get("volumes_from") or []]
    for option in ("network_mode", *NAMESPACE_MODES):
        if (want.get(option) or "").startswith("container:"):
            found.append((option, want[option][10:]))
    return found


class Plan:
    """What one spec needs: the container as it is, what it lacks, and the steps to take."""

    def __init__(self, params: dict[str, Any], current: dict[str, Any] | None, want: dict[str, Any]) -> None:
        self.params = params
        self.name: str = params["name"]
        self.current = current
        self.want = want
        self.image: dict[str, Any] | None = None
        self.pull: str | None = None  # the reference to pull before the steps
        self.differences: list[dict[str, Any]] = []
        self.connect: list[dict[str, Any]] = []  # network endpoints to connect
        self.disconnect: list[str] = []  # and network names to disconnect (a changed endpoint is in both)
        self.steps: list[str] = []
        self.after: dict[str, Any] | None = current
        self.output: dict[str, str] | None = None  # state completed: the run's stdout and stderr

    @property
    def changed(self) -> bool:
        return bool(self.steps)

    def result(self) -> dict[str, Any]:
        result = {
            "name": self.name,
            "changed": self.changed,
            "actions": list(self.steps),
            "differences": self.differences,
            "container": container_result(self.after),
        }
        if self.params["state"] == "completed":
            result["exit_code"] = ((self.after or {}).get("State") or {}).get("ExitCode")
            result.update(self.output or {"stdout": None, "stderr": None})
        return result

    def diff(self) -> dict[str, Any]:
        if self.current is None and self.params["state"] != "absent":
            # A container to create: the options it is created with (what `exists: true` alone hid).
            asked = {o.name: self.params.get(o.name) for o in OPTIONS}
            created = {name: value for name, value in asked.items() if value not in (None, [], {}, "")}
            return {"before": {"exists": False}, "after": {"exists": True, **created}}
        return diff_mode(self.differences, self.current is not None, self.params["state"] != "absent")


class Planner:
    """Plans container specs with one client, caching images and networks between specs."""

    def __init__(self, client, check_mode: bool, warnings: list[str]) -> None:
        self.client = client
        self.check_mode = check_mode
        self.warnings = warnings
        self._images: dict[tuple[str, str], tuple[dict[str, Any], str | None]] = {}
        self._networks: dict[str, bool] = {}
        self._swap_limit: bool | None = None
        self._planned: set[str] = set()  # containers that exist once the plans so far are carried out
        self._rebuilt: set[str] = set()  # images a build would replace (check mode)

    # -- looking things up ---------------------------------------------------------------------
    def inspect(self, name: str) -> dict[str, Any] | None:
        return inspected(self.client.inspect_container, name)

    def _resolve(self, name: str) -> str:
        found = self.inspect(name)
        return found["Id"] if found else name

    def _image(self, params: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
        """(the image the container would get, the reference to pull first or None)."""
        key = (params["image"], params["pull"], params.get("platform"))
        if key not in self._images:
            self._images[key] = self._image_and_pull(*key)
        return self._images[key]

    def _image_and_pull(self, reference: str, policy: str, platform: str | None) -> tuple[dict[str, Any], str | None]:
        local = self._find_image(reference)
        if reference in self._rebuilt:  # another image comes under this name before the containers are made
            return ({**local, "Id": None} if local else UNKNOWN_IMAGE), None
        if local is not None and platform and not on_platform(local, platform):
            if policy == "never":
                raise ContainerError(f"image: {reference!r} here is for {image_platform(local)}, and platform asks "
                                     f"for {platform}; pull it for {platform}, or let pull do it")  # fmt: skip
            return UNKNOWN_IMAGE, self._parsed(reference)["full"]  # another platform's image: pulled for this one
        if policy == "never":
            if local is None:
                raise ContainerError(f"image: {reference!r} is not on this host and pull is 'never'")
            return local, None
        if local is not None and policy == "missing":
            return local, None
        ref = self._parsed(reference)
        if local is None:
            return UNKNOWN_IMAGE, ref["full"]
        # pull: always, with the image on the host: the registry's digest says whether a pull would bring another.
        try:
            remote = self.client.inspect_distribution(ref["full"])["Descriptor"]["digest"]
        except APIError as exc:
            if self.check_mode:
                self.warnings.append(f"image: could not ask the registry about {reference!r}: {exc.explanation}")
                return local, None
            return local, ref["full"]  # the pull tells; the plan is made again if it brings another image
        return (local, None) if remote == repo_digest(local, ref) else ({**local, "Id": None}, ref["full"])

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
        try:
            return parse(reference)
        except ImageReferenceError as exc:
            raise ContainerError(f"image: {exc}") from None

    def _network_exists(self, name: str) -> bool:
        if name not in self._networks:
            self._networks[name] = inspected(self.client.inspect_network, name) is not None
        return self._networks[name]

    def assume_rebuilt(self, images: list[str]) -> None:
        """Images that this run would build before its containers (check mode): their containers are new."""
        self._rebuilt.update(images)

    def assume_networks(self, names: list[str]) -> None:
        """Networks that this run creates before its containers (in check mode, that it would create)."""
        self._networks.update(dict.fromkeys(names, True))

    def _swap_limit_supported(self) -> bool:
        if self._swap_limit is None:
            self._swap_limit = bool(self.client.info().get("SwapLimit"))
        return self._swap_limit

    # -- planning ------------------------------------------------------------------------------
    def plan(self, params: dict[str, Any], want: dict[str, Any]) -> Plan:
        """Everything a spec needs, checked; raises ContainerError before any change. ``want`` is
        ``desired(params)``, which the caller has run to check the options before asking the daemon."""
        plan = Plan(params, self.inspect(params["name"]), want)
        if params["state"] == "absent":
            plan.steps = ["removed"] if plan.current else []
            return plan
        if "memory_swap" in plan.want and not self._swap_limit_supported():
            del plan.want["memory_swap"]
            self.warnings.append(
                f"{plan.name}: memory_swap is ignored: this host's kernel does not account swap "
                "(add cgroup_enable=memory swapaccount=1 to the kernel command line and reboot)"
            )
        if params.get("image"):
            plan.image, plan.pull = self._image(params)
        elif plan.current is not None:
            plan.image = self.client.inspect_image(plan.current["Image"])
        else:
            raise ContainerError(f"image: needed to create the container {plan.name!r}")
        self.decide(plan)
        self._planned.add(plan.name)
        return plan

    def decide(self, plan: Plan) -> None:
        """The differences and steps of ``plan`` for its image (again after a pull brought another)."""
        plan.differences, plan.connect, plan.disconnect = [], [], []
        if plan.current is not None:
            found = compare(plan.want, plan.image, plan.current, modes(plan.params.get("comparisons")), self._resolve)
            plan.differences, plan.connect, plan.disconnect = found.differences, found.connect, found.disconnect
        hows = {d["how"] for d in plan.differences}
        recreate = plan.current is None or plan.params["recreate"] or "recreate" in hows or self._run_again(plan)
        plan.steps = []
        if recreate:
            self._check_references(plan)
            plan.steps.append("created" if plan.current is None else "recreated")
        else:
            plan.steps.extend(step for how, step in (("update", "updated"), ("network", "reconnected")) if how in hows)
        plan.steps.extend(self._state_steps(plan, recreate))

    @staticmethod
    def _run_again(plan: Plan) -> bool:
        """``state: completed`` whose last run ended with an exit code the task does not expect: it runs
        again in a new container, as a new ``docker run`` would (its logs and files are this run's alone)."""
        state = (plan.current or {}).get("State") or {}
        return (plan.params["state"] == "completed" and state.get("Status") == "exited"
                and not has_completed(plan.current, plan.params["expected_exit_codes"]))  # fmt: skip

    @staticmethod
    def _state_steps(plan: Plan, recreate: bool) -> list[str]:
        state, running = plan.params["state"], is_running(plan.current)
        if state == "paused":
            return ["started", "paused"] if recreate or not running else [] if is_paused(plan.current) else ["paused"]
        if is_paused(plan.current) and not recreate and state in ("started", "healthy", "stopped", "restarted"):
            # A paused container runs, frozen: thaw it first (a stop or restart would wait on it).
            return ["unpaused", *{"stopped": ["stopped"], "restarted": ["restarted"]}.get(state, [])]
        if state == "completed":
            never_ran = ((plan.current or {}).get("State") or {}).get("Status") == "created"
            return ["started"] if recreate or never_ran else []
        if state in ("started", "healthy") and (recreate or not running):
            return ["started"]
        if state == "stopped" and running and not recreate:
            return ["stopped"]
        if state == "restarted":
            return ["restarted" if running and not recreate else "started"]
        if recreate and running and state == "present":
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
        for option, other in container_references(want):
            if other not in self._planned and self.inspect(other) is None:
                raise ContainerError(f"{option}: no container {other!r} on this host")

    def leftovers(self, label: str, value: str, keep: set[str]) -> dict[str, str]:
        """Containers labelled ``label=value`` whose names are not in ``keep``: name -> ID."""
        listed = self.client.containers(all=True, filters={"label": f"{label}={value}"})
        return {s["Names"][0].lstrip("/"): s["Id"] for s in listed if s["Names"][0].lstrip("/") not in keep}


NEW_CONTAINER_ACTIONS = {"present": ["created"], "stopped": ["created"], "absent": [],
                         "paused": ["created", "started", "paused"]}  # fmt: skip
# States whose work goes on after the steps: waiting for health or for the end of the run.
WAITING_STATES = ("healthy", "completed")


def predicted_new(spec: dict) -> dict:
    """A spec's result on a host with no daemon yet (check mode before the engine is installed)."""
    actions = NEW_CONTAINER_ACTIONS.get(spec["state"], ["created", "started"])
    result = {"name": spec["name"], "changed": bool(actions), "actions": actions, "differences": [], "container": {}}
    if spec["state"] == "completed":  # the run's outcome is not known before it runs
        result.update(exit_code=None, stdout=None, stderr=None)
    return result
