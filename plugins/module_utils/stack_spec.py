# Copyright (c) dockyard.docker contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A Compose project as a Swarm stack: the engine API's service, network, secret and config specs, named and
labelled as ``docker stack deploy`` names and labels them, so that ``docker stack ls/services/ps/rm`` know the
stack. ``deploy:`` applies here (replicas, global mode, placement, resources, restart, update and rollback
policies, endpoint mode). Secrets and configs are Swarm objects, which cannot change: each version gets its own
name (a digest of its content), and services move to the new one.

Pure: the config in (as the compose module's reading gives it: merged, interpolated), specs out. Each service
spec carries a digest of itself in a label, so that a second run compares digests, not the engine's filled-in
spec.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shlex
from typing import Any

from ansible_collections.dockyard.docker.plugins.module_utils.compose_spec import read_env_text
from ansible_collections.dockyard.docker.plugins.module_utils.values import (
    SpecError,
    byte_size,
    duration_ns,
    key_value_pairs,
    whole_number,
)

NAMESPACE_LABEL = "com.docker.stack.namespace"
IMAGE_LABEL = "com.docker.stack.image"
SPEC_LABEL = "dockyard.stack.spec"
SERVICE_KEYS = {
    "image", "command", "entrypoint", "environment", "env_file", "labels", "working_dir", "user", "hostname", "tty",
    "stdin_open", "stop_grace_period", "stop_signal", "read_only", "init", "extra_hosts", "dns", "dns_search",
    "healthcheck", "volumes", "secrets", "configs", "ports", "networks", "deploy", "logging", "cap_add", "cap_drop",
    "sysctls",
}  # fmt: skip
# What docker stack deploy ignores, with a warning, and so does this module: a swarm does not build (the image is
# used), restarts by deploy.restart_policy, names tasks itself and starts services in no order.
IGNORED_KEYS = ("build", "restart", "container_name", "depends_on", "profiles", "pull_policy")
DEPLOY_KEYS = {"mode", "replicas", "labels", "placement", "resources", "restart_policy", "update_config",
               "rollback_config", "endpoint_mode"}  # fmt: skip
RESTART_CONDITIONS = ("none", "on-failure", "any")


def _list(value: Any) -> list[str]:
    """A command as Compose writes it: a list, or a string split as a shell would (without one)."""
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v) for v in value]
    return shlex.split(str(value))


def _ns(value: Any, path: str) -> int:
    return duration_ns(value, path)


def _ports(entries: list[Any], path: str) -> list[dict[str, Any]]:
    ports = []
    for index, entry in enumerate(entries or []):
        where = f"{path}[{index}]"
        if isinstance(entry, dict):
            if "target" not in entry:
                raise SpecError(f"{where}: the long syntax needs target")
            port = {"Protocol": entry.get("protocol", "tcp"), "PublishMode": entry.get("mode", "ingress"),
                    "TargetPort": whole_number(entry["target"], f"{where}.target")}  # fmt: skip
            if entry.get("published") not in (None, ""):
                port["PublishedPort"] = whole_number(entry["published"], f"{where}.published")
        else:
            text, _slash, protocol = str(entry).partition("/")
            parts = text.split(":")
            if len(parts) > 2 or not all(p.isdigit() for p in parts):
                raise SpecError(f"{where}: {entry!r} is not PUBLISHED:TARGET[/PROTOCOL] (a swarm publishes on every "
                                "node: no host address)")  # fmt: skip
            port = {"Protocol": protocol or "tcp", "TargetPort": int(parts[-1]), "PublishMode": "ingress"}
            if len(parts) == 2:
                port["PublishedPort"] = int(parts[0])
        if port["PublishMode"] not in ("ingress", "host"):
            raise SpecError(f"{where}.mode: {port['PublishMode']!r} is not ingress or host")
        ports.append(port)
    return ports


