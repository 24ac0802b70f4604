"""compose against the local daemon: a project of several shapes created, re-applied unchanged, edited, taken away;
names and labels as docker compose gives them; bad files named by their path before anything is touched."""

from __future__ import annotations

import re
import textwrap

import pytest

from ansible_run import local_module as module
from local_docker import TRAP, FileIn, file_in, forget

pytestmark = pytest.mark.image_stores  # run again on containerd's image store (scripts/test store)

COMPOSE = """
name: {project}
services:
  db:
    image: {image}
    command: {trap}
    environment:
      POSTGRES_PASSWORD: ${{DB_PASSWORD:?set DB_PASSWORD}}
    volumes: [data:/var/lib/data]
    networks:
      back: {{aliases: [database]}}
    healthcheck:
      test: ["CMD", "true"]
      interval: 1s
      retries: 3
  migrate:
    image: {image}
    command: ["sh", "-c", "echo migrated"]
    depends_on:
      db: {{condition: service_healthy}}
    networks: [back]
  web:
    image: {image}
    command: {trap}
    environment: ["GREETING=${{GREETING:-hello}}", TIER=web]
    ports: ["127.0.0.1::80"]
    depends_on:
      migrate: {{condition: service_completed_successfully}}
    networks: [front, back]
    deploy:
      replicas: 2
      resources: {{limits: {{memory: 64m}}}}
    stop_grace_period: 2s
  debug:
    image: {image}
    command: {trap}
    profiles: [debug]
networks:
  front: {{}}
  back: {{}}
volumes:
  data: {{}}
"""


@pytest.fixture
def project(docker_client, test_images, tmp_path, suffix):
    name = f"dyc{suffix}"
    directory = tmp_path / name
    directory.mkdir()
    trap = "[" + ", ".join(f'"{part}"' for part in TRAP).replace("$", "$$") + "]"
    (directory / "compose.yaml").write_text(COMPOSE.format(project=name, image=test_images["busybox"], trap=trap))
    (directory / ".env").write_text("DB_PASSWORD=secret\n")
    yield name, directory
    for container in docker_client.containers.list(all=True, filters={"label": f"com.docker.compose.project={name}"}):
        container.remove(force=True, v=True)
    for network in docker_client.networks.list(filters={"label": f"com.docker.compose.project={name}"}):
        network.remove()
    for volume in docker_client.volumes.list(filters={"label": f"com.docker.compose.project={name}"}):
        volume.remove()


