"""The CIS daemon points: what the profile sets, and how a host's daemon.json and answers measure against it."""

from __future__ import annotations

from ansible_collections.dockyard.docker.plugins.module_utils import hardening

MET = {"icc": False, "log-level": "info", "no-new-privileges": True, "live-restore": True, "userland-proxy": False}


def ids(found) -> dict[str, str]:
    return {f[0]: f[1] for f in found}


def test_a_default_engine_misses_every_point_but_the_log_level_as_information():
    found = hardening.point_findings({}, {"LiveRestoreEnabled": False}, "true", "", [], in_swarm=False)
    assert ids(found) == {"hardening.icc": "info", "hardening.no_new_privileges": "info",
                          "hardening.live_restore": "info", "hardening.userland_proxy": "info"}  # fmt: skip
    icc = next(f for f in found if f[0] == "hardening.icc")
    assert icc[2] == "CIS 2.2 (network traffic between containers on the default bridge is restricted): icc is true"
    assert icc[3] == "docker_hardening: cis (engine role), or docker_daemon_options: {icc: false}"


def test_a_host_asked_to_meet_the_profile_gets_warnings_except_for_the_points_it_left_out():
    found = hardening.point_findings({}, {"LiveRestoreEnabled": False}, "true", "cis", ["2.16"], in_swarm=False)
    assert ids(found)["hardening.icc"] == "warning" and ids(found)["hardening.userland_proxy"] == "info"


def test_what_the_daemon_reports_wins_over_daemon_json_and_a_hardened_host_has_no_finding():
    assert hardening.point_findings(MET, {"LiveRestoreEnabled": True}, "false", "cis", [], in_swarm=False) == []
    # daemon.json says icc off, but the bridge runs with it on (not restarted yet): the bridge is what counts.
    assert ids(hardening.point_findings(MET, {"LiveRestoreEnabled": True}, "true", "cis", [], False)) == {
        "hardening.icc": "warning"
    }


def test_live_restore_on_a_swarm_node_is_information_with_the_way_to_leave_it_out():
    (found,) = hardening.point_findings({**MET, "live-restore": False}, {"LiveRestoreEnabled": False}, "false", "cis",
                                        [], in_swarm=True)  # fmt: skip
    assert found[:2] == ("hardening.live_restore", "info") and "docker_hardening_except" in found[3]


def test_the_profile_settings_and_unknown_points():
    assert hardening.profile_settings("cis", []) == MET
    left = {k: v for k, v in MET.items() if k not in ("live-restore", "log-level")}
    assert hardening.profile_settings("cis", ["2.15", "2.3"]) == left
    assert hardening.profile_settings("", []) == {}
    assert hardening.unknown_exceptions(["2.2", "9.9"]) == ["9.9"]
