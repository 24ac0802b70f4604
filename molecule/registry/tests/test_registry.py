"""A registry host from the inside (testinfra): its registry serves TLS and refuses anyone without the user's
password, the host trusts and is logged in to every host's registry, and an image pushed to each comes back by
pull with the digest it was pushed with."""

from __future__ import annotations

import json

import pytest

IMAGE = "dockyard-testbed/busybox:latest"


@pytest.fixture
def registries(host) -> list[str]:
    """host:port of every registry this host trusts (one per scenario host)."""
    with host.sudo():
        return sorted(host.check_output("ls /etc/docker/certs.d").split())


@pytest.fixture
def own(host, registries) -> str:
    addresses = host.check_output("hostname -I").split()
    (mine,) = [r for r in registries if r.rsplit(":", 1)[0] in addresses]
    return mine


def test_the_registry_runs_and_refuses_a_request_without_credentials(host, own):
    with host.sudo():
        running = host.check_output("docker inspect -f '{{.State.Running}}' registry")
        status = host.check_output(
            f"curl -s -o /dev/null -w '%{{http_code}}' --cacert /etc/docker/certs.d/{own}/ca.crt https://{own}/v2/"
        )
    assert running == "true"
    assert status == "401"


def test_the_password_file_and_the_stored_credentials_are_private(host, registries):
    with host.sudo():
        htpasswd = host.file("/etc/docker-registry/registry/auth/htpasswd")
        config = host.file("/root/.docker/config.json")
        assert htpasswd.mode == 0o600 and config.mode == 0o600
        assert htpasswd.content_string.startswith("molecule:$2")  # bcrypt, as the registry needs
        assert sorted(json.loads(config.content_string)["auths"]) == registries


def test_an_image_pushed_to_every_registry_pulls_back_with_its_digest(host, registries):
    name = host.check_output("hostname")
    with host.sudo():
        for registry in registries:
            ref = f"{registry}/molecule/{name}:1"
            host.check_output(f"docker tag {IMAGE} {ref} && docker push -q {ref}")
            pushed = _digest(host, ref)
            host.check_output(f"docker rmi {ref}")
            host.check_output(f"docker pull -q {ref}")
            assert _digest(host, ref) == pushed, registry


def _digest(host, ref: str) -> str:
    """The digest the registry of ``ref`` knows the image by (an image has one per repository it was pushed to)."""
    repository = ref.rsplit(":", 1)[0]
    digests = json.loads(host.check_output(f"docker inspect -f '{{{{json .RepoDigests}}}}' {ref}"))
    (found,) = [d for d in digests if d.startswith(repository + "@")]
    return found