@pytest.mark.smoke
def test_a_project_is_created_in_order_unchanged_again_and_an_edit_changes_one_service(docker_client, project):
    name, directory = project
    first = module("compose", {"project_src": str(directory)})
    assert first["changed"] is True, first.get("msg")
    assert sorted(first["networks"]) == [f"{name}_back", f"{name}_front"] and first["volumes"] == [f"{name}_data"]
    assert sorted(first["services"]) == ["db", "migrate", "web"]  # debug is in a profile not asked for
    assert [r["name"] for r in first["services"]["web"]] == [f"{name}-web-1", f"{name}-web-2"]
    assert first["services"]["migrate"][0]["exit_code"] == 0
    assert first["services"]["migrate"][0]["stdout"] == "migrated\n"
    db = docker_client.api.inspect_container(f"{name}-db-1")
    assert db["Config"]["Labels"]["com.docker.compose.project"] == name
    assert db["Config"]["Labels"]["com.docker.compose.service"] == "db"
    assert "POSTGRES_PASSWORD=secret" in db["Config"]["Env"]
    assert "database" in db["NetworkSettings"]["Networks"][f"{name}_back"]["Aliases"]
    assert db["State"]["Health"]["Status"] == "healthy"
    web = docker_client.api.inspect_container(f"{name}-web-1")
    assert "GREETING=hello" in web["Config"]["Env"] and web["HostConfig"]["Memory"] == 64 << 20
    assert set(web["NetworkSettings"]["Networks"]) == {f"{name}_front", f"{name}_back"}
    assert web["Config"]["StopTimeout"] == 2
    started = {
        n: docker_client.api.inspect_container(n)["State"]["StartedAt"] for n in (f"{name}-db-1", f"{name}-web-1")
    }

    again = module("compose", {"project_src": str(directory)})
    assert again["changed"] is False, [r["differences"] for rs in again["services"].values() for r in rs]
    edited = module("compose", {"project_src": str(directory), "env": {"GREETING": "hi"}})
    changed = {s: [r["actions"] for r in rs] for s, rs in edited["services"].items()}
    assert changed == {"db": [[]], "migrate": [[]], "web": [["recreated", "started"]] * 2}
    assert docker_client.api.inspect_container(f"{name}-db-1")["State"]["StartedAt"] == started[f"{name}-db-1"]

    with_debug = module("compose", {"project_src": str(directory), "env": {"GREETING": "hi"}, "profiles": ["debug"]})
    assert with_debug["services"]["debug"][0]["actions"] == ["created", "started"]
    orphaned = module("compose", {"project_src": str(directory), "env": {"GREETING": "hi"}, "remove_orphans": True})
    assert orphaned["removed"] == [f"{name}-debug-1"]

    checked = module("compose", {"project_src": str(directory), "state": "absent", "remove_volumes": True}, check=True)
    assert checked["changed"] is True and docker_client.containers.get(f"{name}-db-1")
    gone = module("compose", {"project_src": str(directory), "state": "absent", "remove_volumes": True})
    assert len(gone["removed"]) == 4  # the debug service's default network came with it, and goes too
    assert sorted(gone["networks"]) == [f"{name}_back", f"{name}_default", f"{name}_front"]
    assert gone["volumes"] == [f"{name}_data"]
    assert not docker_client.containers.list(all=True, filters={"label": f"com.docker.compose.project={name}"})


def test_check_mode_on_a_new_project_predicts_everything_and_touches_nothing(docker_client, project):
    name, directory = project
    predicted = module("compose", {"project_src": str(directory)}, check=True)
    assert predicted["changed"] is True and sorted(predicted["networks"]) == [f"{name}_back", f"{name}_front"]
    assert predicted["services"]["web"][0]["actions"] == ["created", "started"]
    assert not docker_client.networks.list(names=[f"{name}_back"])


def test_a_network_or_volume_that_differs_from_the_file_is_named_and_nothing_is_touched(docker_client, project):
    name, directory = project
    mine = {"label": f"com.docker.compose.project={name}"}
    assert not module("compose", {"project_src": str(directory)}).failed
    ids = {c.name: c.id for c in docker_client.containers.list(all=True, filters=mine)}
    text = (directory / "compose.yaml").read_text()
    edited = text.replace("  back: {}", "  back: {internal: true}")
    (directory / "compose.yaml").write_text(edited.replace("  data: {}", "  data: {driver_opts: {type: tmpfs}}"))
    network = f"networks: the network '{name}_back' exists with other settings (internal is False, the file asks"
    volume = f"volumes: the volume '{name}_data' exists with other settings (driver_options is {{}}, the file"
    for check in (True, False):
        refused = module("compose", {"project_src": str(directory)}, check=check)
        assert refused.failed and network in refused["msg"] and volume in refused["msg"], refused.get("msg")
    assert {c.name: c.id for c in docker_client.containers.list(all=True, filters=mine)} == ids

    # One made by hand under the project's name is not taken over silently.
    (directory / "compose.yaml").write_text(text)
    module("compose", {"project_src": str(directory), "state": "absent"})
    docker_client.networks.create(f"{name}_front")
    taken = module("compose", {"project_src": str(directory)})
    assert taken.failed, taken
    assert f"the network '{name}_front' exists and was made outside Compose; declare it external" in taken["msg"]
    docker_client.networks.get(f"{name}_front").remove()


