"""Planning and applying container specs against a fake Docker API (no daemon): what planning asks and
decides, and the calls and payloads the apply step makes from the option table."""

from __future__ import annotations

import copy
import io
import tarfile
import time

import pytest
from docker.errors import NotFound

from ansible_collections.dockyard.docker.plugins.module_utils.container_apply import (
    chosen_port_taken,
    create_payload,
    files_archive,
    update_payload,
)
from ansible_collections.dockyard.docker.plugins.module_utils.container_manager import ContainerManager, not_run
from ansible_collections.dockyard.docker.plugins.module_utils.container_plan import (
    ContainerError,
    on_platform,
    predicted_new,
)
from ansible_collections.dockyard.docker.plugins.module_utils.container_spec import CONTAINER_ARGS, OPTIONS, desired

IMAGE = {"Id": "sha256:img", "Config": {"Env": ["PATH=/bin"], "Cmd": ["sh"]}, "RepoDigests": []}


class FakeEngine:
    """The parts of docker.APIClient the container code calls; every call is recorded."""

    base_url, api_version, timeout = "http+docker://localhost", "1.41", 60

    def __init__(self, containers=None, images=None, networks=("bridge",)):
        self.containers_by_name = {c["Name"].lstrip("/"): c for c in containers or []}
        self.images = dict(images or {"busybox": IMAGE})
        self.networks = set(networks)
        self.calls: list[tuple] = []

    def _record(self, *call):
        self.calls.append(call)

    def mutating_calls(self):
        return [c for c in self.calls if not c[0].startswith("inspect") and c[0] not in ("info", "containers", "logs")]

    def inspect_container(self, name):
        self._record("inspect_container", name)
        for key, container in self.containers_by_name.items():
            if name in (key, container["Id"]):
                return copy.deepcopy(container)
        raise NotFound(f"no container {name}")

    def inspect_image(self, reference):
        self._record("inspect_image", reference)
        for key, image in self.images.items():
            if reference in (key, image["Id"]) or reference.endswith(f"/{key}:latest"):
                return image
        raise NotFound(f"no image {reference}")

    def inspect_network(self, name):
        if name not in self.networks:
            raise NotFound(name)
        return {"Name": name}

    def info(self):
        return {"SwapLimit": True}

    def containers(self, all=False, filters=None):
        self._record("containers", filters)
        label = (filters or {}).get("label", "")
        return [{"Names": [f"/{n}"], "Id": c["Id"]} for n, c in self.containers_by_name.items()
                if label.partition("=")[0] in (c["Config"].get("Labels") or {})]  # fmt: skip

    def pull(self, name, tag=None, **kwargs):
        self._record("pull", name)
        self.images[f"{name}:{tag}"] = {**IMAGE, "Id": "sha256:pulled"}
        return iter([{"status": "Downloaded newer image"}])

    def create_container_from_config(self, payload, name):
        self._record("create", name, payload)
        container = {"Id": f"id-{name}-{len(self.calls)}", "Name": f"/{name}", "Image": IMAGE["Id"],
                     "Config": {"Env": payload.get("Env"), "Labels": payload.get("Labels")},
                     "HostConfig": payload["HostConfig"], "State": {"Running": False},
                     "NetworkSettings": {"Networks": {}}}  # fmt: skip
        self.containers_by_name[name] = container
        return {"Id": container["Id"], "Warnings": []}

    def start(self, container_id):
        self._record("start", container_id)
        for container in self.containers_by_name.values():
            if container["Id"] == container_id:
                container["State"] = {"Running": True, "Status": "running"}

    def logs(self, container_id, **which):
        self._record("logs", container_id)
        return b""

    def request(self, method, url, json=None, **kwargs):
        self._record("request", method, url.removeprefix(f"{self.base_url}/v{self.api_version}"), json)

        class Answer:
            def raise_for_status(self):
                return None

        return Answer()

    def __getattr__(self, name):
        # start, stop, rename, remove_container, connect/disconnect...: recorded, no answer needed
        return lambda *args, **kwargs: self._record(name, *args)


def params(**given):
    result = {name: spec.get("default") for name, spec in CONTAINER_ARGS.items()}
    return {**result, "name": "web", "image": "busybox", **given}


def existing(**host_config):
    return {"Id": "id-web", "Name": "/web", "Image": IMAGE["Id"], "State": {"Running": True},
            "Config": {"Env": ["PATH=/bin", "A=1"], "Cmd": ["sh"], "Labels": {}},
            "HostConfig": {"CpuShares": 512, "RestartPolicy": {"Name": "always"}, **host_config},
            "NetworkSettings": {"Networks": {"front": {"Aliases": ["web"]}}}}  # fmt: skip


def run(engine, **given):
    spec = params(**given)
    manager = ContainerManager(engine)
    plan = manager.plan(spec, desired(spec))
    planned_calls = engine.mutating_calls()
    manager.act(plan)
    return plan, planned_calls


