"""docker_version on a booted Debian 12 host over SSH that also sees Debian 11's suite, so two real
engines are on offer: pinned and held, moved to a new pin with one restart, released when cleared."""

from __future__ import annotations

import pytest

from engine_host import EngineHost, boot_engine_host

OLD, NEW = "20.10.5", "20.10.24"


@pytest.fixture(scope="module")
def two_suites(start_hosts, ssh_key):
    host = boot_engine_host(start_hosts, ssh_key, converge=False)
    # The same mirror the host already uses, for bullseye as well.
    listed = "/etc/apt/sources.list.d/bullseye.list"
    host.sh(f"sed -n 's/^deb \\([^ ]*\\) bookworm main$/deb \\1 bullseye main/p' /etc/apt/sources.list > {listed}"
            f" && grep -q bullseye {listed}")  # fmt: skip
    return host


def engine(host: EngineHost) -> tuple[str, str, str]:
    """(installed docker.io version, held packages, the running daemon's version)."""
    return (
        host.sh("dpkg-query -W docker.io").split()[1],
        host.sh("apt-mark showhold").strip(),
        host.info()["ServerVersion"],
    )


def test_a_pin_installs_that_version_and_holds_it(two_suites):
    proc, _counts = two_suites.apply(docker_version=OLD)
    assert proc.returncode == 0, proc.stdout
    installed, held, running = engine(two_suites)
    assert installed.startswith(OLD + "+") and held == "docker.io" and running.startswith(OLD + "+")
    again, counts = two_suites.apply(docker_version=OLD)
    assert again.returncode == 0 and counts["changed"] == 0, again.stdout


def test_a_moved_pin_beside_a_bad_value_changes_no_package_and_restarts_nothing(two_suites):
    before, pid, config = engine(two_suites), two_suites.daemon_pid(), two_suites.daemon_json()
    proc, counts = two_suites.apply(docker_version=NEW, docker_dns=["9.9.9.300"])
    assert proc.returncode != 0 and counts["changed"] == 0
    assert "docker_dns[0]: '9.9.9.300' is not an IP address" in proc.stdout, proc.stdout
    assert (engine(two_suites), two_suites.daemon_pid(), two_suites.daemon_json()) == (before, pid, config)


def test_a_moved_pin_upgrades_with_one_restart_and_holds_the_new_version(two_suites):
    starts = two_suites.daemon_starts()
    proc, _counts = two_suites.apply(docker_version=NEW)
    assert proc.returncode == 0, proc.stdout
    installed, held, running = engine(two_suites)
    assert installed.startswith(NEW + "+") and held == "docker.io" and running.startswith(NEW + "+")
    assert two_suites.daemon_starts() == starts + 1
    again, counts = two_suites.apply(docker_version=NEW)
    assert again.returncode == 0 and counts["changed"] == 0, again.stdout


def test_clearing_the_pin_releases_the_hold_and_keeps_the_engine(two_suites):
    proc, counts = two_suites.apply(docker_version="")
    assert proc.returncode == 0, proc.stdout
    assert counts["changed"] >= 1
    installed, held, _running = engine(two_suites)
    assert installed.startswith(NEW + "+") and held == ""
    again, counts = two_suites.apply(docker_version="")
    assert again.returncode == 0 and counts["changed"] == 0, again.stdout
