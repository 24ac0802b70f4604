"""compose beside Debian 13's docker compose (v2) on a booted host reached over SSH: one file deployed as
two projects, one by each; the same containers, networks and volumes come out with the options that
matter (file secrets and configs, an included project and an extended service among them), and docker compose
lists, and takes down, the project the module deployed. Then a project kept on the controller, deployed there
(over SSH, with no PyYAML and no project files on the host)."""

from __future__ import annotations

import base64
import json
import shlex
import subprocess

import pytest

from ansible_run import run_module
from testbed.hosts import ssh_command

COMPOSE = """
include: [./extra/compose.yaml]
services:
  db:
    image: {image}
    command: ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"]
    environment:
      POSTGRES_PASSWORD: ${{DB_PASSWORD:?set DB_PASSWORD}}
    volumes: [data:/var/lib/data]
    networks:
      back: {{aliases: [database]}}
    healthcheck:
      test: ["CMD", "true"]
      interval: 1s
      retries: 3
    restart: unless-stopped
  web:
    image: {image}
    command: ["httpd", "-f", "-p", "80", "-h", "/www"]
    environment: ["GREETING=${{GREETING:-hello}}", TIER=web]
    ports: ["127.0.0.1::80"]
    depends_on:
      db: {{condition: service_healthy}}
    networks: [front, back]
    secrets: [db_password]
    configs: [{{source: page, target: /www/index.html}}]
    deploy:
      replicas: 2
      resources: {{limits: {{memory: 64m, pids: 100}}, reservations: {{memory: 32m}}}}
      restart_policy: {{condition: on-failure, max_attempts: 3}}
    stop_grace_period: 2s
    labels: {{tier: web}}
  worker:
    extends: {{file: ./common/base.yaml, service: base}}
    environment: {{ROLE: worker}}
  api:
    build:
      context: ./api
      target: runtime
      args: {{GREETING: "${{GREETING:-hello}}"}}
      labels: {{org.example.tier: api}}
    command: ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"]
  job:
    build: ./job
    command: ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"]
networks:
  front: {{}}
  back: {{}}
volumes:
  data: {{}}
secrets:
  db_password: {{file: ./db_password.txt}}
configs:
  page: {{file: ./index.html}}
"""
# Files beside compose.yaml: a service extended from another directory (its bind from there), and an included
# project with its own .env and a bind relative to it.
BASE = """
services:
  base:
    image: {image}
    command: ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"]
    environment: {{FROM: base, ROLE: base}}
    volumes: ["./shared:/shared:ro"]
"""
EXTRA = """
services:
  cache:
    image: {image}
    command: ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"]
    environment: {{SIZE: "${{CACHE_SIZE}}"}}
    volumes: ["./seed:/seed:ro"]
"""
# Two services build their images: one multi-stage with a target and args, one from a plain context.
API_DOCKERFILE = """FROM {image} AS builder
ARG GREETING
RUN echo "$GREETING" > /greeting
FROM {image} AS runtime
COPY --from=builder /greeting /greeting
COPY message /message
FROM {image} AS unused
RUN false
"""
JOB_DOCKERFILE = "FROM {image}\nCOPY run.sh /run.sh\n"
CONTAINERS = ("api-1", "cache-1", "db-1", "job-1", "web-1", "web-2", "worker-1")
# Labels only docker compose writes (its version, its own hash of the file, the image it resolved), and the
# fingerprint of the module's builds (an image label, which containers inherit).
CLI_ONLY = ("com.docker.compose.config-hash", "com.docker.compose.version", "com.docker.compose.image",
            "com.docker.compose.project.config_files", "com.docker.compose.project.working_dir",
            "dockyard.docker.build-fingerprint")  # fmt: skip


