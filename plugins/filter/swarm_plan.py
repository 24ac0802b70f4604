# Copyright (c) dockyard.docker contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The swarm_plan filter: the swarm role's plan from what the play's hosts report and what the inventory wants
(module_utils/swarm_plan.py decides)."""

from __future__ import annotations

from ansible_collections.dockyard.docker.plugins.module_utils.swarm_plan import swarm_plan as plan


def swarm_plan(hosts, order, settings, remove_down=False, known=None, unlock_key=False):
    return plan(dict(hosts), list(order), dict(settings), bool(remove_down), list(known or []), bool(unlock_key))


class FilterModule:
    def filters(self):
        return {"swarm_plan": swarm_plan}
