"""Compose files read as Compose reads them: interpolation, .env, merging, names, labels, order and states."""

from __future__ import annotations

import re

import pytest

from ansible_collections.dockyard.docker.plugins.module_utils.compose_files import merge
from ansible_collections.dockyard.docker.plugins.module_utils.compose_spec import (
    Project,
    interpolate,
    project_name,
    read_env_text,
)
from ansible_collections.dockyard.docker.plugins.module_utils.values import SpecError


def test_interpolation_as_compose_does_it():
    variables = {"SET": "yes", "EMPTY": ""}
    assert interpolate("$SET ${SET} ${EMPTY:-fallback} ${EMPTY-kept} ${NONE-unset} $$SET", variables, "x") == (
        "yes yes fallback  unset $SET"
    )
    with pytest.raises(SpecError, match=r"services\.web\.image: \$\{TAG\} is required: give a tag"):
        interpolate({"image": "app:${TAG:?give a tag}"}, {}, "services.web")


def test_env_files_names_and_merging():
    assert read_env_text("# c\nexport A=1\nB='two words'\nC=\"x\"\nbad line\n") == {
        "A": "1",
        "B": "two words",
        "C": "x",
    }
    assert project_name("My App.v2") == "myappv2"
    base = {"services": {"web": {"image": "a", "ports": ["80"], "environment": {"A": "1"}}}}
    over = {"services": {"web": {"ports": ["81"], "environment": {"B": "2"}}}}
    assert merge(base, over) == {
        "services": {"web": {"image": "a", "ports": ["80", "81"], "environment": {"A": "1", "B": "2"}}}
    }


def test_files_merge_as_compose_merges_them():
    web = {
        "image": "web:1",
        "command": ["serve", "--port", "80"],
        "environment": ["A=1", "B=2"],
        "labels": {"tier": "web"},
        "ports": ["80:80"],
        "volumes": ["data:/data", "./conf:/etc/web"],
        "secrets": ["token"],
        "dns": ["1.1.1.1"],
        "depends_on": ["db"],
        "networks": ["front"],
        "healthcheck": {"test": ["CMD", "a"], "interval": "5s"},
        "logging": {"driver": "json-file", "options": {"max-size": "1m"}},
    }
    later = {
        "command": ["serve"],
        "environment": {"B": "3", "C": "4"},
        "labels": ["owner=ops"],
        "ports": ["80:80", "443:443"],
        "volumes": [{"type": "bind", "source": "./other", "target": "/etc/web"}],
        "secrets": [{"source": "token2", "target": "/run/secrets/token"}],
        "dns": ["8.8.8.8"],
        "depends_on": {"cache": {"condition": "service_healthy"}},
        "networks": {"back": {"aliases": ["api"]}},
        "healthcheck": {"test": ["CMD", "b"]},
        "logging": {"driver": "syslog"},
    }
    base, override = {"services": {"web": web}}, {"services": {"web": later}}
    web = merge(base, override)["services"]["web"]
    assert web["command"] == ["serve"] and web["healthcheck"] == {"test": ["CMD", "b"], "interval": "5s"}
    assert web["environment"] == {"A": "1", "B": "3", "C": "4"} and web["labels"] == {"tier": "web", "owner": "ops"}
    assert web["ports"] == ["80:80", "443:443"] and web["dns"] == ["1.1.1.1", "8.8.8.8"]
    assert web["volumes"] == ["data:/data", {"type": "bind", "source": "./other", "target": "/etc/web"}]
    assert web["secrets"] == [{"source": "token2", "target": "/run/secrets/token"}]
    assert web["depends_on"] == {"db": {"condition": "service_started"}, "cache": {"condition": "service_healthy"}}
    assert web["networks"] == {"front": None, "back": {"aliases": ["api"]}}
    assert web["logging"] == {"driver": "syslog"}  # another driver: the earlier options do not apply to it


