"""Work done again while Docker 28's containerd store reports that something vanished under it, and only then."""

from __future__ import annotations

import pytest

from ansible_collections.dockyard.docker.plugins.module_utils import retry, storage_races

# What a build step answered in CI while other builds and prunes ran on the same daemon.
LEASE = "failed to apply diff: failed to prepare snapshot: NotFound: lease does not exist: not found"


def failing(*messages: str):
    left = list(messages)

    def work() -> str:
        if left:
            raise RuntimeError(left.pop(0))
        return "built"

    return work


@pytest.fixture(autouse=True)
def no_sleep(monkeypatch):
    monkeypatch.setattr(retry.time, "sleep", lambda _seconds: None)


def test_a_vanished_lease_is_built_again():
    assert storage_races.again_while_vanished(failing(LEASE, LEASE)) == "built"


def test_a_real_failure_is_not_retried_and_attempts_are_bounded():
    with pytest.raises(RuntimeError, match="returned a non-zero code"):
        storage_races.again_while_vanished(failing("The command '/bin/sh -c false' returned a non-zero code: 1", LEASE))
    with pytest.raises(RuntimeError, match="lease does not exist"):
        storage_races.again_while_vanished(failing(LEASE, LEASE, LEASE))