@pytest.fixture(scope="module")
def compose_host(start_hosts, ssh_key, load_busybox, test_images):
    hosts, inventory = start_hosts("debian13", 1, docker_io=True)  # with its Compose v2 and PyYAML
    load_busybox(inventory)
    host = hosts[0]

    def sh(command: str) -> str:
        proc = subprocess.run(ssh_command(host, ssh_key, "sudo", "sh", "-c", shlex.quote(command)),
                              capture_output=True, text=True, check=False)  # fmt: skip
        assert proc.returncode == 0, f"{command}: {proc.stdout}{proc.stderr}"
        return proc.stdout

    def encoded(template: str) -> str:
        return base64.b64encode(template.format(image=test_images["busybox"]).encode()).decode()

    text, base, extra = encoded(COMPOSE), encoded(BASE), encoded(EXTRA)
    api, job = encoded(API_DOCKERFILE), encoded(JOB_DOCKERFILE)
    for project in ("cli", "mod"):
        sh(f"mkdir -p /srv/{project}/api /srv/{project}/job && echo {api} | base64 -d > /srv/{project}/api/Dockerfile"
           f" && echo one > /srv/{project}/api/message && echo {job} | base64 -d > /srv/{project}/job/Dockerfile"
           f" && echo 'echo job' > /srv/{project}/job/run.sh")  # fmt: skip
        sh(f"mkdir -p /srv/{project}/common/shared /srv/{project}/extra/seed"
           f" && echo {base} | base64 -d > /srv/{project}/common/base.yaml"
           f" && echo {extra} | base64 -d > /srv/{project}/extra/compose.yaml"
           f" && echo CACHE_SIZE=64m > /srv/{project}/extra/.env")  # fmt: skip
        sh(f"mkdir -p /srv/{project} && echo {text} | base64 -d > /srv/{project}/compose.yaml"
           f" && echo DB_PASSWORD=secret > /srv/{project}/.env && echo s3cret > /srv/{project}/db_password.txt"
           f" && echo hello > /srv/{project}/index.html")  # fmt: skip
    return host, inventory, sh


def _view(container: dict, project: str) -> dict:
    """What a container is, with the project's name taken out of every name in it."""
    config, host = container["Config"], container["HostConfig"]

    def plain(text: str) -> str:
        return text.replace(project, "P")

    # fmt: off
    return {
        "name": plain(container["Name"]),
        "image": plain(config["Image"]), "cmd": config["Cmd"], "entrypoint": config["Entrypoint"],
        "env": sorted(config["Env"] or []), "healthcheck": config.get("Healthcheck"),
        "labels": {k: plain(v) for k, v in config["Labels"].items() if k not in CLI_ONLY},
        "stop_timeout": config.get("StopTimeout"), "user": config["User"], "workdir": config["WorkingDir"],
        "restart": host["RestartPolicy"], "memory": host["Memory"], "memory_swap": host["MemorySwap"],
        "ports": {p: [b["HostIp"] for b in bound] for p, bound in (host["PortBindings"] or {}).items()},
        "exposed": sorted(config.get("ExposedPorts") or {}),
        "mounts": sorted((m["Type"], plain(m.get("Name") or m["Source"]), m["Destination"], m["RW"])
                         for m in container["Mounts"]),
        "network_mode": plain(host["NetworkMode"]),
        "networks": {plain(n): sorted(plain(a) for a in e.get("Aliases") or [])
                     for n, e in container["NetworkSettings"]["Networks"].items()},
        "init": host.get("Init"), "log": host["LogConfig"], "read_only": host["ReadonlyRootfs"],
        "caps": (host["CapAdd"], host["CapDrop"]), "dns": host["Dns"], "extra_hosts": host["ExtraHosts"] or [],
        "privileged": host["Privileged"], "cpus": host["NanoCpus"], "shm": host["ShmSize"],
        "pids": host.get("PidsLimit"), "memory_reservation": host["MemoryReservation"],
    }
    # fmt: on