def test_every_option_of_the_table_is_an_argument_and_lands_where_the_api_keeps_it():
    assert {o.name for o in OPTIONS if o.spec} <= set(CONTAINER_ARGS)
    given = {"cpu_shares": 512, "memory": "64m", "env": {"A": 1}, "ports": ["8080:80"], "expose": ["9000"],
             "log_options": {"max-size": "10m"}, "volumes": ["/data", "/srv:/srv:ro"], "read_only": True}  # fmt: skip
    want = desired(params(**given))
    payload = create_payload(want, "busybox", "bridge")
    host = payload["HostConfig"]
    assert host["CpuShares"] == 512 and host["Memory"] == 64 << 20 and host["ReadonlyRootfs"] is True
    assert host["PortBindings"] == {"80/tcp": [{"HostIp": "", "HostPort": "8080"}]}
    assert host["LogConfig"] == {"Config": {"max-size": "10m"}} and host["Binds"] == ["/srv:/srv:ro"]
    assert host["NetworkMode"] == "bridge"
    assert payload["Env"] == ["A=1"] and payload["Volumes"] == {"/data": {}}
    assert payload["ExposedPorts"] == {"80/tcp": {}, "9000/tcp": {}}


def test_the_update_payload_holds_only_what_docker_update_changes_by_its_api_names():
    want = desired(params(cpus=1.5, memory="256m", env={"A": 1}, restart_policy="always"))
    current = {"HostConfig": {"MemorySwap": 128 << 20}}
    assert update_payload(want, current) == {
        "NanoCpus": 1_500_000_000, "Memory": 256 << 20, "MemorySwap": 512 << 20,
        "RestartPolicy": {"Name": "always", "MaximumRetryCount": 0},
    }  # fmt: skip


def test_a_new_container_is_created_and_started_and_planning_changed_nothing():
    engine = FakeEngine()
    plan, planned_calls = run(engine, cpu_shares=256)
    assert planned_calls == []
    assert plan.steps == ["created", "started"]
    (create,) = [c for c in engine.calls if c[0] == "create"]
    assert create[2]["HostConfig"]["CpuShares"] == 256
    assert ("start", plan.after["Id"]) in engine.calls


def test_a_container_that_holds_the_spec_gets_no_call():
    engine = FakeEngine([existing()])
    same = {"cpu_shares": 512, "restart_policy": "always", "env": {"A": 1},
            "networks": [{"name": "front", "aliases": ["web"]}]}  # fmt: skip
    plan, _planned = run(engine, **same)
    assert plan.steps == [] and plan.differences == []
    assert engine.mutating_calls() == []


def test_an_updatable_option_is_changed_in_place():
    engine = FakeEngine([existing()])
    plan, _planned = run(engine, cpu_shares=1024)
    assert plan.steps == ["updated"]
    assert engine.mutating_calls() == [("request", "POST", "/containers/id-web/update", {"CpuShares": 1024})]


def test_a_changed_env_recreates_with_the_old_container_aside_until_the_new_one_runs():
    engine = FakeEngine([existing()])
    plan, _planned = run(engine, env={"A": 2})
    assert plan.steps == ["recreated", "started"]
    names = [c[0] for c in engine.mutating_calls()]
    assert names == ["stop", "rename", "create", "start", "remove_container"]


def test_network_changes_are_planned_once_and_carried_to_the_apply_step():
    engine = FakeEngine([existing()], networks=("bridge", "front", "back"))
    plan, _planned = run(engine, networks=[{"name": "back", "aliases": ["api"]}])
    assert plan.steps == ["reconnected"]
    assert [e["name"] for e in plan.connect] == ["back"] and plan.disconnect == ["front"]
    assert [c[:3] for c in engine.mutating_calls()] == [
        ("disconnect_container_from_network", "id-web", "front"),
        ("connect_container_to_network", "id-web", "back"),
    ]


def test_a_missing_image_is_pulled_by_the_apply_step_not_by_planning():
    engine = FakeEngine(images={})
    plan, planned_calls = run(engine, image="registry.example.com/team/app:1")
    assert planned_calls == [] and plan.pull == "registry.example.com/team/app:1"
    assert [c[0] for c in engine.mutating_calls()][:2] == ["pull", "create"]
    assert plan.image["Id"] == "sha256:pulled"


def test_check_mode_makes_no_call_at_all():
    engine = FakeEngine([existing()])
    spec = params(env={"A": 2})
    manager = ContainerManager(engine, check_mode=True)
    plan = manager.plan(spec, desired(spec))
    manager.act(plan)
    assert plan.steps == ["recreated", "started"] and engine.mutating_calls() == []


