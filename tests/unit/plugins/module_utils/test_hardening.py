"""The CIS daemon points: what the profile sets, and how a host's daemon.json and answers measure against it."""

from __future__ import annotations

from ansible_collections.dockyard.docker.plugins.module_utils import hardening

# A daemon that runs with user namespaces (asked for on their own, not by the profile).
REMAPPED = {"LiveRestoreEnabled": True, "SecurityOptions": ["name=seccomp,profile=builtin", "name=userns"],
            "LoggingDriver": "syslog"}  # fmt: skip
MET = {"icc": False, "log-level": "info", "no-new-privileges": True, "live-restore": True, "userland-proxy": False}


def ids(found) -> dict[str, str]:
    return {f[0]: f[1] for f in found}


def test_a_default_engine_misses_every_point_but_the_log_level_as_information():
    found = hardening.point_findings({}, {"LiveRestoreEnabled": False}, "true", "", [], in_swarm=False)
    assert ids(found) == {"hardening.icc": "info", "hardening.no_new_privileges": "info",
                          "hardening.live_restore": "info", "hardening.userland_proxy": "info",
                          "hardening.userns_remap": "info", "hardening.log_driver": "info"}  # fmt: skip
    icc = next(f for f in found if f[0] == "hardening.icc")
    assert icc[2] == "CIS 2.2 (network traffic between containers on the default bridge is restricted): icc is true"
    assert icc[3] == "docker_hardening: cis (engine role), or docker_daemon_options: {icc: false}"


def test_a_host_asked_to_meet_the_profile_gets_warnings_except_for_the_points_it_left_out():
    found = hardening.point_findings({}, {"LiveRestoreEnabled": False}, "true", "cis", ["2.16"], in_swarm=False)
    assert ids(found)["hardening.icc"] == "warning" and ids(found)["hardening.userland_proxy"] == "info"


def test_what_the_daemon_reports_wins_over_daemon_json_and_a_hardened_host_has_no_finding():
    assert hardening.point_findings(MET, REMAPPED, "false", "cis", [], in_swarm=False) == []
    # daemon.json says icc off, but the bridge runs with it on (not restarted yet): the bridge is what counts.
    assert ids(hardening.point_findings(MET, REMAPPED, "true", "cis", [], False)) == {"hardening.icc": "warning"}


def test_live_restore_on_a_swarm_node_is_information_with_the_way_to_leave_it_out():
    (found,) = hardening.point_findings({**MET, "live-restore": False}, {**REMAPPED, "LiveRestoreEnabled": False},
                                        "false", "cis", [], in_swarm=True)  # fmt: skip
    assert found[:2] == ("hardening.live_restore", "info") and "docker_hardening_except" in found[3]


def test_the_profile_settings_and_unknown_points():
    assert hardening.profile_settings("cis", []) == MET
    left = {k: v for k, v in MET.items() if k not in ("live-restore", "log-level")}
    assert hardening.profile_settings("cis", ["2.15", "2.3"]) == left
    assert hardening.profile_settings("", []) == {}
    assert hardening.unknown_exceptions(["2.2", "9.9"]) == ["9.9"]


SOCKET, UNIT, CA = (next(p for p in hardening.FILE_POINTS if p.name == name)
                    for name in ("docker_sock", "docker_service", "registry_certs"))  # fmt: skip


def test_files_as_the_packages_leave_them_meet_section_3():
    observed = [(SOCKET, "/run/docker.sock", "root", "docker", 0o660), (UNIT, "/lib/systemd/system/docker.service",
                "root", "root", 0o644), (CA, "/etc/docker/certs.d/r:5000/ca.crt", "root", "root", 0o444)]  # fmt: skip
    assert hardening.file_findings(observed, "cis", []) == []


