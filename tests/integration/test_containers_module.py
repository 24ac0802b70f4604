"""containers: twenty specs reconciled in one call; second run unchanged; one edit changes one; prune is label-bound."""

from __future__ import annotations

import uuid

import pytest

from ansible_run import local_module as module
from local_docker import TRAP

pytestmark = pytest.mark.image_stores  # run again on containerd's image store (scripts/test store)

COUNT = 20


@pytest.fixture
def group(docker_client):
    value = f"dy-set-{uuid.uuid4().hex[:6]}"
    yield value
    for container in docker_client.containers.list(all=True, filters={"name": value}):
        container.remove(force=True, v=True)


def fleet(group, image, bind, count=COUNT):
    specs = [
        {"name": f"{group}-{i:02d}", "ports": ["127.0.0.1::80"], "env": {"INDEX": str(i)}, "labels": {"index": str(i)}}
        for i in range(count)
    ]
    defaults = {
        "image": image, "command": TRAP, "stop_timeout": 2, "restart_policy": "unless-stopped",
        "volumes": [f"{bind}:/config:ro"],
    }  # fmt: skip
    return {"group": group, "prune": True, "defaults": defaults, "containers": specs}


@pytest.mark.smoke
def test_twenty_specs_create_rerun_edit_one_and_prune(docker_client, group, test_images, tmp_path):
    args = fleet(group, test_images["busybox"], tmp_path)
    created = module("containers", args)
    assert created["changed"] is True
    assert [r["actions"] for r in created["results"]] == [["created", "started"]] * COUNT
    ports = {r["container"]["ports"]["80/tcp"][0]["host_port"] for r in created["results"]}
    assert len(ports) == COUNT  # each got its own dynamic host port

    again = module("containers", args)
    assert again["changed"] is False
    assert [r for r in again["results"] if r["changed"]] == []

    args["containers"][7]["env"]["INDEX"] = "seven"
    edited = module("containers", args, diff=True)
    assert [r["name"] for r in edited["results"] if r["changed"]] == [f"{group}-07"]
    assert list(edited["diff"]["after"]) == [f"{group}-07"]

    # Leftovers: two specs dropped from the list, one container of another set, one unlabelled.
    other = docker_client.containers.create(test_images["busybox"], "true", name=f"{group}-other",
                                            labels={"dockyard.docker.group": f"{group}-else"})  # fmt: skip
    unlabelled = docker_client.containers.create(test_images["busybox"], "true", name=f"{group}-unlabelled")
    dropped = args["containers"][-2:]
    args["containers"] = args["containers"][:-2]
    predicted = module("containers", args, check=True)
    assert predicted["pruned"] == sorted(d["name"] for d in dropped) and predicted["changed"] is True
    pruned = module("containers", args)
    assert pruned["pruned"] == sorted(d["name"] for d in dropped)
    left = {c.name for c in docker_client.containers.list(all=True, filters={"name": group})}
    assert left == {s["name"] for s in args["containers"]} | {other.name, unlabelled.name}


def test_a_bad_spec_anywhere_touches_nothing(docker_client, group, test_images, tmp_path):
    args = fleet(group, test_images["busybox"], tmp_path, count=3)
    args["containers"][2]["ports"] = ["eighty"]
    result = module("containers", args)
    assert result.failed
    assert result["msg"].startswith(f"containers[2] ({group}-02): ports: 'eighty'")
    assert not docker_client.containers.list(all=True, filters={"name": group})
    args["containers"][2]["ports"] = ["80"]
    args["containers"][1]["volumes_from"] = [f"{group}-nobody"]
    result = module("containers", args)
    assert result.failed and f"volumes_from: no container '{group}-nobody'" in result["msg"]
    assert not docker_client.containers.list(all=True, filters={"name": group})


def test_prune_needs_a_group_and_names_are_unique(test_images, tmp_path):
    spec = {"name": "dy-set-x", "image": test_images["busybox"]}
    no_group = module("containers", {"containers": [spec], "prune": True})
    assert no_group.failed and "group" in no_group["msg"]
    twice = module("containers", {"containers": [spec, spec]})
    assert twice.failed and "'dy-set-x' is listed twice" in twice["msg"]


def test_a_spec_may_use_the_volumes_of_one_listed_before_it(docker_client, group, test_images):
    source = {"name": f"{group}-data", "volumes": ["/shared"], "command": TRAP}
    reader = {"name": f"{group}-reader", "volumes_from": [f"{group}-data:ro"], "command": TRAP}
    args = {"defaults": {"image": test_images["busybox"], "stop_timeout": 2}, "containers": [source, reader]}
    created = module("containers", args)
    assert not created.failed, created.get("msg")
    assert [r["actions"] for r in created["results"]] == [["created", "started"]] * 2
    assert module("containers", args)["changed"] is False
    # Listed after the container that needs it, it would not exist yet when that one is created.
    late_source = {**source, "name": f"{group}-late"}
    early_reader = {**reader, "name": f"{group}-early", "volumes_from": [f"{group}-late"]}
    backwards = module("containers", {**args, "containers": [early_reader, late_source]})
    assert backwards.failed and f"volumes_from: no container '{group}-late'" in backwards["msg"]
    assert not docker_client.containers.list(all=True, filters={"name": f"{group}-early"})


def test_workers_keep_the_input_order_honour_references_and_report_a_failure_for_every_spec(
    docker_client, group, test_images
):
    data = {"name": f"{group}-data", "command": ["true"], "volumes": ["/shared"], "state": "present"}
    users = [{"name": f"{group}-user-{i}", "volumes_from": [f"{group}-data"]} for i in range(5)]
    args = {"defaults": {"image": test_images["busybox"], "command": TRAP, "stop_timeout": 2},
            "containers": [data, *users], "parallel": 3}  # fmt: skip
    created = module("containers", args)
    assert [r["name"] for r in created["results"]] == [data["name"]] + [u["name"] for u in users]
    assert all(r["container"]["running"] for r in created["results"][1:])
    assert module("containers", args)["changed"] is False
    broken = {"name": f"{group}-broken", "command": ["/no/such/binary"]}
    after = [{"name": f"{group}-after-{i}", "volumes_from": [f"{group}-broken"]} for i in range(3)]
    failed = module("containers", {**args, "containers": [broken, *after], "parallel": 1})
    assert failed.failed and f"({group}-broken)" in failed["msg"] and "no/such/binary" in failed["msg"]
    outcomes = {r["name"]: r for r in failed["results"]}
    assert outcomes[f"{group}-broken"]["failed"] is True
    assert {outcomes[a["name"]]["not_run"] for a in after} == {f"stopped after {group}-broken failed"}
    assert not docker_client.containers.list(all=True, filters={"name": f"{group}-after"})
