"""The registry API client over real HTTP, against a fake registry in this process.

The fake stands in for what cannot run here: a registry behind a token service (Docker Hub,
Harbor, GitLab answer ``WWW-Authenticate: Bearer``); the real registry v2 of the test bed speaks
basic auth only, and the integration tests use it for everything else.
"""

from __future__ import annotations

import base64
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar
from urllib.parse import parse_qs, urlsplit

import pytest

from ansible_collections.dockyard.docker.plugins.module_utils.registry import (
    CredentialsRefused,
    Registry,
    RegistryError,
    challenge,
    endpoint,
    next_link,
)

REPOSITORIES = [f"team/app{i:02d}" for i in range(7)]
USER, PASSWORD, TOKEN = "ci", "s3cret", "token-for-ci"


class FakeTokenRegistry(BaseHTTPRequestHandler):
    """A registry that wants a bearer token from its token service, and pages its catalog by ``n``."""

    token_requests: ClassVar[list[dict]] = []
    failures_left = 0

    def log_message(self, *args):  # keep pytest output clean
        pass

    def _send(self, code: int, body: dict | None = None, headers: dict | None = None) -> None:
        data = json.dumps(body or {}).encode()
        self.send_response(code)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        if FakeTokenRegistry.failures_left:
            FakeTokenRegistry.failures_left -= 1
            return self._send(503, {"errors": [{"code": "UNAVAILABLE", "message": "starting"}]})
        if url.path == "/token":
            FakeTokenRegistry.token_requests.append({"query": query, "auth": self.headers.get("Authorization")})
            expected = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
            if self.headers.get("Authorization") != expected:
                return self._send(401, {"details": "incorrect username or password"})
            return self._send(200, {"token": TOKEN})
        if self.headers.get("Authorization") != f"Bearer {TOKEN}":
            realm = f"http://127.0.0.1:{self.server.server_port}/token"
            scope = "registry:catalog:*" if url.path == "/v2/_catalog" else "repository:team/app00:pull"
            wanted = f'Bearer realm="{realm}",service="fake",scope="{scope}"'
            return self._send(401, headers={"WWW-Authenticate": wanted})
        if url.path == "/v2/_catalog":
            size = int(query.get("n", ["100"])[0])
            last = query.get("last", [""])[0]
            rest = [r for r in REPOSITORIES if r > last]
            page, more = rest[:size], rest[size:]
            headers = {"Link": f'</v2/_catalog?last={page[-1]}&n={size}>; rel="next"'} if more else {}
            return self._send(200, {"repositories": page}, headers)
        return self._send(200, {})


@pytest.fixture
def fake_registry():
    FakeTokenRegistry.token_requests = []
    FakeTokenRegistry.failures_left = 0
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeTokenRegistry)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_catalog_follows_link_headers_to_the_last_page(fake_registry):
    api = Registry(fake_registry, USER, PASSWORD)
    assert api.repositories(page_size=3) == REPOSITORIES


def test_token_flow_asks_the_realm_with_service_scope_and_basic_credentials(fake_registry):
    api = Registry(fake_registry, USER, PASSWORD)
    api.check()
    first = FakeTokenRegistry.token_requests[0]
    assert first["query"] == {"service": ["fake"], "scope": ["repository:team/app00:pull"]}
    assert first["auth"].startswith("Basic ")


def test_token_is_reused_across_pages(fake_registry):
    Registry(fake_registry, USER, PASSWORD).repositories(page_size=2)
    assert len(FakeTokenRegistry.token_requests) == 1


def test_token_service_refusing_the_password_is_a_credentials_error(fake_registry):
    with pytest.raises(CredentialsRefused, match="refused user 'ci'"):
        Registry(fake_registry, USER, "wrong").check()


def test_server_errors_are_retried_with_backoff_then_succeed(fake_registry):
    FakeTokenRegistry.failures_left = 2
    pauses = []
    Registry(fake_registry, USER, PASSWORD, retries=3, sleep=pauses.append).check()
    assert pauses == [1.0, 2.0]


def test_server_errors_beyond_the_retries_fail_naming_the_registry(fake_registry):
    FakeTokenRegistry.failures_left = 10
    with pytest.raises(RegistryError, match=r"answered HTTP 503 \(UNAVAILABLE: starting\)"):
        Registry(fake_registry, USER, PASSWORD, retries=1, sleep=lambda _s: None).check()


def test_unreachable_registry_fails_after_bounded_retries():
    pauses = []
    with pytest.raises(RegistryError, match="cannot be reached after 3 attempts"):
        Registry("http://127.0.0.1:9", retries=2, sleep=pauses.append).check()
    assert pauses == [1.0, 2.0]


@pytest.mark.parametrize(
    ("written", "base", "key"),
    [
        ("registry.local:5000", "https://registry.local:5000", "registry.local:5000"),
        ("http://127.0.0.1:5000/", "http://127.0.0.1:5000", "127.0.0.1:5000"),
        ("https://r.example/v2/", "https://r.example", "r.example"),
        ("docker.io", "https://registry-1.docker.io", "https://index.docker.io/v1/"),
    ],
)
def test_endpoint_and_config_key(written, base, key):
    assert endpoint(written) == (base, key)


@pytest.mark.parametrize("written", ["", "ftp://r:5000", "r.example/team/app", "a b"])
def test_endpoint_refuses_what_is_no_registry_address(written):
    with pytest.raises(RegistryError, match="registry: "):
        endpoint(written)


def test_challenge_and_link_parsing():
    assert challenge('Bearer realm="https://auth/token",service="reg",scope="repository:a:pull"') == (
        "bearer",
        {"realm": "https://auth/token", "service": "reg", "scope": "repository:a:pull"},
    )
    assert (
        next_link('</v2/_catalog?last=b&n=2>; rel="next"', "https://r:5000") == "https://r:5000/v2/_catalog?last=b&n=2"
    )
    assert next_link(None, "https://r:5000") is None