BAD = {
    "unknown key": ("services:\n  web:\n    image: x\n    buildd: .\n", "services.web.buildd: not a service key"),
    "no Dockerfile": ("services:\n  web:\n    build: .\n", "services.web.build.dockerfile: "),
    "BuildKit key": ("services:\n  web:\n    build: {context: ., ssh: [default]}\n",
                     "services.web.build.ssh: needs BuildKit (docker buildx)"),
    "missing variable": ("services:\n  web:\n    image: ${TAG:?give TAG}\n", "${TAG} is required: give TAG"),
    "cycle": ("services:\n  a: {image: x, depends_on: [b]}\n  b: {image: x, depends_on: [a]}\n",
              "depends_on goes round in a circle: a -> b -> a"),
    "undefined network": ("services:\n  web: {image: x, networks: [nowhere]}\n", "the network 'nowhere' is not in"),
    "undefined volume": ("services:\n  web: {image: x, volumes: ['gone:/data']}\n", "the volume 'gone' is not in"),
    "wrong type": ("services:\n  web: {image: x, ports: 80}\n", "services.web.ports: 80 is not a list"),
    "external secret": ("services:\n  web: {image: x, secrets: [s]}\nsecrets:\n  s: {external: true}\n",
                        "services.web.secrets[0]: the secret 's' is external, which only a swarm holds"),
    "missing secret file": ("services:\n  web: {image: x, secrets: [s]}\nsecrets:\n  s: {file: ./nothing}\n",
                            "secrets.s.file: "),
}  # fmt: skip


@pytest.mark.parametrize("case", list(BAD))
def test_bad_files_are_named_by_their_path_and_nothing_is_touched(docker_client, tmp_path, suffix, case):
    text, message = BAD[case]
    (tmp_path / "compose.yaml").write_text(textwrap.dedent(text))
    result = module("compose", {"project_src": str(tmp_path), "project_name": f"dybad{suffix}"})
    assert result.failed and message in result["msg"], result.get("msg")
    assert not docker_client.networks.list(names=[f"dybad{suffix}_default"])


SECRETS = """
services:
  app:
    image: {image}
    command: {trap}
    secrets: [db_password, {{source: api_key, target: api.key}}]
    configs: [{{source: settings, target: {target}}}]
  other:
    image: {image}
    command: {trap}
secrets:
  db_password: {{file: ./db_password.txt}}
  api_key: {{file: ./api.key}}
configs:
  settings: {{file: ./settings.ini}}
"""


def test_file_secrets_and_configs_are_read_only_files_in_the_container_and_an_edit_recreates_only_their_service(
    docker_client, test_images, tmp_path, suffix
):
    name = f"dysec{suffix}"
    trap = "[" + ", ".join(f'"{part}"' for part in TRAP).replace("$", "$$") + "]"
    (tmp_path / "db_password.txt").write_text("s3cret\n")
    (tmp_path / "api.key").write_text("key-1\n")
    (tmp_path / "settings.ini").write_text("[app]\nlevel = info\n")

    def apply(target: str):
        text = SECRETS.format(image=test_images["busybox"], trap=trap, target=target)
        (tmp_path / "compose.yaml").write_text(text)
        return module("compose", {"project_src": str(tmp_path), "project_name": name})

    try:
        first = apply("/etc/app/settings.ini")
        assert first["changed"] is True and not first.failed, first.get("msg")
        app = docker_client.containers.get(f"{name}-app-1")
        for path, content in (("/run/secrets/db_password", "s3cret\n"), ("/run/secrets/api.key", "key-1\n"),
                              ("/etc/app/settings.ini", "[app]\nlevel = info\n")):  # fmt: skip
            assert file_in(app, path).text == content
        written = app.exec_run(["sh", "-c", "echo changed > /run/secrets/db_password"])
        assert written.exit_code != 0 and file_in(app, "/run/secrets/db_password").text == "s3cret\n"
        # Refused because the mount is read-only (what the exec printed can be lost under load: read from Docker).
        mounts = {mount["Destination"]: mount for mount in app.attrs["Mounts"]}
        assert mounts["/run/secrets/db_password"]["RW"] is False, mounts
        assert apply("/etc/app/settings.ini")["changed"] is False
        moved = apply("/settings.ini")
        actions = {service: [r["actions"] for r in results] for service, results in moved["services"].items()}
        assert actions == {"app": [["recreated", "started"]], "other": [[]]}, actions
        moved_app = docker_client.containers.get(f"{name}-app-1")
        assert file_in(moved_app, "/settings.ini").text == "[app]\nlevel = info\n"
    finally:
        module("compose", {"project_src": str(tmp_path), "project_name": name, "state": "absent"})


