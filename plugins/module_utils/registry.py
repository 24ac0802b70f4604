# Copyright (c) dockyard.docker contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A client for the registry HTTP API v2, as the registry modules need it.

It speaks to the registry directly (no Docker daemon needed) with ansible's ``open_url``: basic
auth, or the token flow a ``WWW-Authenticate: Bearer`` answer asks for; ``Link`` pagination; the
manifest media types of Docker v2, manifest lists and OCI. Like Docker, it trusts the CA in
``/etc/docker/certs.d/<host:port>/ca.crt`` when there is one, so what Docker trusts works here too.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import socket
import ssl
import time
import urllib.error
from collections.abc import Iterator
from typing import Any, Callable
from urllib.parse import urlencode, urljoin, urlsplit

from ansible.module_utils.urls import open_url

from ansible_collections.dockyard.docker.plugins.module_utils import docker_config

MANIFEST_V2 = "application/vnd.docker.distribution.manifest.v2+json"
MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
MANIFEST_TYPES = (OCI_INDEX, MANIFEST_LIST, OCI_MANIFEST, MANIFEST_V2)
INDEX_TYPES = (OCI_INDEX, MANIFEST_LIST)

DOCKER_HUB_KEY = "https://index.docker.io/v1/"
DOCKER_HUB_API = "https://registry-1.docker.io"
DOCKER_HUB_NAMES = ("docker.io", "index.docker.io", "registry-1.docker.io", DOCKER_HUB_KEY)
CERTS_D = "/etc/docker/certs.d"
CHALLENGE_PARAM = re.compile(r'(\w+)="([^"]*)"')
LINK_NEXT = re.compile(r'<([^>]+)>\s*;\s*rel="?next"?')

# The options of every module that talks to a registry itself (the registry_api doc fragment).
REGISTRY_ARGS: dict[str, dict[str, Any]] = {
    "registry": {"type": "str", "required": True},
    "username": {"type": "str"},
    "password": {"type": "str", "no_log": True},
    "ca_path": {"type": "path"},
    "validate_certs": {"type": "bool", "default": True},
    "docker_config": {"type": "path"},
    "user": {"type": "str"},
    "timeout": {"type": "int", "default": 30},
    "retries": {"type": "int", "default": 3},
}


class RegistryError(Exception):
    """The registry refused or could not be reached; the message says which and what to do."""


class CredentialsRefused(RegistryError):
    """The registry answered 401 to the credentials given (or asked for some and got none)."""


class NotInRegistry(RegistryError):
    """The registry answered 404: no such repository, tag or digest."""


def endpoint(registry: str) -> tuple[str, str]:
    """(base URL of the API, key of the registry in ~/.docker/config.json) for what a user writes:
    ``host:port`` (HTTPS), ``https://host:port``, ``http://host:port``, or a Docker Hub name."""
    written = registry.strip().rstrip("/")
    if not written or " " in written:
        raise RegistryError(f"registry: {registry!r} is not a registry address; write host:port or https://host:port")
    if written in DOCKER_HUB_NAMES or written + "/" == DOCKER_HUB_KEY:
        return DOCKER_HUB_API, DOCKER_HUB_KEY
    scheme, rest = ("https", written)
    if "://" in written:
        scheme, rest = written.split("://", 1)
        if scheme not in ("http", "https"):
            raise RegistryError(f"registry: {registry!r} has scheme {scheme}; write https:// or http://")
    host = rest.split("/", 1)[0]
    if not host or (rest != host and rest[len(host) :] not in ("/v2", "/v2/")):
        raise RegistryError(f"registry: {registry!r} has a path; write only host[:port]")
    return f"{scheme}://{host}", host


def challenge(header: str) -> tuple[str, dict[str, str]]:
    """The scheme (lower case) and parameters of a ``WWW-Authenticate`` header."""
    scheme, _sep, rest = (header or "").strip().partition(" ")
    return scheme.lower(), dict(CHALLENGE_PARAM.findall(rest))


def next_link(header: str | None, base: str) -> str | None:
    """The URL of the next page from a ``Link`` header, absolute; None on the last page."""
    match = LINK_NEXT.search(header or "")
    return urljoin(base + "/", match.group(1)) if match else None


