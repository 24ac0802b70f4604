"""Test and benchmark aid: print the slowest tasks of a run (enable with ANSIBLE_CALLBACKS_ENABLED)."""

from __future__ import annotations

import time

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = """
name: task_timer
type: aggregate
short_description: the slowest tasks of a run (dockyard tests and benchmarks only)
description: Prints the ten slowest tasks, wall-clock, when the run ends.
"""


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "task_timer"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self):
        super().__init__()
        self._times: list[list] = []

    def _start(self, task):
        self._times.append([task.get_name(), time.monotonic(), None])

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._start(task)

    def v2_playbook_on_handler_task_start(self, task):
        self._start(task)

    def v2_playbook_on_stats(self, stats):
        now = time.monotonic()
        for index, entry in enumerate(self._times):
            end = self._times[index + 1][1] if index + 1 < len(self._times) else now
            entry[2] = end - entry[1]
        for name, _start, took in sorted(self._times, key=lambda e: -e[2])[:10]:
            self._display.display(f"{took:6.2f}s  {name}")
