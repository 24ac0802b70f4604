"""The container module's life cycle, ports, volumes, states, diff, check mode and bad input, on the local daemon."""

from __future__ import annotations

import socket
import urllib.request
import uuid

import docker
import pytest

from ansible_run import local_module as module
from local_docker import TRAP, committed, forget

pytestmark = pytest.mark.image_stores  # run again on containerd's image store (scripts/test store)


@pytest.fixture
def name(docker_client):
    """A fresh container name; whatever carries it (or its set-aside copies) is removed afterwards."""
    value = f"dy-ctr-{uuid.uuid4().hex[:8]}"
    yield value
    for container in docker_client.containers.list(all=True, filters={"name": value}):
        container.remove(force=True, v=True)


def spec(name, image, **options):
    return {"name": name, "image": image, "command": TRAP, "stop_timeout": 2, **options}


def test_dynamic_host_port_is_returned_and_serves_http(name, test_images):
    httpd = {"command": ["httpd", "-f", "-p", "80", "-h", "/www"], "ports": ["127.0.0.1::80"]}
    result = module("container", spec(name, test_images["busybox"], **httpd))
    assert result["changed"] is True
    binding = result["container"]["ports"]["80/tcp"][0]
    assert binding["host_ip"] == "127.0.0.1" and binding["host_port"] > 0
    with urllib.request.urlopen(f"http://127.0.0.1:{binding['host_port']}/index.html", timeout=5) as response:
        assert response.read().decode().strip() == "dockyard busybox test image"
    again = module("container", spec(name, test_images["busybox"], **httpd))
    assert again["changed"] is False
    assert again["container"]["ports"] == result["container"]["ports"]


def test_a_start_that_found_the_chosen_ports_taken_is_made_again(docker_client, name, test_images):
    """Docker chooses a published port's host side as the next of a count it keeps per address, tries a few
    (20.10 ten) and fails the start when all are taken (by its own proxies on another address, or by any program).
    The module starts the container again and Docker counts on. 127.0.0.2 is this test's own address, so the
    ten ports after the first container's are the ones the second is offered."""
    httpd = {"command": ["httpd", "-f", "-p", "80", "-h", "/www"], "ports": ["127.0.0.2::80"]}
    first = module("container", spec(name, test_images["busybox"], **httpd))
    given = first["container"]["ports"]["80/tcp"][0]["host_port"]
    held = []
    for port in range(given + 1, given + 11):
        try:
            held.append(socket.create_server(("127.0.0.2", port)))
        except OSError:  # something holds it already: taken for Docker all the same
            pass
    try:
        second = module("container", spec(f"{name}-second", test_images["busybox"], **httpd))
    finally:
        for holder in held:
            holder.close()
    assert not second.failed, second.get("msg")
    binding = second["container"]["ports"]["80/tcp"][0]
    assert second["container"]["running"] is True and binding["host_port"] > given + 10
    with urllib.request.urlopen(f"http://127.0.0.2:{binding['host_port']}/index.html", timeout=5) as response:
        assert response.read().decode().strip() == "dockyard busybox test image"


def test_bind_mount_named_volume_and_volumes_from_share_contents(docker_client, name, test_images, tmp_path):
    (tmp_path / "greeting").write_text("from the host\n")
    volume = f"{name}-data"
    mounts = {"volumes": [f"{tmp_path}:/host:ro", f"{volume}:/data"]}
    module("container", spec(name, test_images["busybox"], **mounts))
    try:
        written = module("container_exec", {"container": name, "command": "sh -c 'cat /host/greeting > /data/copy'"})
        assert written["rc"] == 0
        reader = f"{name}-reader"
        module("container", spec(reader, test_images["busybox"], volumes_from=[f"{name}:ro"]))
        read = module("container_exec", {"container": reader, "command": ["cat", "/data/copy"]})
        assert read["stdout"] == "from the host"
        refused = module("container_exec", {"container": name, "command": "touch /host/x", "check_rc": False})
        assert refused["rc"] != 0 and "Read-only" in refused["stderr"]
    finally:
        for container in docker_client.containers.list(all=True, filters={"name": name}):
            container.remove(force=True)
        docker_client.volumes.get(volume).remove()


