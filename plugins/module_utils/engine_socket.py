# Copyright (c) dockyard.docker contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The engine's API over its Unix socket without the Docker SDK: the engine role asks the daemon
before the SDK is installed, and stops and starts it around a data root move."""

from __future__ import annotations

import json
import time
from typing import Any

from ansible.module_utils.urls import open_url

SOCKET = "/var/run/docker.sock"


def get(socket: str, path: str, timeout: float = 10) -> Any:
    """The JSON answer to GET ``path``; raises OSError (no socket, refused) or ValueError."""
    with open_url(f"http://localhost{path}", unix_socket=socket, timeout=timeout, use_proxy=False) as answer:
        return json.loads(answer.read())


def post(socket: str, path: str, timeout: float = 60) -> None:
    """POST ``path`` with no body (start a container, for one)."""
    with open_url(f"http://localhost{path}", method="POST", unix_socket=socket, timeout=timeout, use_proxy=False):
        pass


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
