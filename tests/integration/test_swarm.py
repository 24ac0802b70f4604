"""playbooks/swarm.yml on five booted Debian 12 hosts with Debian's docker.io, reached over SSH: three managers
and two workers formed, grown, reshaped and shrunk, each change checked in what `docker node ls` and
`docker service ps` show on a manager; then a Compose project deployed to the swarm as a stack (the stack module),
checked in what `docker stack services` lists and in what its services answer on every node. The hosts are shared
by the tests of this module, which run in order."""

from __future__ import annotations

import shlex
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
import yaml

from ansible_run import ROOT, recap_all, run_module, run_playbook
from testbed.hosts import ssh_command

PLAYBOOK = ROOT / "playbooks" / "swarm.yml"
# What `docker node ls` shows for a manager; the leader may change between runs.
MANAGING = ("Leader", "Reachable")


class Swarm:
    """The five hosts, the inventory the tests reshape, and the view from a manager."""

    def __init__(self, hosts, key: Path, work: Path):
        self.hosts, self.key, self.work = hosts, key, work
        self.names = [h.name for h in hosts]
        self.managers, self.workers = self.names[:3], self.names[3:]
        self.host_vars: dict[str, dict] = {n: {} for n in self.names}
        self.unlock_key = work / "secrets" / "swarm-unlock.key"

    def inventory(self, managers: list[str], workers: list[str]) -> Path:
        by_name = {h.name: h for h in self.hosts}

        def group(names):
            return {"hosts": {n: {**by_name[n].inventory_vars(self.key), **self.host_vars[n]} for n in names}}

        path = self.work / "swarm.yml"
        path.write_text(yaml.safe_dump({"all": {"children": {
            "swarm_managers": group(managers), "swarm_workers": group(workers)}}}))  # fmt: skip
        return path

    def run(self, managers=None, workers=None, check=False, **extra):
        inventory = self.inventory(managers or self.managers, workers if workers is not None else self.workers)
        extra = {"swarm_autolock": True, "swarm_unlock_key_file": str(self.unlock_key), **extra}
        return run_playbook(PLAYBOOK, inventory=inventory, extra_vars=extra, check=check, diff=check)

    def sh(self, name: str, command: str) -> str:
        host = next(h for h in self.hosts if h.name == name)
        argv = ssh_command(host, self.key, "sudo", "sh", "-c", shlex.quote(command))
        done = subprocess.run(argv, capture_output=True, text=True, check=False, timeout=120)
        assert done.returncode == 0, f"{name}: {command}: {done.stderr}"
        return done.stdout.strip()

    def nodes(self, manager: str | None = None) -> dict[str, dict]:
        """hostname -> {role, availability, manager status, labels} as `docker node ls` / `node inspect` show."""
        manager = manager or self.managers[0]
        listing = self.sh(manager, "docker node ls --format '{{.Hostname}} {{.ID}} {{.Status}} {{.Availability}} "
                                   "{{.ManagerStatus}}'")  # fmt: skip
        found = {}
        for line in listing.splitlines():
            hostname, node_id, status, availability, *manager_status = line.split()
            labels = self.sh(manager, f"docker node inspect {node_id} --format '{{{{json .Spec.Labels}}}}'")
            found[hostname] = {"status": status, "availability": availability, "labels": yaml.safe_load(labels),
                               "manager": " ".join(manager_status) or None}  # fmt: skip
        return found

    def membership(self, name: str) -> str:
        return self.sh(name, "docker info --format '{{.Swarm.LocalNodeState}}'")


@pytest.fixture(scope="module")
def swarm(start_hosts, ssh_key, load_busybox, tmp_path_factory):
    hosts, inventory = start_hosts("debian12", 5, docker_io=True)
    load_busybox(inventory)
    return Swarm(hosts, ssh_key, tmp_path_factory.mktemp("swarm"))