def test_states_stop_start_restart_and_remove(docker_client, name, test_images):
    stopped = module("container", spec(name, test_images["busybox"], state="stopped"))
    assert stopped["actions"] == ["created"] and stopped["container"]["running"] is False
    started = module("container", spec(name, test_images["busybox"], state="started"))
    assert started["actions"] == ["started"] and started["container"]["running"] is True
    first_start = docker_client.api.inspect_container(name)["State"]["StartedAt"]
    present = module("container", spec(name, test_images["busybox"], state="present"))
    assert present["changed"] is False and present["container"]["running"] is True
    restarted = module("container", spec(name, test_images["busybox"], state="restarted"))
    assert restarted["actions"] == ["restarted"]
    assert docker_client.api.inspect_container(name)["State"]["StartedAt"] != first_start
    assert module("container", spec(name, test_images["busybox"], state="stopped"))["actions"] == ["stopped"]
    assert module("container", {"name": name, "state": "absent"})["actions"] == ["removed"]
    with pytest.raises(docker.errors.NotFound):
        docker_client.containers.get(name)
    assert module("container", {"name": name, "state": "absent"})["changed"] is False


def test_present_recreates_a_running_container_and_keeps_it_running(name, test_images):
    created = module("container", spec(name, test_images["busybox"], env={"A": "1"}))
    changed = module("container", spec(name, test_images["busybox"], env={"A": "2"}, state="present"))
    assert changed["actions"] == ["recreated", "started"]
    assert changed["container"]["id"] != created["container"]["id"] and changed["container"]["running"]


def test_check_mode_predicts_and_changes_nothing(docker_client, name, test_images):
    predicted = module("container", spec(name, test_images["busybox"]), check=True)
    assert predicted["changed"] is True and predicted["actions"] == ["created", "started"]
    with pytest.raises(docker.errors.NotFound):
        docker_client.containers.get(name)
    created = module("container", spec(name, test_images["busybox"], memory="64m"))
    predicted = module("container", spec(name, test_images["busybox"], memory="96m", env={"A": "1"}), check=True)
    assert predicted["actions"] == ["recreated", "started"]
    current = docker_client.api.inspect_container(name)
    assert current["Id"] == created["container"]["id"] and current["HostConfig"]["Memory"] == 64 * 1024 * 1024
    assert module("container", {"name": name, "state": "absent"}, check=True)["changed"] is True
    assert docker_client.containers.get(name).status == "running"


def test_diff_shows_the_differing_options(name, test_images):
    module("container", spec(name, test_images["busybox"], labels={"tier": "web"}, restart_policy="always"))
    changed = module(
        "container", spec(name, test_images["busybox"], labels={"tier": "db"}, restart_policy="always"), diff=True
    )
    assert changed["diff"]["before"] == {
        "labels": {
            "tier": "web",
            "dockyard.testbed.recipe": changed["diff"]["before"]["labels"]["dockyard.testbed.recipe"],
        }
    }
    assert changed["diff"]["after"]["labels"]["tier"] == "db"
    assert [d["option"] for d in changed["differences"]] == ["labels"]


def test_healthy_waits_for_the_healthcheck_and_unhealthy_fails(name, test_images):
    ready_soon = {
        "command": ["sh", "-c", "trap 'exit 0' TERM; (sleep 2; touch /tmp/ready) & sleep 3600 & wait"],
        "healthcheck": {"test": "test -f /tmp/ready", "interval": "1s", "retries": 30},
        "state": "healthy",
    }
    healthy = module("container", spec(name, test_images["busybox"], **ready_soon))
    assert healthy["container"]["health"] == "healthy"
    never = {"healthcheck": {"test": "echo not yet; false", "interval": "1s", "retries": 2}, "state": "healthy"}
    failed = module("container", spec(f"{name}-sick", test_images["busybox"], **never))
    assert failed.failed
    assert "is unhealthy" in failed["msg"] and "not yet" in failed["msg"]


