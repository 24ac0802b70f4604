# Copyright (c) dockyard.docker contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Plan container specs, then carry the plans out: what the ``container`` and ``containers`` modules
(and anything else that runs containers) share.

Planning (``container_plan``) only asks; applying (``container_apply``) only does what a plan names.
This module joins them: a pull that brings another image than planned with is followed by a new
comparison before the steps are taken.
"""

from __future__ import annotations

import threading
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from typing import Any

from ansible_collections.dockyard.docker.plugins.module_utils.client import APIError, daemon_words
from ansible_collections.dockyard.docker.plugins.module_utils.container_apply import ContainerActions
from ansible_collections.dockyard.docker.plugins.module_utils.container_plan import (
    WAITING_STATES,
    ContainerError,
    Plan,
    Planner,
    container_references,
    container_result,
)

DEFAULT_WORKERS = 8  # below docker-py's pool of 10 connections; measured best on a 2-core host


def referred(plan: Plan) -> set[str]:
    """The containers a spec names (container_references) or comes after (a compose service's depends_on):
    they must be carried out first."""
    return {name for _option, name in container_references(plan.want)} | set(plan.params.get("after") or [])


def not_run(plan: Plan, why: str) -> dict[str, Any]:
    """The result of a spec that was planned but not carried out."""
    return {**plan.result(), "changed": False, "actions": [], "container": container_result(plan.current),
            "not_run": why}  # fmt: skip


def outcome_result(plan: Plan, error: str | None, why: str | None) -> dict[str, Any]:
    """A spec's result after act_all: carried out, failed (``failed``, ``msg``), or not run (``not_run``)."""
    if why:
        return not_run(plan, why)
    return {**plan.result(), **({"failed": True, "msg": error} if error else {})}


def plans_diff(plans: list[Plan]) -> dict[str, dict[str, Any]]:
    """Diff mode for a batch: each changed container's before and after, keyed by its name."""
    diffs = {plan.name: plan.diff() for plan in plans if plan.changed}
    return {"before": {n: d["before"] for n, d in diffs.items()}, "after": {n: d["after"] for n, d in diffs.items()}}


class ContainerManager:
    """Plans container specs with one client (caching images and networks between specs) and carries them out."""

    def __init__(self, client, check_mode: bool = False) -> None:
        self.check_mode = check_mode
        self.warnings: list[str] = []
        self.planner = Planner(client, check_mode, self.warnings)
        self.actions = ContainerActions(client, self.warnings)
        self._pulled: dict[str, dict[str, Any]] = {}  # reference and platform -> the image a pull in this run brought
        self._pull_lock = threading.Lock()  # one pull per reference, also with workers acting at once

    def plan(self, params: dict[str, Any], want: dict[str, Any]) -> Plan:
        return self.planner.plan(params, want)

    def act(self, plan: Plan) -> None:
        waits = plan.params["state"] in WAITING_STATES
        if self.check_mode or not (plan.steps or plan.pull or waits):
            return
        if plan.pull:
            key = f"{plan.pull} {plan.params.get('platform') or ''}"
            with self._pull_lock:
                if key not in self._pulled:
                    self._pulled[key] = self.actions.pull(plan.pull, plan.params["pull_retries"],
                                                          plan.params.get("platform"))  # fmt: skip
            image = self._pulled[key]
            if image["Id"] != plan.image["Id"]:
                plan.image = image
                self.planner.decide(plan)
        if plan.steps or waits:
            self.actions.act(plan)

    def act_all(self, plans: list[Plan], workers: int = DEFAULT_WORKERS) -> list[tuple[Plan, str | None, str | None]]:
        """Carry out ``plans`` with up to ``workers`` at once; a plan waits only for the containers of this
        call that it names. After a failure no new plan starts; those running finish. Returns, in the
        order given, (plan, error or None, why it did not run or None)."""
        self.actions.settle = False
        names = {plan.name for plan in plans}
        waits_for = {plan.name: (referred(plan) & names) - {plan.name} for plan in plans}
        outcome: dict[str, tuple[str | None, str | None]] = {}
        failed: list[str] = []
        pending = list(plans)
        with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            running: dict[Any, Plan] = {}
            while pending or running:
                succeeded = {name for name, (error, why) in outcome.items() if error is None and why is None}
                ready = [] if failed else [p for p in pending if waits_for[p.name] <= succeeded]
                for plan in ready[: max(1, workers) - len(running)]:  # queued work could not be held back
                    pending.remove(plan)
                    running[pool.submit(self.act, plan)] = plan
                if not running:  # what is left waits for a spec that failed, or that could not run
                    for plan in pending:
                        blockers = ", ".join(sorted(waits_for[plan.name] - succeeded))
                        outcome[plan.name] = (
                            None,
                            f"stopped after {failed[0]} failed" if failed else f"waits for {blockers}",
                        )
                    break
                done, _running = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    plan = running.pop(future)
                    error = future.exception()
                    if error is not None and not isinstance(error, (ContainerError, APIError)):
                        raise error
                    message = daemon_words(error) if error else None
                    outcome[plan.name] = (message, None)
                    if error:
                        failed.append(plan.name)
        # The containers started above have had their moment: one that has exited already is reported now.
        for plan in plans:
            if outcome[plan.name] == (None, None) and not self.check_mode and self.actions.started(plan):
                try:
                    self.actions.check_started(plan)
                except ContainerError as exc:
                    outcome[plan.name] = (str(exc), None)
        return [(plan, *outcome[plan.name]) for plan in plans]

    def leftovers(self, label: str, value: str, keep: set[str]) -> dict[str, str]:
        """Containers labelled ``label=value`` whose names are not in ``keep``: name -> ID."""
        return self.planner.leftovers(label, value, keep)

    def prune(self, leftovers: dict[str, str], remove_volumes: bool) -> None:
        if not self.check_mode:
            self.actions.remove(list(leftovers.values()), remove_volumes)