def test_services_become_container_specs_named_and_labelled_as_compose_does():
    config = {
        "services": {
            "web": {"image": "web:1", "depends_on": {"db": {"condition": "service_healthy"}}, "scale": 2,
                    "restart": "on-failure:3", "stop_grace_period": "1m30s", "pull_policy": "if_not_present"},
            "db": {"image": "db:1", "volumes": ["data:/var/lib/db", "./conf:/etc/db:ro"]},
        },
        "volumes": {"data": {}},
    }  # fmt: skip
    project = Project(config, "Shop", "/srv/shop", [])
    assert project.order == ["db", "web"]
    web = project.specs["web"]
    assert [s["name"] for s in web] == ["shop-web-1", "shop-web-2"]
    assert web[1]["labels"]["com.docker.compose.container-number"] == "2"
    assert (web[0]["restart_policy"], web[0]["restart_retries"], web[0]["stop_timeout"], web[0]["pull"]) == (
        "on-failure",
        3,
        90,
        "missing",
    )
    (db,) = project.specs["db"]
    assert db["state"] == "healthy"  # web waits for it to be healthy
    assert db["volumes"] == ["shop_data:/var/lib/db", "/srv/shop/conf:/etc/db:ro"]
    assert db["networks"] == [{"name": "shop_default", "aliases": ["db", "shop-db-1"]}]  # and its own name


def test_relative_paths_in_a_definition_without_a_directory_are_refused():
    with pytest.raises(SpecError, match=r"services\.web\.volumes\[0\]: './data' is relative, and a definition"):
        Project({"services": {"web": {"image": "x", "volumes": ["./data:/data"]}}}, "p", "", [])
    with pytest.raises(SpecError, match=r"services\.web\.env_file: 'web\.env' is relative"):
        Project({"services": {"web": {"image": "x", "env_file": "web.env"}}}, "p", "", [])
    absolute = Project({"services": {"web": {"image": "x", "volumes": ["/srv/data:/data"]}}}, "p", "", [])
    assert absolute.specs["web"][0]["volumes"] == ["/srv/data:/data"]


def test_deploy_keys_become_container_options_and_swarm_only_ones_are_ignored_as_compose_does():
    deploy = {
        "replicas": 2,
        "resources": {"limits": {"cpus": "0.5", "memory": "64m", "pids": 50}, "reservations": {"memory": "32m"}},
        "restart_policy": {"condition": "on-failure", "max_attempts": 3, "delay": "5s"},
        "placement": {"constraints": ["node.role == manager"]},
        "labels": {"swarm": "only"},
    }
    project = Project({"services": {"web": {"image": "app", "restart": "always", "deploy": deploy}}}, "p", "/srv", [])
    spec = project.specs["web"][0]
    assert len(project.specs["web"]) == 2
    assert (spec["cpus"], spec["memory"], spec["pids_limit"], spec["memory_reservation"]) == (0.5, "64m", 50, "32m")
    # deploy.restart_policy wins over restart, as in docker compose
    assert (spec["restart_policy"], spec["restart_retries"]) == ("on-failure", 3)
    assert "swarm" not in spec["labels"]
    anyway = Project({"services": {"w": {"image": "a", "deploy": {"restart_policy": {}}}}}, "p", "/srv", [])
    assert anyway.specs["w"][0]["restart_policy"] == "always"  # the condition's default is any


@pytest.mark.parametrize(
    ("deploy", "named"),
    [
        ({"mode": "global"}, "services.web.deploy.mode: 'global' needs a swarm"),
        ({"resources": {"limits": {"devices": []}}}, "services.web.deploy.resources.limits.devices: not supported"),
        ({"restart_policy": {"condition": "always"}}, "services.web.deploy.restart_policy.condition: 'always' is not"),
        ({"resourcez": {}}, "services.web.deploy.resourcez: not supported here"),
    ],
)
def test_deploy_keys_that_cannot_apply_on_one_host_are_named(deploy, named):
    with pytest.raises(SpecError, match=re.escape(named)):
        Project({"services": {"web": {"image": "app", "deploy": deploy}}}, "p", "/srv", [])


