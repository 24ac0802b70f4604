"""registry_login, registry_info and registry_prune against real registries (distribution v2).

``registry`` speaks plain HTTP on loopback; ``secure_registry`` has TLS with its own CA and
htpasswd (bcrypt) users, its CA trusted in /etc/docker/certs.d as the engine role does it.
"""

from __future__ import annotations

import json
import os
import stat
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest

from ansible_run import local_module as module


def push(client, reference: str) -> str:
    """Push ``reference`` from the local daemon; the digest the registry gave it."""
    digest = None
    for line in client.api.push(reference, stream=True, decode=True):
        assert "error" not in line, line
        digest = (line.get("aux") or {}).get("Digest", digest)
    return digest


def labelled_image(client, base: str, reference: str, label: str) -> None:
    """A distinct image (its own digest) built on ``base``, tagged ``reference``."""
    container = client.containers.create(base, "sh")
    try:
        container.commit(*reference.rsplit(":", 1), changes=[f"LABEL build={label}"])
    finally:
        container.remove()


OTHER = "b3RoZXI6cHc="  # other:pw, another registry's entry that must survive


@pytest.fixture
def config_path(tmp_path) -> Path:
    return tmp_path / "docker" / "config.json"


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


def test_info_without_credentials_on_an_auth_registry_says_what_is_missing(secure_registry, config_path):
    address, _user, _password, _ca = secure_registry
    failed = module("registry_info", {"registry": address, "docker_config": str(config_path)})
    assert failed.failed and "asks for credentials and none were given or stored" in failed["msg"]


def test_a_registry_that_stops_answering_fails_after_bounded_retries_and_a_retry_converges(docker_client, registry):
    port = registry.split(":")[1]
    container = next(
        c for c in docker_client.containers.list() if (c.ports.get("5000/tcp") or [{}])[0].get("HostPort") == port
    )
    container.pause()  # docker-proxy still accepts the connection; nothing answers
    try:
        started = time.monotonic()
        failed = module("registry_info", {"registry": f"http://{registry}", "timeout": 1, "retries": 2})
        elapsed = time.monotonic() - started
        assert failed.failed and f"registry {registry} cannot be reached after 3 attempts" in failed["msg"]
        assert elapsed < 15, elapsed  # 3 timeouts of 1 s and pauses of 1 s and 2 s, not the default 30 s each
        # Back while the module is still retrying: the same run succeeds.
        threading.Timer(1.5, container.unpause).start()
        recovered = module("registry_info", {"registry": f"http://{registry}", "timeout": 1, "retries": 4})
        assert not recovered.failed, recovered
        assert "repositories" in recovered
    finally:
        container.reload()
        if container.status == "paused":
            container.unpause()


def test_info_lists_every_repository_across_pages_and_the_digest_docker_shows(docker_client, registry, test_images):
    prefix = f"catalog-{uuid.uuid4().hex[:6]}"
    image = docker_client.images.get(test_images["busybox"])
    references = [f"{registry}/{prefix}/app{n}:1.0" for n in range(5)]
    for reference in references:
        image.tag(reference)
        push(docker_client, reference)

    catalog = module("registry_info", {"registry": f"http://{registry}", "page_size": 2})
    assert {f"{prefix}/app{n}" for n in range(5)} <= set(catalog["repositories"])

    described = module(
        "registry_info", {"registry": f"http://{registry}", "repository": f"{prefix}/app0", "tag": "1.0"}
    )
    assert described["tags"] == ["1.0"]
    manifest = described["manifest"]
    repo_digests = docker_client.images.get(references[0]).attrs["RepoDigests"]
    assert f"{registry}/{prefix}/app0@{manifest['digest']}" in repo_digests
    assert manifest["media_type"] == "application/vnd.docker.distribution.manifest.v2+json"
    assert manifest["platforms"] == [{"os": "linux", "architecture": "amd64"}]
    assert manifest["created"]

    missing = module("registry_info", {"registry": f"http://{registry}", "repository": f"{prefix}/none", "tag": "1.0"})
    assert missing["tags"] == [] and missing["manifest"] is None
    for reference in references:
        docker_client.images.remove(reference)


def test_prune_keeps_the_newest_and_what_shares_their_digest(docker_client, registry, test_images):
    repository = f"{registry}/prune-{uuid.uuid4().hex[:6]}/app"
    for n in range(1, 5):
        labelled_image(docker_client, test_images["busybox"], f"{repository}:build-{n}", str(n))
        push(docker_client, f"{repository}:build-{n}")
    # "stable" points to build-1's image: build-1 must survive though it is the oldest.
    docker_client.images.get(f"{repository}:build-1").tag(repository, "stable")
    push(docker_client, f"{repository}:stable")
    name = repository.split("/", 1)[1]
    args = {"registry": f"http://{registry}", "repositories": [name], "keep_last": 2, "protect": ["stable"]}

    predicted = module("registry_prune", args, check=True)
    assert predicted["changed"] is True
    assert [d["tags"] for d in predicted["deleted"]] == [["build-2"]]
    assert predicted["spared"] == [{"repository": name, "tag": "build-1", "kept_by": "stable"}]
    listing = {"registry": f"http://{registry}", "repository": name}
    assert len(module("registry_info", listing)["tags"]) == 5

    pruned = module("registry_prune", args)
    assert pruned["deleted"] == predicted["deleted"]
    assert sorted(module("registry_info", listing)["tags"]) == ["build-1", "build-3", "build-4", "stable"]
    assert module("registry_prune", args)["changed"] is False
    for n in range(1, 5):
        docker_client.images.remove(f"{repository}:build-{n}")
    docker_client.images.remove(f"{repository}:stable")


def test_prune_refuses_a_bad_age_before_touching_the_registry(registry):
    failed = module("registry_prune", {"registry": f"http://{registry}", "keep_younger_than": "30 days"})
    assert failed.failed and "keep_younger_than: '30 days' is not an age" in failed["msg"]
