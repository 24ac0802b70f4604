# Copyright (c) dockyard.docker contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Plan container specs, then carry the plans out: what the ``container`` and ``containers`` modules
(and anything else that runs containers) share.

Planning (``container_plan``) only asks; applying (``container_apply``) only does what a plan names.
This module joins them: a pull that brings another image than planned with is followed by a new
comparison before the steps are taken.
"""

from __future__ import annotations

from typing import Any

from ansible_collections.dockyard.docker.plugins.module_utils.container_apply import ContainerActions
from ansible_collections.dockyard.docker.plugins.module_utils.container_plan import WAITING_STATES, Plan, Planner


class ContainerManager:
    """Plans container specs with one client (caching images and networks between specs) and carries them out."""

    def __init__(self, client, check_mode: bool = False) -> None:
        self.check_mode = check_mode
        self.warnings: list[str] = []
        self.planner = Planner(client, check_mode, self.warnings)
        self.actions = ContainerActions(client, self.warnings)
        self._pulled: dict[str, dict[str, Any]] = {}  # reference -> the image a pull in this run brought

    def plan(self, params: dict[str, Any], want: dict[str, Any]) -> Plan:
        return self.planner.plan(params, want)

    def act(self, plan: Plan) -> None:
        waits = plan.params["state"] in WAITING_STATES
        if self.check_mode or not (plan.steps or plan.pull or waits):
            return
        if plan.pull:
            if plan.pull not in self._pulled:
                self._pulled[plan.pull] = self.actions.pull(plan.pull, plan.params["pull_retries"])
            image = self._pulled[plan.pull]
            if image["Id"] != plan.image["Id"]:
                plan.image = image
                self.planner.decide(plan)
        if plan.steps or waits:
            self.actions.act(plan)

    def leftovers(self, label: str, value: str, keep: set[str]) -> dict[str, str]:
        """Containers labelled ``label=value`` whose names are not in ``keep``: name -> ID."""
        return self.planner.leftovers(label, value, keep)

    def prune(self, leftovers: dict[str, str], remove_volumes: bool) -> None:
        if not self.check_mode:
            self.actions.remove(list(leftovers.values()), remove_volumes)