def test_a_socket_opened_to_everyone_and_owned_by_another_group_is_named_with_both_cis_numbers():
    observed = [(SOCKET, "/run/docker.sock", "root", "users", 0o666)]
    found = {f[0]: f for f in hardening.file_findings(observed, "cis", [])}
    assert found["hardening.docker_sock_owner"] == (
        "hardening.docker_sock_owner", "warning",
        "CIS 3.15 (the Docker socket is owned by root:docker): /run/docker.sock is root:users",
        "chown root:docker /run/docker.sock",
    )  # fmt: skip
    assert found["hardening.docker_sock_mode"][1:3] == (
        "warning",
        "CIS 3.16 (the Docker socket has mode 660 or less): /run/docker.sock is 666",
    )


def test_a_file_the_role_writes_names_the_profile_as_its_fix_and_an_excepted_point_is_information():
    observed = [(CA, "/etc/docker/certs.d/r:5000/ca.crt", "root", "root", 0o644)]
    ((_id, severity, _seen, fix),) = hardening.file_findings(observed, "cis", ["3.8"])
    assert severity == "info" and fix.startswith("docker_hardening: cis (engine role, which writes it 444)")
    assert hardening.file_findings(observed, "", [])[0][1] == "info"
    assert hardening.file_findings([(CA, "x", "root", "root", 0o400)], "cis", []) == []  # stricter is fine


def test_the_role_writes_its_certificates_with_the_profiles_modes_unless_a_point_is_left_out():
    usual = {"registry_ca": "0644", "tls_ca": "0644", "tls_cert": "0644", "tls_key": "0600"}
    assert hardening.written_modes("", [], usual) == usual
    assert hardening.written_modes("cis", [], usual) == {"registry_ca": "0444", "tls_ca": "0444", "tls_cert": "0444",
                                                         "tls_key": "0400"}  # fmt: skip
    assert hardening.written_modes("cis", ["3.14"], usual)["tls_key"] == "0600"
    assert hardening.unknown_exceptions(["3.24", "3.25"]) == ["3.25"]


def test_user_namespaces_are_asked_for_on_their_own_and_met_by_any_remapping_the_daemon_reports():
    off = {f[0]: f for f in hardening.point_findings(MET, {"LiveRestoreEnabled": True}, "false", "cis", [], False)}
    assert off["hardening.userns_remap"] == (
        "hardening.userns_remap", "info", "CIS 2.9 (containers run in user namespaces): userns-remap is unset",
        "docker_userns_remap: default (engine role)",
    )  # fmt: skip
    assert hardening.point_findings(MET, REMAPPED, "false", "cis", [], False) == []
    assert "userns-remap" not in hardening.profile_settings("cis", [])


def test_logs_kept_on_the_host_are_information_with_the_remote_drivers_as_the_fix():
    local = {**REMAPPED, "LoggingDriver": "json-file"}
    (found,) = hardening.point_findings(MET, local, "false", "cis", [], False)
    assert found[:3] == (
        "hardening.log_driver",
        "info",
        "CIS 2.13 (container logs are sent to a central, remote store): log-driver is json-file",
    )
    assert found[3].startswith("docker_log_driver: syslog, journald, gelf or fluentd")
    assert hardening.point_findings(MET, {**local, "LoggingDriver": "gelf"}, "false", "cis", [], False) == []


def test_the_benchmark_status_names_every_point_in_order_with_what_the_check_found():
    findings = [
        {"id": "hardening.icc", "severity": "warning", "seen": "CIS 2.2 (...): icc is true"},
        {"id": "hardening.docker_sock_mode", "severity": "info", "seen": "CIS 3.16 (...): /run/docker.sock is 666"},
        {"id": "kernel.swap_limit", "severity": "warning", "seen": "CIS 2.2 is not named by other checks"},
    ]
    status = hardening.benchmark_status(findings, {"docker_sock"})
    assert list(status)[:4] == ["2.2", "2.3", "2.9", "2.13"] and list(status)[-1] == "3.24"
    assert (status["2.2"], status["2.3"], status["3.15"], status["3.16"], status["3.17"]) == (
        "warning", "pass", "pass", "info", "absent")  # fmt: skip