BY_VALUE = """
services:
  app:
    image: {image}
    command: {trap}
    secrets: [{{source: token, mode: 0400, uid: "1000", gid: "1000"}}]
    configs: [{{source: motd, target: /etc/motd}}]
  other:
    image: {image}
    command: {trap}
secrets:
  token: {{environment: TOKEN}}
configs:
  motd: {{content: "welcome to ${{SITE}}"}}
"""


def test_secrets_and_configs_given_by_value_are_copied_in_before_start_and_never_shown(
    docker_client, test_images, tmp_path, suffix
):
    name = f"dyval{suffix}"
    trap = "[" + ", ".join(f'"{part}"' for part in TRAP).replace("$", "$$") + "]"
    (tmp_path / "compose.yaml").write_text(BY_VALUE.format(image=test_images["busybox"], trap=trap))

    def apply(token: str | None, **options):
        (tmp_path / ".env").write_text("SITE=shop\n" + (f"TOKEN={token}\n" if token else ""))
        return module("compose", {"project_src": str(tmp_path), "project_name": name}, **options)

    try:
        first = apply("t0ken-one", diff=True)
        assert first["changed"] is True and not first.failed, first.get("msg")
        assert "t0ken-one" not in first.output  # from .env: neither in the result nor in the diff
        app = docker_client.containers.get(f"{name}-app-1")
        assert file_in(app, "/run/secrets/token") == FileIn("t0ken-one", 0o400, 1000, 1000)
        motd = file_in(app, "/etc/motd")
        assert (motd.text, motd.mode, motd.uid) == ("welcome to shop", 0o444, 0)
        assert apply("t0ken-one")["changed"] is False
        rotated = apply("t0ken-two")
        actions = {service: [r["actions"] for r in results] for service, results in rotated["services"].items()}
        assert actions == {"app": [["recreated", "started"]], "other": [[]]}, actions
        assert file_in(docker_client.containers.get(f"{name}-app-1"), "/run/secrets/token").text == "t0ken-two"
        unset = apply(None)
        assert unset.failed and "secrets.token.environment: the variable TOKEN is not set" in unset["msg"]
        # Taking the project down needs no secret's value.
        down = module("compose", {"project_src": str(tmp_path), "project_name": name, "state": "absent"})
        assert down["changed"] is True and not down.failed, down.get("msg")
        assert not docker_client.containers.list(all=True, filters={"label": f"com.docker.compose.project={name}"})
    finally:
        module("compose", {"project_src": str(tmp_path), "project_name": name, "state": "absent"})


