# Copyright (c) dockyard.docker contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one Docker client factory every module uses, and the translation of the errors people hit.

Connection options are declared once (``CONNECTION_ARGS``, documented in the ``docker``
doc fragment) and resolved once here: the task's option, else the environment variable the
Docker CLI reads (DOCKER_HOST, DOCKER_TLS_VERIFY, DOCKER_CERT_PATH, ...), else the default.
"""

from __future__ import annotations

import os
import pwd
import re
import ssl
import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Callable, Union

from ansible.module_utils.basic import AnsibleModule, env_fallback, missing_required_lib

from ansible_collections.dockyard.docker.plugins.module_utils.values import SpecError

try:
    import docker
    from docker.errors import (  # pylint: disable=unused-import
        APIError,
        DockerException,
        NotFound,
        TLSParameterError,
        create_api_error_from_http_exception,
    )
    from requests.exceptions import HTTPError

    HAS_DOCKER_SDK = True
    DOCKER_SDK_IMPORT_ERROR = None
except ImportError:  # pragma: no cover - exercised on targets without the SDK
    HAS_DOCKER_SDK = False
    DOCKER_SDK_IMPORT_ERROR = traceback.format_exc()

    class DockerException(Exception):  # type: ignore[no-redef]
        """Stand-in so that ``except`` clauses work when the SDK is missing."""

    APIError = TLSParameterError = HTTPError = DockerException  # type: ignore[misc,assignment]
    create_api_error_from_http_exception = None  # type: ignore[assignment]

    class NotFound(DockerException):  # type: ignore[no-redef]
        """Stand-in so that ``except`` clauses work when the SDK is missing."""


DEFAULT_DOCKER_HOST = "unix:///var/run/docker.sock"
DEFAULT_TIMEOUT = 60

CONNECTION_ARGS: dict[str, dict[str, Any]] = {
    "docker_host": {
        "type": "str",
        "default": DEFAULT_DOCKER_HOST,
        "aliases": ["docker_url"],
        "fallback": (env_fallback, ["DOCKER_HOST"]),
    },
    "tls": {"type": "bool", "default": False, "fallback": (env_fallback, ["DOCKER_TLS"])},
    "validate_certs": {
        "type": "bool",
        "default": False,
        "aliases": ["tls_verify"],
        "fallback": (env_fallback, ["DOCKER_TLS_VERIFY"]),
    },
    "cert_path": {"type": "path", "fallback": (env_fallback, ["DOCKER_CERT_PATH"])},
    "ca_path": {"type": "path", "aliases": ["ca_cert", "tls_ca_cert"]},
    "client_cert": {"type": "path", "aliases": ["tls_client_cert", "cert"]},
    "client_key": {"type": "path", "aliases": ["tls_client_key", "key"]},
    "api_version": {
        "type": "str",
        "default": "auto",
        "aliases": ["docker_api_version"],
        "fallback": (env_fallback, ["DOCKER_API_VERSION"]),
    },
    "timeout": {"type": "int", "default": DEFAULT_TIMEOUT, "fallback": (env_fallback, ["DOCKER_TIMEOUT"])},
}

# The oldest Docker SDK for Python the modules run with: Debian 11's python3-docker, the oldest a booted test host
# packages (tests/integration/test_target_hosts.py runs the modules on each Debian release's own).
MIN_DOCKER_SDK = (4, 1, 0)

SDK_HINT = (
    "to talk to the Docker daemon; install the Docker SDK for Python (the `docker` package) into "
    "{python}: `pip install docker`, or `apt install python3-docker` / `dnf install python3-docker`"
)


def sdk_too_old(version: str) -> str | None:
    """Why the installed Docker SDK (``version``) cannot serve, or None."""
    found = tuple(int(part) for part in re.findall(r"\d+", version)[:3])
    if found >= MIN_DOCKER_SDK:
        return None
    wanted = ".".join(map(str, MIN_DOCKER_SDK))
    return (
        f"the Docker SDK for Python at {sys.executable} is {version}, older than {wanted}, the oldest these modules "
        f"run with; upgrade it: `pip install 'docker>={wanted}'`, or the distribution's newer python3-docker"
    )


def _tls_files(params: dict[str, Any]) -> tuple[str | None, str | None, str | None]:
    """(ca, cert, key): explicit options win; DOCKER_CERT_PATH supplies ca.pem, cert.pem, key.pem."""
    cert_dir = params.get("cert_path")
    ca, cert, key = params.get("ca_path"), params.get("client_cert"), params.get("client_key")
    if cert_dir:
        ca = ca or os.path.join(cert_dir, "ca.pem")
        cert = cert or os.path.join(cert_dir, "cert.pem")
        key = key or os.path.join(cert_dir, "key.pem")
    return ca, cert, key


def uses_tls(params: dict[str, Any]) -> bool:
    return bool(params.get("tls") or params.get("validate_certs") or params.get("cert_path"))


def client_kwargs(params: dict[str, Any]) -> dict[str, Any]:
    """Keyword arguments for ``docker.APIClient`` from resolved module parameters."""
    kwargs: dict[str, Any] = {
        "base_url": params.get("docker_host") or DEFAULT_DOCKER_HOST,
        "version": params.get("api_version") or "auto",
        "timeout": params.get("timeout") or DEFAULT_TIMEOUT,
    }
    if uses_tls(params):
        ca, cert, key = _tls_files(params)
        verify = bool(params.get("validate_certs"))
        client_cert = (cert, key) if cert and key and os.path.exists(cert) else None
        kwargs["tls"] = docker.tls.TLSConfig(
            client_cert=client_cert,
            ca_cert=ca if ca and os.path.exists(ca) else None,
            verify=verify,
        )
    return kwargs


def _causes(exc: BaseException):
    """The exception, its causes and contexts, and exceptions carried in args (requests wraps them)."""
    seen: set[int] = set()
    todo: list[BaseException] = [exc]
    while todo:
        current = todo.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        todo.extend(e for e in (current.__cause__, current.__context__) if e is not None)
        todo.extend(a for a in getattr(current, "args", ()) if isinstance(a, BaseException))
        reason = getattr(current, "reason", None)
        if isinstance(reason, BaseException):
            todo.append(reason)


def _socket_path(docker_host: str) -> str | None:
    for prefix in ("unix://", "http+unix://"):
        if docker_host.startswith(prefix):
            return docker_host[len(prefix) :]
    return None


def _current_user() -> str:
    try:
        return pwd.getpwuid(os.geteuid()).pw_name
    except KeyError:
        return str(os.geteuid())


def daemon_words(exc: BaseException) -> str:
    """What the daemon said: an APIError's explanation (its message without the HTTP status), else the text."""
    return getattr(exc, "explanation", None) or str(exc)


