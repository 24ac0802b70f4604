"""Each container option: create -> changed, same -> not changed, change -> recreated or updated as documented.

All cases run as the specs of four `containers` calls (create, same again, changed, changed again), so
the matrix costs four module runs instead of a hundred; `container` shares the same planner, and its
own tests cover what is particular to it. The image's defaults (its env PATH, its label, EXPOSE 80,
CMD sh) are in play in every case, so the second run also shows they cause no false change.
"""

from __future__ import annotations

import uuid

import docker
import pytest

from ansible_run import local_module
from local_docker import TRAP, TRAP_SCRIPT, committed

pytestmark = pytest.mark.image_stores  # run again on containerd's image store (scripts/test store)

GROUP = f"dy-opt-{uuid.uuid4().hex[:6]}"
NET = f"{GROUP}-net"
SOURCE = f"{GROUP}-src"
PID_TARGET = f"{GROUP}-pid"  # a running container whose PID namespace pid_mode joins
# sh as PID 1 ignores SIGTERM unless it traps it; without the trap every recreation waits for the kill.

# id -> (options as created, options after the change, how the change is mended)
CASES = {
    "image": ({}, {"image": "VARIANT"}, "recreated"),
    "command": ({}, {"command": "sh -c \"trap 'exit 0' TERM; sleep 3601 & wait\""}, "recreated"),
    "entrypoint": (
        {"entrypoint": ["sh", "-c"], "command": [TRAP_SCRIPT]},
        {"entrypoint": ["/bin/sh", "-c"], "command": [TRAP_SCRIPT]},
        "recreated",
    ),
    "env": ({"env": {"A": 1, "FLAG": True}}, {"env": {"A": 2, "FLAG": True}}, "recreated"),
    "env_file": ({"env_file": "ENV1"}, {"env_file": "ENV2"}, "recreated"),
    "labels": ({"labels": {"tier": 1}}, {"labels": {"tier": 2}}, "recreated"),
    "ports": ({"ports": ["127.0.0.1::8080"]}, {"ports": ["127.0.0.1::8080/udp"]}, "recreated"),
    "expose": ({"expose": ["9000"]}, {"expose": ["9000-9001"]}, "recreated"),
    "bind_volume": ({"volumes": ["BIND:/data:ro"]}, {"volumes": ["BIND:/data"]}, "recreated"),
    "named_volume": ({"volumes": [f"{GROUP}-v1:/data"]}, {"volumes": [f"{GROUP}-v2:/data"]}, "recreated"),
    "anonymous_volume": ({"volumes": ["/anon"]}, {"volumes": ["/anon", "/anon2"]}, "recreated"),
    "volumes_from": ({"volumes_from": [SOURCE]}, {"volumes_from": [f"{SOURCE}:ro"]}, "recreated"),
    "network_mode": ({"network_mode": "bridge"}, {"network_mode": "none"}, "recreated"),
    "networks_aliases": (
        {"networks": [{"name": NET, "aliases": ["one"]}]},
        {"networks": [{"name": NET, "aliases": ["two"]}]},
        "reconnected",
    ),
    "networks_address": (
        {"networks": [{"name": NET, "ipv4_address": "198.18.77.10"}]},
        {"networks": [{"name": NET, "ipv4_address": "198.18.77.11"}]},
        "reconnected",
    ),
    "restart_policy": (
        {"restart_policy": "always"},
        {"restart_policy": "on-failure", "restart_retries": 3},
        "updated",
    ),
    "user": ({"user": "1000"}, {"user": "1000:1000"}, "recreated"),
    "working_dir": ({"working_dir": "/tmp"}, {"working_dir": "/www"}, "recreated"),
    "hostname": ({"hostname": "one"}, {"hostname": "two"}, "recreated"),
    "healthcheck": (
        {"healthcheck": {"test": "true", "interval": "30s"}},
        {"healthcheck": {"test": "true", "interval": "31s"}},
        "recreated",
    ),
    "memory": ({"memory": "64m"}, {"memory": "96m"}, "updated"),
    "memory_reservation": (
        {"memory": "64m", "memory_reservation": "32m"},
        {"memory": "64m", "memory_reservation": "16m"},
        "updated",
    ),
    "memory_swap": ({"memory": "64m", "memory_swap": "128m"}, {"memory": "64m", "memory_swap": "192m"}, "updated"),
    "cpus": ({"cpus": 0.5}, {"cpus": 0.25}, "updated"),
    "cpu_shares": ({"cpu_shares": 512}, {"cpu_shares": 256}, "updated"),
    "pids_limit": ({"pids_limit": 64}, {"pids_limit": 32}, "updated"),
    "log_driver": ({"log_driver": "json-file"}, {"log_driver": "local"}, "recreated"),
    "log_options": (
        {"log_driver": "json-file", "log_options": {"max-size": "1m"}},
        {"log_driver": "json-file", "log_options": {"max-size": "2m"}},
        "recreated",
    ),
    "init": ({"init": True}, {"init": False}, "recreated"),
    "read_only": ({"read_only": True}, {"read_only": False}, "recreated"),
    "cap_add": ({"cap_add": ["NET_ADMIN"]}, {"cap_add": ["net_admin", "CAP_SYS_TIME"]}, "recreated"),
    "cap_drop": ({"cap_drop": ["MKNOD"]}, {"cap_drop": ["MKNOD", "CHOWN"]}, "recreated"),
    "tmpfs": ({"tmpfs": ["/scratch"]}, {"tmpfs": ["/scratch:size=1m"]}, "recreated"),
    "tty": ({"tty": True}, {"tty": False}, "recreated"),
    "interactive": ({"interactive": True}, {"interactive": False}, "recreated"),
    "auto_remove": ({"auto_remove": True}, {"auto_remove": False}, "recreated"),
    "devices": ({"devices": ["/dev/null:/dev/blank"]}, {"devices": ["/dev/null:/dev/blank:r"]}, "recreated"),
    "dns": ({"dns": ["192.0.2.53"]}, {"dns": ["192.0.2.54"]}, "recreated"),
    "dns_search": ({"dns_search": ["one.example"]}, {"dns_search": ["two.example"]}, "recreated"),
    "dns_options": ({"dns_options": ["ndots:2"]}, {"dns_options": ["ndots:3"]}, "recreated"),
    "extra_hosts": ({"extra_hosts": {"db": "192.0.2.10"}}, {"extra_hosts": {"db": "192.0.2.11"}}, "recreated"),
    "ulimits": ({"ulimits": ["nofile=1024:2048"]}, {"ulimits": ["nofile=1024:4096"]}, "recreated"),
    "security_opts": (
        {"security_opts": ["no-new-privileges:true"]},
        {"security_opts": ["no-new-privileges", "apparmor=unconfined"]},
        "recreated",
    ),
    "pid_mode": ({"pid_mode": "host"}, {"pid_mode": f"container:{PID_TARGET}"}, "recreated"),
    "ipc_mode": ({"ipc_mode": "private"}, {"ipc_mode": "shareable"}, "recreated"),
    "shm_size": ({"shm_size": "64m"}, {"shm_size": "96m"}, "recreated"),
    "publish_all_ports": ({"publish_all_ports": True}, {"publish_all_ports": False}, "recreated"),
    "sysctls": (
        {"sysctls": {"net.ipv4.ip_unprivileged_port_start": 1024}},
        {"sysctls": {"net.ipv4.ip_unprivileged_port_start": 80}},
        "recreated",
    ),
    "stop_signal": ({"stop_signal": "TERM"}, {"stop_signal": "SIGINT"}, "recreated"),
    "stop_timeout": ({"stop_timeout": 2}, {"stop_timeout": 3}, "recreated"),
}
# privileged is left out: this machine cannot grant every capability (see docs/testbed.md).