def test_service_keys_taken_as_they_are_come_from_the_container_options_that_name_them():
    config = {"services": {"app": {"image": "app:1", "mem_limit": "64m", "stdin_open": True, "pid": "host",
                                   "security_opt": ["no-new-privileges:true"], "cpus": 0.5}}}  # fmt: skip
    (app,) = Project(config, "p", "/srv/p", []).specs["app"]
    assert (app["memory"], app["interactive"], app["pid_mode"], app["security_opts"], app["cpus"]) == (
        "64m",
        True,
        "host",
        ["no-new-privileges:true"],
        0.5,
    )
    # a key the container options do not name is refused with its path, before anything is touched
    with pytest.raises(SpecError, match=r"services\.app.*oom_kill_disable"):
        Project({"services": {"app": {"image": "a", "oom_kill_disable": True}}}, "p", "/srv/p", [])


def test_file_secrets_and_configs_are_bind_mounted_read_only_where_compose_puts_them(tmp_path):
    for name in ("db_password.txt", "nginx.conf", "api_key"):
        (tmp_path / name).write_text("x")
    config = {
        "services": {"web": {"image": "web:1", "volumes": ["./nginx.conf:/etc/app.conf"],
                             "secrets": ["db_password", {"source": "api_key", "target": "key", "mode": 0o400}],
                             "configs": ["nginx", {"source": "nginx", "target": "/etc/nginx/nginx.conf"}]}},
        "secrets": {"db_password": {"file": "./db_password.txt"}, "api_key": {"file": str(tmp_path / "api_key")}},
        "configs": {"nginx": {"file": "nginx.conf"}},
    }  # fmt: skip
    project = Project(config, "shop", str(tmp_path), [])
    (web,) = project.specs["web"]
    assert web["volumes"] == [
        f"{tmp_path}/nginx.conf:/etc/app.conf",
        f"{tmp_path}/db_password.txt:/run/secrets/db_password:ro",
        f"{tmp_path}/api_key:/run/secrets/key:ro",
        f"{tmp_path}/nginx.conf:/nginx:ro",
        f"{tmp_path}/nginx.conf:/etc/nginx/nginx.conf:ro",
    ]
    assert project.warnings == [
        "services.web.secrets[1]: mode ignored, as docker compose ignores them: the file is bind-mounted as it is"
        " on the host"
    ]


@pytest.mark.parametrize(
    ("secrets", "uses", "message"),
    [({"s": {"external": True}}, ["s"],
      "services.web.secrets[0]: the secret 's' is external, which only a swarm holds (docker secret create)"),
     ({"s": {"file": "./s"}}, ["other"], "services.web.secrets[0]: the secret 'other' is not in the top-level secrets"),
     ({"s": {"file": "./missing"}}, ["s"], "secrets.s.file: {dir}/missing does not exist or is not a file"),
     ({"s": {"environment": "TOKEN"}}, ["s"], "secrets.s.environment: the variable TOKEN is not set (.env or env)"),
     ({"s": {"content": "x"}}, ["s"], "secrets.s: give one of file, environment"),
     ({"s": {"file": "./s", "environment": "A"}}, ["s"], "give one of file, environment, not file and environment"),
     ({"s": {}}, ["s"], "secrets.s: give one of file, environment")],
)  # fmt: skip
def test_a_secret_one_host_cannot_give_is_named_with_the_reason(tmp_path, secrets, uses, message):
    (tmp_path / "s").write_text("x")
    config = {"services": {"web": {"image": "web:1", "secrets": uses}}, "secrets": secrets}
    with pytest.raises(SpecError, match=re.escape(message.format(dir=tmp_path))):
        Project(config, "shop", str(tmp_path), [])


def test_a_relative_secret_file_in_a_definition_without_a_directory_is_refused():
    config = {"services": {"web": {"image": "web:1"}}, "secrets": {"s": {"file": "./s.txt"}}}
    with pytest.raises(SpecError, match=r"secrets\.s\.file: '\./s\.txt' is relative, and a definition has no project"):
        Project(config, "shop", "", [])


