"""Integration test files in the order that ends a parallel run soonest: the slowest first.

With ``--dist loadfile`` each worker takes one file at a time from a queue in collection order (scripts/test
passes ``--no-loadscope-reorder``, or xdist would order the files by how many tests they hold). A file that takes
five minutes, taken last, keeps the whole run waiting on one worker; taken first, the short files fill the other
workers around it. The seconds are what each file took in a measured run; every run writes its own to
``.build/integration-seconds.json``, from which the committed table is refreshed when the suite changes.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

TABLE = Path(__file__).resolve().parent / "integration" / "seconds.json"
MEASURED = Path(__file__).resolve().parent.parent / ".build" / "integration-seconds.json"
UNMEASURED = 60.0  # a file new since the table was written: neither first nor last

_seconds: dict[str, float] = defaultdict(float)


def table() -> dict[str, float]:
    return json.loads(TABLE.read_text()) if TABLE.exists() else {}


def order(items) -> None:
    seconds = table()
    # sort is stable: the tests of one file keep their order (they share a module's hosts and run in sequence)
    items.sort(key=lambda item: -seconds.get(item.path.name, UNMEASURED))


def record(report) -> None:
    _seconds[Path(report.fspath).name] += report.duration


def write(session) -> None:
    if hasattr(session.config, "workerinput") or session.config.option.markexpr or not _seconds:
        return  # a worker (the controller sees every worker's reports), or a slice of the suite
    MEASURED.parent.mkdir(parents=True, exist_ok=True)
    MEASURED.write_text(json.dumps({k: round(v) for k, v in sorted(_seconds.items())}, indent=1) + "\n")
