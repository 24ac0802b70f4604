# Copyright (c) dockyard.docker contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The options of one container, as the ``container`` and ``containers`` modules take them.

``OPTIONS`` describes each option once: its argument spec, how the task's value is checked and
converted, where the engine API keeps it (``HostConfig.CpuShares``), how the value a container holds
is read back in the same shape, how it is compared, and whether ``docker update`` changes it in place.
The argument spec (``CONTAINER_ARGS``, documented in the ``container_spec`` doc fragment), the
comparisons, the create and update payloads and the reader of a container's values all come from it:
adding an option is adding a row (and its documentation).

``desired(params)`` checks every option and turns it into the shape the engine API uses, raising
``SpecError`` that names the bad value, before anything is touched.
"""

from __future__ import annotations

import copy
import ipaddress
import json
import os
import re
import shlex
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

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
    if params.get("auto_remove") and params.get("restart_policy") not in (None, "no"):
        raise SpecError(f"auto_remove: a container removed when it stops cannot restart ({params['restart_policy']!r})")
    if params.get("state") == "completed":
        if params.get("auto_remove"):
            raise SpecError(
                "auto_remove: state completed keeps the container, so that its exit code and output stay and it "
                "is not run again on the next play; drop auto_remove (state: absent removes it when it is done with)"
            )
        if params.get("restart_policy") in ("always", "unless-stopped"):
            raise SpecError(f"restart_policy: a container restarted {params['restart_policy']!r} never completes")
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


def log_options(value: dict[str, Any], driver: str) -> dict[str, str]:
    """A container's log options; checked against its log driver when the task names one (the daemon's default
    driver is not known here)."""
    found = log_options_problems(value, "log_options", driver or "")
    if found:
        raise SpecError(found[0])
    return string_dict(value, "log_options")


# -- run flags that `docker run` spells in its own way ---------------------------------------------
SIGNALS = {"HUP": 1, "INT": 2, "QUIT": 3, "KILL": 9, "USR1": 10, "USR2": 12, "TERM": 15, "CONT": 18, "STOP": 19,
           "WINCH": 28, "PWR": 30}  # fmt: skip
SIGNAL = re.compile(r"^(SIG)?[A-Z][A-Z0-9+-]*$|^\d+$")
ULIMIT = re.compile(r"^([a-z]+)=(-?\d+)(?::(-?\d+))?$")
DEVICE_PERMISSIONS = re.compile(r"^[rwm]{1,3}$")
SECURITY_OPTS = ("seccomp", "apparmor", "label", "systempaths")
NAMESPACE_MODES = {"pid_mode": ("host",), "ipc_mode": ("none", "private", "shareable", "host")}


def signal_name(value: Any, option: str = "stop_signal") -> str:
    """A signal as ``SIGTERM`` (the daemon keeps what it is given; TERM, SIGTERM and 15 are the same signal)."""
    text = str(value).strip().upper()
    if not SIGNAL.match(text):
        raise SpecError(f"{option}: {value!r} is not a signal; write for example SIGTERM, TERM or 15")
    if text.isdigit():
        names = {number: name for name, number in SIGNALS.items()}
        return f"SIG{names[int(text)]}" if int(text) in names else text
    return text if text.startswith("SIG") else f"SIG{text}"


def ulimits(specs: list[str]) -> list[dict[str, Any]]:
    """``nofile=1024:2048`` (``--ulimit``) -> the API's [{Name, Soft, Hard}], sorted by name."""
    result = {}
    for spec in specs:
        match = ULIMIT.match(str(spec).strip())
        if not match:
            raise SpecError(f"ulimits: {spec!r} is not name=soft[:hard] (for example nofile=1024:2048)")
        name, soft = match.group(1), int(match.group(2))
        hard = int(match.group(3)) if match.group(3) is not None else soft
        if hard != -1 and (soft == -1 or soft > hard):
            raise SpecError(f"ulimits: {spec!r}: the soft limit is above the hard one")
        if name in result:
            raise SpecError(f"ulimits: {name!r} is given twice")
        result[name] = {"Name": name, "Soft": soft, "Hard": hard}
    return [result[name] for name in sorted(result)]


