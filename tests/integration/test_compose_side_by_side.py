"""compose beside Debian 13's docker compose (v2) on a booted host reached over SSH: one file deployed as
two projects, one by each; the same containers, networks and volumes come out with the options that
matter (file secrets and configs, an included project and an extended service among them), and docker compose
lists, and takes down, the project the module deployed."""

from __future__ import annotations

import base64
import json
import shlex
import subprocess

import pytest

from ansible_run import ROOT, run_module, run_playbook
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
CONTAINERS = ("cache-1", "db-1", "web-1", "web-2", "worker-1")
# Labels only docker compose writes (its version, its own hash of the file, the image it resolved).
CLI_ONLY = ("com.docker.compose.config-hash", "com.docker.compose.version", "com.docker.compose.image",
            "com.docker.compose.project.config_files", "com.docker.compose.project.working_dir")  # fmt: skip


@pytest.fixture(scope="module")
def compose_host(start_hosts, ssh_key, load_busybox, test_images):
    hosts, inventory = start_hosts("debian13", 1)
    extra = {"docker_io_extra_packages": ["docker-cli", "docker-compose", "python3-yaml"]}
    proc = run_playbook(ROOT / "tests/integration/playbooks/install_docker_io.yml", inventory=inventory,
                        extra_vars=extra)  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
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
    for project in ("cli", "mod"):
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
        "image": config["Image"], "cmd": config["Cmd"], "entrypoint": config["Entrypoint"],
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
        args = {"project_src": "/srv/mod", "project_name": "mod", "env": env}
        return run_module("dockyard.docker.compose", args, inventory=inventory, hosts="all", become=True)[host.name]

    first = deploy()
    assert not first.failed and first["changed"] is True, first.get("msg")
    assert deploy()["changed"] is False

    names = {p: [f"{p}-{c}" for c in CONTAINERS] for p in ("cli", "mod")}
    inspected = {p: json.loads(sh("docker inspect " + " ".join(names[p]))) for p in names}
    for cli, mod in zip(inspected["cli"], inspected["mod"]):
        assert _view(mod, "mod") == _view(cli, "cli")
    web = _view(inspected["mod"][2], "mod")  # not two Nones alike: the values the file asks for
    assert web["restart"] == {"Name": "on-failure", "MaximumRetryCount": 3}
    assert (web["pids"], web["memory"], web["memory_reservation"]) == (100, 64 << 20, 32 << 20)
    assert web["networks"] == {"P_back": ["P-web-1", "web"], "P_front": ["P-web-1", "web"]}
    # File secrets and configs, bind-mounted read-only where docker compose puts them.
    assert {m[1:] for m in web["mounts"]} >= {("/srv/P/db_password.txt", "/run/secrets/db_password", False),
                                              ("/srv/P/index.html", "/www/index.html", False)}  # fmt: skip
    assert sh("docker exec mod-web-1 cat /run/secrets/db_password /www/index.html") == "s3cret\nhello\n"
    # extends and include, with each file's relative paths and the included project's .env
    worker, cache = _view(inspected["mod"][4], "mod"), _view(inspected["mod"][0], "mod")
    assert {"FROM=base", "ROLE=worker"} <= set(worker["env"]) and "SIZE=64m" in cache["env"]
    assert [m[1:3] for m in worker["mounts"]] == [("/srv/P/common/shared", "/shared")]
    assert [m[1:3] for m in cache["mounts"]] == [("/srv/P/extra/seed", "/seed")]
    for kind, listing in (("network", "docker network ls --format '{{.Name}}'"),
                          ("volume", "docker volume ls --format '{{.Name}}'")):  # fmt: skip
        present = sh(listing).split()
        made = {p: sorted(n.replace(p, "P") for n in present if n.startswith(f"{p}_")) for p in ("cli", "mod")}
        assert made["mod"] == made["cli"] and made["cli"], (kind, present)

    listed = [json.loads(line) for line in sh("docker compose -p mod ps --format json").splitlines() if line]
    assert sorted(c["Name"] for c in listed) == names["mod"]
    assert "mod" in sh("docker compose ls --format json")
    # An edit reaches only the service it touches (GREETING is web's), here over SSH as on the local daemon.
    edited = deploy(GREETING="hi")
    actions = {service: [r["actions"] for r in results] for service, results in edited["services"].items()}
    assert actions == {"cache": [[]], "db": [[]], "web": [["recreated", "started"]] * 2, "worker": [[]]}, actions
    assert deploy(GREETING="hi")["changed"] is False
    # docker compose takes the module's project down like its own; the module brings it back.
    sh("cd /srv/mod && docker compose -p mod down")
    assert sh("docker ps -aq --filter label=com.docker.compose.project=mod") == ""
    assert deploy()["changed"] is True
