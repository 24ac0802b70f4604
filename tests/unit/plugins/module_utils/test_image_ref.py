"""Image references against Docker's own normalisation rules."""

from __future__ import annotations

import pytest

from ansible_collections.dockyard.docker.plugins.module_utils.image_ref import ImageReferenceError, parse

DIGEST = "sha256:" + "a" * 64


@pytest.mark.parametrize(
    ("reference", "full", "familiar"),
    [
        ("nginx", "docker.io/library/nginx:latest", "nginx:latest"),
        ("nginx:1.27", "docker.io/library/nginx:1.27", "nginx:1.27"),
        ("library/nginx", "docker.io/library/nginx:latest", "nginx:latest"),
        ("docker.io/nginx", "docker.io/library/nginx:latest", "nginx:latest"),
        ("index.docker.io/library/nginx", "docker.io/library/nginx:latest", "nginx:latest"),
        ("user/app:2.0", "docker.io/user/app:2.0", "user/app:2.0"),
        ("localhost/app", "localhost/app:latest", "localhost/app:latest"),
        ("localhost:5000/app", "localhost:5000/app:latest", "localhost:5000/app:latest"),
        ("registry.example.com/team/sub/app:v1", "registry.example.com/team/sub/app:v1",
         "registry.example.com/team/sub/app:v1"),
        # No dot, no port, not localhost: a Docker Hub namespace, not a registry.
        ("myregistry/app", "docker.io/myregistry/app:latest", "myregistry/app:latest"),
        # host:port alone is a name with a tag.
        ("myhost:5000", "docker.io/library/myhost:5000", "myhost:5000"),
        (f"nginx@{DIGEST}", f"docker.io/library/nginx@{DIGEST}", f"nginx@{DIGEST}"),
        (f"nginx:1.27@{DIGEST}", f"docker.io/library/nginx:1.27@{DIGEST}", f"nginx:1.27@{DIGEST}"),
        ("[::1]:5000/app", "[::1]:5000/app:latest", "[::1]:5000/app:latest"),
        ("a-b__c/e--f.g:X_1.0-rc", "docker.io/a-b__c/e--f.g:X_1.0-rc", "a-b__c/e--f.g:X_1.0-rc"),
        # Uppercase in the first component makes it a registry host, as in Docker.
        ("Registry.Example.com/app", "Registry.Example.com/app:latest", "Registry.Example.com/app:latest"),
    ],
)  # fmt: skip
def test_normalises_like_docker(reference, full, familiar):
    parsed = parse(reference)
    assert parsed["full"] == full
    assert parsed["familiar"] == familiar


def test_parts_of_a_private_registry_reference():
    parsed = parse("registry.local:5000/team/app:1.2")
    assert parsed == {
        "registry": "registry.local:5000",
        "namespace": "team",
        "repository": "app",
        "path": "team/app",
        "name": "registry.local:5000/team/app",
        "tag": "1.2",
        "digest": None,
        "full": "registry.local:5000/team/app:1.2",
        "familiar": "registry.local:5000/team/app:1.2",
    }


def test_digest_only_has_no_tag():
    assert parse(f"app@{DIGEST}")["tag"] is None


@pytest.mark.parametrize(
    ("reference", "why"),
    [
        ("Nginx", "'Nginx' must be lowercase"),
        ("registry.local/Team/app", "'Team' must be lowercase"),
        ("nginx:", "'' is not a valid tag"),
        ("nginx:-x", "'-x' is not a valid tag"),
        ("nginx@sha256:abc", "'sha256:abc' is not a digest"),
        ("a//b", "component '' has characters Docker does not allow"),
        ("bad_host.example/app", "'bad_host.example' is not a registry host[:port]"),
        ("app_", "component 'app_' has characters"),
        ("", "is not an image reference"),
        ("x" * 256, "longer than 255"),
    ],
)
def test_refuses_what_docker_refuses_and_says_why(reference, why):
    with pytest.raises(ImageReferenceError, match=None) as raised:
        parse(reference)
    assert why in str(raised.value)
