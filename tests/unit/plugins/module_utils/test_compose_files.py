"""A project's files put together as docker compose puts them: the override file, extends and include, each
relative path from the directory of the file that wrote it."""

from __future__ import annotations

import pytest

from ansible_collections.dockyard.docker.plugins.module_utils.compose_files import (
    default_files,
    include,
    resolve_extends,
)
from ansible_collections.dockyard.docker.plugins.module_utils.values import SpecError


def files(**by_path):
    """read() and read_env() over a dict of path -> parsed file (or env mapping), interpolation left out; the
    defaults each file was read with are kept in read.defaults."""

    def read(path, defaults):
        if path not in by_path:
            raise SpecError(f"cannot read {path}: No such file or directory")
        read.defaults[path] = defaults
        return by_path[path]

    read.defaults = {}
    return read, by_path.get


@pytest.mark.parametrize(
    ("present", "expected"),
    [({"compose.yaml", "compose.override.yml"}, ["compose.yaml", "compose.override.yml"]),
     ({"docker-compose.yml", "docker-compose.override.yaml"}, ["docker-compose.yml", "docker-compose.override.yaml"]),
     ({"compose.yml"}, ["compose.yml"]), (set(), ["compose.yaml"])],
)  # fmt: skip
def test_the_default_file_and_the_override_beside_it_are_read_as_compose_reads_them(present, expected):
    assert default_files("/srv/app", lambda path: path.rsplit("/", 1)[1] in present) == expected


def test_a_service_extends_one_in_its_file_and_one_in_another_whose_paths_stay_its_own():
    read, _env = files(**{"/srv/common/base.yaml": {"services": {"app": {
        "image": "app:1", "environment": {"A": "1"}, "volumes": ["./conf:/etc/app"], "env_file": "app.env",
        "depends_on": ["db"], "command": ["serve", "--debug"],
    }}}})  # fmt: skip
    services = {
        "worker": {"extends": {"file": "../common/base.yaml", "service": "app"}, "command": ["work"],
                   "environment": ["B=2"]},
        "worker2": {"extends": "worker", "environment": {"A": "3"}},
    }  # fmt: skip
    resolved = resolve_extends(services, "/srv/app", read)
    assert resolved["worker"] == {
        "image": "app:1",
        "environment": {"A": "1", "B": "2"},
        "volumes": ["/srv/common/conf:/etc/app"],
        "env_file": ["/srv/common/app.env"],
        "command": ["work"],
    }  # fmt: skip  (depends_on is never taken from the service extended)
    assert resolved["worker2"]["environment"] == {"A": "3", "B": "2"}
    assert resolved["worker2"]["command"] == ["work"]


@pytest.mark.parametrize(
    ("services", "message"),
    [({"a": {"extends": "b"}, "b": {"extends": "a"}}, "services.b.extends: extends goes round in a circle: a -> b"),
     ({"a": {"extends": "nobody"}}, "services.a.extends: no service 'nobody' in this file"),
     ({"a": {"extends": {"file": "x.yaml"}}}, "services.a.extends: {'file': 'x.yaml'} names no service")],
)  # fmt: skip
def test_an_extends_that_cannot_be_resolved_is_named(services, message):
    with pytest.raises(SpecError, match=message.replace("(", r"\(").replace(")", r"\)").replace("{", r"\{")):
        resolve_extends(services, "/srv/app", files()[0])


def test_an_included_project_keeps_its_own_paths_and_env_file_and_a_name_defined_twice_is_refused():
    read, read_env = files(**{
        "/srv/db/compose.yaml": {"services": {"db": {"image": "db:${TAG}", "volumes": ["./init:/init"]}},
                                 "volumes": {"data": {}}, "secrets": {"pw": {"file": "./pw.txt"}}},
        "/srv/db/.env": {"TAG": "16"},
    })  # fmt: skip
    config = {"include": ["../db/compose.yaml"], "services": {"web": {"image": "web:1"}}}
    merged = include(config, "/srv/app", read, read_env)
    assert "include" not in merged and set(merged["services"]) == {"web", "db"}
    assert merged["services"]["db"]["volumes"] == ["/srv/db/init:/init"]
    assert read.defaults["/srv/db/compose.yaml"] == {"TAG": "16"}  # its own .env, under the project's variables
    assert merged["secrets"] == {"pw": {"file": "/srv/db/pw.txt"}} and merged["volumes"] == {"data": {}}
    twice = {"include": ["../db/compose.yaml"], "services": {"db": {"image": "mine"}}}
    with pytest.raises(SpecError, match=r"include\[0\]: services\.db is defined both here and in /srv/db/compose"):
        include(twice, "/srv/app", read, read_env)
    with pytest.raises(SpecError, match=r"include\[0\]\.env_file: /srv/app/missing\.env does not exist"):
        include({"include": [{"path": "../db/compose.yaml", "env_file": "missing.env"}]}, "/srv/app", read, read_env)