def explain(exc: BaseException, params: dict[str, Any]) -> str:
    """A message that says what went wrong talking to the daemon and what to do about it."""
    host = params.get("docker_host") or DEFAULT_DOCKER_HOST
    socket = _socket_path(host)
    text = str(exc)
    causes = list(_causes(exc))

    if any(isinstance(c, PermissionError) for c in causes) and socket:
        return (
            f"permission denied on the Docker socket {socket} for user '{_current_user()}': add the "
            "user to the 'docker' group (it takes effect in a new login session) or run the task "
            "with become: true"
        )
    if any(isinstance(c, (FileNotFoundError, ConnectionRefusedError)) for c in causes):
        if socket:
            why = (
                f"the socket {socket} does not exist"
                if any(isinstance(c, FileNotFoundError) for c in causes)
                else "connection refused on its socket"
            )
            hint = "(systemctl status docker / service docker status)"
        else:
            why, hint = "connection refused", "and listening on that address"
        return f"cannot connect to the Docker daemon at {host}: {why}. Is dockerd running? {hint}"
    if any(isinstance(c, ssl.SSLError) for c in causes) or isinstance(exc, TLSParameterError):
        return (
            f"TLS with the Docker daemon at {host} failed ({text}). Check that the daemon serves "
            "TLS on that port and that ca_path, client_cert and client_key (or DOCKER_CERT_PATH) "
            "match the daemon's certificates"
        )
    if "HTTP request to an HTTPS server" in text:
        return (
            f"the Docker daemon at {host} expects TLS but the task spoke plain HTTP: set tls: true "
            "(and validate_certs, ca_path, client_cert, client_key) or DOCKER_TLS_VERIFY=1"
        )
    if any(type(c).__name__ in ("ConnectTimeout", "ReadTimeout", "TimeoutError") for c in causes):
        return f"the Docker daemon at {host} did not answer within {params.get('timeout')}s"
    if isinstance(exc, APIError):
        return f"the Docker daemon at {host} refused the request: {daemon_words(exc)}"
    return f"error talking to the Docker daemon at {host}: {text}"


