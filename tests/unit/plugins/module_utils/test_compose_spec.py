"""Compose files read as Compose reads them: interpolation, .env, merging, names, labels, order and states."""

from __future__ import annotations

import pytest

from ansible_collections.dockyard.docker.plugins.module_utils.compose_spec import (
    Project,
    interpolate,
    merge,
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
        "services": {"web": {"image": "a", "ports": ["81"], "environment": {"A": "1", "B": "2"}}}
    }


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
    assert db["networks"] == [{"name": "shop_default", "aliases": ["db"]}]


def test_relative_paths_in_a_definition_without_a_directory_are_refused():
    with pytest.raises(SpecError, match=r"services\.web\.volumes\[0\]: './data' is relative, and a definition"):
        Project({"services": {"web": {"image": "x", "volumes": ["./data:/data"]}}}, "p", "", [])
    with pytest.raises(SpecError, match=r"services\.web\.env_file: 'web\.env' is relative"):
        Project({"services": {"web": {"image": "x", "env_file": "web.env"}}}, "p", "", [])
    absolute = Project({"services": {"web": {"image": "x", "volumes": ["/srv/data:/data"]}}}, "p", "", [])
    assert absolute.specs["web"][0]["volumes"] == ["/srv/data:/data"]