def test_the_diff_of_a_container_to_create_shows_what_it_is_created_with():
    engine = FakeEngine()
    spec = params(cpu_shares=256, env={"A": 1}, ports=["8080:80"])
    plan = ContainerManager(engine, check_mode=True).plan(spec, desired(spec))
    diff = plan.diff()
    assert diff["before"] == {"exists": False}
    assert diff["after"]["exists"] is True and diff["after"]["image"] == "busybox"
    assert (diff["after"]["cpu_shares"], diff["after"]["env"], diff["after"]["ports"]) == (256, {"A": 1}, ["8080:80"])
    assert "memory" not in diff["after"]  # options the task leaves unset are not shown


def test_leftovers_are_found_by_planning_and_removed_only_by_prune():
    engine = FakeEngine([{**existing(), "Config": {"Labels": {"dockyard.docker.group": "g"}}}])
    manager = ContainerManager(engine)
    leftovers = manager.leftovers("dockyard.docker.group", "g", keep=set())
    assert leftovers == {"web": "id-web"} and engine.mutating_calls() == []
    manager.prune(leftovers, remove_volumes=True)
    assert engine.mutating_calls() == [("remove_container", "id-web")]


@pytest.mark.parametrize("option", [o.name for o in OPTIONS if o.update])
def test_each_updatable_option_has_a_hostconfig_name(option):
    assert next(o for o in OPTIONS if o.name == option).api.startswith("HostConfig.")


def exited(code, **config):
    return {**existing(), "State": {"Running": False, "Status": "exited", "ExitCode": code,
                                    "StartedAt": "2026-11-27T08:00:00.5Z"},
            "Config": {"Env": ["PATH=/bin", "A=1"], "Cmd": ["sh"], "Labels": {}, **config}}  # fmt: skip


@pytest.mark.parametrize(
    ("held", "steps"), [(exited(0), []), (exited(3), ["recreated", "started"]), (None, ["created", "started"])]
)
def test_completed_runs_once_and_again_in_a_new_container_only_after_an_unexpected_exit(held, steps):
    engine = FakeEngine([held] if held else [])
    spec = params(state="completed")
    plan = ContainerManager(engine, check_mode=True).plan(spec, desired(spec))
    assert plan.steps == steps
    assert exited(3)["State"]["ExitCode"] not in spec["expected_exit_codes"]


class ExitingEngine(FakeEngine):
    """A container that has exited with ``code`` by the time the start call returns."""

    def __init__(self, code, **kwargs):
        super().__init__(**kwargs)
        self.code = code

    def start(self, container_id):
        self._record("start", container_id)
        for container in self.containers_by_name.values():
            if container["Id"] == container_id:
                container["State"] = {"Running": False, "Status": "exited", "ExitCode": self.code,
                                      "StartedAt": "2026-11-27T08:00:00.123456789Z"}  # fmt: skip
                container["Config"]["Cmd"] = ["sh"]

    def logs(self, container_id, stdout=True, stderr=True, **kwargs):
        self._record("logs", container_id, stdout, stderr, kwargs)
        return (b"out\n" if stdout else b"") + (b"boom\n" if stderr else b"")


def test_a_started_container_that_exited_non_zero_fails_with_its_code_and_last_log_lines():
    engine = ExitingEngine(3)
    with pytest.raises(ContainerError, match=r"(?s)'web' exited right after it was started .*exit code 3.*boom"):
        run(engine)


def test_a_lone_shell_that_exited_at_once_is_a_warning_that_names_tty():
    engine = ExitingEngine(0)
    spec = params()
    manager = ContainerManager(engine)
    manager.act(manager.plan(spec, desired(spec)))
    assert len(manager.warnings) == 1 and "set tty and interactive (docker run -dit)" in manager.warnings[0]


def test_completed_returns_this_runs_output_and_fails_on_an_unexpected_code():
    engine = ExitingEngine(0)
    plan, _planned = run(engine, state="completed")
    result = plan.result()
    assert result["exit_code"] == 0 and result["stdout"] == "out\n" and result["stderr"] == "boom\n"
    with pytest.raises(ContainerError, match=r"(?s)'web' exited with code 2, not 0 or 1:\nboom"):
        run(ExitingEngine(2), state="completed", expected_exit_codes=[0, 1])
    accepted, _planned = run(ExitingEngine(2), state="completed", expected_exit_codes=[0, 2])
    assert accepted.result()["exit_code"] == 2


@pytest.mark.parametrize(
    ("state", "actions"),
    [("started", ["created", "started"]), ("paused", ["created", "started", "paused"]), ("present", ["created"]),
     ("completed", ["created", "started"]), ("absent", [])],
)  # fmt: skip
def test_a_host_without_a_daemon_predicts_every_container_as_new(state, actions):
    predicted = predicted_new(params(state=state))
    assert predicted["actions"] == actions and predicted["changed"] is bool(actions)
    assert ("exit_code" in predicted) is (state == "completed")


