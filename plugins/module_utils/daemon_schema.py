# Copyright (c) dockyard.docker contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What /etc/docker/daemon.json may hold: each key's type, its checks, since when the engine knows
it, and whether a SIGHUP reload applies it without restarting the daemon.

Everything here is pure: it takes values and returns problems, so the daemon_config module can
refuse bad input before it writes anything.
"""

from __future__ import annotations

import difflib
import ipaddress
import json
import re
from typing import Any, Callable, Optional
from urllib.parse import urlsplit

from ansible_collections.dockyard.docker.plugins.module_utils.facts import data_root, insecure_registries
from ansible_collections.dockyard.docker.plugins.module_utils.values import log_options_problems, unit_size_problem

Check = Callable[[str, Any], Optional[str]]

_HOST_PORT = re.compile(r"^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?)(?::(\d{1,5}))?$")
LOG_LEVELS = ("debug", "info", "warn", "error", "fatal")


def _url(where: str, value: Any) -> Optional[str]:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"{where}: {value!r} is not a URL; use https://{value.split('://')[-1]}"
    if parts.username or parts.password:
        return f"{where}: {value!r} carries credentials; registry mirrors take none (use docker login)"
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        return f"{where}: {value!r} has a path; Docker takes a mirror's base URL only, like {parts.scheme}://{parts.netloc}"
    return None


def _cidr(value: str) -> bool:
    try:
        ipaddress.ip_network(value, strict=False)
    except ValueError:
        return False
    return "/" in value


def _insecure_registry(where: str, value: Any) -> Optional[str]:
    if "://" in value:
        return f"{where}: {value!r} must not have a scheme; write host:port, like {value.split('://', 1)[1]}"
    if "/" in value:
        return None if _cidr(value) else f"{where}: {value!r} is not a valid CIDR; use a network like 10.0.0.0/8"
    match = _HOST_PORT.match(value)
    if not match or (match.group(2) and not 0 < int(match.group(2)) < 65536):
        return f"{where}: {value!r} is neither host[:port] nor a CIDR; use registry.local:5000 or 10.0.0.0/8"
    return None


def _ip(where: str, value: Any) -> Optional[str]:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return f"{where}: {value!r} is not an IP address; the daemon's DNS servers are given as addresses, like 9.9.9.9"
    return None


def _cidr_check(where: str, value: Any) -> Optional[str]:
    return None if _cidr(value) else f"{where}: {value!r} is not a CIDR; use a network like 172.18.0.1/16"


def _absolute(where: str, value: Any) -> Optional[str]:
    if not value.startswith("/"):
        return f"{where}: {value!r} is not an absolute path; use /{value.lstrip('./')} or another path from /"
    return None


def _daemon_host(where: str, value: Any) -> Optional[str]:
    if not re.match(r"^(unix|tcp|fd|npipe)://", value):
        return (
            f"{where}: {value!r} is not a daemon address; use unix:///var/run/docker.sock, fd:// or tcp://ADDRESS:2376"
        )
    return None


def _one_of(*choices: str) -> Check:
    def check(where: str, value: Any) -> Optional[str]:
        if value not in choices:
            return f"{where}: {value!r} is not one of {', '.join(choices)}"
        return None

    return check


def _key_value(where: str, value: Any) -> Optional[str]:
    return None if "=" in value else f"{where}: {value!r} is not key=value"


# How a reload (SIGHUP) treats a key that daemon.json no longer has. The engine (20.10 to 28, read
# in moby's daemon/reload.go and seen on Debian 11, 12 and 13) re-reads most reloadable keys only when
# the file names them, so removing one leaves the old value running: the key must be written with
# its empty value for a reload to clear it, or the daemon restarted.
RESETS_WHEN_ABSENT = "resets"  # the reload puts the engine's default back (max-concurrent-*, features)
NEEDS_RESTART = "restart"  # only a restart forgets it


class Key:
    """One daemon.json key: its JSON type, a check per value, the engine version that added it,
    whether SIGHUP applies a change without a restart, what a reload needs to clear it (``unset``:
    RESETS_WHEN_ABSENT, NEEDS_RESTART, or the empty value to write instead of removing the key),
    where ``docker info`` shows the running value (``shown``, with ``default`` for an absent key),
    how a value is put in the form in which the file's and the daemon's are compared (``same``), and the version
    that removed it (``removed``) with what replaced it (``instead``)."""

    def __init__(
        self,
        kind: str,
        check: Optional[Check] = None,
        since: Optional[str] = None,
        reloadable: bool = False,
        unset: Any = NEEDS_RESTART,
        shown: Optional[Callable[[dict[str, Any]], Any]] = None,
        default: Any = None,
        same: Callable[[Any], Any] = lambda value: value,
        removed: Optional[str] = None,
        instead: str = "",
    ) -> None:
        self.kind = kind  # str, bool, int, list, dict, map (dict of str -> str)
        self.check = check
        self.since = since
        self.reloadable = reloadable
        self.unset = unset
        self.shown = shown
        self.default = default
        self.same = same
        self.removed = removed  # the engine version that no longer takes it, and what took its place
        self.instead = instead


def _without_trailing_slash(urls: list[str]) -> list[str]:  # the daemon adds one to mirrors
    return [str(u).rstrip("/") for u in urls or []]


def _registries(entries: list[str]) -> list[str]:
    return sorted(str(ipaddress.ip_network(e, strict=False)) if _cidr(e) else e for e in entries or [])


def _path(value: str) -> str:
    return value.rstrip("/") or "/"


def _registry(field: str) -> Callable[[dict[str, Any]], Any]:
    return lambda info: list((info.get("RegistryConfig") or {}).get(field) or [])


def _info(field: str, kind: Callable[[Any], Any] = str) -> Callable[[dict[str, Any]], Any]:
    return lambda info: kind(info.get(field)) if info.get(field) is not None else None


# The daemon's configuration file reference, trimmed to what it accepts on Linux.
KEYS: dict[str, Key] = {
    "allow-nondistributable-artifacts": Key("list", reloadable=True, unset=[]),
    "api-cors-header": Key(
        "str", removed="28.0", instead="put a reverse proxy that adds the CORS headers in front of the API"
    ),
    "authorization-plugins": Key("list", reloadable=True),
    "bip": Key("str", _cidr_check),
    "bridge": Key("str"),
    "builder": Key("dict"),
    "cdi-spec-dirs": Key("list", _absolute, since="25.0"),
    "cgroup-parent": Key("str"),
    "containerd": Key("str"),
    "containerd-namespace": Key("str"),
    "containerd-plugins-namespace": Key("str"),
    "data-root": Key("str", _absolute, shown=data_root, default="/var/lib/docker", same=_path),
    "debug": Key("bool", reloadable=True, unset=False, shown=_info("Debug", bool), default=False),
    "default-address-pools": Key("list"),
    "default-cgroupns-mode": Key("str", _one_of("host", "private"), since="20.10"),
    "default-gateway": Key("str", _ip),
    "default-gateway-v6": Key("str", _ip),
    "default-network-opts": Key("dict", since="24.0"),
    "firewall-backend": Key("str", _one_of("iptables", "nftables"), since="29.0"),
    "default-runtime": Key("str", reloadable=True, shown=_info("DefaultRuntime"), default="runc"),
    "default-shm-size": Key("str", lambda where, value: unit_size_problem(value, where)),
    "default-ulimits": Key("dict"),
    "dns": Key("list", _ip),
    "dns-opts": Key("list"),
    "dns-search": Key("list"),
    "exec-opts": Key("list"),
    "exec-root": Key("str", _absolute),
    "experimental": Key("bool"),
    "features": Key("dict", reloadable=True, unset=RESETS_WHEN_ABSENT),
    "fixed-cidr": Key("str", _cidr_check),
    "fixed-cidr-v6": Key("str", _cidr_check),
    "group": Key("str"),
    "host-gateway-ip": Key("str", _ip, since="20.10"),
    "hosts": Key("list", _daemon_host),
    "http-proxy": Key("str", since="23.0"),
    "https-proxy": Key("str", since="23.0"),
    "icc": Key("bool"),
    "init": Key("bool"),
    "init-path": Key("str", _absolute),
    "insecure-registries": Key(
        "list", _insecure_registry, reloadable=True, unset=[], shown=insecure_registries, default=[], same=_registries
    ),
    "ip": Key("str", _ip),
    "ip-forward": Key("bool"),
    "ip-forward-no-drop": Key("bool", since="28.0"),
    "ip-masq": Key("bool"),
    "ip6tables": Key("bool", since="20.10"),
    "iptables": Key("bool"),
    "ipv6": Key("bool"),
    "labels": Key("list", _key_value, reloadable=True, unset=[], shown=_info("Labels", list), default=[], same=sorted),
    "live-restore": Key("bool", reloadable=True, unset=False, shown=_info("LiveRestoreEnabled", bool), default=False),
    "log-driver": Key("str", shown=_info("LoggingDriver"), default="json-file"),
    "log-format": Key("str", _one_of("text", "json"), since="25.0"),
    "log-level": Key("str", _one_of(*LOG_LEVELS)),
    "log-opts": Key("map"),
    "max-concurrent-downloads": Key("int", reloadable=True, unset=RESETS_WHEN_ABSENT),
    "max-concurrent-uploads": Key("int", reloadable=True, unset=RESETS_WHEN_ABSENT),
    "max-download-attempts": Key("int", reloadable=True, unset=RESETS_WHEN_ABSENT),
    "metrics-addr": Key("str"),
    "min-api-version": Key("str", since="29.0"),  # 28.5's dockerd --validate refuses it
    "mtu": Key("int"),
    "no-new-privileges": Key("bool"),
    "no-proxy": Key("str", since="23.0"),
    "node-generic-resources": Key("list"),
    "oom-score-adjust": Key("int"),
    "pidfile": Key("str", _absolute),
    "raw-logs": Key("bool"),
    "registry-mirrors": Key(
        "list", _url, reloadable=True, unset=[], shown=_registry("Mirrors"), default=[], same=_without_trailing_slash
    ),
    "runtimes": Key("dict", reloadable=True),
    "seccomp-profile": Key("str"),
    "selinux-enabled": Key("bool"),
    "shutdown-timeout": Key("int", reloadable=True, unset=15),
    "storage-driver": Key("str", shown=_info("Driver")),
    "storage-opts": Key("list"),
    "swarm-default-advertise-addr": Key("str"),
    "tls": Key("bool"),
    "tlscacert": Key("str", _absolute),
    "tlscert": Key("str", _absolute),
    "tlskey": Key("str", _absolute),
    "tlsverify": Key("bool"),
    "userland-proxy": Key("bool"),
    "userland-proxy-path": Key("str", _absolute),
    "userns-remap": Key("str"),
}

_JSON_TYPES = {"str": str, "bool": bool, "int": int, "list": list, "dict": dict, "map": dict}
_TYPE_WORDS = {
    "str": "a string",
    "bool": "true or false",
    "int": "a whole number",
    "list": "a list",
    "dict": "a mapping",
    "map": "a mapping of strings",
}


def version_tuple(version: str) -> tuple[int, ...]:
    """'20.10.24+dfsg1' -> (20, 10, 24); '26.1.5-0ubuntu1' -> (26, 1, 5)."""
    return tuple(int(p) for p in re.findall(r"\d+", version.split("+")[0].split("-")[0])[:3])


def load(path: str) -> dict[str, Any]:
    """The configuration in ``path``: {} when there is no file or it is empty. Raises ValueError,
    naming the file, when it is not a JSON object (dockerd would refuse to start with it)."""
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except FileNotFoundError:
        return {}
    if not text.strip():
        return {}
    try:
        config = json.loads(text)
    except ValueError as exc:
        raise ValueError(f"{path} is not valid JSON ({exc})") from exc
    if not isinstance(config, dict):
        raise ValueError(f"{path} holds a JSON {type(config).__name__}, not an object")
    return config


def normalize(settings: dict[str, Any]) -> dict[str, Any]:
    """What the daemon will read: log-opts values are strings to the daemon, so numbers that YAML
    made of `max-file: 3` are written as "3" instead of making the daemon refuse to start."""
    out = dict(settings)
    opts = out.get("log-opts")
    if isinstance(opts, dict):
        out["log-opts"] = {
            k: (str(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else v) for k, v in opts.items()
        }
    return out


def _type_problem(key: str, spec: Key, value: Any) -> Optional[str]:
    expected = _JSON_TYPES[spec.kind]
    if spec.kind == "int" and isinstance(value, bool):
        return f"{key}: {value!r} must be {_TYPE_WORDS['int']}"
    if not isinstance(value, expected):
        return f"{key}: {value!r} must be {_TYPE_WORDS[spec.kind]}, not {type(value).__name__}"
    if spec.kind == "map":
        bad = [k for k, v in value.items() if not isinstance(v, str)]
        if bad:
            return f"{key}.{bad[0]}: {value[bad[0]]!r} must be a string"
    return None


def exposed_without_tls(hosts: list[Any], settings: dict[str, Any]) -> list[str]:
    """The tcp:// listeners of ``hosts`` that are not loopback while client certificates are not required
    (``tlsverify`` in ``settings``): root on this host for anyone who reaches them. The one rule that
    daemon_config, the engine role and host_check apply."""
    if settings.get("tlsverify") is True:
        return []
    return [h for h in hosts if isinstance(h, str) and h.startswith("tcp://")
            and not h[len("tcp://"):].startswith(("127.", "localhost", "[::1]"))]  # fmt: skip


def _remote_api_problem(settings: dict[str, Any]) -> Optional[str]:
    """A TCP listener that is not loopback must require client certificates, and name them."""
    exposed = exposed_without_tls(settings.get("hosts") or [], {})  # every non-loopback listener, TLS or not
    if not exposed:
        return None
    missing = [k for k in ("tlscacert", "tlscert", "tlskey") if not settings.get(k)]
    if settings.get("tlsverify") is not True or missing:
        need = ", ".join(["tlsverify: true", *missing])
        return (
            f"hosts: {exposed[0]!r} exposes the Docker API on the network without client certificates "
            f"(root on this host for anyone who reaches it); also set {need}"
        )
    return None


def insecure_everywhere(settings: dict[str, Any]) -> list[str]:
    """Why ``settings`` trusts every registry over plain HTTP (an insecure-registries network with a /0
    prefix, the field notes' "fix"): anyone on the path can then serve any image. Empty when it does not."""
    found = []
    for entry in settings.get("insecure-registries") or []:
        if isinstance(entry, str) and _cidr(entry) and ipaddress.ip_network(entry, strict=False).prefixlen == 0:
            found.append(
                f"insecure-registries: {entry!r} trusts every registry over plain HTTP and without certificate checks "
                "(whoever is on the path can serve any image, Docker Hub's included); name the registries as "
                "host:port or their network (10.0.0.0/8), or give the registry a certificate (registry CA certificates)"
            )
    return found


def problems(settings: dict[str, Any], engine_version: Optional[str] = None) -> list[str]:
    """Every reason ``settings`` (after ``normalize``) would be refused or unsafe; empty when fine."""
    found: list[str] = []
    installed = version_tuple(engine_version) if engine_version else None
    for key, value in settings.items():
        spec = KEYS.get(key)
        if spec is None:
            close = difflib.get_close_matches(key, KEYS, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else "; see the daemon configuration file reference"
            found.append(f"{key}: unknown daemon.json key{hint}")
            continue
        problem = _type_problem(key, spec, value)
        if problem:
            found.append(problem)
            continue
        if spec.since and installed and installed < version_tuple(spec.since):
            found.append(f"{key}: needs Docker {spec.since} or later; the installed engine is {engine_version}")
        if spec.removed and installed and installed >= version_tuple(spec.removed):
            found.append(
                f"{key}: Docker {spec.removed} removed it (the installed engine is {engine_version}); {spec.instead}"
            )
        if spec.check:
            items = value if isinstance(value, list) else [value]
            for index, item in enumerate(items):
                where = f"{key}[{index}]" if isinstance(value, list) else key
                if not isinstance(item, str):
                    found.append(f"{where}: {item!r} must be a string")
                    continue
                problem = spec.check(where, item)
                if problem:
                    found.append(problem)
    if isinstance(settings.get("log-opts"), dict):
        found += log_options_problems(settings["log-opts"], "log-opts", settings.get("log-driver") or "json-file")
    remote = _remote_api_problem(settings)
    if remote:
        found.append(remote)
    return found


def _reload_clears(key: str, config: dict[str, Any]) -> bool:
    """Whether a reload brings the running daemon to what ``config`` asks for ``key``."""
    spec = KEYS.get(key)
    if spec is None or not spec.reloadable:
        return False
    return key in config or spec.unset == RESETS_WHEN_ABSENT


def needs_restart(changed_keys: list[str], config: Optional[dict[str, Any]] = None) -> bool:
    """False when SIGHUP applies every changed key (no container or daemon downtime). With the new
    ``config``, a key it no longer has counts as applied only where a reload resets an absent key."""
    return any(not _reload_clears(k, config if config is not None else {k: True}) for k in changed_keys)


def merged(current: dict[str, Any], settings: dict[str, Any], running: dict[str, Any]) -> dict[str, Any]:
    """The new daemon.json: ``current`` with ``settings`` (normalized) over it.

    A key set to None is removed, unless a reload would then keep its old value running: such a
    key is written with its empty value (``[]``, ``false``), which a reload applies, while the file
    or the running daemon (``running``, from docker info) still has something else for it."""
    config = dict(current)
    for key, value in settings.items():
        if value is not None:
            config[key] = value
            continue
        spec = KEYS.get(key)
        empty = spec.unset if spec and spec.reloadable else NEEDS_RESTART
        runs_other = key in running and spec.same(running[key]) != spec.same(spec.default)
        if empty in (NEEDS_RESTART, RESETS_WHEN_ABSENT) or not (key in current or runs_other):
            config.pop(key, None)
        elif current.get(key) != empty:
            config[key] = empty
    return config


def planned(
    current: dict[str, Any], settings: dict[str, Any], exclusive: bool, running: dict[str, Any]
) -> dict[str, Any]:
    """The daemon.json that ``settings`` (None removes a key) make of ``current``; with ``exclusive``,
    a key ``settings`` does not name is removed too."""
    wanted = normalize({k: v for k, v in settings.items() if v is not None})
    named = {k: wanted.get(k) for k in settings}
    if exclusive:
        named = {**dict.fromkeys(current), **named}
    return merged(current, named, running)


def settled(current: dict[str, Any], wanted: dict[str, Any], daemon: dict[str, Any], exclusive: bool = True) -> bool:
    """Nothing to write or apply: the file (``current``) holds ``wanted``, valid, and the running daemon
    (engine_facts' ``daemon``) runs with it and has no restart left pending."""
    if not daemon.get("answering") or daemon.get("drift") or daemon.get("pending_restart"):
        return False
    present = {key: value for key, value in wanted.items() if value is not None}
    if problems(normalize(present), daemon.get("version")):
        return False
    return planned(current, wanted, exclusive, daemon.get("running_settings") or {}) == current


def running_settings(info: dict[str, Any]) -> dict[str, Any]:
    """What the running daemon shows in ``docker info`` (GET /info), as daemon.json keys and values."""
    found = {}
    for key, spec in KEYS.items():
        if spec.shown:
            value = spec.shown(info)
            if value is not None:
                found[key] = value
    return found


def drift(config: dict[str, Any], running: dict[str, Any]) -> list[str]:
    """Keys for which the running daemon shows something other than ``config`` asks (a key the
    file does not have is compared with the engine's default, where docker info has one)."""
    found = []
    for key, value in running.items():
        spec = KEYS[key]
        wanted = config.get(key, spec.default)
        if wanted is not None and spec.same(wanted) != spec.same(value):
            found.append(key)
    return sorted(found)


def file_drift(path: str, running: dict[str, Any], own_defaults: frozenset[str] = frozenset()) -> list[str]:
    """drift() between the file at ``path`` and a running daemon; keys in ``own_defaults`` count only
    when the file sets them (a daemon that picks its own default for them, as a rootless one does).
    [] when the file cannot be read: daemon_config names what is wrong with it."""
    try:
        config = load(path)
    except (OSError, ValueError):
        return []
    return [key for key in drift(config, running) if key in config or key not in own_defaults]


def changed_keys(current: dict[str, Any], config: dict[str, Any]) -> list[str]:
    """Top-level keys added, removed or changed from ``current`` to ``config``."""
    return sorted(k for k in set(current) | set(config) if current.get(k) != config.get(k))


def apply_verdict(
    changed: list[str], config: dict[str, Any], running: dict[str, Any], pending: list[str]
) -> tuple[str, list[str], list[str]]:
    """(action, keys, drifted): what makes the daemon run with the new file ``config``, whose
    ``changed`` keys moved: 'nothing', 'reload' or 'restart'; the keys that need it; and the keys the
    running daemon had not applied before this change (``running``) or left for a later restart
    (``pending``)."""
    drifted = drift(config, running) if running else []
    keys = sorted(set(changed) | set(drifted) | set(pending))
    if not keys:
        return "nothing", [], drifted
    return ("restart" if needs_restart(keys, config) else "reload"), keys, drifted


# Daemon flags as they appear in a service's command line, and the daemon.json key each sets.
FLAG_KEYS = {
    "-H": "hosts",
    "--host": "hosts",
    "-g": "data-root",
    "--graph": "data-root",
    "-s": "storage-driver",
    "-D": "debug",
    "-l": "log-level",
    "--registry-mirror": "registry-mirrors",
    "--insecure-registry": "insecure-registries",
    "--label": "labels",
    "--exec-opt": "exec-opts",
    "--storage-opt": "storage-opts",
    "--log-opt": "log-opts",
    "--dns-opt": "dns-opts",
    "--add-runtime": "runtimes",
    "--authorization-plugin": "authorization-plugins",
    "--default-ulimit": "default-ulimits",
    "--node-generic-resource": "node-generic-resources",
    "--allow-nondistributable-artifacts": "allow-nondistributable-artifacts",
}


def flag_key(flag: str) -> Optional[str]:
    """The daemon.json key a dockerd flag (without its value) sets: the table above, or the key of the same
    name (``--live-restore`` -> ``live-restore``); None for a flag with no daemon.json form."""
    return FLAG_KEYS.get(flag) or (flag[2:] if flag.startswith("--") and flag[2:] in KEYS else None)


def flag_keys(argv: list[str]) -> dict[str, str]:
    """daemon.json key -> the flag that sets it, for the flags in a dockerd command line."""
    found: dict[str, str] = {}
    for word in argv:
        if not word.startswith("-"):
            continue
        flag = word.split("=", 1)[0]
        key = flag_key(flag)
        if key:
            found.setdefault(key, word)
    return found