def _placement(value: dict[str, Any], path: str) -> dict[str, Any]:
    placement: dict[str, Any] = {}
    if value.get("constraints"):
        placement["Constraints"] = [str(c) for c in value["constraints"]]
    if value.get("preferences"):
        spreads = []
        for index, preference in enumerate(value["preferences"]):
            if not isinstance(preference, dict) or "spread" not in preference:
                raise SpecError(f"{path}.preferences[{index}]: write spread: node.labels.NAME")
            spreads.append({"Spread": {"SpreadDescriptor": str(preference["spread"])}})
        placement["Preferences"] = spreads
    if value.get("max_replicas_per_node") is not None:
        placement["MaxReplicas"] = whole_number(value["max_replicas_per_node"], f"{path}.max_replicas_per_node")
    return placement


def _resources(value: dict[str, Any], path: str) -> dict[str, Any]:
    resources: dict[str, Any] = {}
    for kind, key in (("limits", "Limits"), ("reservations", "Reservations")):
        given = value.get(kind) or {}
        found = {}
        if given.get("cpus") is not None:
            try:
                found["NanoCPUs"] = int(float(given["cpus"]) * 1e9)
            except ValueError:
                raise SpecError(f"{path}.{kind}.cpus: {given['cpus']!r} is not a number of CPUs") from None
        if given.get("memory") is not None:
            found["MemoryBytes"] = byte_size(given["memory"], f"{path}.{kind}.memory")
        if kind == "limits" and given.get("pids") is not None:
            found["Pids"] = whole_number(given["pids"], f"{path}.limits.pids")
        if found:
            resources[key] = found
    return resources


def _restart_policy(value: dict[str, Any], path: str) -> dict[str, Any]:
    condition = value.get("condition", "any")
    if condition not in RESTART_CONDITIONS:
        raise SpecError(f"{path}.condition: {condition!r} is not one of {', '.join(RESTART_CONDITIONS)}")
    policy: dict[str, Any] = {"Condition": condition}
    if value.get("delay") is not None:
        policy["Delay"] = _ns(value["delay"], f"{path}.delay")
    if value.get("max_attempts") is not None:
        policy["MaxAttempts"] = whole_number(value["max_attempts"], f"{path}.max_attempts")
    if value.get("window") is not None:
        policy["Window"] = _ns(value["window"], f"{path}.window")
    return policy


def _update_policy(value: dict[str, Any], path: str) -> dict[str, Any]:
    policy: dict[str, Any] = {}
    if value.get("parallelism") is not None:
        policy["Parallelism"] = whole_number(value["parallelism"], f"{path}.parallelism")
    for key, field in (("delay", "Delay"), ("monitor", "Monitor")):
        if value.get(key) is not None:
            policy[field] = _ns(value[key], f"{path}.{key}")
    if value.get("failure_action") is not None:
        policy["FailureAction"] = str(value["failure_action"])
    if value.get("max_failure_ratio") is not None:
        policy["MaxFailureRatio"] = float(value["max_failure_ratio"])
    if value.get("order") is not None:
        if value["order"] not in ("stop-first", "start-first"):
            raise SpecError(f"{path}.order: {value['order']!r} is not stop-first or start-first")
        policy["Order"] = value["order"]
    return policy


def _healthcheck(value: dict[str, Any], path: str) -> dict[str, Any]:
    if value.get("disable"):
        return {"Test": ["NONE"]}
    test = value.get("test")
    check: dict[str, Any] = {}
    if test is not None:
        check["Test"] = ["CMD-SHELL", test] if isinstance(test, str) else [str(t) for t in test]
    for key, field in (("interval", "Interval"), ("timeout", "Timeout"), ("start_period", "StartPeriod")):
        if value.get(key) is not None:
            check[field] = _ns(value[key], f"{path}.{key}")
    if value.get("retries") is not None:
        check["Retries"] = whole_number(value["retries"], f"{path}.retries")
    return check


def _volume_entry(entry: Any) -> tuple[str, Any, Any, bool]:
    """A service's ``volumes`` entry, short or long syntax: (type, source, target, read only); a short source that
    is a path is a bind mount."""
    if isinstance(entry, dict):
        return entry.get("type", "volume"), entry.get("source"), entry.get("target"), bool(entry.get("read_only"))
    parts = str(entry).split(":")
    source, target = (parts[0], parts[1]) if len(parts) > 1 else (None, parts[0])
    kind = "bind" if source and source.startswith(("/", ".", "~")) else "volume"
    return kind, source, target, len(parts) > 2 and "ro" in parts[2].split(",")


def digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()