class SlowEngine(FakeEngine):
    """Creating ``slow`` takes a moment, so that a worker that does not wait for it would go first."""

    def create_container_from_config(self, payload, name):
        if name == "slow":
            time.sleep(0.2)
        if name == "broken":
            raise ContainerError("broken: no such thing")
        return super().create_container_from_config(payload, name)


def plans_for(manager, *specs):
    return [manager.plan(spec, desired(spec)) for spec in (params(**given) for given in specs)]


def test_workers_act_at_once_but_a_spec_waits_for_the_container_it_names():
    engine = SlowEngine()
    manager = ContainerManager(engine)
    plans = plans_for(manager, {"name": "slow"}, {"name": "app", "volumes_from": ["slow"]}, {"name": "other"})
    outcomes = manager.act_all(plans, workers=3)
    assert [(plan.name, error, why) for plan, error, why in outcomes] == [
        ("slow", None, None), ("app", None, None), ("other", None, None)]  # fmt: skip
    creates = [call[1] for call in engine.calls if call[0] == "create"]
    assert creates.index("other") < creates.index("slow") < creates.index("app")


def test_after_a_failure_no_new_spec_starts_and_each_says_why():
    engine = SlowEngine()
    manager = ContainerManager(engine)
    plans = plans_for(manager, {"name": "broken"}, {"name": "later"}, {"name": "user", "volumes_from": ["broken"]})
    outcomes = manager.act_all(plans, workers=1)
    assert [(plan.name, error, why) for plan, error, why in outcomes] == [
        ("broken", "broken: no such thing", None),
        ("later", None, "stopped after broken failed"),
        ("user", None, "stopped after broken failed"),
    ]
    assert not [call for call in engine.calls if call[0] == "create"]
    assert not_run(plans[1], "stopped after broken failed")["actions"] == []


def test_files_given_by_value_are_archived_at_their_paths_with_their_mode_and_owner():
    data = files_archive([{"path": "/run/secrets/token", "content": "t-1", "mode": 0o400, "uid": 1000, "gid": 0}])
    with tarfile.open(fileobj=io.BytesIO(data)) as archive:
        (member,) = archive.getmembers()
        assert (member.name, member.mode, member.uid, member.gid) == ("run/secrets/token", 0o400, 1000, 0)
        assert archive.extractfile(member).read() == b"t-1"


@pytest.mark.parametrize(
    ("image", "platform", "matches"),
    [({"Os": "linux", "Architecture": "amd64"}, "linux/amd64", True),
     ({"Os": "linux", "Architecture": "amd64"}, "linux/x86_64", True),
     ({"Os": "linux", "Architecture": "arm64"}, "linux/arm64/v8", True),
     ({"Os": "linux", "Architecture": "arm", "Variant": "v7"}, "linux/arm/v6", False),
     ({"Os": "linux", "Architecture": "arm", "Variant": "v7"}, "linux/arm", True),
     ({"Os": "linux", "Architecture": "amd64"}, "linux/arm64", False)],
)  # fmt: skip
def test_an_image_is_for_a_platform_as_docker_names_it(image, platform, matches):
    assert on_platform(image, platform) is matches


# What Docker 20.10 answered in CI when the ten ports it chose after another were all taken.
PORT_TAKEN = (
    "driver failed programming external connectivity on endpoint web (b32a2add): Error starting userland proxy: "
    "listen tcp4 0.0.0.0:32777: bind: address already in use"
)


DOCKER_28 = (
    "failed to set up container networking: driver failed programming external connectivity on endpoint web (60c6): "
    "failed to bind host port for 127.0.0.2:{host}:198.19.250.72:80/tcp: address already in use"
)


@pytest.mark.parametrize(
    ("message", "ports", "again"),
    [
        (PORT_TAKEN, [], True),  # publish_all_ports
        (PORT_TAKEN, [("80/tcp", "", "")], True),
        (PORT_TAKEN, [("80/tcp", "", "32770-32790")], True),  # Docker chose within the task's range
        (PORT_TAKEN, [("80/tcp", "", "32777")], False),  # the task named the port: something else holds it
        (PORT_TAKEN.replace("tcp4", "udp6"), [("53/udp", "", "")], True),
        ("Bind for 0.0.0.0:8080 failed: port is already allocated", [("80/tcp", "", "8080")], False),
        ("OCI runtime create failed", [], False),
        # Docker 28 names the binding; an empty host port is one it chose.
        (DOCKER_28.format(host=""), [("80/tcp", "127.0.0.2", "")], True),
        (DOCKER_28.format(host="8080"), [("80/tcp", "", "8080")], False),
    ],
)
def test_a_start_is_made_again_only_when_a_port_docker_chose_was_taken(message, ports, again):
    assert chosen_port_taken(message, ports) is again
