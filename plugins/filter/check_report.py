# Copyright (c) dockyard.docker contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The check_report filter: host_check findings as lines, a fleet table, or Markdown."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.dockyard.docker.plugins.module_utils.host_checks import (
    finding_lines,
    fleet_markdown,
    fleet_table,
)

FORMATS = {"lines": finding_lines, "table": fleet_table, "markdown": fleet_markdown}


def check_report(findings, report="lines"):
    if report not in FORMATS:
        raise AnsibleFilterError(f"check_report: {report!r} is not one of {', '.join(FORMATS)}")
    if report == "lines" and not isinstance(findings, list):
        raise AnsibleFilterError("check_report: 'lines' takes one host's findings (a list)")
    if report != "lines" and not isinstance(findings, dict):
        raise AnsibleFilterError(f"check_report: {report!r} takes a mapping of host to findings")
    return FORMATS[report](findings)


class FilterModule:
    def filters(self):
        return {"check_report": check_report}