def test_secrets_and_configs_given_by_value_are_copied_in_and_their_content_is_in_the_config_hash():
    def project(token: str, **app) -> Project:
        config = {
            "services": {"app": {"image": "app:1", "secrets": [{"source": "token", "mode": "0400", "uid": "1000"}],
                                 "configs": [{"source": "motd", "target": "etc/motd"}], **app}},
            "secrets": {"token": {"environment": "TOKEN"}},
            "configs": {"motd": {"content": "welcome\n"}},
        }  # fmt: skip
        return Project(config, "shop", "", [], variables={"TOKEN": token})

    first = project("t-1")
    assert first.copied["app"] == [
        {"path": "/run/secrets/token", "content": "t-1", "mode": 0o400, "uid": 1000, "gid": 0},
        {"path": "/etc/motd", "content": "welcome\n", "mode": 0o444, "uid": 0, "gid": 0},
    ]
    (spec,) = first.specs["app"]
    assert "volumes" not in spec and "t-1" not in str(spec)  # never in the spec a diff or a result could show
    hashes = {p.specs["app"][0]["labels"]["com.docker.compose.config-hash"] for p in (first, project("t-1"))}
    assert len(hashes) == 1
    assert project("t-2").specs["app"][0]["labels"]["com.docker.compose.config-hash"] not in hashes
    with pytest.raises(SpecError, match=r"services\.app\.read_only: the secret 'token' cannot be copied into a read"):
        project("t-1", read_only=True)


def test_platform_goes_to_the_container_and_develop_is_ignored_as_up_ignores_it():
    watch = {"watch": [{"path": "./src", "action": "sync", "target": "/src"}]}
    config = {"services": {"web": {"image": "web:1", "platform": "linux/arm64", "develop": watch}}}
    (web,) = Project(config, "shop", "", []).specs["web"]
    assert web["platform"] == "linux/arm64" and "develop" not in web


def test_an_env_file_in_raw_format_keeps_its_values_as_written(tmp_path):
    (tmp_path / "app.env").write_text("A='quoted'\nB=x # not a comment\n# c\nexport C=1\n")
    config = {"services": {"web": {"image": "web:1", "env_file": [{"path": "app.env", "format": "raw"}]}}}
    (web,) = Project(config, "shop", str(tmp_path), []).specs["web"]
    assert web["env"] == {"A": "'quoted'", "B": "x # not a comment", "export C": "1"}
    config["services"]["web"]["env_file"] = [{"path": "app.env", "format": "json"}]
    with pytest.raises(SpecError, match=r"services\.web\.env_file\.format: 'json' is not a format Compose reads"):
        Project(config, "shop", str(tmp_path), [])


def test_a_project_read_on_the_controller_for_another_host_copies_its_files_in_and_binds_nothing_beside_it(tmp_path):
    (tmp_path / "token.txt").write_text("t0ken\n")
    config = {
        "services": {"web": {"image": "web:1", "secrets": [{"source": "token", "mode": 0o400, "uid": "33"}],
                             "volumes": ["/srv/data:/data", "logs:/logs"]}},
        "secrets": {"token": {"file": "./token.txt"}},
        "volumes": {"logs": {}},
    }  # fmt: skip
    project = Project(config, "shop", str(tmp_path), [], controller_directories=[str(tmp_path)])
    (web,) = project.specs["web"]
    assert web["volumes"] == ["/srv/data:/data", "shop_logs:/logs"]  # a host path and a volume: the host's
    assert project.copied["web"] == [{"path": "/run/secrets/token", "content": "t0ken\n", "mode": 0o400, "uid": 33,
                                      "gid": 0}]  # fmt: skip
    for bind in ("./conf:/conf", f"{tmp_path}/sub/conf:/conf"):  # relative, or made absolute by include/extends
        config["services"]["web"]["volumes"] = [bind]
        with pytest.raises(SpecError, match=r"services\.web\.volumes\[0\]: .* is beside the project on the controller"):
            Project(config, "shop", str(tmp_path), [], controller_directories=[str(tmp_path)])


def test_a_project_carried_to_the_module_is_the_same_project_with_its_contents_apart(tmp_path):
    web = {"image": "web:1", "secrets": ["token"], "depends_on": {"db": {"condition": "service_healthy"}}}
    config = {"services": {"web": web, "db": {"image": "db:1"}}, "secrets": {"token": {"environment": "T"}}}
    project = Project(config, "shop", str(tmp_path), [], variables={"T": "s3cret"})
    data, contents = project.carried()
    assert "s3cret" not in repr(data) and contents == {"web": ["s3cret"]}
    again = Project.from_carried(data, contents)
    for key in (*Project.CARRIED, "copied"):
        assert getattr(again, key) == getattr(project, key), key
