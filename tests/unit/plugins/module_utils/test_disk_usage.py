# Copyright (c) dockyard.docker contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
import pytest

from ansible_collections.dockyard.docker.plugins.module_utils import disk_usage, retry


class Answers:
    """GET /system/df as the daemon answered it in CI: errors first, then the usage."""

    def __init__(self, *errors: str) -> None:
        self.errors, self.asked = list(errors), 0

    def __call__(self) -> dict:
        self.asked += 1
        if self.errors:
            raise OSError(self.errors.pop(0))
        return {"Images": []}


@pytest.fixture(autouse=True)
def no_sleep(monkeypatch):
    monkeypatch.setattr(retry.time, "sleep", lambda _seconds: None)


def test_a_vanished_snapshot_of_docker_28s_containerd_store_is_asked_again():
    read = Answers("NotFound: snapshot 748b36c6-init-parent-view-434505603-FOc9 does not exist: not found")
    assert disk_usage.read_disk_usage(read) == {"Images": []}
    assert read.asked == 2


def test_a_computation_another_client_cancelled_is_asked_again():
    read = Answers("500 Server Error: context canceled", "500 Server Error: context canceled")
    assert disk_usage.read_disk_usage(read) == {"Images": []}
    assert read.asked == 3


def test_other_errors_and_the_last_attempt_are_raised():
    with pytest.raises(OSError, match="permission denied"):
        disk_usage.read_disk_usage(Answers("permission denied"))
    read = Answers(*["context canceled"] * 3)
    with pytest.raises(OSError, match="context canceled"):
        disk_usage.read_disk_usage(read)
    assert read.asked == 3