def test_a_failed_recreation_puts_the_old_container_back(docker_client, name, test_images):
    holder = docker_client.containers.run(test_images["busybox"], TRAP, detach=True, name=f"{name}-holder",
                                          ports={"80/tcp": ("127.0.0.1", None)})  # fmt: skip
    holder.reload()
    taken = holder.ports["80/tcp"][0]["HostPort"]
    created = module("container", spec(name, test_images["busybox"], env={"A": "1"}))
    clash = module("container", spec(name, test_images["busybox"], env={"A": "2"}, ports=[f"127.0.0.1:{taken}:80"]))
    assert clash.failed
    assert "port is already allocated" in clash["msg"] or "address already in use" in clash["msg"]
    back = docker_client.api.inspect_container(name)
    assert back["Id"] == created["container"]["id"] and back["State"]["Running"]
    assert [c.name for c in docker_client.containers.list(all=True, filters={"name": name})].count(name) == 1


def test_pull_always_recreates_only_when_the_registry_has_a_new_image(docker_client, name, registry, test_images):
    reference = f"{registry}/dockyard/ctr-{uuid.uuid4().hex[:6]}:1"
    busybox = docker_client.images.get(test_images["busybox"])
    busybox.tag(reference)
    docker_client.images.push(reference)
    try:
        created = module("container", spec(name, reference, pull="always"))
        same = module("container", spec(name, reference, pull="always"))
        assert same["changed"] is False
        assert module("container", spec(name, reference, pull="always"), check=True)["changed"] is False
        scratch = docker_client.containers.create(busybox.id, "true")
        newer = committed(docker_client, scratch, *reference.rsplit(":", 1), changes=["LABEL rebuilt=yes"])
        scratch.remove()
        docker_client.images.push(reference)
        busybox.tag(reference)  # this host has the old image under the tag again
        assert module("container", spec(name, reference))["changed"] is False  # pull: missing asks nobody
        predicted = module("container", spec(name, reference, pull="always"), check=True)
        assert predicted["actions"] == ["recreated", "started"]
        assert docker_client.images.get(reference).id == busybox.id  # nothing pulled in check mode
        pulled = module("container", spec(name, reference, pull="always"))
        assert pulled["actions"] == ["recreated", "started"]
        assert pulled["container"]["image_id"] == newer.id != created["container"]["image_id"]
    finally:
        docker_client.containers.get(name).remove(force=True)
        forget(docker_client, reference)


BAD_INPUT = {
    "bad port": ({"ports": ["80:80:80:80"]}, "ports: '80:80:80:80' is not"),
    "port out of range": ({"ports": ["70000:80"]}, "host port '70000' is outside 1-65535"),
    "relative bind path": ({"volumes": ["data/app:/app"]}, "'data/app' is neither an absolute host path"),
    "host network with ports": ({"network_mode": "host", "ports": ["80:80"]}, "cannot publish ports"),
    "network mode none with networks": ({"network_mode": "none", "networks": [{"name": "x"}]}, "cannot join"),
    "bad memory": ({"memory": "lots"}, "memory: 'lots' is not a size"),
    "unknown comparison": ({"comparisons": {"colour": "exact"}}, "comparisons: 'colour' is not an option"),
    "unknown network": ({"networks": [{"name": "dy-no-such-net"}]}, "no network 'dy-no-such-net'"),
    "unknown image": ({"image": "dockyard-test/no-such-image:1", "pull": "never"}, "is not on this host"),
    "links": ({"links": ["db:db"]}, "legacy links are not supported"),
    "bad ulimit": ({"ulimits": ["nofile=lots"]}, "ulimits: 'nofile=lots' is not name=soft[:hard]"),
    "unknown pid container": ({"pid_mode": "container:dy-no-such-ctr"}, "pid_mode: no container 'dy-no-such-ctr'"),
}


@pytest.mark.parametrize("case", list(BAD_INPUT))
def test_bad_input_fails_clearly_and_creates_nothing(docker_client, name, test_images, case):
    options, message = BAD_INPUT[case]
    result = module("container", {**spec(name, test_images["busybox"]), **options})
    assert result.failed
    assert message in result["msg"], result["msg"]
    assert not docker_client.containers.list(all=True, filters={"name": name})