def _spec(case: str, options: dict, values: dict) -> dict:
    spec = {"name": f"{GROUP}-{case.replace('_', '-')}", "command": TRAP, "stop_timeout": 2, **options}
    for key, value in list(spec.items()):
        if isinstance(value, str) and value in values:
            spec[key] = values[value]
        if key == "volumes":
            spec[key] = [v.replace("BIND", values["BIND"]) for v in value]
    return spec


@pytest.fixture(scope="module")
def matrix(docker_client, test_images, tmp_path_factory):
    """case -> (created, same again, changed, changed again): each a `containers` result entry."""
    work = tmp_path_factory.mktemp("options")
    (work / "env1").write_text("# comment\nA=1\n")
    (work / "env2").write_text("A=1\nB=2\n")
    (work / "bind").mkdir()
    busybox = docker_client.images.get(test_images["busybox"])
    variant = f"dockyard-test/{GROUP}:variant"
    scratch = docker_client.containers.create(busybox.id, "true")
    committed(docker_client, scratch, *variant.split(":"), changes=["LABEL variant=yes"])
    scratch.remove()
    values = {"VARIANT": variant, "ENV1": str(work / "env1"), "ENV2": str(work / "env2"), "BIND": str(work / "bind")}
    # A subnet outside Docker's default pools (172.17-31.0.0/16, 192.168.0.0/20s): a daemon busy with many
    # networks hands those out, and a fixed one there then overlaps.
    network = docker_client.networks.create(NET, ipam={"Config": [{"Subnet": "198.18.77.0/24"}]})
    # An anonymous volume as a mount: the SDK's volumes=["/shared"] makes it a bind without a source, which
    # Docker 28 keeps nameless, and volumes_from then fails ("get: no such volume").
    shared = docker.types.Mount("/shared", None, type="volume")
    source = docker_client.containers.create(busybox.id, "true", name=SOURCE, mounts=[shared])
    pid_target = docker_client.containers.run(busybox.id, TRAP, name=PID_TARGET, detach=True)
    before = [_spec(case, created, values) for case, (created, _changed, _how) in CASES.items()]
    after = [_spec(case, changed, values) for case, (_created, changed, _how) in CASES.items()]
    args = {"group": GROUP, "defaults": {"image": test_images["busybox"]}}
    runs = []
    try:
        for specs in (before, before, after, after):
            result = local_module("containers", {**args, "containers": specs})
            assert not result.failed, result.get("msg")
            runs.append({r["name"]: r for r in result["results"]})
        yield {case: [run[spec["name"]] for run in runs] for case, spec in zip(CASES, before)}
    finally:
        for container in docker_client.containers.list(all=True, filters={"label": f"dockyard.docker.group={GROUP}"}):
            container.remove(force=True, v=True)
        source.remove(v=True)
        pid_target.remove(force=True)
        network.remove()
        docker_client.images.remove(variant)
        for volume in docker_client.volumes.list(filters={"name": GROUP}):  # those the runs got to
            volume.remove()