def held_ulimits(values: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    return sorted(({"Name": u["Name"], "Soft": u["Soft"], "Hard": u["Hard"]} for u in values or []),
                  key=lambda u: u["Name"])  # fmt: skip


def devices(specs: list[str]) -> list[dict[str, str]]:
    """``/dev/fuse[:/dev/fuse][:rwm]`` (``--device``) -> the API's device mappings, sorted."""
    result = []
    for spec in specs:
        parts = str(spec).split(":")
        if len(parts) > 3 or not parts[0].startswith("/"):
            raise SpecError(f"devices: {spec!r} is not /host/device[:/container/path][:permissions]")
        permissions = "rwm"
        if len(parts) > 1 and DEVICE_PERMISSIONS.match(parts[-1]):
            permissions = parts.pop()
        inside = parts[1] if len(parts) > 1 else parts[0]
        if len(parts) > 2 or not inside.startswith("/"):
            raise SpecError(f"devices: {spec!r}: the container path must be absolute; permissions are of r, w and m")
        result.append({"PathOnHost": parts[0], "PathInContainer": inside, "CgroupPermissions": permissions})
    return sorted(result, key=lambda d: (d["PathInContainer"], d["PathOnHost"]))


def held_devices(values: list[dict[str, Any]] | None) -> list[dict[str, str]]:
    return devices([f"{d['PathOnHost']}:{d['PathInContainer']}:{d.get('CgroupPermissions') or 'rwm'}"
                    for d in values or []])  # fmt: skip


def extra_hosts(value: dict[str, Any]) -> dict[str, str]:
    """name -> address (``--add-host name:address``); ``host-gateway`` is the daemon's gateway address."""
    result = {}
    for name, address in (value or {}).items():
        text = str(address).strip()
        if text != "host-gateway":
            try:
                text = str(ipaddress.ip_address(text))
            except ValueError:
                raise SpecError(f"extra_hosts.{name}: {address!r} is not an IP address or host-gateway") from None
        if not name or ":" in str(name) or " " in str(name):
            raise SpecError(f"extra_hosts: {name!r} is not a host name")
        result[str(name)] = text
    return result


def held_extra_hosts(values: list[str] | None) -> dict[str, str]:
    found = {}
    for entry in values or []:
        name, _sep, address = entry.replace("=", ":", 1).partition(":")
        found[name] = address.strip("[]")
    return found


def _security_opt(value: str, held: bool) -> str | None:
    """One ``--security-opt`` as the daemon keeps it (None: nothing set); a seccomp profile file given by a
    task is sent as its JSON, as the CLI does. ``held``: the value is the daemon's, already in that form."""
    text = str(value).strip()
    key, sep, setting = text.partition("=" if "=" in text else ":")
    if key == "no-new-privileges":
        if setting not in ("", "true", "false"):
            raise SpecError(f"security_opts: {value!r}: no-new-privileges takes true or false")
        return None if setting == "false" else "no-new-privileges"
    if held:
        return f"{key}={setting}"
    if key not in SECURITY_OPTS or not sep or not setting:
        raise SpecError(f"security_opts: {value!r} is not one of {'=, '.join(SECURITY_OPTS)}= or no-new-privileges")
    if key == "seccomp" and setting != "unconfined":
        try:
            with open(setting, encoding="utf-8") as handle:
                setting = json.dumps(json.load(handle), separators=(",", ":"))
        except (OSError, ValueError) as exc:
            raise SpecError(f"security_opts: {value!r}: cannot read the seccomp profile ({exc})") from None
    return f"{key}={setting}"


def security_opts(values: list[str] | None, held: bool = False) -> list[str]:
    return sorted({opt for opt in (_security_opt(v, held) for v in values or []) if opt})


def namespace_mode(value: str, option: str) -> str:
    """``host`` or ``container:NAME`` (and for ipc, ``none``, ``private`` or ``shareable``)."""
    text = str(value).strip()
    if text in NAMESPACE_MODES[option] or (text.startswith("container:") and len(text) > 10):
        return text
    raise SpecError(f"{option}: {value!r} is not one of {', '.join(NAMESPACE_MODES[option])} or container:NAME")


def refuse_links(value: Any, _params: dict[str, Any]) -> None:
    raise SpecError(
        f"links: {value!r}: legacy links are not supported (Docker itself discourages them); put the containers "
        "on a user-defined network (dockyard.docker.network) and reach each other by name or by networks[].aliases"
    )


# -- reading what a container holds, in the shape ``desired`` gives -----------------------------------
def env_pairs(items: list[str] | None) -> dict[str, str]:
    return dict(item.partition("=")[::2] for item in items or [])


def held_port_bindings(bindings_by_port: dict[str, Any] | None) -> list[tuple[str, str, str]]:
    result = set()
    for port, bindings in (bindings_by_port or {}).items():
        for binding in bindings or [{}]:
            ip = binding.get("HostIp") or ""
            result.add((port, "" if ip in ("0.0.0.0", "::") else ip, binding.get("HostPort") or ""))
    return sorted(result)


def endpoints(networks_by_name: dict[str, Any] | None) -> dict[str, dict[str, Any]]:
    """network -> the aliases and static addresses the container has on it, as ``networks`` wants them."""
    result = {}
    for name, endpoint in (networks_by_name or {}).items():
        ipam = endpoint.get("IPAMConfig") or {}
        result[name] = {
            "aliases": sorted(endpoint.get("Aliases") or []),
            "ipv4_address": ipam.get("IPv4Address") or None,
            "ipv6_address": ipam.get("IPv6Address") or None,
        }
    return result


def port_map_payload(bindings: list[tuple[str, str, str]]) -> dict[str, list[dict[str, str]]]:
    result: dict[str, list[dict[str, str]]] = {}
    for port, ip, host in bindings:
        result.setdefault(port, []).append({"HostIp": ip, "HostPort": host})
    return result


# -- the table --------------------------------------------------------------------------------------
def _same(value: Any, _params: dict[str, Any]) -> Any:
    return value


@dataclass(frozen=True)
class Option:
    """One compared container option.

    ``api`` is where ``docker inspect`` shows it (``HostConfig.CpuShares``); the create payload takes it at the
    same place (``Config.`` fields at the top). ``convert`` turns the task's value into that shape (it runs
    when the task sets any of ``sources``); ``read`` turns what inspect shows into it (default: the value, or
    ``empty`` when unset); ``to_api`` turns the wanted value into the payload's form. ``update``: ``docker
    update`` changes it in place. ``mode``: the comparison rule unless ``comparisons`` names another.
    ``create``: False where creating the container places it by hand (image, networks, exposed ports).
    ``compose``: the Compose service key that takes this option's value as it is (``mem_limit``), if any.
    """

    name: str
    spec: Optional[dict[str, Any]]
    api: str
    empty: Any = None
    convert: Optional[Callable[[Any, dict[str, Any]], Any]] = _same
    sources: tuple[str, ...] = ()
    read: Optional[Callable[[Any], Any]] = None
    to_api: Callable[[Any], Any] = lambda value: value
    update: bool = False
    mode: str = "exact"
    create: bool = True
    extra: dict[str, dict[str, Any]] = field(default_factory=dict)  # argument specs that only feed convert
    compose: Optional[str] = None

    def given(self, params: dict[str, Any]) -> bool:
        return any(params.get(source) not in (None, "") for source in self.sources or (self.name,))

    def held(self, container: dict[str, Any]) -> Any:
        raw: Any = container
        for key in self.api.split("."):
            raw = (raw or {}).get(key)
        return self.read(raw) if self.read else (raw or copy.copy(self.empty))


def _sorted_caps(values: list[str] | None) -> list[str]:
    return sorted({capability(value) for value in values or []})


def _restart_policy(held: dict[str, Any] | None) -> dict[str, Any]:
    return {"Name": (held or {}).get("Name") or "no", "MaximumRetryCount": (held or {}).get("MaximumRetryCount") or 0}


def dns_servers(values: list[str]) -> list[str]:
    result = []
    for value in values:
        try:
            result.append(str(ipaddress.ip_address(str(value).strip())))
        except ValueError:
            raise SpecError(
                f"dns: {value!r} is not an IP address (a container's DNS servers are given by address)"
            ) from None
    return result


def _stop_timeout(value: int) -> int:
    if value < 0:
        raise SpecError(f"stop_timeout: {value} is negative")
    return value


LIST, DICT = {"type": "list", "elements": "str"}, {"type": "dict"}
OPTIONS: tuple[Option, ...] = (
    # The image's ID is compared (with the one the reference names on the host); desired() leaves it out.
    Option("image", {"type": "str"}, "Image", convert=None, create=False, compose="image"),
    Option("command", {"type": "raw"}, "Config.Cmd", [], lambda v, p: argv(v, "command"), compose="command"),
    Option("entrypoint", {"type": "raw"}, "Config.Entrypoint", [], lambda v, p: argv(v, "entrypoint"),
           compose="entrypoint"),
    Option("env", DICT, "Config.Env", {}, lambda v, p: _env(p), sources=("env", "env_file"), read=env_pairs,
           to_api=lambda env: [f"{k}={v}" for k, v in env.items()], extra={"env_file": {"type": "path"}}),
    Option("labels", DICT, "Config.Labels", {}, lambda v, p: string_dict(v, "labels")),
    Option("ports", {**LIST, "aliases": ["published_ports"]}, "HostConfig.PortBindings", [],
           lambda v, p: port_bindings(v), read=held_port_bindings, to_api=port_map_payload),
    Option("expose", LIST, "Config.ExposedPorts", [], lambda v, p: exposed_ports(v), read=lambda v: sorted(v or {}),
           create=False, compose="expose"),
    Option("volumes", LIST, "HostConfig.Binds", [], lambda v, p: volumes(v)[0],
           read=lambda v: sorted(normal_bind(b) for b in v or [])),
    Option("anonymous_volumes", None, "Config.Volumes", [], lambda v, p: volumes(v)[1], sources=("volumes",),
           read=lambda v: sorted(v or {}), to_api=lambda paths: {path: {} for path in paths} or None),
    Option("volumes_from", LIST, "HostConfig.VolumesFrom", [], lambda v, p: sorted(normal_volumes_from(x) for x in v),
           read=lambda v: sorted(normal_volumes_from(x) for x in v or [])),
    Option("network_mode", {"type": "str"}, "HostConfig.NetworkMode", "bridge",
           lambda v, p: "bridge" if v == "default" else v, read=lambda v: "bridge" if v in (None, "", "default") else v,
           create=False, compose="network_mode"),
    Option("networks", {"type": "list", "elements": "dict", "options": NETWORK_ARGS}, "NetworkSettings.Networks", {},
           lambda v, p: networks(v, p.get("network_mode")), read=endpoints, create=False),
    Option("restart_policy", {"type": "str", "choices": ["no", "always", "on-failure", "unless-stopped"]},
           "HostConfig.RestartPolicy", None,
           lambda v, p: {"Name": v, "MaximumRetryCount": p.get("restart_retries") or 0},
           read=_restart_policy, update=True, extra={"restart_retries": {"type": "int"}}),
    Option("user", {"type": "str"}, "Config.User", "", compose="user"),
    Option("working_dir", {"type": "str"}, "Config.WorkingDir", "", compose="working_dir"),
    Option("hostname", {"type": "str"}, "Config.Hostname", "", compose="hostname"),
    Option("healthcheck", {"type": "dict", "options": HEALTHCHECK_ARGS}, "Config.Healthcheck", {},
           lambda v, p: healthcheck(v)),
    Option("memory", {"type": "str"}, "HostConfig.Memory", 0, lambda v, p: byte_size(v, "memory"), update=True,
           compose="mem_limit"),
    Option("memory_swap", {"type": "str"}, "HostConfig.MemorySwap", 0, _memory_swap, update=True,
           compose="memswap_limit"),
    Option("memory_reservation", {"type": "str"}, "HostConfig.MemoryReservation", 0,
           lambda v, p: byte_size(v, "memory_reservation"), update=True, compose="mem_reservation"),
    Option("cpus", {"type": "float"}, "HostConfig.NanoCpus", 0, lambda v, p: round(v * 1e9), update=True,
           compose="cpus"),
    Option("cpu_shares", {"type": "int"}, "HostConfig.CpuShares", 0, update=True, compose="cpu_shares"),
    # 0 and -1 both mean no limit to the daemon (and None on a container made without one).
    Option("pids_limit", {"type": "int"}, "HostConfig.PidsLimit", 0, lambda v, p: max(v, 0),
           read=lambda v: max(v or 0, 0), update=True),
    Option("log_driver", {"type": "str"}, "HostConfig.LogConfig.Type", ""),
    # The daemon adds its own default log options (daemon.json log-opts) to a container's.
    Option("log_options", DICT, "HostConfig.LogConfig.Config", {}, lambda v, p: log_options(v, p.get("log_driver")),
           mode="allow_more"),
    Option("init", {"type": "bool"}, "HostConfig.Init", False, lambda v, p: bool(v), compose="init"),
    Option("privileged", {"type": "bool"}, "HostConfig.Privileged", False, lambda v, p: bool(v), compose="privileged"),
    Option("read_only", {"type": "bool"}, "HostConfig.ReadonlyRootfs", False, lambda v, p: bool(v),
           compose="read_only"),
    Option("cap_add", LIST, "HostConfig.CapAdd", [], lambda v, p: _sorted_caps(v), read=_sorted_caps,
           compose="cap_add"),
    Option("cap_drop", LIST, "HostConfig.CapDrop", [], lambda v, p: _sorted_caps(v), read=_sorted_caps,
           compose="cap_drop"),
    Option("tmpfs", LIST, "HostConfig.Tmpfs", {}, lambda v, p: tmpfs(v)),
    Option("tty", {"type": "bool"}, "Config.Tty", False, lambda v, p: bool(v), compose="tty"),
    Option("interactive", {"type": "bool"}, "Config.OpenStdin", False, lambda v, p: bool(v), compose="stdin_open"),
    Option("auto_remove", {"type": "bool"}, "HostConfig.AutoRemove", False, lambda v, p: bool(v)),
    Option("devices", LIST, "HostConfig.Devices", [], lambda v, p: devices(v), read=held_devices, compose="devices"),
    Option("dns", LIST, "HostConfig.Dns", [], lambda v, p: dns_servers(v), compose="dns"),
    Option("dns_search", LIST, "HostConfig.DnsSearch", [], compose="dns_search"),
    Option("dns_options", LIST, "HostConfig.DnsOptions", [], lambda v, p: sorted(v), read=lambda v: sorted(v or [])),
    Option("extra_hosts", DICT, "HostConfig.ExtraHosts", {}, lambda v, p: extra_hosts(v), read=held_extra_hosts,
           to_api=lambda hosts: [f"{name}:{address}" for name, address in sorted(hosts.items())]),
    Option("ulimits", LIST, "HostConfig.Ulimits", [], lambda v, p: ulimits(v), read=held_ulimits),
    Option("security_opts", LIST, "HostConfig.SecurityOpt", [], lambda v, p: security_opts(v),
           read=lambda v: security_opts(v, held=True), compose="security_opt"),
    Option("pid_mode", {"type": "str"}, "HostConfig.PidMode", "", lambda v, p: namespace_mode(v, "pid_mode"),
           compose="pid"),
    # Without ipc_mode the daemon picks (daemon.json default-ipc-mode): only a task's own value is compared.
    Option("ipc_mode", {"type": "str"}, "HostConfig.IpcMode", "", lambda v, p: namespace_mode(v, "ipc_mode"),
           compose="ipc"),
    Option("shm_size", {"type": "str"}, "HostConfig.ShmSize", 0, lambda v, p: byte_size(v, "shm_size"),
           compose="shm_size"),
    Option("publish_all_ports", {"type": "bool"}, "HostConfig.PublishAllPorts", False, lambda v, p: bool(v)),
    Option("sysctls", DICT, "HostConfig.Sysctls", {}, lambda v, p: string_dict(v, "sysctls")),
    Option("stop_signal", {"type": "str"}, "Config.StopSignal", "SIGTERM", lambda v, p: signal_name(v),
           read=lambda v: signal_name(v) if v else "SIGTERM", compose="stop_signal"),
    Option("stop_timeout", {"type": "int"}, "Config.StopTimeout", None, lambda v, p: _stop_timeout(v)),
    # Refused with advice: a spec that names links fails before anything is touched.
    Option("links", LIST, "HostConfig.Links", [], refuse_links),
)  # fmt: skip
BY_NAME = {option.name: option for option in OPTIONS}
COMPARED = tuple(option.name for option in OPTIONS)
UPDATABLE = tuple(option.name for option in OPTIONS if option.update)

# What the module does with the container, beside what the container is.
CONTROL_ARGS: dict[str, dict[str, Any]] = {
    "name": {"type": "str", "required": True},
    "state": {
        "type": "str",
        "default": "started",
        "choices": ["present", "started", "stopped", "restarted", "absent", "healthy", "completed", "paused"],
    },
    "pull": {"type": "str", "default": "missing", "choices": ["missing", "always", "never"]},
    "pull_retries": {"type": "int", "default": 3},
    "platform": {"type": "str"},
    "comparisons": {"type": "dict"},
    "recreate": {"type": "bool", "default": False},
    "remove_volumes": {"type": "bool", "default": False},
    "healthy_timeout": {"type": "int", "default": 120},
    "completed_timeout": {"type": "int", "default": 600},
    "expected_exit_codes": {"type": "list", "elements": "int", "default": [0]},
}
CONTAINER_ARGS: dict[str, dict[str, Any]] = {
    **CONTROL_ARGS,
    **{option.name: option.spec for option in OPTIONS if option.spec},
    **{name: spec for option in OPTIONS for name, spec in option.extra.items()},
}


def desired(params: dict[str, Any]) -> dict[str, Any]:
    """Option -> the value the engine API would hold, for every compared option the task sets."""
    _check_conflicts(params)
    return {
        option.name: option.convert(params.get((option.sources or (option.name,))[0]), params)
        for option in OPTIONS
        if option.convert and option.given(params)
    }