def test_three_managers_and_a_worker_form_a_swarm_and_a_second_run_changes_nothing(swarm):
    swarm.host_vars[swarm.workers[0]] = {"swarm_node_labels": {"disk": "ssd", "zone": "a"}}
    first = swarm.run(workers=swarm.workers[:1])
    assert first.returncode == 0, first.stdout + first.stderr
    assert "0 managers (tolerating 0 failures) -> 3 managers (tolerating 1 failure)." in first.stdout, first.stdout
    nodes = swarm.nodes()
    assert sorted(nodes) == sorted(swarm.managers + swarm.workers[:1])
    assert sorted(n["manager"] for n in nodes.values() if n["manager"]) == ["Leader", "Reachable", "Reachable"]
    labelled = {"status": "Ready", "availability": "Active", "labels": {"disk": "ssd", "zone": "a"}, "manager": None}
    assert nodes[swarm.workers[0]] == labelled
    # Autolock: the key is on the controller, for the user's vault.
    assert swarm.unlock_key.stat().st_mode & 0o777 == 0o600
    assert swarm.unlock_key.read_text().startswith("SWMKEY-1-")
    assert (
        swarm.sh(swarm.managers[0], "docker info --format '{{.Swarm.Cluster.Spec.EncryptionConfig.AutoLockManagers}}'")
        == "true"
    )

    again = swarm.run(workers=swarm.workers[:1])
    assert again.returncode == 0, again.stdout
    assert all(counts["changed"] == 0 for counts in recap_all(again.stdout).values()), again.stdout


def test_check_mode_predicts_a_join_and_the_run_adds_the_worker(swarm):
    newcomer = swarm.workers[1]
    predicted = swarm.run(check=True)
    assert predicted.returncode == 0, predicted.stdout + predicted.stderr
    assert recap_all(predicted.stdout)[newcomer]["changed"] >= 1, predicted.stdout
    assert f"Joining as workers: {newcomer}" in predicted.stdout
    assert swarm.membership(newcomer) == "inactive"

    added = swarm.run()
    assert added.returncode == 0, added.stdout
    assert swarm.membership(newcomer) == "active"
    assert swarm.nodes()[newcomer]["status"] == "Ready"


def test_a_change_leaving_two_of_three_managers_is_refused_before_anything_changes(swarm):
    demoted = swarm.managers[2]
    refused = swarm.run(managers=swarm.managers[:2], workers=[*swarm.workers, demoted])
    assert refused.returncode != 0
    assert "would leave 2 managers (tolerating 0 failures), now 3 managers (tolerating 1 failure)" in refused.stdout
    assert swarm.nodes()[demoted]["manager"] in MANAGING


def test_a_change_that_keeps_three_managers_goes_through(swarm):
    """One manager demoted and one worker promoted in one run: the promotion comes first, so the managers keep
    their majority at every step."""
    out_, in_ = swarm.managers[2], swarm.workers[0]
    managers, workers = [*swarm.managers[:2], in_], [out_, swarm.workers[1]]
    swapped = swarm.run(managers=managers, workers=workers)
    assert swapped.returncode == 0, swapped.stdout
    nodes = swarm.nodes()
    assert nodes[in_]["manager"] in MANAGING and nodes[out_]["manager"] is None
    swarm.managers, swarm.workers = managers, workers
    again = swarm.run()
    assert all(counts["changed"] == 0 for counts in recap_all(again.stdout).values()), again.stdout


def test_a_restarted_manager_locked_by_autolock_is_unlocked(swarm):
    manager = swarm.managers[1]
    swarm.sh(manager, "systemctl restart docker")
    assert swarm.membership(manager) == "locked"
    unlocked = swarm.run()
    assert unlocked.returncode == 0, unlocked.stdout
    assert swarm.membership(manager) == "active"
    assert swarm.nodes(manager)[manager]["manager"] in MANAGING


def test_a_leaving_worker_is_drained_first_then_removed(swarm, test_images):
    leaving = swarm.workers[0]
    manager = swarm.managers[0]
    swarm.sh(manager, f"docker service create -d --name trap --replicas 4 {test_images['busybox']} "
                      "sh -c 'trap \"exit 0\" TERM; sleep 3600 & wait'")  # fmt: skip
    deadline = time.monotonic() + 60
    while swarm.sh(manager, "docker service ls --filter name=trap --format '{{.Replicas}}'") != "4/4":
        assert time.monotonic() < deadline, swarm.sh(manager, "docker service ps trap")
        time.sleep(1)
    swarm.host_vars[leaving] = {"swarm_state": "absent"}
    taken_out = swarm.run()
    assert taken_out.returncode == 0, taken_out.stdout
    assert f"Leaving: {leaving}" in taken_out.stdout
    assert leaving not in swarm.nodes()
    assert swarm.membership(leaving) == "inactive"
    running = swarm.sh(
        manager, "docker service ps trap --filter desired-state=running --format '{{.Node}} {{.CurrentState}}'"
    )
    assert len(running.splitlines()) == 4 and leaving not in running, running
    assert all(line.split()[1] == "Running" for line in running.splitlines()), running
    again = swarm.run()
    assert all(counts["changed"] == 0 for counts in recap_all(again.stdout).values()), again.stdout


