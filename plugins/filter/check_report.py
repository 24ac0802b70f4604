# Copyright (c) dockyard.docker contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The check_report filter: host_check findings as lines, a fleet table, or Markdown. Rendered here, on the
controller, so that the module_utils host_check ships to every host holds only the checks."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.dockyard.docker.plugins.module_utils.host_checks import SEVERITIES, summary

LETTERS = {"error": "E", "warning": "W", "info": "i"}


def finding_lines(findings: list[dict[str, str]]) -> list[str]:
    """One line per finding, errors first: ``ERROR daemon.not_running: what was seen -> the fix``."""
    ordered = sorted(findings, key=lambda f: SEVERITIES.index(f["severity"]))
    return [f"{f['severity'].upper()} {f['id']}: {f['seen']} -> {f['fix']}" for f in ordered] or [
        "healthy: nothing found"
    ]


def _grid(fleet: dict[str, list[dict[str, str]]]) -> tuple[list[str], list[str], dict[tuple[str, str], str]]:
    hosts = sorted(fleet)
    cells = {(f["id"], host): LETTERS[f["severity"]] for host in hosts for f in fleet[host]}
    ids = sorted({check_id for check_id, _host in cells}, key=lambda i: (min(
        SEVERITIES.index(f["severity"]) for h in hosts for f in fleet[h] if f["id"] == i), i))  # fmt: skip
    return hosts, ids, cells


def fleet_table(fleet: dict[str, list[dict[str, str]]]) -> list[str]:
    """Findings x hosts as text lines (E error, W warning, i info, . not found), then a count per host."""
    hosts, ids, cells = _grid(fleet)
    width = max([len("finding"), *map(len, ids)])
    lines = ["finding".ljust(width) + " | " + " | ".join(hosts)]
    for check_id in ids:
        row = [cells.get((check_id, host), ".").center(len(host)) for host in hosts]
        lines.append(check_id.ljust(width) + " | " + " | ".join(row))
    totals = [summary(fleet[host]) for host in hosts]
    lines.append("errors/warnings".ljust(width) + " | " + " | ".join(
        f"{t['error']}/{t['warning']}".center(len(host)) for t, host in zip(totals, hosts)))  # fmt: skip
    return lines


def fleet_markdown(fleet: dict[str, list[dict[str, str]]]) -> str:
    """The fleet table and each host's findings with their fixes, as Markdown."""
    hosts, ids, cells = _grid(fleet)
    out = ["# Docker host check", "", "| finding | " + " | ".join(hosts) + " |", "|---" * (len(hosts) + 1) + "|"]
    out += [f"| `{i}` | " + " | ".join(cells.get((i, h), "") for h in hosts) + " |" for i in ids]
    for host in hosts:
        out += ["", f"## {host}", ""]
        out += [f"- **{f['severity']}** `{f['id']}`: {f['seen']}. Fix: {f['fix']}" for f in fleet[host]] or ["Healthy."]
    return "\n".join(out) + "\n"


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