def test_unknown_image_in_a_registry_fails_without_touching_the_old_container(
    docker_client, name, registry, test_images
):
    created = module("container", spec(name, test_images["busybox"]))
    missing = f"{registry}/dockyard/never-pushed:1"
    result = module("container", spec(name, missing, pull_retries=0))
    assert result.failed and f"cannot pull '{missing}'" in result["msg"]
    assert docker_client.api.inspect_container(name)["Id"] == created["container"]["id"]


def test_bridge_plus_a_network_keeps_both_and_second_run_changes_nothing(docker_client, name, test_images):
    network = docker_client.networks.create(f"{name}-net")
    try:
        options = {"network_mode": "bridge", "networks": [{"name": network.name, "aliases": ["api"]}]}
        created = module("container", spec(name, test_images["busybox"], **options))
        assert set(created["container"]["networks"]) == {"bridge", network.name}
        assert "api" in created["container"]["networks"][network.name]["aliases"]
        again = module("container", spec(name, test_images["busybox"], **options))
        assert again["changed"] is False, again["differences"]
    finally:
        docker_client.containers.get(name).remove(force=True)
        network.remove()


def test_host_and_container_network_modes_are_stable(docker_client, name, test_images):
    on_host = module("container", spec(name, test_images["busybox"], network_mode="host"))
    assert on_host["container"]["networks"] == {"host": {"ip_address": None, "aliases": []}}
    shared = spec(f"{name}-sidecar", test_images["busybox"], network_mode=f"container:{name}")
    assert module("container", shared)["changed"] is True
    assert module("container", spec(name, test_images["busybox"], network_mode="host"))["changed"] is False
    assert module("container", shared)["changed"] is False  # container:<name> matches container:<id>
    moved = module("container", spec(name, test_images["busybox"], network_mode="bridge"))
    assert moved["actions"] == ["recreated", "started"]


def test_tty_and_interactive_keep_a_lone_shell_up_as_docker_run_dit_does(docker_client, name, test_images):
    bare = {"name": name, "image": test_images["busybox"], "network_mode": "none", "stop_timeout": 1}
    exited = module("container", bare)
    assert not exited.failed and exited["container"]["running"] is False
    assert "set tty and interactive (docker run -dit)" in " ".join(exited.get("warnings") or []), exited
    assert module("container", bare)["actions"] == ["started"]  # asked to run, so started again each time
    kept = module("container", {**bare, "tty": True, "interactive": True})
    assert kept["actions"] == ["recreated", "started"] and kept["container"]["running"] is True
    config = docker_client.api.inspect_container(name)["Config"]
    assert config["Tty"] is True and config["OpenStdin"] is True
    again = module("container", {**bare, "tty": True, "interactive": True})
    assert again["changed"] is False and again["container"]["running"] is True


def test_a_container_that_exits_non_zero_at_once_fails_with_its_code_and_log(name, test_images):
    crashing = spec(name, test_images["busybox"], command=["sh", "-c", "echo 'config missing' >&2; exit 3"])
    result = module("container", crashing)
    assert result.failed
    assert "exit code 3" in result["msg"] and "config missing" in result["msg"], result["msg"]
    assert result["container"]["exit_code"] == 3 and result["container"]["running"] is False


def test_completed_runs_a_job_once_returns_its_output_and_runs_again_for_a_new_spec(docker_client, name, test_images):
    job = spec(name, test_images["busybox"], command=["sh", "-c", "echo migrated $STEP; echo note >&2"],
               env={"STEP": "1"}, state="completed")  # fmt: skip
    first = module("container", job)
    assert first["actions"] == ["created", "started"]
    assert (first["exit_code"], first["stdout"], first["stderr"]) == (0, "migrated 1\n", "note\n")
    started_at = docker_client.api.inspect_container(name)["State"]["StartedAt"]
    again = module("container", job)
    assert again["changed"] is False and again["stdout"] == "migrated 1\n"  # the earlier run's output
    assert docker_client.api.inspect_container(name)["State"]["StartedAt"] == started_at  # not run again
    checked = module("container", {**job, "env": {"STEP": "2"}}, check=True)
    assert checked["actions"] == ["recreated", "started"]
    assert docker_client.api.inspect_container(name)["State"]["StartedAt"] == started_at
    second = module("container", {**job, "env": {"STEP": "2"}})
    assert second["actions"] == ["recreated", "started"] and second["stdout"] == "migrated 2\n"