def test_the_module_and_docker_compose_make_the_same_project_and_compose_knows_the_modules(compose_host):
    host, inventory, sh = compose_host
    sh("cd /srv/cli && docker compose -p cli up -d --wait")

    def deploy(**env):
        args = {"project_src": "/srv/mod", "remote_src": True, "project_name": "mod", "env": env}
        return run_module("dockyard.docker.compose", args, inventory=inventory, hosts="all", become=True)[host.name]

    first = deploy()
    assert not first.failed and first["changed"] is True, first.get("msg")
    assert deploy()["changed"] is False

    names = {p: [f"{p}-{c}" for c in CONTAINERS] for p in ("cli", "mod")}
    inspected = {p: json.loads(sh("docker inspect " + " ".join(names[p]))) for p in names}
    for cli, mod in zip(inspected["cli"], inspected["mod"]):
        ours, theirs = _view(mod, "mod"), _view(cli, "cli")
        assert ours == theirs, [sorted(set(map(str, ours[k].items())) ^ set(map(str, theirs[k].items())))
                                if isinstance(ours[k], dict) else k for k in ours if ours[k] != theirs[k]]  # fmt: skip
    web = _view(inspected["mod"][4], "mod")  # not two Nones alike: the values the file asks for
    assert web["restart"] == {"Name": "on-failure", "MaximumRetryCount": 3}
    assert (web["pids"], web["memory"], web["memory_reservation"]) == (100, 64 << 20, 32 << 20)
    assert web["networks"] == {"P_back": ["P-web-1", "web"], "P_front": ["P-web-1", "web"]}
    # File secrets and configs, bind-mounted read-only where docker compose puts them.
    assert {m[1:] for m in web["mounts"]} >= {("/srv/P/db_password.txt", "/run/secrets/db_password", False),
                                              ("/srv/P/index.html", "/www/index.html", False)}  # fmt: skip
    assert sh("docker exec mod-web-1 cat /run/secrets/db_password /www/index.html") == "s3cret\nhello\n"
    # extends and include, with each file's relative paths and the included project's .env
    worker, cache = _view(inspected["mod"][6], "mod"), _view(inspected["mod"][1], "mod")
    assert {"FROM=base", "ROLE=worker"} <= set(worker["env"]) and "SIZE=64m" in cache["env"]
    assert [m[1:3] for m in worker["mounts"]] == [("/srv/P/common/shared", "/shared")]
    assert [m[1:3] for m in cache["mounts"]] == [("/srv/P/extra/seed", "/seed")]
    for kind, listing in (("network", "docker network ls --format '{{.Name}}'"),
                          ("volume", "docker volume ls --format '{{.Name}}'")):  # fmt: skip
        present = sh(listing).split()
        made = {p: sorted(n.replace(p, "P") for n in present if n.startswith(f"{p}_")) for p in ("cli", "mod")}
        assert made["mod"] == made["cli"] and made["cli"], (kind, present)

    # The built images: the same labels (those of build.labels; Compose's and the fingerprint aside), the same
    # files from the stage the target names, and the module's second run built nothing.
    assert first["built"] == ["mod-api", "mod-job"]
    for service, asked in (("api", {"org.example.tier": "api"}), ("job", {})):
        labels = {p: json.loads(sh(f"docker image inspect -f '{{{{json .Config.Labels}}}}' {p}-{service}")) or {}
                  for p in ("cli", "mod")}  # fmt: skip
        assert labels["mod"].pop("dockyard.docker.build-fingerprint")
        own = {p: {k: v for k, v in labels[p].items() if not k.startswith(("com.docker.compose.", "dockyard.testbed."))}
               for p in labels}  # fmt: skip
        assert own["mod"] == own["cli"] == asked, labels
    for p in ("cli", "mod"):
        assert sh(f"docker exec {p}-api-1 cat /greeting /message") == "hello\none\n"
        assert sh(f"docker exec {p}-job-1 cat /run.sh") == "echo job\n"

    listed = [json.loads(line) for line in sh("docker compose -p mod ps --format json").splitlines() if line]
    assert sorted(c["Name"] for c in listed) == names["mod"]
    assert "mod" in sh("docker compose ls --format json")
    # An edit reaches only the service it touches (GREETING is web's), here over SSH as on the local daemon.
    edited = deploy(GREETING="hi")
    actions = {service: [r["actions"] for r in results] for service, results in edited["services"].items()}
    # GREETING is also an arg of api's build: its image is built again and its container recreated, as
    # docker compose up --build would; job's is not.
    assert edited["built"] == ["mod-api"], edited["built"]
    assert actions == {"api": [["recreated", "started"]], "cache": [[]], "db": [[]], "job": [[]],
                       "web": [["recreated", "started"]] * 2, "worker": [[]]}, actions  # fmt: skip
    assert sh("docker exec mod-api-1 cat /greeting") == "hi\n"
    assert deploy(GREETING="hi")["changed"] is False
    # docker compose takes the module's project down like its own; the module brings it back.
    sh("cd /srv/mod && docker compose -p mod down")
    assert sh("docker ps -aq --filter label=com.docker.compose.project=mod") == ""
    assert deploy()["changed"] is True


