# Copyright (c) dockyard.docker contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The options of one container, as the ``container`` and ``containers`` modules take them.

``CONTAINER_ARGS`` is the argument spec (documented in the ``container_spec`` doc fragment).
``desired(params)`` checks every option and turns it into the shape the engine API uses, raising
``SpecError`` that names the bad value, before anything is touched.
"""

from __future__ import annotations

import ipaddress
import os
import re
import shlex
from typing import Any, Callable

from ansible_collections.dockyard.docker.plugins.module_utils.values import (
    SpecError,
    byte_size,
    duration_ns,
    log_options_problems,
    string_dict,
)

COMPARISON_MODES = ("exact", "allow_more", "ignore")

NETWORK_ARGS: dict[str, dict[str, Any]] = {
    "name": {"type": "str", "required": True},
    "aliases": {"type": "list", "elements": "str"},
    "ipv4_address": {"type": "str"},
    "ipv6_address": {"type": "str"},
}

HEALTHCHECK_ARGS: dict[str, dict[str, Any]] = {
    "test": {"type": "raw"},
    "interval": {"type": "str"},
    "timeout": {"type": "str"},
    "start_period": {"type": "str"},
    "retries": {"type": "int"},
    "disable": {"type": "bool", "default": False},
}

CONTAINER_ARGS: dict[str, dict[str, Any]] = {
    "name": {"type": "str", "required": True},
    "state": {
        "type": "str",
        "default": "started",
        "choices": ["present", "started", "stopped", "restarted", "absent", "healthy"],
    },
    "image": {"type": "str"},
    "pull": {"type": "str", "default": "missing", "choices": ["missing", "always", "never"]},
    "pull_retries": {"type": "int", "default": 3},
    "command": {"type": "raw"},
    "entrypoint": {"type": "raw"},
    "env": {"type": "dict"},
    "env_file": {"type": "path"},
    "labels": {"type": "dict"},
    "ports": {"type": "list", "elements": "str", "aliases": ["published_ports"]},
    "expose": {"type": "list", "elements": "str"},
    "volumes": {"type": "list", "elements": "str"},
    "volumes_from": {"type": "list", "elements": "str"},
    "network_mode": {"type": "str"},
    "networks": {"type": "list", "elements": "dict", "options": NETWORK_ARGS},
    "restart_policy": {"type": "str", "choices": ["no", "always", "on-failure", "unless-stopped"]},
    "restart_retries": {"type": "int"},
    "user": {"type": "str"},
    "working_dir": {"type": "str"},
    "hostname": {"type": "str"},
    "healthcheck": {"type": "dict", "options": HEALTHCHECK_ARGS},
    "memory": {"type": "str"},
    "memory_swap": {"type": "str"},
    "memory_reservation": {"type": "str"},
    "cpus": {"type": "float"},
    "cpu_shares": {"type": "int"},
    "log_driver": {"type": "str"},
    "log_options": {"type": "dict"},
    "init": {"type": "bool"},
    "privileged": {"type": "bool"},
    "read_only": {"type": "bool"},
    "cap_add": {"type": "list", "elements": "str"},
    "cap_drop": {"type": "list", "elements": "str"},
    "tmpfs": {"type": "list", "elements": "str"},
    "comparisons": {"type": "dict"},
    "recreate": {"type": "bool", "default": False},
    "remove_volumes": {"type": "bool", "default": False},
    "stop_timeout": {"type": "int"},
    "healthy_timeout": {"type": "int", "default": 120},
}

# The options ``desired`` compares (the rest steer what the module does, not what the container is).
COMPARED = (
    "image", "command", "entrypoint", "env", "labels", "ports", "expose", "volumes", "anonymous_volumes",
    "volumes_from", "network_mode", "networks", "restart_policy", "user", "working_dir", "hostname",
    "healthcheck", "memory", "memory_swap", "memory_reservation", "cpus", "cpu_shares", "log_driver",
    "log_options", "init", "privileged", "read_only", "cap_add", "cap_drop", "tmpfs",
)  # fmt: skip

PROTOCOLS = ("tcp", "udp", "sctp")
SPECIAL_NETWORK_MODES = ("host", "none")
VOLUME_NAME = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9_.-]+$")
VOLUME_MODES = {"ro", "rw", "z", "Z", "nocopy", "shared", "slave", "private", "rshared", "rslave", "rprivate"}


def argv(value: Any, option: str) -> list[str]:
    """A command as the API wants it: a list is taken as is, a string is split as a shell would."""
    if isinstance(value, list):
        return [str(v) for v in value]
    if isinstance(value, str):
        try:
            return shlex.split(value)
        except ValueError as exc:
            raise SpecError(f"{option}: {value!r} cannot be split into arguments ({exc})") from exc
    raise SpecError(f"{option}: {value!r} is neither a string nor a list")


def read_env_file(path: str) -> dict[str, str]:
    """KEY=VALUE lines, as `docker run --env-file` reads them (no quotes removed, # comments)."""
    env = {}
    try:
        with open(path, encoding="utf-8") as handle:
            lines = handle.read().splitlines()
    except OSError as exc:
        raise SpecError(f"env_file: cannot read {path}: {exc.strerror}") from exc
    for number, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        if not key or " " in key:
            raise SpecError(f"env_file: {path} line {number}: {line!r} is not KEY=VALUE")
        env[key] = value if sep else os.environ.get(key, "")
    return env


def _port_range(text: str, what: str, spec: str) -> list[int]:
    first, sep, last = text.partition("-")
    try:
        low = int(first)
        high = int(last) if sep else low
    except ValueError:
        raise SpecError(f"ports: {spec!r}: {what} {text!r} is not a port number or range") from None
    if not (1 <= low <= high <= 65535):
        raise SpecError(f"ports: {spec!r}: {what} {text!r} is outside 1-65535")
    return list(range(low, high + 1))


def _split_protocol(spec: str, option: str) -> tuple[str, str]:
    body, sep, protocol = spec.rpartition("/")
    if not sep:
        return spec, "tcp"
    if protocol not in PROTOCOLS:
        raise SpecError(f"{option}: {spec!r}: protocol {protocol!r} is not one of {', '.join(PROTOCOLS)}")
    return body, protocol


def _port_parts(spec: str) -> tuple[str, str, str, str]:
    """(host IP, host port or range, container port or range, protocol) of one `-p` style spec."""
    body, protocol = _split_protocol(str(spec).strip(), "ports")
    host_ip = ""
    if body.startswith("["):  # [::1]:8080:80
        host_ip, sep, body = body[1:].partition("]:")
        if not sep:
            raise SpecError(f"ports: {spec!r}: write an IPv6 address as [addr]:host_port:container_port")
    parts = body.split(":")
    if len(parts) == 3 and not host_ip:
        host_ip = parts.pop(0)
    if len(parts) not in (1, 2):
        raise SpecError(
            f"ports: {spec!r} is not [ip:][host_port:]container_port[/protocol] "
            "(for example 8080:80, 127.0.0.1:8080:80, 127.0.0.1::80, 53:53/udp)"
        )
    host, inside = parts if len(parts) == 2 else ("", parts[0])
    if host_ip:
        try:
            host_ip = str(ipaddress.ip_address(host_ip))
        except ValueError:
            raise SpecError(f"ports: {spec!r}: {host_ip!r} is not an IP address") from None
    return ("" if host_ip in ("0.0.0.0", "::") else host_ip), host, inside, protocol


def port_bindings(specs: list[str]) -> list[tuple[str, str, str]]:
    """Sorted (container port/proto, host IP, host port) for `-p` style specs; "" is any IP or port."""
    bindings = set()
    for spec in specs:
        host_ip, host, inside, protocol = _port_parts(spec)
        inside_ports = _port_range(inside, "container port", spec)
        host_ports = _port_range(host, "host port", spec) if host else []
        if host_ports and len(host_ports) != len(inside_ports):
            if len(inside_ports) != 1:
                raise SpecError(f"ports: {spec!r}: the host and container ranges differ in length")
            # 8000-8010:80 lets Docker pick one free host port of the range.
            bindings.add((f"{inside_ports[0]}/{protocol}", host_ip, host))
            continue
        for index, port in enumerate(inside_ports):
            bindings.add((f"{port}/{protocol}", host_ip, str(host_ports[index]) if host_ports else ""))
    return sorted(bindings)


def exposed_ports(specs: list[str]) -> list[str]:
    result = set()
    for spec in specs:
        body, protocol = _split_protocol(str(spec).strip(), "expose")
        for port in _port_range(body, "port", spec):
            result.add(f"{port}/{protocol}")
    return sorted(result)


def _bind_mode(options: str, spec: str) -> str:
    modes = [m for m in options.split(",") if m] if options else []
    unknown = [m for m in modes if m not in VOLUME_MODES]
    if unknown:
        raise SpecError(f"volumes: {spec!r}: unknown option {unknown[0]!r}; use ro, rw, z, Z, nocopy or a propagation")
    return ",".join(sorted(m for m in modes if m != "rw"))


def volumes(specs: list[str]) -> tuple[list[str], list[str]]:
    """(binds as ``source:dest[:mode]``, anonymous volume paths), checked and normalised."""
    binds, anonymous = set(), set()
    for spec in specs:
        parts = str(spec).split(":")
        if len(parts) == 1:
            source, dest, options = "", parts[0], ""
        elif len(parts) in (2, 3):
            source, dest, options = parts[0], parts[1], parts[2] if len(parts) == 3 else ""
        else:
            raise SpecError(f"volumes: {spec!r} is not [source:]container_path[:options]")
        if not dest.startswith("/"):
            raise SpecError(f"volumes: {spec!r}: the container path {dest!r} must be absolute")
        if not source:
            anonymous.add(os.path.normpath(dest))
            continue
        if not source.startswith("/") and not VOLUME_NAME.match(source):
            raise SpecError(
                f"volumes: {spec!r}: {source!r} is neither an absolute host path nor a volume name; "
                "bind mounts need an absolute path (relative paths depend on where the task runs)"
            )
        if source.startswith("/"):
            source = os.path.normpath(source)
        mode = _bind_mode(options, spec)
        binds.add(f"{source}:{os.path.normpath(dest)}" + (f":{mode}" if mode else ""))
    return sorted(binds), sorted(anonymous)


def normal_bind(bind: str) -> str:
    """A bind as the daemon reports it, in the form ``volumes`` produces (rw is the default)."""
    parts = bind.split(":")
    mode = _bind_mode(parts[2], bind) if len(parts) > 2 else ""
    return f"{parts[0]}:{parts[1]}" + (f":{mode}" if mode else "")


def normal_volumes_from(entry: str) -> str:
    name, _sep, mode = entry.partition(":")
    return name if mode in ("", "rw") else f"{name}:{mode}"


def healthcheck(value: dict[str, Any]) -> dict[str, Any]:
    if value.get("disable"):
        return {"Test": ["NONE"]}
    result: dict[str, Any] = {}
    test = value.get("test")
    if test is not None:
        if isinstance(test, str):
            result["Test"] = ["CMD-SHELL", test]
        elif isinstance(test, list) and test:
            test = [str(t) for t in test]
            result["Test"] = test if test[0] in ("CMD", "CMD-SHELL", "NONE") else ["CMD", *test]
        else:
            raise SpecError(f"healthcheck.test: {test!r} is neither a shell command nor a non-empty list")
    for option, key in (("interval", "Interval"), ("timeout", "Timeout"), ("start_period", "StartPeriod")):
        if value.get(option) is not None:
            result[key] = duration_ns(value[option], f"healthcheck.{option}")
    if value.get("retries") is not None:
        if value["retries"] < 0:
            raise SpecError(f"healthcheck.retries: {value['retries']} is negative")
        result["Retries"] = value["retries"]
    if not result:
        raise SpecError("healthcheck: give test (and interval, timeout, start_period, retries) or disable: true")
    return result


def capability(name: str) -> str:
    return name.upper().removeprefix("CAP_")


def tmpfs(specs: list[str]) -> dict[str, str]:
    result = {}
    for spec in specs:
        path, _sep, options = str(spec).partition(":")
        if not path.startswith("/"):
            raise SpecError(f"tmpfs: {spec!r}: the path {path!r} must be absolute")
        result[os.path.normpath(path)] = options
    return result


def networks(entries: list[dict[str, Any]], network_mode: str | None) -> list[dict[str, Any]]:
    result, seen = [], set()
    for index, entry in enumerate(entries):
        name = entry["name"]
        if name in seen:
            raise SpecError(f"networks[{index}]: {name!r} is listed twice")
        seen.add(name)
        item: dict[str, Any] = {"name": name, "aliases": sorted(entry.get("aliases") or [])}
        for option in ("ipv4_address", "ipv6_address"):
            if entry.get(option):
                try:
                    item[option] = str(ipaddress.ip_address(entry[option]))
                except ValueError:
                    raise SpecError(f"networks[{index}].{option}: {entry[option]!r} is not an IP address") from None
        if name in ("bridge", "default") and (item["aliases"] or len(item) > 2):
            raise SpecError(
                f"networks[{index}]: the default bridge network takes no aliases or static addresses; "
                "create a network with dockyard.docker.network and use that"
            )
        result.append(item)
    if network_mode and (network_mode in SPECIAL_NETWORK_MODES or network_mode.startswith("container:")):
        raise SpecError(f"networks: cannot join networks with network_mode {network_mode!r}; drop one of the two")
    mode = "bridge" if network_mode == "default" else network_mode
    if mode and mode not in seen:
        # The network named by network_mode is one the container is on, listed or not.
        result.insert(0, {"name": mode, "aliases": []})
    return result


def _check_conflicts(params: dict[str, Any]) -> None:
    mode = params.get("network_mode") or ""
    if (mode == "host" or mode.startswith("container:")) and params.get("ports"):
        raise SpecError(f"ports: a container with network_mode {mode!r} cannot publish ports; drop ports or the mode")
    if mode.startswith("container:") and params.get("hostname"):
        raise SpecError(f"hostname: a container with network_mode {mode!r} shares that container's hostname")
    if params.get("restart_retries") is not None and params.get("restart_policy") != "on-failure":
        raise SpecError("restart_retries: only applies with restart_policy: on-failure")
    if params.get("memory_swap") and not params.get("memory"):
        raise SpecError("memory_swap: needs memory as well (it is memory plus swap)")
    if params.get("cpus") is not None and params["cpus"] <= 0:
        raise SpecError(f"cpus: {params['cpus']} must be above 0")
    comparisons = params.get("comparisons") or {}
    for option, mode_name in comparisons.items():
        if option != "*" and option not in COMPARED:
            raise SpecError(
                f"comparisons: {option!r} is not an option that is compared; use one of {', '.join(COMPARED)}"
            )
        if mode_name not in COMPARISON_MODES:
            raise SpecError(f"comparisons.{option}: {mode_name!r} is not one of {', '.join(COMPARISON_MODES)}")


def _memory_swap(value: str, params: dict[str, Any]) -> int:
    swap = -1 if str(value).strip() == "-1" else byte_size(value, "memory_swap")
    if 0 <= swap < byte_size(params["memory"], "memory"):
        raise SpecError(f"memory_swap: {value!r} is below memory {params['memory']!r}; it counts memory plus swap")
    return swap


def _env(params: dict[str, Any]) -> dict[str, str]:
    env = read_env_file(params["env_file"]) if params.get("env_file") else {}
    env.update(string_dict(params.get("env"), "env"))
    return env


# option -> how the task's value becomes the API's; each runs only when the task sets the option.
def log_options(value: dict[str, Any]) -> dict[str, str]:
    found = log_options_problems(value, "log_options")
    if found:
        raise SpecError(found[0])
    return string_dict(value, "log_options")


CONVERT: dict[str, Callable[[Any, dict[str, Any]], Any]] = {
    "command": lambda v, p: argv(v, "command"),
    "entrypoint": lambda v, p: argv(v, "entrypoint"),
    "labels": lambda v, p: string_dict(v, "labels"),
    "ports": lambda v, p: port_bindings(v),
    "expose": lambda v, p: exposed_ports(v),
    "volumes_from": lambda v, p: sorted(normal_volumes_from(x) for x in v),
    "network_mode": lambda v, p: "bridge" if v == "default" else v,
    "networks": lambda v, p: networks(v, p.get("network_mode")),
    "restart_policy": lambda v, p: {"Name": v, "MaximumRetryCount": p.get("restart_retries") or 0},
    "user": lambda v, p: v,
    "working_dir": lambda v, p: v,
    "hostname": lambda v, p: v,
    "log_driver": lambda v, p: v,
    "healthcheck": lambda v, p: healthcheck(v),
    "memory": lambda v, p: byte_size(v, "memory"),
    "memory_reservation": lambda v, p: byte_size(v, "memory_reservation"),
    "memory_swap": _memory_swap,
    "cpus": lambda v, p: round(v * 1e9),
    "cpu_shares": lambda v, p: v,
    "log_options": lambda v, p: log_options(v),
    "init": lambda v, p: bool(v),
    "privileged": lambda v, p: bool(v),
    "read_only": lambda v, p: bool(v),
    "cap_add": lambda v, p: sorted({capability(c) for c in v}),
    "cap_drop": lambda v, p: sorted({capability(c) for c in v}),
    "tmpfs": lambda v, p: tmpfs(v),
}


def desired(params: dict[str, Any]) -> dict[str, Any]:
    """Option -> the value the engine API would hold, for every compared option the task sets."""
    _check_conflicts(params)
    want: dict[str, Any] = {}
    for option, convert in CONVERT.items():
        if params.get(option) not in (None, ""):
            want[option] = convert(params[option], params)
    if params.get("env") is not None or params.get("env_file"):
        want["env"] = _env(params)
    if params.get("volumes") is not None:
        want["volumes"], want["anonymous_volumes"] = volumes(params["volumes"])
    return want
