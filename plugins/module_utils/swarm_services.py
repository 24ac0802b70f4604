# Copyright (c) dockyard.docker contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Swarm services as the stack and swarm_service modules keep them: the objects a service uses, whether its spec
differs from the one this collection last gave it, the create or update call, and the wait until it converged."""

from __future__ import annotations

import json
import time
from typing import Any

from ansible_collections.dockyard.docker.plugins.module_utils.client import TaskError, engine_request
from ansible_collections.dockyard.docker.plugins.module_utils.stack_spec import SPEC_LABEL, Stack, resolve

FAILED_STATES = ("failed", "rejected", "orphaned")
GIVE_UP_AFTER = 3


def shaped(held: Any, wanted: Any) -> Any:
    """What the engine holds, in the shape of what the task wants: the fields the engine fills in itself (IDs,
    defaults) left out, so that a diff shows what the task changes."""
    if isinstance(held, dict) and isinstance(wanted, dict):
        return {k: shaped(held[k], wanted[k]) for k in wanted if k in held}
    if isinstance(held, list) and isinstance(wanted, list) and len(held) == len(wanted):
        return [shaped(h, w) for h, w in zip(held, wanted)]
    return held


def service_verdict(current: dict | None, wanted: dict) -> str:
    """created, updated or unchanged: the digest this module left, and what a hand could have changed since."""
    if current is None:
        return "created"
    spec = current["Spec"]
    if (spec.get("Labels") or {}).get(SPEC_LABEL) != wanted["Labels"][SPEC_LABEL]:
        return "updated"
    if spec.get("Mode") != wanted["Mode"]:
        return "updated"
    image = spec["TaskTemplate"]["ContainerSpec"].get("Image", "").split("@")[0]
    if image != wanted["TaskTemplate"]["ContainerSpec"]["Image"]:
        return "updated"
    return "unchanged"


def manager_answers(dm) -> bool:
    """Whether this engine is a swarm manager. In check mode an engine in no swarm yet is one a real run of the swarm
    role (playbooks/swarm.yml) makes a member first: the task then predicts what it would create."""
    swarm = dm.client.info().get("Swarm") or {}
    if swarm.get("ControlAvailable"):
        return True
    if dm.module.check_mode and swarm.get("LocalNodeState") == "inactive":
        dm.module.warn("this engine is in no swarm yet; check mode predicts what a run would create once it is")
        return False
    raise TaskError("this engine is no swarm manager: run the task on a manager")


def ensure_objects(dm, stack: Stack, actions: list[str]) -> dict[str, str]:
    """The stack's networks, secrets and configs that are missing, made; object name -> ID of secrets and configs."""
    networks = {n["Name"] for n in engine_request(dm.client, "GET", "/networks").json()}
    for name in sorted(set(stack.external_networks) - networks):
        where = stack.where("networks", next(k for k, v in stack.network_names.items() if v == name))
        raise TaskError(f"{where}: the network {name!r} does not exist; create it (an overlay network) first")
    for name, spec in sorted(stack.networks.items()):
        if name not in networks:
            actions.append(f"network {name} created")
            if not dm.module.check_mode:
                engine_request(dm.client, "POST", "/networks/create", {**spec, "CheckDuplicate": True})
    ids = {}
    for kind, declared in (("secrets", stack.secrets), ("configs", stack.configs)):
        existing = {o["Spec"]["Name"]: o["ID"] for o in engine_request(dm.client, "GET", f"/{kind}").json() or []}
        for key, wanted in sorted(declared.items()):
            name = wanted["name"]
            if name in existing:
                ids[name] = existing[name]
            elif wanted["external"]:
                raise TaskError(f"{stack.where(kind, key)}: the {kind[:-1]} {name!r} does not exist in the swarm")
            else:
                actions.append(f"{kind[:-1]} {name} created")
                ids[name] = f"(new {name})"
                if not dm.module.check_mode:
                    body = {"Name": name, "Data": wanted["data"], "Labels": wanted["labels"]}
                    ids[name] = engine_request(dm.client, "POST", f"/{kind}/create", body).json()["ID"]
    return ids