class Stack:
    """The stack ``name`` a Compose config makes: ``networks``, ``secrets``, ``configs`` (name -> spec to create)
    and ``services`` (name -> service spec, with the names of the secrets and configs it uses where the engine
    wants their IDs: ``resolve`` fills those in)."""

    def __init__(self, config: dict[str, Any], name: str, directory: str = "", lone: bool = False) -> None:
        self.name, self.directory = name, directory
        # A lone service (the swarm_service module) is named as given, carries no stack label, and attaches only to
        # the networks it names; what it uses (networks, secrets, configs, volumes) exists in the swarm already.
        self.prefix = "" if lone else f"{name}_"
        unknown = set(config) - {"services", "networks", "volumes", "secrets", "configs", "name", "version"}
        unknown = {k for k in unknown if not k.startswith("x-")}
        if unknown:
            raise SpecError(f"{sorted(unknown)[0]}: not a top-level key of a stack")
        self.labels = {} if lone else {NAMESPACE_LABEL: name}
        self.warnings: list[str] = []
        self.networks = self._networks(config.get("networks") or {})
        self.volumes = {k: (v or {}) for k, v in (config.get("volumes") or {}).items()}
        self.secrets = self._files(config.get("secrets") or {}, "secrets")
        self.configs = self._files(config.get("configs") or {}, "configs")
        services = config.get("services") or {}
        if not services:
            raise SpecError("services: none")
        self.services = {self.prefix + key: self._service(key, value or {}) for key, value in services.items()}
        if any(self._uses_default.values()) and not self.lone:
            self.networks.setdefault(f"{name}_default", self._network_spec(f"{name}_default", {}))

    @classmethod
    def lone_service(cls, name: str, definition: dict[str, Any]) -> Stack:
        """The one service ``name`` described by ``definition`` (a Compose service); the networks, secrets, configs
        and volumes it names are the swarm's own, by those names."""
        if not isinstance(definition, dict):
            raise SpecError("definition: a mapping of Compose service keys (image, command, deploy, ...)")

        def named(entries: Any) -> list[str]:
            if isinstance(entries, dict):
                return [str(k) for k in entries]
            return [str(e.get("source") if isinstance(e, dict) else e) for e in entries or []]

        volumes = []  # the named volumes it mounts
        for entry in definition.get("volumes") or []:
            kind, source, _target, _read_only = _volume_entry(entry)
            if kind == "volume" and source:
                volumes.append(str(source))
        config = {
            "services": {name: definition},
            **{kind: {key: {"external": True} for key in named(definition.get(kind))}
               for kind in ("networks", "secrets", "configs")},
            "volumes": {key: {"external": True} for key in volumes},
        }  # fmt: skip
        return cls(config, name, lone=True)

    @property
    def lone(self) -> bool:
        """A lone service (swarm_service), not a stack: its names carry no stack prefix."""
        return not self.prefix

    def where(self, kind: str, key: str) -> str:
        """Where the user named ``key`` of ``kind`` (secrets, configs, networks), in their own terms."""
        return f"definition.{kind}" if self.lone else f"{kind}.{key}"

    CARRIED = ("name", "prefix", "networks", "external_networks", "secrets", "configs", "services", "warnings")

    def carried(self) -> tuple[dict[str, Any], dict[str, str]]:
        """(the stack as data, the secrets' and configs' contents by object name): the contents apart, so that the
        module's argument that holds them is no_log and nothing else of the stack is masked."""
        data = {key: getattr(self, key) for key in self.CARRIED}
        contents = {}
        for kind in ("secrets", "configs"):
            data[kind] = {k: {f: v for f, v in o.items() if f != "data"} for k, o in data[kind].items()}
            contents.update({o["name"]: o["data"] for o in getattr(self, kind).values() if "data" in o})
        return data, contents

    @classmethod
    def from_carried(cls, data: dict[str, Any], contents: dict[str, str]) -> Stack:
        stack = cls.__new__(cls)
        for key in cls.CARRIED:
            setattr(stack, key, data[key])
        for kind in ("secrets", "configs"):
            setattr(stack, kind, {k: {**o, **({"data": contents[o["name"]]} if o["name"] in contents else {})}
                                  for k, o in data[kind].items()})  # fmt: skip
        return stack

    # -- networks, secrets and configs -----------------------------------------------------------------------
    def _network_spec(self, full: str, settings: dict[str, Any]) -> dict[str, Any]:
        spec = {"Name": full, "Driver": settings.get("driver", "overlay"), "Labels": {
            **key_value_pairs(settings.get("labels") or {}, f"networks.{full}.labels"), **self.labels}}  # fmt: skip
        if settings.get("driver_opts"):
            spec["Options"] = {str(k): str(v) for k, v in settings["driver_opts"].items()}
        if settings.get("attachable"):
            spec["Attachable"] = True
        if settings.get("internal"):
            spec["Internal"] = True
        return spec

    def _networks(self, declared: dict[str, Any]) -> dict[str, dict[str, Any]]:
        self.network_names: dict[str, str] = {}
        self.external_networks: list[str] = []
        found = {}
        for key, given in declared.items():
            settings = given or {}
            if settings.get("external"):
                self.network_names[key] = settings.get("name") or key
                self.external_networks.append(self.network_names[key])
                continue
            full = settings.get("name") or self.prefix + key
            self.network_names[key] = full
            found[full] = self._network_spec(full, settings)
        self.network_names.setdefault("default", f"{self.name}_default")
        self._uses_default: dict[str, bool] = {}
        return found

    def _files(self, declared: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
        """key -> {name: the Swarm object's name, data: base64, external}; a version's name ends in a digest of
        its content, since a Swarm secret or config cannot change."""
        found = {}
        for key, given in declared.items():
            settings, path = given or {}, f"{kind}.{key}"
            if settings.get("external"):
                found[key] = {"name": settings.get("name") or key, "external": True}
                continue
            if settings.get("file") is not None:
                source = os.path.expanduser(str(settings["file"]))
                if not os.path.isabs(source):
                    if not self.directory:
                        raise SpecError(f"{path}.file: {source!r} is relative, and a definition has no directory")
                    source = os.path.join(self.directory, source)
                try:
                    with open(source, "rb") as handle:
                        data = handle.read()
                except OSError as exc:
                    raise SpecError(f"{path}.file: cannot read {source}: {exc.strerror}") from None
            elif settings.get("content") is not None:
                data = str(settings["content"]).encode()
            else:
                raise SpecError(f"{path}: give file or content (or external: true)")
            version = hashlib.sha256(data).hexdigest()[:12]
            found[key] = {"name": f"{self.prefix}{key}_{version}", "external": False,
                          "data": base64.b64encode(data).decode(), "labels": dict(self.labels)}  # fmt: skip
        return found

    # -- services ---------------------------------------------------------------------------------------------
    def _mounts(self, entries: list[Any], path: str) -> list[dict[str, Any]]:
        mounts = []
        for index, entry in enumerate(entries or []):
            where = f"{path}[{index}]"
            kind, source, target, read_only = _volume_entry(entry)
            if not target:
                raise SpecError(f"{where}: no target path")
            mount: dict[str, Any] = {"Type": kind, "Target": target, "ReadOnly": read_only}
            if kind == "volume" and source:
                if source not in self.volumes:
                    raise SpecError(f"{where}: the volume {source!r} is not in the top-level volumes")
                settings = self.volumes[source]
                mount["Source"] = source if settings.get("external") else settings.get("name") or self.prefix + source
                if self.labels:
                    mount["VolumeOptions"] = {"Labels": dict(self.labels)}
            elif kind == "bind":
                if source.startswith((".", "~")):
                    raise SpecError(f"{where}: {source!r} is relative; a swarm node has no project directory, give an "
                                    "absolute path on the nodes")  # fmt: skip
                mount["Source"] = source
            elif kind == "tmpfs":
                size = (entry.get("tmpfs") or {}).get("size") if isinstance(entry, dict) else None
                if size is not None:
                    mount["TmpfsOptions"] = {"SizeBytes": byte_size(size, f"{where}.tmpfs.size")}
            mounts.append(mount)
        return mounts

    def _references(self, entries: list[Any], kind: str, path: str) -> list[dict[str, Any]]:
        """A service's secrets or configs: the object's name (``resolve`` adds its ID) and the file in the tasks."""
        declared = self.secrets if kind == "secrets" else self.configs
        found = []
        for index, entry in enumerate(entries or []):
            given = entry if isinstance(entry, dict) else {"source": str(entry)}
            source = given.get("source")
            if source not in declared:
                raise SpecError(f"{path}[{index}]: {source!r} is not in the top-level {kind}")
            default = f"/run/secrets/{source}" if kind == "secrets" else f"/{source}"
            target = given.get("target") or default
            if kind == "secrets" and not target.startswith("/"):
                target = f"/run/secrets/{target}"
            mode = given.get("mode", 0o444)
            mode = int(mode, 8) if isinstance(mode, str) else int(mode)
            ref = {"File": {"Name": target, "UID": str(given.get("uid", "0")), "GID": str(given.get("gid", "0")),
                            "Mode": mode}, f"{kind[:-1].capitalize()}Name": declared[source]["name"]}  # fmt: skip
            found.append(ref)
        return found

    def _container(self, key: str, service: dict[str, Any], path: str) -> dict[str, Any]:
        if not service.get("image"):
            raise SpecError(f"{path}.image: a swarm service needs an image (a swarm does not build)")
        container: dict[str, Any] = {"Image": str(service["image"])}
        env: dict[str, str] = {}
        for index, env_file in enumerate(_list(service.get("env_file")) if isinstance(service.get("env_file"), str)
                                         else service.get("env_file") or []):  # fmt: skip
            file = env_file.get("path") if isinstance(env_file, dict) else env_file
            full = file if os.path.isabs(file) else os.path.join(self.directory, file)
            try:
                with open(full, encoding="utf-8") as handle:
                    env.update(read_env_text(handle.read()))
            except OSError as exc:
                raise SpecError(f"{path}.env_file[{index}]: cannot read {full}: {exc.strerror}") from None
        env.update(key_value_pairs(service.get("environment") or {}, f"{path}.environment"))
        fields = {
            "Command": _list(service.get("entrypoint")) or None,
            "Args": _list(service.get("command")) or None,
            "Env": [f"{k}={v}" for k, v in sorted(env.items())] or None,
            "Labels": key_value_pairs(service.get("labels") or {}, f"{path}.labels") or None,
            "Dir": service.get("working_dir"),
            "User": service.get("user"),
            "Hostname": service.get("hostname"),
            "TTY": service.get("tty"),
            "OpenStdin": service.get("stdin_open"),
            "StopSignal": service.get("stop_signal"),
            "ReadOnly": service.get("read_only"),
            "Init": service.get("init"),
            "CapabilityAdd": service.get("cap_add"),
            "CapabilityDrop": service.get("cap_drop"),
        }
        container.update({k: v for k, v in fields.items() if v is not None})
        if service.get("stop_grace_period") is not None:
            container["StopGracePeriod"] = _ns(service["stop_grace_period"], f"{path}.stop_grace_period")
        if service.get("extra_hosts"):
            hosts = key_value_pairs(service["extra_hosts"], f"{path}.extra_hosts", ":")
            container["Hosts"] = [f"{ip} {host}" for host, ip in hosts.items()]
        dns = {"Nameservers": _list(service.get("dns")), "Search": _list(service.get("dns_search"))}
        if any(dns.values()):
            container["DNSConfig"] = {k: v for k, v in dns.items() if v}
        if service.get("healthcheck"):
            container["Healthcheck"] = _healthcheck(service["healthcheck"], f"{path}.healthcheck")
        if service.get("sysctls"):
            container["Sysctls"] = key_value_pairs(service["sysctls"], f"{path}.sysctls")
        mounts = self._mounts(service.get("volumes"), f"{path}.volumes")
        if mounts:
            container["Mounts"] = mounts
        for kind in ("secrets", "configs"):
            refs = self._references(service.get(kind), kind, f"{path}.{kind}")
            if refs:
                container[kind.capitalize()] = refs
        return container

    def _task(self, key: str, service: dict[str, Any], deploy: dict[str, Any], path: str) -> dict[str, Any]:
        container = self._container(key, service, path)
        container["Labels"] = {**container.get("Labels", {}), **self.labels}
        task: dict[str, Any] = {"ContainerSpec": container}
        for option, field, read in (("resources", "Resources", _resources), ("placement", "Placement", _placement),
                                    ("restart_policy", "RestartPolicy", _restart_policy)):  # fmt: skip
            if deploy.get(option):
                task[field] = read(deploy[option], f"{path}.deploy.{option}")
        logging = service.get("logging")
        if logging:
            options = {str(k): str(v) for k, v in (logging.get("options") or {}).items()}
            task["LogDriver"] = {"Name": logging.get("driver", "json-file"), "Options": options}
        networks = service.get("networks")
        self._uses_default[key] = not networks
        attached = []
        for net in list(networks or ([] if self.lone else ["default"])):
            if net not in self.network_names:
                raise SpecError(f"{path}.networks: {net!r} is not in the top-level networks")
            settings = (networks.get(net) or {}) if isinstance(networks, dict) else {}
            attached.append({"Target": self.network_names[net], "Aliases": [key, *(settings.get("aliases") or [])]})
        if attached:
            task["Networks"] = attached
        return task

    def _service(self, key: str, service: dict[str, Any]) -> dict[str, Any]:
        path = "definition" if self.lone else f"services.{key}"
        ignored = sorted(k for k in service if k in IGNORED_KEYS)
        if ignored:
            self.warnings.append(f"{path}: {', '.join(ignored)} ignored, as docker stack deploy ignores them")
        unknown = sorted(
            k for k in service if k not in SERVICE_KEYS and k not in IGNORED_KEYS and not k.startswith("x-")
        )
        if unknown:
            raise SpecError(f"{path}.{unknown[0]}: not a service key stacks support here")
        deploy = service.get("deploy") or {}
        unknown = sorted(set(deploy) - DEPLOY_KEYS)
        if unknown:
            raise SpecError(f"{path}.deploy.{unknown[0]}: not a deploy key a swarm takes")
        mode = deploy.get("mode", "replicated")
        if mode not in ("replicated", "global"):
            raise SpecError(f"{path}.deploy.mode: {mode!r} is not replicated or global")
        labels = key_value_pairs(deploy.get("labels") or {}, f"{path}.deploy.labels")
        spec: dict[str, Any] = {
            "Name": self.prefix + key,
            "Labels": {
                **labels,
                **self.labels,
                **({IMAGE_LABEL: str(service.get("image") or "")} if self.labels else {}),
            },
            "TaskTemplate": self._task(key, service, deploy, path),
            "Mode": {"Global": {}}
            if mode == "global"
            else {"Replicated": {"Replicas": whole_number(deploy.get("replicas", 1), f"{path}.deploy.replicas")}},
            "EndpointSpec": _endpoint(deploy.get("endpoint_mode", "vip"), service.get("ports"), path),
        }
        for option, field in (("update_config", "UpdateConfig"), ("rollback_config", "RollbackConfig")):
            if deploy.get(option):
                spec[field] = _update_policy(deploy[option], f"{path}.deploy.{option}")
        spec["Labels"][SPEC_LABEL] = digest(spec)
        return spec


def _endpoint(mode: str, ports: Any, path: str) -> dict[str, Any]:
    if mode not in ("vip", "dnsrr"):
        raise SpecError(f"{path}.deploy.endpoint_mode: {mode!r} is not vip or dnsrr")
    published = _ports(ports, f"{path}.ports")
    if mode == "dnsrr" and any(p["PublishMode"] == "ingress" for p in published):
        raise SpecError(f"{path}.ports: endpoint_mode dnsrr cannot publish through the ingress routing mesh; give "
                        "each port mode: host")  # fmt: skip
    return {"Mode": mode, **({"Ports": published} if published else {})}


def resolve(spec: dict[str, Any], ids: dict[str, str]) -> dict[str, Any]:
    """The service spec with the ID of each secret and config it names (``ids``: object name -> ID)."""
    container = dict(spec["TaskTemplate"]["ContainerSpec"])
    for kind, field in (("Secrets", "Secret"), ("Configs", "Config")):
        if container.get(kind):
            container[kind] = [{**ref, f"{field}ID": ids[ref[f"{field}Name"]]} for ref in container[kind]]
    return {**spec, "TaskTemplate": {**spec["TaskTemplate"], "ContainerSpec": container}}
