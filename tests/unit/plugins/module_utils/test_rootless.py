"""Subordinate ID ranges: read from /etc/subuid-style text, and where a new user's range may start."""

from __future__ import annotations

from ansible_collections.dockyard.docker.plugins.module_utils import rootless

SUBUID = "alice:100000:65536\n# a comment\nbob:165536:65536\nbroken line\ncarol:300000:1000\n"


def test_ranges_are_read_per_user_and_other_lines_skipped():
    assert rootless.subid_ranges(SUBUID) == {
        "alice": [(100000, 65536)], "bob": [(165536, 65536)], "carol": [(300000, 1000)]
    }  # fmt: skip


def test_a_new_range_starts_after_every_range_in_both_files():
    assert rootless.next_free_start([SUBUID, "dave:500000:65536\n"]) == 565536
    assert rootless.next_free_start([SUBUID, ""]) == 301000


def test_with_no_ranges_a_new_range_starts_where_useradd_would():
    assert rootless.next_free_start(["", ""]) == 100000
