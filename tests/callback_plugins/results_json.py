"""Test-only stdout callback: print every host's task results as one JSON document at the end.

ansible-core 2.19 no longer ships a json callback (it moved to ansible.posix), and the tests
must not depend on another collection.
"""

from __future__ import annotations

import json

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = """
name: results_json
type: stdout
short_description: all task results as one JSON document (dockyard tests only)
description: Prints {"plays":[{"tasks":[{"task":NAME,"hosts":{HOST:RESULT}}]}]} when the run ends.
"""


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "stdout"
    CALLBACK_NAME = "results_json"

    def __init__(self):
        super().__init__()
        self._tasks: list[dict] = []

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._tasks.append({"task": task.get_name(), "hosts": {}})

    def _record(self, result, **extra):
        if not self._tasks:  # ad-hoc runs have no task-start event
            self._tasks.append({"task": result.task_name, "hosts": {}})
        data = dict(result._result)
        data.update(extra)
        self._tasks[-1]["hosts"][result._host.get_name()] = data

    def v2_runner_on_ok(self, result):
        self._record(result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record(result, failed=True)

    def v2_runner_on_unreachable(self, result):
        self._record(result, unreachable=True)

    def v2_runner_on_skipped(self, result):
        self._record(result, skipped=True)

    def v2_playbook_on_stats(self, stats):
        self._display.display(json.dumps({"plays": [{"tasks": self._tasks}]}, default=str))