CONTROLLER_PROJECT = """
services:
  app:
    build:
      context: ./app
      args: {{GREETING: "${{GREETING:-hello}}"}}
    command: {trap}
    env_file: [./app.env]
    secrets: [token]
  tool:
    build: {{context: ./tool, target: runtime}}
    command: {trap}
secrets:
  token: {{file: ./token.txt}}
"""
TRAP = '["sh", "-c", "trap \'exit 0\' TERM; sleep 3600 & wait"]'


def test_a_project_on_the_controller_is_read_there_and_its_contexts_are_sent_only_when_an_image_is_built(
    compose_host, test_images, tmp_path
):
    host, inventory, sh = compose_host
    sh("dpkg -r python3-yaml >/dev/null")  # the target needs no PyYAML: the controller reads the files
    (tmp_path / "app").mkdir()
    (tmp_path / "tool").mkdir()
    (tmp_path / "app" / "Dockerfile").write_text(
        f"FROM {test_images['busybox']}\nARG GREETING\nCOPY message /message\nRUN echo $GREETING > /greeting\n"
    )
    (tmp_path / "app" / "message").write_text("one\n")
    (tmp_path / "tool" / "Dockerfile").write_text(
        f"FROM {test_images['busybox']} AS builder\nRUN echo built > /artifact\n"
        f"FROM {test_images['busybox']} AS runtime\nCOPY --from=builder /artifact /artifact\n"
    )
    (tmp_path / "app.env").write_text("FROM_ENV_FILE=yes\n")
    (tmp_path / "token.txt").write_text("t0ken-value\n")
    (tmp_path / "compose.yaml").write_text(CONTROLLER_PROJECT.format(trap=TRAP.replace("$", "$$")))

    def deploy(source=tmp_path, **options):
        args = {"project_src": str(source), "project_name": "ctl", **options}
        return run_module("dockyard.docker.compose", args, inventory=inventory, hosts="all", become=True)[host.name]

    first = deploy()
    assert not first.failed and first["changed"] is True, first.get("msg")
    assert first["built"] == ["ctl-app", "ctl-tool"]
    assert "t0ken-value" not in json.dumps(first)
    assert sh(f"test -e {tmp_path} && echo there || echo absent") == "absent\n"
    assert sh("docker exec ctl-app-1 cat /message /greeting /run/secrets/token") == "one\nhello\nt0ken-value\n"
    assert sh("docker exec ctl-tool-1 cat /artifact") == "built\n"
    assert "FROM_ENV_FILE=yes" in sh("docker inspect -f '{{json .Config.Env}}' ctl-app-1")
    assert sh("docker inspect -f '{{json .Mounts}}' ctl-app-1") == "[]\n"  # copied in: the host has no such file
    again = deploy()
    assert again["changed"] is False and again["built"] == [], again

    # An edit of one context rebuilds that image and recreates its service only.
    (tmp_path / "app" / "message").write_text("two\n")
    edited = deploy()
    actions = {s: [r["actions"] for r in rs] for s, rs in edited["services"].items()}
    assert edited["built"] == ["ctl-app"] and actions == {"app": [["recreated", "started"]], "tool": [[]]}, actions
    assert sh("docker exec ctl-app-1 cat /message") == "two\n"
    # A new secret value recreates its service, and is shown nowhere.
    (tmp_path / "token.txt").write_text("n3w-value\n")
    rotated = deploy()
    assert rotated["changed"] is True and "n3w-value" not in json.dumps(rotated)
    assert sh("docker exec ctl-app-1 cat /run/secrets/token") == "n3w-value\n"

    # What lies beside the project cannot be bound on another host: refused, before anything is touched.
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "compose.yaml").write_text(f"services:\n  web:\n    image: {test_images['busybox']}\n"
                                      "    volumes: ['./data:/data']\n")  # fmt: skip
    refused = deploy(bad, project_name="ctlbad")
    assert refused.failed and "services.web.volumes[0]: " in refused["msg"], refused.get("msg")
    assert "beside the project on the controller" in refused["msg"] and "remote_src: true" in refused["msg"]
    assert sh("docker ps -aq --filter label=com.docker.compose.project=ctlbad") == ""
    assert sh("docker network ls -q --filter name=ctlbad_") == ""

    down = deploy(state="absent")
    assert not down.failed and sh("docker ps -aq --filter label=com.docker.compose.project=ctl") == ""
