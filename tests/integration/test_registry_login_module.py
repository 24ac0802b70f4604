"""registry_login against real registries (distribution v2): verified before stored, mode 0600, other
registries kept, logout, credential helpers; failures named."""

from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path

import pytest

from ansible_run import local_module as module

OTHER = "b3RoZXI6cHc="  # other:pw, another registry's entry that must survive


@pytest.fixture
def config_path(tmp_path) -> Path:
    return tmp_path / "docker" / "config.json"


@pytest.mark.smoke
def test_login_verifies_then_stores_mode_0600_and_keeps_other_registries(secure_registry, config_path):
    address, user, password, _ca = secure_registry
    config_path.parent.mkdir()
    config_path.write_text(json.dumps({"auths": {"other.example:5000": {"auth": OTHER}}, "detachKeys": "ctrl-x"}))
    args = {"registry": address, "username": user, "password": password, "docker_config": str(config_path)}

    predicted = module("registry_login", args, check=True)
    assert predicted["changed"] is True
    assert "other.example:5000" in json.loads(config_path.read_text())["auths"]
    assert address not in json.loads(config_path.read_text())["auths"]

    stored = module("registry_login", args, diff=True)
    assert stored["changed"] is True and stored["stored_in"] == "file"
    assert password not in stored.output
    config = json.loads(config_path.read_text())
    assert set(config["auths"]) == {"other.example:5000", address}
    assert config["detachKeys"] == "ctrl-x"
    assert stat.S_IMODE(os.stat(config_path).st_mode) == 0o600

    assert module("registry_login", args)["changed"] is False
    assert module("registry_login", {**args, "password": "another"}, check=True).failed  # verified in check mode too
    assert module("registry_login", {**args, "password": "another", "verify": False}, check=True)["changed"] is True


def test_login_with_a_wrong_password_fails_and_stores_nothing(secure_registry, config_path):
    address, user, _password, _ca = secure_registry
    failed = module(
        "registry_login",
        {"registry": address, "username": user, "password": "wrong-pw", "docker_config": str(config_path)},
    )
    assert failed.failed
    assert f"registry {address} refused user '{user}'" in failed["msg"]
    assert "wrong-pw" not in failed.output
    assert not config_path.exists()


def test_login_to_an_https_name_of_a_plain_http_registry_says_so(registry, config_path):
    failed = module(
        "registry_login",
        {"registry": registry, "username": "someone", "password": "not-checked-pw", "docker_config": str(config_path)},
    )
    assert failed.failed
    assert "answers plain HTTP, not HTTPS" in failed["msg"] and f"http://{registry}" in failed["msg"]


def test_logout_removes_only_that_registry(secure_registry, config_path):
    address, user, password, _ca = secure_registry
    config_path.parent.mkdir()
    config_path.write_text(json.dumps({"auths": {"other.example:5000": {"auth": OTHER}}}))
    module(
        "registry_login",
        {"registry": address, "username": user, "password": password, "docker_config": str(config_path)},
    )
    out = module("registry_login", {"registry": address, "state": "absent", "docker_config": str(config_path)})
    assert out["changed"] is True
    assert json.loads(config_path.read_text())["auths"] == {"other.example:5000": {"auth": OTHER}}
    assert (
        module("registry_login", {"registry": address, "state": "absent", "docker_config": str(config_path)})["changed"]
        is False
    )


def test_login_stores_through_the_credential_helper_the_config_names(secure_registry, config_path, tmp_path):
    """A script speaking the docker-credential protocol stands in for pass or secretservice (no keyring here)."""
    address, user, password, _ca = secure_registry
    helpers = tmp_path / "bin"
    helpers.mkdir()
    helper = helpers / "docker-credential-filestore"
    helper.write_text(f"#!{sys.executable}\n" + (Path(__file__).parent / "files" / "credential_helper.py").read_text())
    helper.chmod(0o755)
    config_path.parent.mkdir()
    config_path.write_text(json.dumps({"credsStore": "filestore"}))
    env = {"PATH": f"{helpers}:{os.environ['PATH']}"}
    args = {"registry": address, "username": user, "password": password, "docker_config": str(config_path)}

    stored = module("registry_login", args, env=env)
    assert stored["changed"] is True and stored["stored_in"] == "helper:filestore"
    assert json.loads(config_path.read_text())["auths"] == {address: {}}
    assert json.loads((helpers / "store.json").read_text())[address]["Secret"] == password
    assert module("registry_login", args, env=env)["changed"] is False

    # registry_info finds the credentials through the same helper.
    listed = module("registry_info", {"registry": address, "docker_config": str(config_path)}, env=env)
    assert not listed.failed, listed.get("msg")

    assert module(
        "registry_login", {"registry": address, "state": "absent", "docker_config": str(config_path)}, env=env
    )["changed"]
    assert json.loads((helpers / "store.json").read_text()) == {}
