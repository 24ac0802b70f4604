# Copyright (c) dockyard.docker contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The engine role's planner: reads the host once (engine_facts) and decides everything on the controller.

The role's variables, its family's data and the facts it needs are read from the task's variables; the
decisions are made by module_utils/_engine_plan.py, where unit tests reach them. The task fails, naming
every bad value by its role variable, before any step of the role touches the host.
"""

from __future__ import annotations

import os

from ansible.plugins.action import ActionBase

from ansible_collections.dockyard.docker.plugins.action.role_variables import role_names, unknown_variable_messages
from ansible_collections.dockyard.docker.plugins.module_utils import _engine_plan

FACTS = ("ansible_distribution", "ansible_distribution_version", "ansible_distribution_major_version",
         "ansible_distribution_release", "ansible_os_family", "ansible_architecture")  # fmt: skip


def _fact(task_vars: dict, name: str):
    facts = task_vars.get("ansible_facts") or {}
    return facts.get(name[len("ansible_") :], task_vars.get(name))


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(("also_known",))

    def _variables(self, task_vars: dict, names: set[str]) -> dict:
        """Each of the role's names, templated as the task sees it."""
        templar = self._templar
        if hasattr(templar, "copy_with_new_env"):  # ansible-core 2.19 and later
            templar = templar.copy_with_new_env(available_variables=task_vars)
        else:  # pragma: no cover - older ansible-core
            templar.available_variables = task_vars
        return {name: templar.template(task_vars[name]) for name in sorted(names) if name in task_vars}

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        task_vars = task_vars or {}
        role_path = task_vars.get("role_path")
        if not role_path:
            return {**result, "failed": True, "msg": "engine_plan runs inside the engine role; no role_path here"}
        options, known = role_names(role_path)
        known |= set(self._task.args.get("also_known") or [])
        v = self._variables(task_vars, {n for n in known if n.startswith("docker_")})
        v["facts"] = {name: _fact(task_vars, name) for name in FACTS}
        v["inventory_hostname"] = task_vars.get("inventory_hostname")
        role = task_vars.get("ansible_role_name") or os.path.basename(role_path)
        misspelt = unknown_variable_messages(task_vars, options, known, "docker_", role)

        host = self._execute_module(
            module_name="dockyard.docker.engine_facts", module_args=_engine_plan.request(v), task_vars=task_vars
        )
        if host.get("failed"):
            return {**result, **host, "msg": f"reading the host failed: {host.get('msg')}"}
        check_mode = bool(self._task.check_mode or self._play_context.check_mode)
        plan = _engine_plan.plan(v, host, check_mode, os.path.isfile)
        strict = bool(v.get("docker_strict_variables"))
        problems = plan.pop("problems") + (misspelt if strict else [])
        warnings = host.get("warnings", []) + plan.pop("warnings") + ([] if strict else misspelt)
        result.update(changed=False, unknown=misspelt)
        if warnings:
            result["warnings"] = warnings
        if problems:
            # Only what is wrong: the plan would bury it.
            message = " | ".join(problems) + ". Nothing was changed."
            return {**result, "failed": True, "problems": problems, "msg": message}
        # The plan's fields at the top of the result: tasks read __docker_plan.pending.install.
        result.update(plan)
        return result
