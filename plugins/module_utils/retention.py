# Copyright (c) dockyard.docker contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which tags of a repository a retention policy keeps, and which manifests may then be deleted.

A registry deletes a manifest by digest, and with it every tag that points to it. So a digest is
deleted only when no kept tag points to it; a tag that goes nowhere else is reported as spared.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from datetime import datetime, timezone


@dataclass(frozen=True)
class Tag:
    name: str
    digest: str
    created: datetime | None  # None: the image has no creation time; it counts as oldest


@dataclass
class Plan:
    kept: list[str] = field(default_factory=list)
    # digest -> the tags that go with it
    deleted: dict[str, list[str]] = field(default_factory=dict)
    # tag -> the kept tag that shares its digest (so it stays)
    spared: dict[str, str] = field(default_factory=dict)


def parse_created(value: str | None) -> datetime | None:
    """An image's RFC 3339 creation time (Go writes nanoseconds; Python reads microseconds)."""
    if not value:
        return None
    text = value.strip().replace("Z", "+00:00")
    if "." in text:
        head, _sep, rest = text.partition(".")
        digits = "".join(c for c in rest if c.isdigit())
        zone = rest[len(digits) :]
        text = f"{head}.{digits[:6].ljust(6, '0')}{zone}"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def plan(
    tags: list[Tag],
    keep_last: int | None,
    keep_younger_than: int | None,
    protect: list[str],
    now: datetime,
) -> Plan:
    """Keep the newest ``keep_last`` tags, tags younger than ``keep_younger_than`` seconds and tags
    matching a ``protect`` pattern; the others' digests go unless a kept tag shares them."""
    oldest = datetime.min.replace(tzinfo=timezone.utc)
    newest_first = sorted(tags, key=lambda t: (t.created or oldest, t.name), reverse=True)
    keep = set()
    for index, tag in enumerate(newest_first):
        if keep_last is not None and index < keep_last:
            keep.add(tag.name)
        elif keep_younger_than is not None and tag.created and (now - tag.created).total_seconds() < keep_younger_than:
            keep.add(tag.name)
        elif any(fnmatch.fnmatchcase(tag.name, pattern) for pattern in protect):
            keep.add(tag.name)
    kept_digest = {t.digest: t.name for t in newest_first if t.name in keep}
    result = Plan(kept=[t.name for t in newest_first if t.name in keep])
    for tag in newest_first:
        if tag.name in keep:
            continue
        if tag.digest in kept_digest:
            result.spared[tag.name] = kept_digest[tag.digest]
        else:
            result.deleted.setdefault(tag.digest, []).append(tag.name)
    return result