SHOP = """
services:
  web:
    image: {image}
    command: ["sh", "-c", "mkdir -p /www && cat /run/secrets/token /etc/app.conf > /www/index.html
              && httpd -f -p 8080 -h /www"]
    secrets: [token]
    configs: [{{source: app, target: /etc/app.conf}}]
    ports: [{{target: 8080, published: 18080, mode: host}}]
    deploy: {{mode: global, endpoint_mode: dnsrr}}
  worker:
    image: {image}
    command: ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"]
    environment: {{QUEUE: jobs}}
    deploy:
      replicas: 2
      update_config: {{parallelism: 1, order: start-first}}
  api:
    image: {image}
    command: ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"]
    ports: ["18081:80"]
    deploy: {{resources: {{limits: {{cpus: "0.5", memory: 64m}}}}}}
secrets:
  token: {{file: ./token.txt}}
configs:
  app: {{content: "mode=test"}}
"""


@pytest.fixture(scope="module")
def shop(swarm, test_images, tmp_path_factory) -> Path:
    """A Compose project on the controller, with a secret file and a config, for the stack module."""
    project = tmp_path_factory.mktemp("shop")
    (project / "compose.yaml").write_text(SHOP.format(image=test_images["busybox"]))
    (project / "token.txt").write_text("s3cret\n")
    return project


def deploy(swarm, project: Path, check: bool = False, **args):
    manager = swarm.managers[0]
    inventory = swarm.inventory(swarm.managers, swarm.workers)
    return run_module("dockyard.docker.stack", {"name": "shop", "project_src": str(project), **args},
                      inventory=inventory, hosts=manager, become=True, check=check, diff=check)[manager]  # fmt: skip


def answers(swarm, port: int) -> dict[str, str]:
    """What each node in the swarm answers on a host-mode port."""
    nodes = [h for h in swarm.hosts if swarm.membership(h.name) == "active"]
    return {h.name: urllib.request.urlopen(f"http://{h.address}:{port}/", timeout=5).read().decode() for h in nodes}


def test_a_stack_deploys_answers_on_every_node_and_a_second_run_changes_nothing(swarm, shop):
    deployed = deploy(swarm, shop)
    assert not deployed.failed, deployed.get("msg")
    assert deployed["services"] == {"shop_web": "created", "shop_worker": "created", "shop_api": "created"}
    listed = swarm.sh(swarm.managers[0], "docker stack services shop --format '{{.Name}} {{.Mode}} {{.Replicas}}'")
    assert sorted(listed.splitlines()) == [
        "shop_api replicated 1/1",
        "shop_web global 4/4",
        "shop_worker replicated 2/2",
    ]
    served = answers(swarm, 18080)
    assert len(served) == 4 and set(served.values()) == {"s3cret\nmode=test"}, served
    # The VIP service and its ingress port are made as asked, though this kernel (no IPVS) carries no traffic there.
    endpoint = swarm.sh(swarm.managers[0], "docker service inspect shop_api --format '{{json .Endpoint.Ports}}'")
    assert yaml.safe_load(endpoint)[0] | {"PublishMode": "ingress"} == {
        "Protocol": "tcp", "TargetPort": 80, "PublishedPort": 18081, "PublishMode": "ingress"}  # fmt: skip

    again = deploy(swarm, shop)
    assert again["changed"] is False and set(again["services"].values()) == {"unchanged"}, again["actions"]


def test_an_edit_updates_only_that_service_and_a_new_secret_version_replaces_the_old(swarm, shop):
    compose = shop / "compose.yaml"
    compose.write_text(compose.read_text().replace("QUEUE: jobs", "QUEUE: urgent"))
    predicted = deploy(swarm, shop, check=True)
    assert predicted["changed"] and predicted["services"]["shop_worker"] == "updated"
    assert predicted["diff"]["after"]["shop_worker"]["TaskTemplate"]["ContainerSpec"]["Env"] == ["QUEUE=urgent"]
    assert predicted["diff"]["before"]["shop_worker"]["TaskTemplate"]["ContainerSpec"]["Env"] == ["QUEUE=jobs"]
    updated = deploy(swarm, shop)
    assert updated["services"] == {"shop_web": "unchanged", "shop_worker": "updated", "shop_api": "unchanged"}
    env = swarm.sh(
        swarm.managers[0], "docker service inspect shop_worker --format '{{json .Spec.TaskTemplate.ContainerSpec.Env}}'"
    )
    assert yaml.safe_load(env) == ["QUEUE=urgent"]

    (shop / "token.txt").write_text("n3w\n")
    rotated = deploy(swarm, shop)
    assert rotated["services"]["shop_web"] == "updated", rotated["actions"]
    assert any(
        a.startswith("secret shop_token_") and a.endswith("removed (an older version)") for a in rotated["actions"]
    )
    assert set(answers(swarm, 18080).values()) == {"n3w\nmode=test"}
    assert (
        len(swarm.sh(swarm.managers[0], "docker secret ls --filter label=com.docker.stack.namespace=shop -q").split())
        == 1
    )