def engine_request(client, method: str, path: str, body: Any = None, **kwargs: Any):
    """A request to an engine endpoint that docker-py has no method for, or one whose method drops a
    field (``update_container`` knows no ``NanoCpus``): ``path`` as the API reference writes it
    (``/containers/{id}/update``), ``body`` sent as JSON, other keyword arguments to requests (``params``,
    ``stream``). Made with the client's public requests session API; an error answer raises docker-py's
    ``APIError``, as its own methods do."""
    kwargs.setdefault("timeout", client.timeout)
    response = client.request(method, f"{client.base_url}/v{client.api_version}{path}", json=body, **kwargs)
    try:
        response.raise_for_status()
    except HTTPError as exc:
        raise create_api_error_from_http_exception(exc) from None
    return response


class TaskError(Exception):
    """A failure a module reports with this message, which names what is wrong (the option and the bad
    value, the missing image, ...), and with ``result`` (what the task found). Helpers raise it; only the
    module's ``failing`` block fails the task."""

    def __init__(self, msg: str, **result: Any) -> None:
        super().__init__(msg)
        self.result = result


# What was done before a failure, reported with it: a dict (read when the failure comes) or a function.
Partial = Union[dict, Callable[[], dict], None]


class DockerModule:
    """An AnsibleModule with the shared connection options and a lazily made Docker client.

    Modules read as: parse options, compare desired with actual, act, report, with the body in
    ``with dm.failing(partial):``, where helpers raise and the task fails in one way: a TaskError or
    SpecError with its own message, anything the daemon raises with a message from ``explain``.
    """

    def __init__(self, argument_spec: dict[str, Any], **kwargs: Any) -> None:
        spec = dict(CONNECTION_ARGS)
        spec.update(argument_spec)
        self.module = AnsibleModule(argument_spec=spec, **kwargs)
        self.params = self.module.params
        self._client = None

    def require_sdk(self) -> None:
        if not HAS_DOCKER_SDK:
            self.module.fail_json(
                msg=missing_required_lib("docker", reason=SDK_HINT.format(python=sys.executable)),
                exception=DOCKER_SDK_IMPORT_ERROR,
            )
        too_old = sdk_too_old(docker.__version__)
        if too_old:
            self.module.fail_json(msg=too_old)

    def _connect(self):
        if uses_tls(self.params) and _tls_files(self.params)[0]:
            # requests prefers REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE over the CA the client is given
            # (docker/docker-py#2433), so a CI host that sets them could never verify the daemon.
            for variable in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
                os.environ.pop(variable, None)
        kwargs = client_kwargs(self.params)
        client = docker.APIClient(**kwargs)
        if _socket_path(kwargs["base_url"]):
            # No proxy or netrc applies to a local socket; looking them up costs every request.
            client.trust_env = False
        if kwargs["version"] != "auto":  # with "auto", asking for the version already reached the daemon
            client.ping()
        return client

    def unreachable_reason(self) -> str | None:
        """None when the daemon answers (and keep the client), else why it does not. A host without
        the Docker SDK for Python has, as a rule, no Docker at all: that is a reason too."""
        if not HAS_DOCKER_SDK:
            return "the Docker SDK for Python is not installed"
        if sdk_too_old(docker.__version__):
            return sdk_too_old(docker.__version__)
        try:
            self._client = self._client or self._connect()
        except (DockerException, OSError) as exc:
            return explain(exc, self.params)
        return None

    @property
    def client(self):
        """A ``docker.APIClient``; the first use checks that the daemon answers."""
        if self._client is None:
            self.require_sdk()
            try:
                self._client = self._connect()
            except (DockerException, OSError) as exc:
                self.fail(exc)
        return self._client

    def fail(self, exc: BaseException, **result: Any) -> None:
        self.module.fail_json(msg=explain(exc, self.params), **result)

    @contextmanager
    def failing(self, partial: Partial = None) -> Iterator[None]:
        """The module's body: what it raises fails the task, with ``partial`` (what was done so far)."""
        try:
            yield
        except (TaskError, SpecError) as exc:
            self.module.fail_json(msg=str(exc), **{**_partial(partial), **getattr(exc, "result", {})})
        except (DockerException, OSError) as exc:
            self.fail(exc, **_partial(partial))

    def exit(self, **result: Any) -> None:
        self.module.exit_json(**result)


def _partial(partial: Partial) -> dict:
    return partial() if callable(partial) else dict(partial or {})