def deploy_services(dm, stack: Stack, current: dict[str, dict], ids: dict, actions: list[str]) -> dict[str, str]:
    verdicts = {}
    for name, wanted in stack.services.items():
        verdict = verdicts[name] = service_verdict(current.get(name), wanted)
        if verdict == "unchanged":
            continue
        actions.append(f"service {name} {verdict}")
        if dm.module.check_mode:
            continue
        spec = resolve(wanted, ids)
        if verdict == "created":
            engine_request(dm.client, "POST", "/services/create", spec)
        else:
            existing = current[name]
            # ForceUpdate is a counter: sending another value restarts every task.
            force = existing["Spec"]["TaskTemplate"].get("ForceUpdate")
            if force:
                spec = {**spec, "TaskTemplate": {**spec["TaskTemplate"], "ForceUpdate": force}}
            engine_request(dm.client, "POST", f"/services/{existing['ID']}/update", spec,
                           params={"version": existing["Version"]["Index"]})  # fmt: skip
    return verdicts


def failures(dm, service_id: str, name: str, since: str) -> list[dict]:
    found = []
    for task in dm.client.tasks(filters={"service": service_id}):
        status = task.get("Status") or {}
        if status.get("State") in FAILED_STATES and status.get("Timestamp", "") >= since:
            found.append({"service": name, "node": task.get("NodeID"), "state": status.get("State"),
                          "error": status.get("Err") or status.get("Message")})  # fmt: skip
    return found


def converge(dm, filters: dict[str, list[str]], changed: list[str], timeout: int, started: str) -> list[dict]:
    """Wait until each changed service runs as many tasks as it wants and its update is done; the failed tasks."""
    deadline = time.monotonic() + timeout
    settle = time.monotonic() + 2  # an update's status appears a moment after the request
    while True:
        services = services_by_name(dm, filters, status=True)
        waiting, failed = [], []
        for name in changed:
            service = services.get(name)
            if service is None:
                continue
            update = (service.get("UpdateStatus") or {}).get("State")
            status = service.get("ServiceStatus") or {}
            if update in ("rollback_completed", "paused", "rollback_paused"):
                why = {"service": name, "node": None, "state": update, "error": service["UpdateStatus"].get("Message")}
                failed += failures(dm, service["ID"], name, started) or [why]
            elif update in ("updating", "rollback_started") or status.get("RunningTasks", 0) < status.get(
                "DesiredTasks", 0
            ):
                waiting.append(name)
                failed_so_far = failures(dm, service["ID"], name, started)
                # A swarm tries again without end (an image no node has, a port taken): three failures say enough.
                if len(failed_so_far) >= GIVE_UP_AFTER and update not in ("updating", "rollback_started"):
                    failed += failed_so_far
        if failed:
            return failed
        if not waiting and time.monotonic() >= settle:
            return []
        if time.monotonic() > deadline:
            tasks = [f for name in waiting for f in failures(dm, services[name]["ID"], name, started)]
            detail = "; ".join(f"{t['service']}: {t['state']} ({t['error']})" for t in tasks[-5:]) or "no task failed"
            raise TaskError(f"{', '.join(waiting)} did not converge within {timeout}s: {detail}", failed_tasks=tasks)
        time.sleep(1)


def services_by_name(dm, filters: dict[str, list[str]], status: bool = False) -> dict[str, dict]:
    """The services ``filters`` select (engine filters: a stack's label, a name), by name; with ``status``, each
    with its running and desired task counts."""
    params = {"filters": json.dumps(filters)}
    if status:
        params["status"] = "true"
    return {s["Spec"]["Name"]: s for s in engine_request(dm.client, "GET", "/services", params=params).json() or []}


def failed_message(failed_tasks: list[dict]) -> str:
    """The failed tasks in one line, each distinct error once."""
    return "; ".join(dict.fromkeys(f"{t['service']}: task {t['state']}: {t['error']}" for t in failed_tasks))