def test_a_service_that_cannot_start_fails_the_task_with_the_engines_error(swarm, shop):
    broken = shop.parent / "broken"
    broken.mkdir()
    (broken / "compose.yaml").write_text("services:\n  ghost:\n    image: dockyard-testbed/no-such-image:1\n")
    failed = run_module("dockyard.docker.stack", {"name": "broken", "project_src": str(broken), "wait_timeout": 120},
                        inventory=swarm.inventory(swarm.managers, swarm.workers), hosts=swarm.managers[0],
                        become=True)[swarm.managers[0]]  # fmt: skip
    assert failed.failed
    assert "broken_ghost: task rejected" in failed["msg"] and "No such image" in failed["msg"], failed["msg"]
    inventory = swarm.inventory(swarm.managers, swarm.workers)
    removed = run_module("dockyard.docker.stack", {"name": "broken", "state": "absent"}, inventory=inventory,
                         hosts=swarm.managers[0], become=True)  # fmt: skip
    assert removed[swarm.managers[0]]["changed"]


def answering(swarm, port: int) -> dict[str, str]:
    """What the nodes that serve a host-mode port answer on it (those that run none of its tasks refuse)."""
    found = {}
    for host in swarm.hosts:
        try:
            found[host.name] = urllib.request.urlopen(f"http://{host.address}:{port}/", timeout=5).read().decode()
        except OSError:
            continue
    return found


def lone(swarm, args: dict, check: bool = False):
    manager = swarm.managers[0]
    return run_module("dockyard.docker.swarm_service", args, inventory=swarm.inventory(swarm.managers, swarm.workers),
                      hosts=manager, become=True, check=check, diff=check)[manager]  # fmt: skip


def test_a_lone_service_on_the_swarms_network_and_secret_answers_and_changes_only_when_edited(swarm, test_images):
    manager = swarm.managers[0]
    swarm.sh(manager, "docker network create -d overlay lone_front")
    swarm.sh(manager, "printf 'lone\\n' | docker secret create lone_key -")
    definition = {
        "image": test_images["busybox"],
        "command": ["sh", "-c", "cat /run/secrets/lone_key > /tmp/index.html && httpd -f -p 8090 -h /tmp"],
        "networks": ["lone_front"],
        "secrets": ["lone_key"],
        "ports": [{"target": 8090, "published": 18090, "mode": "host"}],
        "deploy": {"replicas": 2, "endpoint_mode": "dnsrr", "placement": {"max_replicas_per_node": 1}},
    }
    refused = lone(swarm, {"name": "edge", "definition": {**definition, "deploy": {"replicas": "two"}}})
    assert refused["msg"] == "definition.deploy.replicas: 'two' is not a whole number of 0 or more", refused["msg"]
    assert "edge" not in swarm.sh(manager, "docker service ls --format '{{.Name}}'")

    created = lone(swarm, {"name": "edge", "definition": definition})
    assert not created.failed, created.get("msg")
    assert created["service"] == "created"
    listed = swarm.sh(manager, "docker service ls --filter name=edge --format '{{.Name}} {{.Replicas}}'")
    assert listed == "edge 2/2 (max 1 per node)"
    assert sorted(answering(swarm, 18090).values()) == ["lone\n", "lone\n"]  # one per node, on two nodes
    assert lone(swarm, {"name": "edge", "definition": definition})["changed"] is False

    scaled = {**definition, "deploy": {**definition["deploy"], "replicas": 3}}
    predicted = lone(swarm, {"name": "edge", "definition": scaled}, check=True)
    assert predicted["service"] == "updated" and predicted["diff"]["after"]["Mode"] == {"Replicated": {"Replicas": 3}}
    assert predicted["diff"]["before"]["Mode"] == {"Replicated": {"Replicas": 2}}
    assert lone(swarm, {"name": "edge", "definition": scaled})["service"] == "updated"
    assert swarm.sh(manager, "docker service ls --filter name=edge --format '{{.Replicas}}'") == "3/3 (max 1 per node)"
    swarm.sh(manager, "docker service scale -d edge=1")  # by hand: the next run puts it back
    assert lone(swarm, {"name": "edge", "definition": scaled})["service"] == "updated"

    theirs = lone(swarm, {"name": "shop_web", "definition": definition})
    assert theirs.failed and "service of the stack 'shop'" in theirs["msg"], theirs["msg"]
    assert lone(swarm, {"name": "edge", "state": "absent"})["service"] == "removed"
    assert lone(swarm, {"name": "edge", "state": "absent"})["changed"] is False
    # The network goes once the service's tasks have left it, a moment after the service.
    swarm.sh(manager, "docker secret rm lone_key && until docker network rm lone_front; do sleep 1; done")


