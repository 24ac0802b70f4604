# Copyright (c) dockyard.docker contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The compose module's controller half: the project is read where the playbook is, unless remote_src says it is
on the target.

Read on the controller, the project (its Compose files, .env, includes, extends, env files, secret and config files)
is checked there whole, before the target is reached, and travels to the module as data; the target needs neither
the files nor PyYAML. For another host, what lies beside the project cannot be bound there: secret and config files
are copied into the containers, and a build context is sent only when an image needs building (the module names
those, having compared each context's fingerprint with the image's, and the task runs again with them).
"""

from __future__ import annotations

import tempfile

from ansible.errors import AnsibleError
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.parsing.convert_bool import boolean
from ansible.plugins.action import ActionBase

from ansible_collections.dockyard.docker.plugins.module_utils.compose_build import context_archive
from ansible_collections.dockyard.docker.plugins.module_utils.compose_read import (
    READING_OPTIONS,
    ProjectFiles,
    controller_directory,
)
from ansible_collections.dockyard.docker.plugins.module_utils.values import SpecError

# Connections whose target is the controller itself: the project's paths are the host's.
LOCAL_CONNECTIONS = ("local", "mitogen_local")


class ActionModule(ActionBase):
    TRANSFERS_FILES = True

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        args = dict(self._task.args)
        if boolean(args.get("remote_src", False), strict=False):
            result.update(self._execute_module(module_args=args, task_vars=task_vars))
            return result
        try:
            project = self._read({k: v for k, v in args.items() if k in READING_OPTIONS}, args.get("state", "present"))
        except (SpecError, AnsibleError) as exc:
            return {**result, "failed": True, "msg": str(exc)}
        data, contents = project.carried()
        module_args = {k: v for k, v in args.items() if k not in READING_OPTIONS}
        module_args.update(_project=data, _copied=contents)
        try:
            outcome = self._execute_module(module_args=module_args, task_vars=task_vars)
            needed = outcome.get("contexts_needed")
            if needed and not outcome.get("failed"):
                module_args["_contexts"] = self._send_contexts(project, needed)
                outcome = self._execute_module(module_args=module_args, task_vars=task_vars)
        finally:
            self._remove_tmp_path(self._connection._shell.tmpdir)
        outcome.pop("contexts_needed", None)
        result.update(outcome)
        return result

    def _read(self, given: dict, state: str):
        checked = ArgumentSpecValidator(
            READING_OPTIONS,
            mutually_exclusive=[("files", "definition")],
            required_one_of=[("project_src", "definition")],
        ).validate(given)
        if checked.error_messages:
            raise SpecError("; ".join(checked.error_messages))
        p = checked.validated_parameters
        if p["project_src"]:
            p["project_src"] = controller_directory(self._find_needle, p["project_src"])
        on_host = self._connection.transport in LOCAL_CONNECTIONS
        return ProjectFiles(p).project(p["profiles"], state == "absent", files_on_host=on_host)

    def _send_contexts(self, project, images: list[str]) -> dict:
        """image -> where its context archive now is on the target, and its Dockerfile's name in it."""
        if not self._connection._shell.tmpdir:
            self._make_tmp_path()
        sent = {}
        for settings in project.builds.values():
            if settings["image"] not in images:
                continue
            with tempfile.NamedTemporaryFile(prefix="dockyard-context-", suffix=".tar") as archive:
                dockerfile = context_archive(settings, archive)
                archive.flush()
                remote = self._connection._shell.join_path(self._connection._shell.tmpdir, f"context-{len(sent)}.tar")
                self._transfer_file(archive.name, remote)
            self._fixup_perms2([remote])
            sent[settings["image"]] = {"path": remote, "dockerfile": dockerfile}
        return sent
