# Copyright (c) dockyard.docker contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The stack module's controller half: the project is read where the playbook is (as the compose module's is),
checked whole there, and sent to the manager as the stack's specs; the manager needs neither the files nor PyYAML.
"""

from __future__ import annotations

from ansible.errors import AnsibleError
from ansible.module_utils.parsing.convert_bool import boolean
from ansible.plugins.action import ActionBase

from ansible_collections.dockyard.docker.plugins.module_utils.compose_read import (
    READING_OPTIONS,
    ProjectFiles,
    controller_directory,
)
from ansible_collections.dockyard.docker.plugins.module_utils.stack_spec import Stack
from ansible_collections.dockyard.docker.plugins.module_utils.values import SpecError


class ActionModule(ActionBase):
    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        args = dict(self._task.args)
        reading = ("project_src", "files", "definition", "env")
        if boolean(args.get("remote_src", False), strict=False) or args.get("state", "present") == "absent":
            result.update(self._execute_module(module_args=args, task_vars=task_vars))
            return result
        try:
            stack = self._read({k: args.get(k) for k in reading}, str(args.get("name") or ""))
        except (SpecError, AnsibleError) as exc:
            return {**result, "failed": True, "msg": str(exc)}
        data, contents = stack.carried()
        module_args = {k: v for k, v in args.items() if k not in reading}
        module_args.update(_stack=data, _contents=contents)
        result.update(self._execute_module(module_args=module_args, task_vars=task_vars))
        return result

    def _read(self, given: dict, name: str) -> Stack:
        if not name:
            raise SpecError("name: the stack's name is needed")
        if not (given["project_src"] or given["definition"]):
            raise SpecError("state: present needs project_src or definition")
        if given["project_src"]:
            given["project_src"] = controller_directory(self._find_needle, given["project_src"])
        p = {key: given.get(key) for key in READING_OPTIONS}
        p.update(project_name=name, profiles=[], env=given.get("env") or {})
        files = ProjectFiles(p)
        return Stack(files.config, name, files.directory)