def test_the_playbook_deploys_the_stacks_and_services_it_is_given_and_a_second_run_changes_nothing(swarm, test_images):
    sleeper = {"image": test_images["busybox"], "command": ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"]}
    everywhere = {**sleeper, "deploy": {"mode": "global"}}
    deployments = {"swarm_stacks": [{"name": "plain", "definition": {"services": {"job": sleeper}}}],
                   "swarm_services": [{"name": "solo", "definition": everywhere}]}  # fmt: skip
    first = swarm.run(**deployments)
    assert first.returncode == 0, first.stdout[-4000:]
    manager = swarm.managers[0]
    assert swarm.sh(manager, "docker stack services plain --format '{{.Name}} {{.Replicas}}'") == "plain_job 1/1"
    active = sum(swarm.membership(n) == "active" for n in swarm.names)
    assert swarm.sh(manager, "docker service ls --filter name=solo --format '{{.Replicas}}'") == f"{active}/{active}"
    again = swarm.run(**deployments)
    assert all(counts["changed"] == 0 for counts in recap_all(again.stdout).values()), again.stdout
    gone = swarm.run(swarm_stacks=[{"name": "plain", "state": "absent"}],
                     swarm_services=[{"name": "solo", "state": "absent"}])  # fmt: skip
    assert gone.returncode == 0, gone.stdout[-4000:]
    assert "plain" not in swarm.sh(manager, "docker stack ls --format '{{.Name}}'")


def test_a_pruned_service_goes_and_an_absent_stack_leaves_nothing(swarm, shop):
    compose = shop / "compose.yaml"
    text = compose.read_text()
    compose.write_text(text[: text.index("  api:")] + text[text.index("\nsecrets:") + 1 :])
    kept = deploy(swarm, shop)
    assert "shop_api" not in kept["services"]  # without prune it stays
    pruned = deploy(swarm, shop, prune=True)
    assert pruned["services"]["shop_api"] == "removed"
    removed = deploy(swarm, shop, state="absent")
    assert removed["changed"]
    manager = swarm.managers[0]
    assert swarm.sh(manager, "docker stack ls --format '{{.Name}}'") == ""
    assert swarm.sh(manager, "docker network ls --filter label=com.docker.stack.namespace=shop -q") == ""


def test_check_mode_on_an_engine_in_no_swarm_yet_predicts_the_stack_and_the_service(test_images):
    """The local daemon, in no swarm: what a first check run of playbooks/swarm.yml meets before the swarm exists."""
    project = {"services": {"web": {"image": test_images["busybox"]}, "db": {"image": test_images["busybox"]}}}
    predicted = run_module("dockyard.docker.stack", {"name": "early", "definition": project}, check=True)["localhost"]
    assert not predicted.failed, predicted.get("msg")
    assert predicted["changed"] and predicted["services"] == {"early_web": "created", "early_db": "created"}
    assert any("in no swarm yet" in w for w in predicted.get("warnings", [])), predicted
    web = project["services"]["web"]
    lone_predicted = run_module("dockyard.docker.swarm_service", {"name": "early", "definition": web},
                                check=True)["localhost"]  # fmt: skip
    assert lone_predicted["changed"] and lone_predicted["service"] == "created", lone_predicted
    for module, args in (("stack", {"name": "early", "definition": project}),
                         ("swarm_service", {"name": "early", "definition": {"image": "busybox"}})):  # fmt: skip
        refused = run_module(f"dockyard.docker.{module}", args)["localhost"]
        assert refused.failed and refused["msg"] == "this engine is no swarm manager: run the task on a manager"
