"""Which tags a retention policy keeps, and which digests it may delete."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from ansible_collections.dockyard.docker.plugins.module_utils.retention import Tag, parse_created, plan
from ansible_collections.dockyard.docker.plugins.module_utils.values import SpecError, age_seconds

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=timezone.utc)


def tag(name: str, days_old: float | None, digest: str | None = None) -> Tag:
    created = None if days_old is None else NOW - timedelta(days=days_old)
    return Tag(name, digest or f"sha256:{name}", created)


BUILDS = [tag(f"build-{n}", days_old=10 - n) for n in range(1, 10)]  # build-9 is newest (1 day)


def test_keep_last_keeps_the_newest_by_creation_time_not_by_name():
    chosen = plan(BUILDS, keep_last=3, keep_younger_than=None, protect=[], now=NOW)
    assert chosen.kept == ["build-9", "build-8", "build-7"]
    assert sorted(t for tags in chosen.deleted.values() for t in tags) == [f"build-{n}" for n in range(1, 7)]


def test_younger_than_keeps_recent_tags_beyond_keep_last():
    chosen = plan(BUILDS, keep_last=1, keep_younger_than=age_seconds("5d", "age"), protect=[], now=NOW)
    assert chosen.kept == ["build-9", "build-8", "build-7", "build-6"]


def test_protected_tags_are_kept_whatever_their_age():
    tags = [*BUILDS, tag("release-1.0", 400)]
    chosen = plan(tags, keep_last=1, keep_younger_than=None, protect=["release-*"], now=NOW)
    assert chosen.kept == ["build-9", "release-1.0"]


def test_a_digest_shared_with_a_kept_tag_is_never_deleted():
    shared = "sha256:same"
    tags = [tag("latest", 5, shared), tag("build-1", 5, shared), tag("build-0", 30)]
    chosen = plan(tags, keep_last=0, keep_younger_than=None, protect=["latest"], now=NOW)
    assert chosen.deleted == {"sha256:build-0": ["build-0"]}
    assert chosen.spared == {"build-1": "latest"}


def test_tags_of_one_deleted_digest_are_reported_together():
    tags = [tag("a", 20, "sha256:old"), tag("b", 20, "sha256:old"), tag("c", 1)]
    chosen = plan(tags, keep_last=1, keep_younger_than=None, protect=[], now=NOW)
    assert chosen.deleted == {"sha256:old": ["b", "a"]}


def test_images_without_a_creation_time_count_as_oldest():
    tags = [tag("unknown", None), tag("new", 1)]
    chosen = plan(tags, keep_last=1, keep_younger_than=age_seconds("30d", "age"), protect=[], now=NOW)
    assert chosen.kept == ["new"]
    assert chosen.deleted == {"sha256:unknown": ["unknown"]}


def test_creation_times_with_nanoseconds_parse():
    nanoseconds = parse_created("2026-11-20T10:00:00.123456789Z")
    assert nanoseconds == datetime(2026, 11, 20, 10, 0, 0, 123456, tzinfo=timezone.utc)
    assert parse_created("2026-11-20T10:00:00Z") == datetime(2026, 11, 20, 10, tzinfo=timezone.utc)
    assert parse_created("not a date") is None


def test_ages_with_days_and_weeks():
    assert age_seconds("1d12h", "age") == 36 * 3600
    assert age_seconds("2w", "age") == 14 * 86400
    assert age_seconds(90, "age") == 90


def test_ages_add_up_their_parts_and_anything_else_is_named():
    assert age_seconds("1d12h", "age") == 129600 and age_seconds("2w", "age") == 1209600
    assert age_seconds(90, "age") == 90
    for bad in ("12x", "1d 2h", "d", ""):
        with pytest.raises(SpecError, match=f"age: {bad!r} is not an age"):
            age_seconds(bad, "age")
