# Copyright (c) dockyard.docker contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a user's rootless Docker has on the host: subordinate IDs, lingering, the user's unit,
daemon.json and CLI context, and the daemon on the user's socket."""

from __future__ import annotations

import json
import os
import pwd

from ansible_collections.dockyard.docker.plugins.module_utils import engine_socket
from ansible_collections.dockyard.docker.plugins.module_utils.daemon_schema import file_drift, load, running_settings
from ansible_collections.dockyard.docker.plugins.module_utils.facts import data_root

SUBID_FILES = ("/etc/subuid", "/etc/subgid")
# Where useradd starts subordinate IDs (SUB_UID_MIN in login.defs), and the size of a user's range.
SUBID_FLOOR, SUBID_COUNT = 100000, 65536
LINGER_DIR = "/var/lib/systemd/linger"
# Keys whose default differs for a rootless daemon (under the user's home and runtime directory): left
# out of its daemon.json, they are not drift.
OWN_DEFAULTS = frozenset({"data-root", "exec-root", "pidfile", "hosts"})


def subid_ranges(text: str) -> dict[str, list[tuple[int, int]]]:
    """``name:start:count`` lines -> name -> [(start, count)]; other lines are skipped."""
    ranges: dict[str, list[tuple[int, int]]] = {}
    for line in text.splitlines():
        parts = line.strip().split(":")
        if len(parts) == 3 and parts[1].isdigit() and parts[2].isdigit():
            ranges.setdefault(parts[0], []).append((int(parts[1]), int(parts[2])))
    return ranges


def next_free_start(texts: list[str]) -> int:
    """The first ID after every range in the given files (and not below useradd's floor)."""
    ends = [start + count for text in texts for spans in subid_ranges(text).values() for start, count in spans]
    return max([SUBID_FLOOR, *ends])


def _read(path: str) -> str:
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except FileNotFoundError:
        return ""


def user_socket(uid: int) -> str:
    return f"/run/user/{uid}/docker.sock"


def _daemon(uid: int, daemon_json: str) -> dict:
    try:
        info = engine_socket.info(user_socket(uid))
    except OSError as exc:
        return {"answering": False, "error": str(exc)}
    config_drift = file_drift(daemon_json, running_settings(info), OWN_DEFAULTS)
    security = " ".join(info.get("SecurityOptions") or [])
    return {"answering": True, "version": info.get("ServerVersion"), "rootless": "name=rootless" in security,
            "data_root": data_root(info), "drift": config_drift}  # fmt: skip


def _current_context(home: str):
    try:
        with open(os.path.join(home, ".docker", "config.json"), encoding="utf-8") as handle:
            return json.load(handle).get("currentContext")
    except (OSError, ValueError, AttributeError):
        return None


def user_state(name: str, subids: dict[str, dict]) -> dict | None:
    """What ``name``'s rootless Docker has; None when there is no such user."""
    try:
        account = pwd.getpwnam(name)
    except KeyError:
        return None
    home = account.pw_dir
    daemon_json = os.path.join(home, ".config", "docker", "daemon.json")
    try:
        settings = load(daemon_json) if os.path.exists(daemon_json) else None
    except (OSError, ValueError):
        settings = None  # unreadable: the role writes it again
    return {
        "uid": account.pw_uid,
        "gid": account.pw_gid,
        "home": home,
        "subuid": name in subids["/etc/subuid"],
        "subgid": name in subids["/etc/subgid"],
        "linger": os.path.exists(os.path.join(LINGER_DIR, name)),
        "unit": os.path.exists(os.path.join(home, ".config", "systemd", "user", "docker.service")),
        "daemon_json": settings,
        "context": _current_context(home),
        "daemon": _daemon(account.pw_uid, daemon_json),
    }


def read_all(names: list[str]) -> dict:
    """Each named user's state (None for a missing user), where new subordinate ranges may start, and how
    many IDs a range takes."""
    texts = {path: _read(path) for path in SUBID_FILES}
    subids = {path: subid_ranges(text) for path, text in texts.items()}
    users = {name: user_state(name, subids) for name in names}
    return {"users": users, "subid_start": next_free_start(list(texts.values())), "subid_count": SUBID_COUNT}
