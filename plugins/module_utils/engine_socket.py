# Copyright (c) dockyard.docker contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The engine's API over its Unix socket without the Docker SDK: the engine role asks the daemon
before the SDK is installed, and stops and starts it around a data root move."""

from __future__ import annotations

import http.client
import json
import socket as sockets
import time
from typing import Any

SOCKET = "/var/run/docker.sock"


class _UnixConnection(http.client.HTTPConnection):
    """HTTP over the daemon's Unix socket. Plain http.client rather than ansible.module_utils.urls:
    engine_facts runs on every play, and a smaller module is sent and started faster."""

    def __init__(self, path: str, timeout: float) -> None:
        super().__init__("localhost", timeout=timeout)
        self.path = path

    def connect(self) -> None:
        self.sock = sockets.socket(sockets.AF_UNIX, sockets.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self.path)


class EngineError(OSError):
    """The daemon answered with an error status; ``code`` is that status."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(f"HTTP {code}: {message}")
        self.code = code


def _request(socket: str, method: str, path: str, timeout: float) -> bytes:
    connection = _UnixConnection(socket, timeout)
    try:
        connection.request(method, path, headers={"Host": "localhost"})
        answer = connection.getresponse()
        body = answer.read()
    except (http.client.HTTPException, ValueError) as exc:
        raise OSError(str(exc)) from exc
    finally:
        connection.close()
    if answer.status >= 300:
        raise EngineError(answer.status, body.decode("utf-8", "replace").strip())
    return body


def get(socket: str, path: str, timeout: float = 10) -> Any:
    """The JSON answer to GET ``path``; raises OSError (no socket, refused, an error status) or ValueError."""
    return json.loads(_request(socket, "GET", path, timeout))


def post(socket: str, path: str, timeout: float = 60) -> None:
    """POST ``path`` with no body (start a container, for one); raises EngineError on a 304 or an error."""
    _request(socket, "POST", path, timeout)


def info(socket: str, wait: float = 0) -> dict[str, Any]:
    """``docker info``, waiting up to ``wait`` seconds for a daemon that is starting; raises OSError."""
    deadline = time.monotonic() + wait
    while True:
        try:
            return get(socket, "/info")
        except (OSError, ValueError) as exc:  # no socket, refused, not answering yet
            if time.monotonic() >= deadline:
                raise OSError(str(exc)) from exc
            time.sleep(1)