def test_an_override_file_an_include_an_extends_and_env_files_are_put_together_as_docker_compose_does(
    docker_client, test_images, tmp_path, suffix
):
    name = f"dyinc{suffix}"
    trap = "[" + ", ".join(f'"{part}"' for part in TRAP).replace("$", "$$") + "]"
    app, db, common = tmp_path / "app", tmp_path / "db", tmp_path / "common"
    for directory in (app, db, common):
        directory.mkdir()
    (common / "base.yaml").write_text(textwrap.dedent(f"""
        services:
          base:
            image: {test_images["busybox"]}
            command: {trap}
            environment: {{FROM_BASE: "yes", LEVEL: base}}
            volumes: ["./shared:/shared:ro"]
    """))  # fmt: skip
    (common / "shared").mkdir()
    (common / "shared" / "note").write_text("from common\n")
    (db / "compose.yaml").write_text(textwrap.dedent(f"""
        services:
          db:
            image: {test_images["busybox"]}
            command: {trap}
            environment: {{DB_TAG: "${{DB_TAG}}"}}
            volumes: ["./init:/init:ro"]
    """))  # fmt: skip
    (db / ".env").write_text("DB_TAG=from-db-env\n")
    (db / "init").mkdir()
    (db / "init" / "schema.sql").write_text("create table t;\n")
    (app / "compose.yaml").write_text(
        textwrap.dedent("""
        include: [../db/compose.yaml]
        services:
          web:
            extends: {file: ../common/base.yaml, service: base}
            environment: {LEVEL: web}
    """)
    )
    (app / "compose.override.yaml").write_text(
        "services:\n  web:\n    environment: [DEBUG=1]\n"
        "    env_file: [{path: ./raw.env, format: raw}, {path: ./absent.env, required: false}]\n"
    )
    (app / "raw.env").write_text("QUOTED='as written'\n")

    def apply():
        return module("compose", {"project_src": str(app), "project_name": name})

    try:
        first = apply()
        assert first["changed"] is True and not first.failed, first.get("msg")
        web = docker_client.api.inspect_container(f"{name}-web-1")
        assert {"FROM_BASE=yes", "LEVEL=web", "DEBUG=1", "QUOTED='as written'"} <= set(web["Config"]["Env"])
        assert [(m["Source"], m["Destination"]) for m in web["Mounts"]] == [(str(common / "shared"), "/shared")]
        labels = web["Config"]["Labels"]
        assert labels["com.docker.compose.project.config_files"] == f"{app}/compose.yaml,{app}/compose.override.yaml"
        db_container = docker_client.containers.get(f"{name}-db-1")
        assert "DB_TAG=from-db-env" in db_container.attrs["Config"]["Env"]
        assert file_in(db_container, "/init/schema.sql").text == "create table t;\n"
        assert apply()["changed"] is False
    finally:
        module("compose", {"project_src": str(app), "project_name": name, "state": "absent"})


BUILDS = """
services:
  app:
    build:
      context: ./app
      args: {{GREETING: "${{GREETING:-hello}}"}}
    command: {trap}
  tool:
    image: dyb-tool-{suffix}:1
    build: {{context: ./tool, target: runtime}}
    command: {trap}
  inline:
    build:
      context: ./app
      dockerfile_inline: |
        FROM {image}
        RUN echo inline > /made
    command: {trap}
"""