class Registry:
    """One registry, with the credentials (if any) to use on it."""

    def __init__(
        self,
        registry: str,
        username: str | None = None,
        password: str | None = None,
        ca_path: str | None = None,
        validate_certs: bool = True,
        timeout: int = 30,
        retries: int = 3,
        opener: Callable[..., Any] = open_url,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.base, self.key = endpoint(registry)
        self.address = urlsplit(self.base).netloc
        self.username, self.password = username, password
        trusted = os.path.join(CERTS_D, self.address, "ca.crt")
        self.ca_path = ca_path or (trusted if os.path.isfile(trusted) else None)
        self.validate_certs, self.timeout, self.retries = validate_certs, timeout, retries
        self._open, self._sleep = opener, sleep
        self._authorization: str | None = None

    # -- transport -------------------------------------------------------------------------
    def _send(self, method: str, url: str, headers: dict[str, str]):
        """One request, retried with backoff while the registry cannot be reached or answers 5xx."""
        delay = 1.0
        for attempt in range(self.retries + 1):
            try:
                return self._open(
                    url, method=method, headers=headers, timeout=self.timeout, validate_certs=self.validate_certs,
                    ca_path=self.ca_path, follow_redirects="safe", unredirected_headers=["Authorization"],
                    use_proxy=True, use_netrc=False,
                )  # fmt: skip
            except urllib.error.HTTPError as exc:
                if exc.code < 500 or attempt == self.retries:
                    raise
                last: Exception = exc
            except (urllib.error.URLError, socket.timeout, ConnectionError) as exc:
                if self._tls_problem(exc) or attempt == self.retries:
                    raise RegistryError(self._unreachable(exc)) from exc
                last = exc
            self._sleep(delay)
            delay *= 2
        raise RegistryError(f"registry {self.address}: {last}")  # pragma: no cover - loop always returns or raises

    def _tls_problem(self, exc: Exception) -> bool:
        return isinstance(getattr(exc, "reason", exc), ssl.SSLError) or "SSL" in str(exc)

    def _unreachable(self, exc: Exception) -> str:
        reason = getattr(exc, "reason", exc)
        text = str(reason)
        if "WRONG_VERSION_NUMBER" in text or "wrong version number" in text:
            return (
                f"registry {self.address} answers plain HTTP, not HTTPS: write http://{self.address} here, and "
                f"list {self.address} in the engine's docker_insecure_registries for Docker to use it"
            )
        if isinstance(reason, ssl.SSLCertVerificationError) or "CERTIFICATE_VERIFY_FAILED" in text:
            return (
                f"registry {self.address}: its certificate is not trusted ({text}). Give ca_path, or trust its CA "
                f"on this host as Docker does: {CERTS_D}/{self.address}/ca.crt (the engine role's "
                "docker_registry_ca_certs)"
            )
        return f"registry {self.address} cannot be reached after {self.retries + 1} attempts: {text}"

    def request(self, method: str, path: str, accept: tuple[str, ...] = ()):
        """The response to ``method path``, authenticating when the registry asks for it."""
        url = path if "://" in path else self.base + path
        headers = {"Accept": ", ".join(accept)} if accept else {}
        for _round in range(2):
            if self._authorization:
                headers["Authorization"] = self._authorization
            try:
                return self._send(method, url, headers)
            except urllib.error.HTTPError as exc:
                if exc.code != 401 or _round == 1:
                    raise self._refused(exc, method, url) from exc
                self._authorization = self._authorize(exc.headers.get("WWW-Authenticate", ""))
        raise AssertionError("unreachable")  # pragma: no cover

    def _basic(self) -> str | None:
        if not self.username:
            return None
        pair = f"{self.username}:{self.password or ''}".encode()
        return "Basic " + base64.b64encode(pair).decode()

    def _authorize(self, header: str) -> str:
        scheme, params = challenge(header)
        if scheme == "basic":
            if not self.username:
                raise CredentialsRefused(
                    f"registry {self.address} asks for credentials and none were given or stored for it: "
                    "give username and password, or log in first (dockyard.docker.registry_login)"
                )
            return self._basic() or ""
        if scheme != "bearer" or "realm" not in params:
            raise RegistryError(f"registry {self.address} asks for an authentication this client lacks: {header!r}")
        query = {k: v for k, v in params.items() if k in ("service", "scope")}
        token_url = params["realm"] + ("?" + urlencode(query) if query else "")
        headers = {"Authorization": self._basic()} if self.username else {}
        try:
            answer = json.loads(self._send("GET", token_url, {k: v for k, v in headers.items() if v}).read() or b"{}")
        except urllib.error.HTTPError as exc:
            if exc.code in (401, 403):
                raise CredentialsRefused(
                    f"registry {self.address}: the token service {params['realm']} refused "
                    f"{'user ' + repr(self.username) if self.username else 'anonymous access'} (HTTP {exc.code})"
                ) from exc
            raise RegistryError(
                f"registry {self.address}: token service {params['realm']} answered {exc.code}"
            ) from exc
        token = answer.get("token") or answer.get("access_token")
        if not token:
            raise RegistryError(f"registry {self.address}: token service {params['realm']} gave no token")
        return "Bearer " + token

    def _refused(self, exc: urllib.error.HTTPError, method: str, url: str) -> RegistryError:
        path = urlsplit(url).path
        if exc.code == 401:
            who = f"user {self.username!r}" if self.username else "anonymous access (no credentials given or stored)"
            return CredentialsRefused(f"registry {self.address} refused {who}: wrong username or password?")
        detail = _error_detail(exc)
        if exc.code == 404:
            return NotInRegistry(f"registry {self.address}: {path} not found{detail}")
        if exc.code == 405 and method == "DELETE":
            return RegistryError(
                f"registry {self.address} does not allow deletes: enable storage.delete in its config "
                "(the registry role's registry_delete_enabled: true)"
            )
        return RegistryError(f"registry {self.address}: {method} {path} answered HTTP {exc.code}{detail}")

    # -- the API -----------------------------------------------------------------------------
    def check(self) -> None:
        """Raise unless the registry answers /v2/ and accepts these credentials."""
        self.request("GET", "/v2/").read()

    def pages(self, path: str, field: str, page_size: int) -> Iterator[str]:
        """Every entry of a paginated list (``_catalog``, ``tags/list``), following ``Link``."""
        url: str | None = f"{self.base}{path}?{urlencode({'n': page_size})}"
        seen = set()
        while url and url not in seen:
            seen.add(url)
            response = self.request("GET", url)
            body = json.loads(response.read() or b"{}")
            yield from body.get(field) or []
            url = next_link(response.headers.get("Link"), self.base)

    def repositories(self, page_size: int = 100) -> list[str]:
        return list(self.pages("/v2/_catalog", "repositories", page_size))

    def tags(self, repository: str, page_size: int = 100) -> list[str]:
        try:
            return list(self.pages(f"/v2/{repository}/tags/list", "tags", page_size))
        except NotInRegistry:
            return []

    def manifest(self, repository: str, reference: str) -> dict[str, Any] | None:
        """Digest, media type, size, platforms and creation time of a tag (or digest); None if absent."""
        try:
            response = self.request("GET", f"/v2/{repository}/manifests/{reference}", accept=MANIFEST_TYPES)
        except NotInRegistry:
            return None
        body = response.read()
        document = json.loads(body)
        media_type = (response.headers.get("Content-Type") or document.get("mediaType") or "").split(";")[0]
        digest = response.headers.get("Docker-Content-Digest") or "sha256:" + hashlib.sha256(body).hexdigest()
        info: dict[str, Any] = {"digest": digest, "media_type": media_type, "size": len(body)}
        if media_type in INDEX_TYPES or "manifests" in document:
            info["platforms"] = [_platform(entry) for entry in document.get("manifests") or []]
            first = next((e for e in document.get("manifests") or [] if e.get("mediaType") not in INDEX_TYPES), None)
            child = self.manifest(repository, first["digest"]) if first else None
            info["created"] = (child or {}).get("created")
        else:
            config = self.blob_json(repository, document.get("config", {}).get("digest"))
            info["platforms"] = [_platform({"platform": config})]
            info["created"] = config.get("created")
        return info

    def blob_json(self, repository: str, digest: str | None) -> dict[str, Any]:
        if not digest:
            return {}
        return json.loads(self.request("GET", f"/v2/{repository}/blobs/{digest}").read() or b"{}")

    def delete_manifest(self, repository: str, digest: str) -> None:
        self.request("DELETE", f"/v2/{repository}/manifests/{digest}").read()


def _platform(entry: dict[str, Any]) -> dict[str, Any]:
    platform = entry.get("platform") or {}
    found = {key: platform.get(key) for key in ("os", "architecture", "variant") if platform.get(key)}
    if entry.get("digest"):
        found["digest"] = entry["digest"]
    return found


def _error_detail(exc: urllib.error.HTTPError) -> str:
    """The registry's own error text (``{"errors": [{"code", "message"}]}``), when it sent one."""
    try:
        errors = json.loads(exc.read() or b"{}").get("errors") or []
    except (ValueError, OSError, AttributeError):
        return ""
    text = "; ".join(f"{e.get('code', '')}: {e.get('message', '')}".strip(": ") for e in errors if isinstance(e, dict))
    return f" ({text})" if text else ""


def connect(params: dict[str, Any], run: docker_config.RunCommand) -> Registry:
    """The registry the task names, with the task's credentials, else those stored for it in the
    Docker config of ``user`` (or of whoever runs the module), as the Docker CLI would use them (``run``, the
    module's run_command, asks a credential helper)."""
    api = Registry(
        params["registry"], params.get("username"), params.get("password"), params.get("ca_path"),
        params.get("validate_certs", True), params.get("timeout") or 30, params.get("retries", 3),
    )  # fmt: skip
    if not api.username:
        where = docker_config.locate(params.get("user"), params.get("docker_config"))
        found = docker_config.stored(docker_config.load(where), api.key, run)
        if found:
            api.username, api.password = found
    return api