def test_completed_fails_on_an_unexpected_exit_and_runs_again_next_time(docker_client, name, test_images, tmp_path):
    marker = tmp_path / "ready"
    job = spec(name, test_images["busybox"], state="completed", volumes=[f"{tmp_path}:/work"],
               command=["sh", "-c", "test -e /work/ready || { echo 'not ready' >&2; exit 4; }; echo done"])  # fmt: skip
    failed = module("container", job)
    assert failed.failed and "exited with code 4, not 0:\nnot ready" in failed["msg"], failed["msg"]
    assert failed["exit_code"] == 4
    accepted = module("container", {**job, "expected_exit_codes": [0, 4]})
    assert not accepted.failed and accepted["changed"] is False and accepted["exit_code"] == 4
    marker.write_text("")
    retried = module("container", job)
    assert retried["actions"] == ["recreated", "started"]  # a new container: its output is this run's alone
    assert retried["exit_code"] == 0 and retried["stdout"] == "done\n" and retried["stderr"] == ""
    assert module("container", job)["changed"] is False


def test_auto_remove_is_gone_after_it_stops_and_created_again_by_the_next_run(docker_client, name, test_images):
    removed = spec(name, test_images["busybox"], auto_remove=True)
    created = module("container", removed)
    assert created["actions"] == ["created", "started"]
    assert docker_client.api.inspect_container(name)["HostConfig"]["AutoRemove"] is True
    assert module("container", removed)["changed"] is False
    docker_client.api.stop(name, timeout=5)
    try:
        docker_client.api.wait(name, condition="removed")
    except docker.errors.NotFound:  # the daemon removed it before the wait was asked
        pass
    assert module("container", removed)["actions"] == ["created", "started"]


def test_paused_freezes_and_started_thaws_it(docker_client, name, test_images):
    paused = module("container", spec(name, test_images["busybox"], state="paused"))
    assert paused["actions"] == ["created", "started", "paused"] and paused["container"]["paused"] is True
    assert docker_client.api.inspect_container(name)["State"]["Status"] == "paused"
    assert module("container", spec(name, test_images["busybox"], state="paused"))["changed"] is False
    thawed = module("container", spec(name, test_images["busybox"]))
    assert thawed["actions"] == ["unpaused"] and thawed["container"]["paused"] is False
    assert docker_client.api.inspect_container(name)["State"]["Status"] == "running"
    module("container", spec(name, test_images["busybox"], state="paused"))
    stopped = module("container", spec(name, test_images["busybox"], state="stopped"))
    assert stopped["actions"] == ["unpaused", "stopped"]
    assert docker_client.api.inspect_container(name)["State"]["Status"] == "exited"


def test_a_platform_the_image_is_for_is_kept_and_another_is_refused_naming_both(docker_client, name, test_images):
    host = docker_client.api.inspect_image(test_images["busybox"])["Architecture"]  # amd64 here
    first = module("container", spec(name, test_images["busybox"], platform=f"linux/{host}"))
    assert first["changed"] is True and not first.failed, first.get("msg")
    assert module("container", spec(name, test_images["busybox"], platform=f"linux/{host}"))["changed"] is False
    other = "linux/arm64" if host != "arm64" else "linux/amd64"
    refused = module("container", spec(name, test_images["busybox"], platform=other, pull="never"))
    assert refused.failed, refused
    assert f"here is for linux/{host}, and platform asks for {other}" in refused["msg"], refused["msg"]
    assert docker_client.containers.get(name).id == first["container"]["id"]  # untouched