def test_services_build_their_images_once_and_again_only_for_what_changed_which_recreates_only_their_containers(
    docker_client, test_images, tmp_path, suffix
):
    name = f"dybld{suffix}"
    trap = "[" + ", ".join(f'"{part}"' for part in TRAP).replace("$", "$$") + "]"
    (tmp_path / "app").mkdir()
    (tmp_path / "tool").mkdir()
    (tmp_path / "app" / "Dockerfile").write_text(
        f"FROM {test_images['busybox']}\nARG GREETING\nCOPY message /message\nRUN echo $GREETING > /greeting\n"
    )
    (tmp_path / "app" / "message").write_text("one\n")
    (tmp_path / "app" / ".dockerignore").write_text("notes.txt\n")
    (tmp_path / "app" / "notes.txt").write_text("not sent\n")
    (tmp_path / "tool" / "Dockerfile").write_text(
        f"FROM {test_images['busybox']} AS builder\nRUN echo built > /artifact\n"
        f"FROM {test_images['busybox']} AS runtime\nCOPY --from=builder /artifact /artifact\n"
    )
    (tmp_path / "compose.yaml").write_text(BUILDS.format(image=test_images["busybox"], trap=trap, suffix=suffix))
    images = [f"{name}-app", f"dyb-tool-{suffix}:1", f"{name}-inline"]

    def apply(**options):
        env = options.pop("env", {})
        return module("compose", {"project_src": str(tmp_path), "project_name": name, "env": env, **options})

    def read(service: str, path: str) -> str:
        return file_in(docker_client.containers.get(f"{name}-{service}-1"), path).text

    try:
        first = apply()
        assert first["changed"] is True and not first.failed, first.get("msg")
        assert first["built"] == images
        assert (read("app", "/message"), read("app", "/greeting")) == ("one\n", "hello\n")
        assert (read("tool", "/artifact"), read("inline", "/made")) == ("built\n", "inline\n")
        again = apply()
        assert again["changed"] is False and again["built"] == [], again

        (tmp_path / "app" / "notes.txt").write_text("still not sent\n")  # ignored by .dockerignore: no build
        assert apply()["built"] == []
        (tmp_path / "app" / "message").write_text("two\n")
        predicted = module("compose", {"project_src": str(tmp_path), "project_name": name}, check=True)
        actions = {s: [r["actions"] for r in rs] for s, rs in predicted["services"].items()}
        assert predicted["built"] == [f"{name}-app", f"{name}-inline"]  # both are built from ./app
        assert actions["app"] == [["recreated", "started"]] and actions["tool"] == [[]], actions
        assert read("app", "/message") == "one\n"  # check mode built nothing
        edited = apply()
        actions = {s: [r["actions"] for r in rs] for s, rs in edited["services"].items()}
        assert edited["built"] == [f"{name}-app", f"{name}-inline"]
        assert actions == {"app": [["recreated", "started"]], "tool": [[]], "inline": [["recreated", "started"]]}
        assert read("app", "/message") == "two\n"
        assert apply(env={"GREETING": "hi"})["built"] == [f"{name}-app"]
        assert read("app", "/greeting") == "hi\n"
        assert apply(env={"GREETING": "hi"}, build="always")["changed"] is False  # the same images again

        (tmp_path / "tool" / "Dockerfile").write_text(f"FROM {test_images['busybox']} AS runtime\nRUN false\n")
        failed = apply(env={"GREETING": "hi"})
        assert failed.failed and "services.tool.build: building dyb-tool-" in failed["msg"], failed.get("msg")
        assert re.search(r"failed at Step 2/\d+ : RUN false: The command .* returned a non-zero code", failed["msg"])
    finally:
        module("compose", {"project_src": str(tmp_path), "project_name": name, "state": "absent"})
        for image in images:
            forget(docker_client, image)


def test_extension_fields_anchors_and_merge_keys_are_read_as_compose_reads_them(docker_client, test_images, suffix):
    name = f"dyanc{suffix}"
    text = textwrap.dedent(f"""
        x-common: &common
          image: {test_images["busybox"]}
          command: ["sleep", "3600"]
          environment: {{TIER: shared}}
        services:
          one: {{<<: *common, labels: {{which: one}}}}
          two:
            <<: *common
            environment: {{TIER: own}}
    """)
    try:
        applied = module("compose", {"definition": text, "project_name": name})
        assert applied["changed"] is True and not applied.failed, applied.get("msg")
        one, two = (docker_client.api.inspect_container(f"{name}-{s}-1")["Config"] for s in ("one", "two"))
        assert "TIER=shared" in one["Env"] and one["Labels"]["which"] == "one"
        assert "TIER=own" in two["Env"] and two["Cmd"] == ["sleep", "3600"]
        assert module("compose", {"definition": text, "project_name": name})["changed"] is False
    finally:
        module("compose", {"definition": text, "project_name": name, "state": "absent"})