@pytest.mark.parametrize("case", list(CASES))
def test_option_create_same_change(docker_client, matrix, case):
    if case == "memory_swap" and not docker_client.info().get("SwapLimit"):
        pytest.skip("this kernel does not account swap: the module ignores memory_swap, with a warning")
    created, same, changed, changed_again = matrix[case]
    how = CASES[case][2]
    assert created["actions"] == ["created", "started"]
    assert created["container"]["running"] is True
    assert same["changed"] is False, same["differences"]
    assert changed["changed"] is True
    assert how in changed["actions"], changed
    options = {d["option"] for d in changed["differences"]}
    assert options, changed
    if how == "recreated":
        assert changed["container"]["id"] != created["container"]["id"]
    else:  # updated in place, or reconnected: the same container, still running
        assert changed["container"]["id"] == created["container"]["id"]
        assert "recreated" not in changed["actions"]
    assert changed["container"]["running"] is True
    assert changed_again["changed"] is False, changed_again["differences"]


def test_changed_values_reach_the_container(docker_client, matrix):
    """Spot checks that the changed options are what the daemon holds, not only what the module says."""
    inspect = {case: docker_client.api.inspect_container(matrix[case][2]["container"]["id"]) for case in CASES}
    assert "A=2" in inspect["env"]["Config"]["Env"] and "FLAG=true" in inspect["env"]["Config"]["Env"]
    assert "B=2" in inspect["env_file"]["Config"]["Env"]
    assert inspect["labels"]["Config"]["Labels"]["tier"] == "2"
    assert inspect["labels"]["Config"]["Labels"]["dockyard.testbed.recipe"]  # the image's own label stays
    assert set(inspect["expose"]["Config"]["ExposedPorts"]) == {"80/tcp", "9000/tcp", "9001/tcp"}
    assert inspect["memory"]["HostConfig"]["Memory"] == 96 * 1024 * 1024
    if docker_client.info().get("SwapLimit"):
        assert inspect["memory_swap"]["HostConfig"]["MemorySwap"] == 192 * 1024 * 1024
    assert inspect["cpus"]["HostConfig"]["NanoCpus"] == 250_000_000
    assert inspect["pids_limit"]["HostConfig"]["PidsLimit"] == 32
    assert inspect["restart_policy"]["HostConfig"]["RestartPolicy"] == {"Name": "on-failure", "MaximumRetryCount": 3}
    assert inspect["networks_aliases"]["NetworkSettings"]["Networks"][NET]["Aliases"][0] == "two"
    assert inspect["networks_address"]["NetworkSettings"]["Networks"][NET]["IPAddress"] == "198.18.77.11"
    assert inspect["healthcheck"]["Config"]["Healthcheck"]["Interval"] == 31 * 10**9
    assert inspect["tmpfs"]["HostConfig"]["Tmpfs"] == {"/scratch": "size=1m"}
    assert inspect["devices"]["HostConfig"]["Devices"][0]["CgroupPermissions"] == "r"
    assert inspect["dns"]["HostConfig"]["Dns"] == ["192.0.2.54"]
    assert inspect["extra_hosts"]["HostConfig"]["ExtraHosts"] == ["db:192.0.2.11"]
    assert inspect["ulimits"]["HostConfig"]["Ulimits"] == [{"Name": "nofile", "Soft": 1024, "Hard": 4096}]
    pid_target = docker_client.api.inspect_container(PID_TARGET)["Id"]
    assert inspect["pid_mode"]["HostConfig"]["PidMode"] == f"container:{pid_target}"  # the daemon keeps the ID
    assert inspect["shm_size"]["HostConfig"]["ShmSize"] == 96 << 20
    assert inspect["sysctls"]["HostConfig"]["Sysctls"] == {"net.ipv4.ip_unprivileged_port_start": "80"}
    assert inspect["stop_signal"]["Config"]["StopSignal"] == "SIGINT"
    assert inspect["stop_timeout"]["Config"]["StopTimeout"] == 3


def test_run_flags_take_effect_inside_the_container(matrix):
    """What the process sees, read inside the changed containers (as docker exec would)."""

    def inside(case, command):
        result = local_module("container_exec", {"container": matrix[case][2]["name"], "command": command})
        assert result["rc"] == 0, result
        return result["stdout"]

    assert "192.0.2.11\tdb" in inside("extra_hosts", ["cat", "/etc/hosts"])
    assert "nameserver 192.0.2.54" in inside("dns", ["cat", "/etc/resolv.conf"])
    assert "search two.example" in inside("dns_search", ["cat", "/etc/resolv.conf"])
    assert inside("ulimits", ["sh", "-c", "ulimit -Hn"]) == "4096"
    assert "96.0M" in inside("shm_size", ["df", "-h", "/dev/shm"]) or "98304" in inside("shm_size", ["df", "/dev/shm"])
    assert inside("sysctls", ["cat", "/proc/sys/net/ipv4/ip_unprivileged_port_start"]) == "80"
