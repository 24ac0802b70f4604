"""When a Compose service's image is built again: a fingerprint of the build settings and of what the context
sends (.dockerignore applied), and the build settings checked before anything is touched."""

from __future__ import annotations

import re

import pytest

from ansible_collections.dockyard.docker.plugins.module_utils.compose_build import build_settings, fingerprint
from ansible_collections.dockyard.docker.plugins.module_utils.values import SpecError


@pytest.fixture
def project(tmp_path):
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "Dockerfile").write_text("FROM scratch\nCOPY . /\n")
    (tmp_path / "app" / "main.py").write_text("print(1)\n")
    (tmp_path / "app" / ".dockerignore").write_text("# local files\n*.log\n")
    return tmp_path


def settings(project, **build):
    return build_settings({"context": "./app", **build}, "shop-app", str(project), "services.app.build")


def test_the_fingerprint_changes_with_what_the_build_sends_and_its_settings_only(project):
    first = fingerprint(settings(project))
    assert fingerprint(settings(project)) == first
    (project / "app" / "debug.log").write_text("ignored\n")  # .dockerignore keeps it out of the context
    assert fingerprint(settings(project)) == first
    assert fingerprint(settings(project, no_cache=True, pull=True)) == first  # how to build, not what
    (project / "app" / "main.py").write_text("print(2)\n")
    second = fingerprint(settings(project))
    assert second != first
    assert fingerprint(settings(project, args=["MODE=prod"])) != second
    assert fingerprint(settings(project, target="runtime")) != second
    (project / "app" / "main.py").chmod(0o755)
    assert fingerprint(settings(project)) != second


def test_build_settings_are_read_as_compose_writes_them(project):
    found = settings(project, args=["A=1", "B"], labels={"team": "shop"}, extra_hosts=["db=10.0.0.5"],
                     shm_size="64m", cache_from=["shop-app:cache"])  # fmt: skip
    assert found["context"] == str(project / "app") and found["dockerfile"] == "Dockerfile"
    assert (found["args"], found["labels"], found["extra_hosts"]) == (
        {"A": "1", "B": ""},
        {"team": "shop"},
        {"db": "10.0.0.5"},
    )
    assert found["shm_size"] == 64 << 20 and found["cache_from"] == ["shop-app:cache"]
    assert build_settings(".", "x", str(project / "app"), "services.x.build")["context"] == str(project / "app")


@pytest.mark.parametrize(
    ("build", "message"),
    [({"context": "./nowhere"}, "services.app.build.context: {dir}/nowhere does not exist or is not a directory"),
     ({"context": "./app", "dockerfile": "Other"}, "services.app.build.dockerfile: {dir}/app/Other does not exist"),
     ({"context": "./app", "secrets": ["token"]}, "services.app.build.secrets: needs BuildKit (docker buildx)"),
     ({"context": "./app", "contex": "."}, "services.app.build.contex: not a build key this module supports"),
     ({"context": "./app", "dockerfile": "D", "dockerfile_inline": "FROM x"},
      "services.app.build: give dockerfile or dockerfile_inline, not both")],
)  # fmt: skip
def test_a_build_that_cannot_run_is_named_before_anything_is_touched(project, build, message):
    with pytest.raises(SpecError, match=re.escape(message.format(dir=project))):
        build_settings(build, "shop-app", str(project), "services.app.build")


def test_build_args_labels_and_hosts_are_read_as_environment_is_yaml_booleans_as_compose_writes_them(tmp_path):
    (tmp_path / "Dockerfile").write_text("FROM scratch\n")
    given = {"args": {"DEBUG": True, "EMPTY": None, "N": 3}, "labels": ["a=b", "c"], "extra_hosts": ["db:10.0.0.2"]}
    settings = build_settings(given, "app", str(tmp_path), "services.app.build")
    assert settings["args"] == {"DEBUG": "true", "EMPTY": "", "N": "3"}
    assert (settings["labels"], settings["extra_hosts"]) == ({"a": "b", "c": ""}, {"db": "10.0.0.2"})
