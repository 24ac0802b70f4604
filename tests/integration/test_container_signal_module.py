"""container_signal against the local daemon: the signal reaches the process; check mode and a stopped container."""

from __future__ import annotations

import time

import pytest

from ansible_run import local_module as module

pytestmark = pytest.mark.image_stores  # run again on containerd's image store (scripts/test store)

# Says each HUP it gets on its output, and exits on TERM.
COUNTER = "n=0; trap 'n=$((n+1)); echo hup $n' HUP; trap 'exit 0' TERM; while :; do sleep 0.1; done"


def hups(container) -> str:
    """How many HUPs the process has had, read from its log (an exec's output can come back empty on a daemon under
    load, which a file read through exec once did in CI)."""
    return str(sum(1 for line in container.logs().decode().splitlines() if line.startswith("hup ")))


def test_a_signal_reaches_the_main_process_and_check_mode_sends_none(docker_client, test_images, suffix):
    container = docker_client.containers.run(test_images["busybox"], ["sh", "-c", COUNTER], detach=True,
                                             name=f"dy-sig-{suffix}")  # fmt: skip
    try:
        predicted = module("container_signal", {"name": container.name, "signal": "HUP"}, check=True)
        assert predicted["changed"] is True and predicted["signal"] == "SIGHUP"
        time.sleep(0.3)
        assert hups(container) == "0"
        sent = module("container_signal", {"name": container.name, "signal": "1"})
        assert sent["changed"] is True and sent["signal"] == "SIGHUP" and sent["container"]["running"] is True
        deadline = time.monotonic() + 5
        while hups(container) != "1" and time.monotonic() < deadline:
            time.sleep(0.1)
        assert hups(container) == "1"
        container.stop(timeout=5)
        stopped = module("container_signal", {"name": container.name, "signal": "HUP"})
        assert stopped.failed and "is not running (it is exited): there is no process to signal" in stopped["msg"]
        bad = module("container_signal", {"name": container.name, "signal": "SIG HUP"})
        assert bad.failed and "signal: 'SIG HUP' is not a signal" in bad["msg"]
    finally:
        container.remove(force=True)
