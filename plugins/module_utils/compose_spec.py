# Copyright (c) dockyard.docker contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A Compose project read natively: files merged, variables interpolated, services turned into container specs.

The result is what the ``containers`` machinery takes (one spec per container, with the names and labels
``docker compose`` gives, so that ``docker compose ps`` and ``down`` know the project), plus the project's
networks and volumes. Every key is checked: one that is not supported fails with its path
(``services.web.build``) before anything is touched.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from typing import Any

from ansible_collections.dockyard.docker.plugins.module_utils.compose_build import build_settings, fingerprint
from ansible_collections.dockyard.docker.plugins.module_utils.compose_secrets import (
    FILE_REFERENCES,
    file_mode,
    file_sources,
)
from ansible_collections.dockyard.docker.plugins.module_utils.container_spec import OPTIONS
from ansible_collections.dockyard.docker.plugins.module_utils.values import SpecError, duration_ns, key_value_pairs

PROJECT_LABEL = "com.docker.compose.project"
SERVICE_LABEL = "com.docker.compose.service"
NUMBER_LABEL = "com.docker.compose.container-number"
# docker compose ps and down list only containers that carry a config hash. Ours is a digest of the
# service's container spec: as with Compose, any change to a service recreates its containers.
CONFIG_HASH_LABEL = "com.docker.compose.config-hash"
FILES = ("compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml")
VARIABLE = re.compile(r"\$(?:(\$)|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))")
CONDITIONS = {"service_started": "started", "service_healthy": "healthy", "service_completed_successfully": "completed"}
RESTART = {"no": "no", "always": "always", "on-failure": "on-failure", "unless-stopped": "unless-stopped"}

# service key -> container option, for the keys whose value the container option takes as it is
SAME = {option.compose: option.name for option in OPTIONS if option.compose}
# develop is read by docker compose only for watch, and so ignored here as by up.
HANDLED = {"environment", "env_file", "labels", "ports", "volumes", "networks", "depends_on", "healthcheck", "restart",
           "logging", "tmpfs", "ulimits", "extra_hosts", "sysctls", "deploy", "scale", "stop_grace_period",
           "pull_policy", "profiles", "container_name", "secrets", "configs", "build", "platform",
           "develop"}  # fmt: skip
# The shape each key must have (a key that may be a string too is checked by what takes it).
LISTS = {"ports", "expose", "volumes", "cap_add", "cap_drop", "dns_search", "devices", "security_opt", "profiles",
         "secrets", "configs"}  # fmt: skip
MAPPINGS = {"deploy", "logging", "ulimits", "healthcheck"}
LISTS_OR_MAPPINGS = {"environment", "labels", "sysctls", "extra_hosts", "networks", "depends_on"}
# pull_policy: build builds the image on every run (see compose_build), and never pulls it.
PULL_POLICIES = {"always": "always", "missing": "missing", "if_not_present": "missing", "never": "never",
                 "build": "never"}  # fmt: skip


def project_name(name: str) -> str:
    """A project name as Compose normalises it: lowercase letters, digits, dashes and underscores."""
    normal = re.sub(r"[^a-z0-9_-]", "", name.lower()).lstrip("_-")
    if not normal:
        raise SpecError(f"project_name: {name!r} has no letter or digit left once normalised")
    return normal


def interpolate(value: Any, variables: dict[str, str], path: str) -> Any:
    """``${VAR}``, ``$VAR``, ``${VAR:-default}``, ``${VAR-default}``, ``${VAR:?error}``, ``${VAR?error}`` and
    ``$$``, in every string of ``value``."""
    if isinstance(value, dict):
        return {k: interpolate(v, variables, f"{path}.{k}") for k, v in value.items()}
    if isinstance(value, list):
        return [interpolate(v, variables, f"{path}[{i}]") for i, v in enumerate(value)]
    if not isinstance(value, str):
        return value

    def substitute(match: re.Match) -> str:
        if match.group(1):
            return "$"
        name = match.group(2) or match.group(5)
        operator, argument = match.group(3), match.group(4) or ""
        present = name in variables
        empty = not variables.get(name)
        if operator in (":-", "-") and (not present or (operator == ":-" and empty)):
            return interpolate(argument, variables, path)
        if operator in (":?", "?") and (not present or (operator == ":?" and empty)):
            raise SpecError(f"{path}: ${{{name}}} is required: {argument or 'not set'}")
        return variables.get(name, "")

    return VARIABLE.sub(substitute, value)


def read_env_text(text: str, raw: bool = False) -> dict[str, str]:
    """``.env`` lines as Compose reads them: KEY=VALUE, quotes taken off, # comments, ``export`` allowed; ``raw``
    (an env file's ``format: raw``) takes each value as it is written."""
    found = {}
    for written in text.splitlines():
        line = written.strip()
        if not line or line.startswith("#"):
            continue
        if raw:
            key, sep, value = written.lstrip().partition("=")
            if sep:
                found[key.strip()] = value
            continue
        key, sep, value = line.removeprefix("export ").partition("=")
        if sep:
            value = value.strip()
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
                value = value[1:-1]
            found[key.strip()] = value
    return found


def _ports(entries: list[Any], path: str) -> list[str]:
    result = []
    for index, entry in enumerate(entries):
        if isinstance(entry, dict):  # long syntax
            if "target" not in entry:
                raise SpecError(f"{path}[{index}]: the long syntax needs target")
            host = f"{entry['host_ip']}:" if entry.get("host_ip") else ""
            published = str(entry.get("published") or "")
            spec = f"{host}{published}:{entry['target']}" if host or published else str(entry["target"])
            result.append(spec + (f"/{entry['protocol']}" if entry.get("protocol") else ""))
        else:
            result.append(str(entry))
    return result


def beside_project(path: str, directories: list[str]) -> bool:
    """The path lies in (or is) one of the project's directories."""
    return any(path == d or path.startswith(d.rstrip("/") + "/") for d in directories)


def _volumes(
    entries: list[Any], directory: str, named: dict[str, str], path: str, controller_directories: list[str] | None
) -> tuple[list[str], list[str]]:
    """(volumes as the container option takes them, tmpfs mounts) with project volume names resolved. A project
    read on the controller for another host (``controller_directories``) cannot bind what lies beside it."""
    volumes, tmpfs = [], []
    for index, entry in enumerate(entries):
        if isinstance(entry, dict):
            kind, target = entry.get("type", "volume"), entry.get("target")
            if not target:
                raise SpecError(f"{path}[{index}]: the long syntax needs target")
            if kind == "tmpfs":
                size = (entry.get("tmpfs") or {}).get("size")
                tmpfs.append(f"{target}:size={size}" if size else target)
                continue
            source = entry.get("source") or ""
            mode = ":ro" if entry.get("read_only") else ""
        else:
            source, _sep, rest = str(entry).partition(":") if ":" in str(entry) else ("", "", str(entry))
            target, _sep, options = rest.partition(":")
            mode = f":{options}" if options else ""
        if source.startswith((".", "~")):  # relative to the project directory, as Compose reads it
            if not directory:
                raise SpecError(f"{path}[{index}]: {source!r} is relative, and a definition has no project directory; "
                                "give project_src, or an absolute path")  # fmt: skip
            source = os.path.normpath(os.path.join(directory, os.path.expanduser(source)))
        elif source and not source.startswith("/"):
            if source not in named:
                raise SpecError(f"{path}[{index}]: the volume {source!r} is not in the top-level volumes")
            source = named[source]
        if (
            controller_directories is not None
            and source.startswith("/")
            and beside_project(source, controller_directories)
        ):
            raise SpecError(f"{path}[{index}]: {source} is beside the project on the controller, and the containers"
                            " run on another host, which has no such path: put it on that host and give its path"
                            " there, or keep the project there (remote_src: true)")  # fmt: skip
        volumes.append(f"{source}:{target}{mode}" if source else target)
    return volumes, tmpfs


def _restart(value: Any, path: str) -> dict[str, Any]:
    restart, _sep, retries = str(value).partition(":")
    if restart not in RESTART:
        raise SpecError(f"{path}: {value!r} is not one of {', '.join(RESTART)}")
    return {"restart_policy": RESTART[restart], **({"restart_retries": int(retries)} if retries else {})}


def _logging(value: dict[str, Any], _path: str) -> dict[str, Any]:
    found = {"log_driver": value.get("driver"), "log_options": value.get("options")}
    return {k: v for k, v in found.items() if v}


def _ulimits(value: dict[str, Any], _path: str) -> dict[str, Any]:
    return {
        "ulimits": [f"{k}={v['soft']}:{v['hard']}" if isinstance(v, dict) else f"{k}={v}" for k, v in value.items()]
    }


def _extra_hosts(value: Any, _path: str) -> dict[str, Any]:
    if isinstance(value, dict):
        return {"extra_hosts": value}
    return {"extra_hosts": dict(entry.replace("=", ":", 1).split(":", 1) for entry in value)}


def _pull_policy(value: str, path: str) -> dict[str, Any]:
    if value not in PULL_POLICIES:
        raise SpecError(f"{path}: {value!r} is not one of {', '.join(PULL_POLICIES)}")
    return {"pull": PULL_POLICIES[value]}


# deploy keys that only a swarm uses: docker compose ignores them on a single host, and so does this module.
SWARM_ONLY = ("labels", "placement", "update_config", "rollback_config", "endpoint_mode")
DEPLOY_RESTART = {"none": "no", "on-failure": "on-failure", "any": "always"}


def _deploy(value: dict[str, Any], path: str) -> dict[str, Any]:
    unknown = sorted(set(value) - {"replicas", "resources", "restart_policy", "mode", *SWARM_ONLY})
    if unknown:
        raise SpecError(f"{path}.{unknown[0]}: not supported here (replicas, resources, restart_policy are)")
    if value.get("mode", "replicated") != "replicated":
        raise SpecError(f"{path}.mode: {value['mode']!r} needs a swarm; on one host only replicated is possible")
    found: dict[str, Any] = {}
    resources = value.get("resources") or {}
    known = {"limits": ("cpus", "memory", "pids"), "reservations": ("memory",)}
    for kind, keys in known.items():
        extra = sorted(set(resources.get(kind) or {}) - set(keys))
        if extra:
            raise SpecError(f"{path}.resources.{kind}.{extra[0]}: not supported here ({', '.join(keys)} are)")
    limits, reservations = resources.get("limits") or {}, resources.get("reservations") or {}
    found.update(memory=limits.get("memory"), cpus=float(limits["cpus"]) if limits.get("cpus") else None,
                 pids_limit=limits.get("pids"), memory_reservation=reservations.get("memory"))  # fmt: skip
    policy = value.get("restart_policy")
    if policy is not None:
        condition = policy.get("condition", "any")
        if condition not in DEPLOY_RESTART:
            raise SpecError(f"{path}.restart_policy.condition: {condition!r} is not one of none, on-failure, any")
        found["restart_policy"] = DEPLOY_RESTART[condition]
        if condition == "on-failure" and policy.get("max_attempts") is not None:
            found["restart_retries"] = int(policy["max_attempts"])
    return {k: v for k, v in found.items() if v is not None}


def _healthcheck(value: dict[str, Any], _path: str) -> dict[str, Any]:
    keys = ("test", "interval", "timeout", "start_period", "retries", "disable")
    return {"healthcheck": {k: value[k] for k in keys if k in value}}


# service key -> the container options it becomes (the keys that need more than a rename)
CONVERTERS = {
    "ports": lambda v, path: {"ports": _ports(v, path)},
    "restart": _restart,
    "logging": _logging,
    "ulimits": _ulimits,
    "extra_hosts": _extra_hosts,
    "sysctls": lambda v, path: {"sysctls": key_value_pairs(v, path)},
    "stop_grace_period": lambda v, path: {"stop_timeout": round(duration_ns(v, path) / 1e9)},
    "pull_policy": _pull_policy,
    "platform": lambda v, _path: {"platform": str(v)},
    "deploy": _deploy,
    "healthcheck": _healthcheck,
}


class Project:
    """A Compose project: its name, and per service the container specs it needs, in an order that
    depends_on allows; plus the networks and volumes it owns (name -> settings) and those it only uses."""

    def __init__(
        self,
        config: dict[str, Any],
        name: str,
        directory: str,
        profiles: list[str],
        files: list[str] = (),
        variables: dict[str, str] | None = None,
        for_removal: bool = False,
        controller_directories: list[str] | None = None,
    ) -> None:
        # for_removal: the project is read to take it down, so what only creating needs (secret values and files,
        # build contexts) is not asked for.
        self.for_removal = for_removal
        # The project's directories when it was read on the controller for another host (else None): its secret
        # and config files are copied in, its build contexts sent, and nothing beside it can be bound.
        self.controller_directories = controller_directories
        self.name = project_name(name)
        self.directory = directory
        self.files = list(files)
        unknown = set(config) - {"services", "networks", "volumes", "name", "version", *FILE_REFERENCES}
        unknown = {k for k in unknown if not k.startswith("x-")}
        if unknown:
            raise SpecError(
                f"{sorted(unknown)[0]}: not a top-level key this module supports (services, networks, volumes, "
                "secrets, configs)"
            )
        self.warnings: list[str] = []
        on_host = controller_directories is None
        self.file_sources = {kind: file_sources(config.get(kind) or {}, kind, directory, variables or {}, for_removal,
                                                on_host) for kind in FILE_REFERENCES}  # fmt: skip
        # service -> the files copied into its containers before they start: {path, content, mode, uid, gid}
        self.copied: dict[str, list[dict[str, Any]]] = {}
        self.builds: dict[str, dict[str, Any]] = {}  # service -> how its image is built (compose_build)
        self.networks = self._resources(config.get("networks") or {}, "networks")
        self.volumes = self._resources(config.get("volumes") or {}, "volumes")
        services = {n: s or {} for n, s in (config.get("services") or {}).items()
                    if not (s or {}).get("profiles") or set((s or {}).get("profiles")) & set(profiles)}  # fmt: skip
        if not services:
            raise SpecError("services: none (or none in the profiles asked for)")
        self.order = self._order(services)
        self.waits = self._dependency_states(services)
        self.specs: dict[str, list[dict[str, Any]]] = {n: self._specs(n, services[n]) for n in self.order}

    # What the compose module needs of a project read on the controller: it travels as the task's arguments.
    CARRIED = ("name", "directory", "files", "warnings", "builds", "networks", "volumes", "order", "waits", "states",
               "specs")  # fmt: skip

    def carried(self) -> tuple[dict[str, Any], dict[str, list[str]]]:
        """(the project as data, the contents copied into each service's containers): the contents apart, so that
        the module's argument that holds them is no_log and nothing else of the project is masked."""
        data = {key: getattr(self, key) for key in self.CARRIED}
        data["copied"] = {s: [{k: v for k, v in c.items() if k != "content"} for c in copied]
                          for s, copied in self.copied.items()}  # fmt: skip
        return data, {s: [c["content"] for c in copied] for s, copied in self.copied.items() if copied}

    @classmethod
    def from_carried(cls, data: dict[str, Any], contents: dict[str, list[str]]) -> Project:
        """The project ``carried`` gave, whole again."""
        project = cls.__new__(cls)
        for key in cls.CARRIED:
            setattr(project, key, data[key])
        project.copied = {s: [{**c, "content": content} for c, content in zip(copied, contents.get(s) or [])]
                          for s, copied in data["copied"].items()}  # fmt: skip
        return project

    def _resources(self, declared: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
        result = {}
        for key, given in declared.items():
            settings = given or {}
            external = bool(settings.get("external"))
            name = settings.get("name") or (key if external else f"{self.name}_{key}")
            labels = key_value_pairs(settings.get("labels") or {}, f"{kind}.{key}.labels")
            result[key] = {"name": name, "external": external, "driver": settings.get("driver"), "labels": labels,
                           "driver_opts": settings.get("driver_opts") or {}, "ipam": settings.get("ipam") or {},
                           "internal": bool(settings.get("internal"))}  # fmt: skip
        if kind == "networks" and "default" not in result:
            result["default"] = {"name": f"{self.name}_default", "external": False, "driver": None, "driver_opts": {},
                                 "labels": {}, "ipam": {}, "internal": False}  # fmt: skip
        return result

    @staticmethod
    def _depends(service: dict[str, Any], name: str, services: dict[str, Any]) -> dict[str, str]:
        value = service.get("depends_on") or {}
        depends = {d: "service_started" for d in value} if isinstance(value, list) else {
            d: (c or {}).get("condition", "service_started") for d, c in value.items()}  # fmt: skip
        for other, condition in depends.items():
            if other not in services:
                raise SpecError(f"services.{name}.depends_on: no service {other!r}")
            if condition not in CONDITIONS:
                raise SpecError(f"services.{name}.depends_on.{other}.condition: {condition!r} is not one of "
                                f"{', '.join(CONDITIONS)}")  # fmt: skip
        return depends

    def _order(self, services: dict[str, Any]) -> list[str]:
        """Services so that each comes after what it depends on; a cycle is named."""
        order: list[str] = []
        visiting: list[str] = []

        def visit(name: str) -> None:
            if name in order:
                return
            if name in visiting:
                cycle = " -> ".join([*visiting[visiting.index(name) :], name])
                raise SpecError(f"services: depends_on goes round in a circle: {cycle}")
            visiting.append(name)
            for other in self._depends(services[name], name, services):
                visit(other)
            visiting.pop()
            order.append(name)

        for name in services:
            visit(name)
        return order

    def _dependency_states(self, services: dict[str, Any]) -> dict[str, dict[str, str]]:
        """service -> the services it waits for and how; a service another waits on as healthy or completed
        gets that state, so that carrying it out waits as depends_on asks."""
        waits = {name: self._depends(service, name, services) for name, service in services.items()}
        self.states = {name: "started" for name in services}
        for depends in waits.values():
            for other, condition in depends.items():
                if condition != "service_started":
                    self.states[other] = CONDITIONS[condition]
        return waits

    def _specs(self, name: str, service: dict[str, Any]) -> list[dict[str, Any]]:
        path = f"services.{name}"
        unknown = sorted(k for k in service if k not in SAME and k not in HANDLED and not k.startswith("x-"))
        if unknown:
            supported = ", ".join(sorted({*SAME, *HANDLED} - {"profiles"}))
            raise SpecError(f"{path}.{unknown[0]}: not a service key this module supports; it supports {supported}")
        for key, value in service.items():
            shapes = (
                (list,)
                if key in LISTS
                else (dict,)
                if key in MAPPINGS
                else (list, dict)
                if key in LISTS_OR_MAPPINGS
                else ()
            )
            if shapes and value is not None and not isinstance(value, shapes):
                kind = " or ".join("a list" if shape is list else "a mapping" for shape in shapes)
                raise SpecError(f"{path}.{key}: {value!r} is not {kind}")
        if not service.get("image") and not service.get("build"):
            raise SpecError(f"{path}: no image, and nothing to build it from (image or build)")
        base: dict[str, Any] = {SAME[k]: v for k, v in service.items() if k in SAME}
        for key, convert in CONVERTERS.items():
            if service.get(key) not in (None, "", [], {}):
                base.update(convert(service[key], f"{path}.{key}"))
        if service.get("build"):
            base.update(self._build(name, service, path))
        env = self._env_files(service.get("env_file"), f"{path}.env_file")
        env.update(key_value_pairs(service.get("environment") or {}, f"{path}.environment"))
        if env:
            base["env"] = env
        base["labels"] = {**key_value_pairs(service.get("labels") or {}, f"{path}.labels"), PROJECT_LABEL: self.name,
                          SERVICE_LABEL: name, "com.docker.compose.oneoff": "False"}  # fmt: skip
        named = {key: volume["name"] for key, volume in self.volumes.items()}
        volumes, tmpfs = _volumes(service.get("volumes") or [], self.directory, named, f"{path}.volumes",
                                  self.controller_directories)  # fmt: skip
        volumes += self._secrets_and_configs(name, service, path)
        tmpfs += [service["tmpfs"]] if isinstance(service.get("tmpfs"), str) else service.get("tmpfs") or []
        base.update({k: v for k, v in (("volumes", volumes), ("tmpfs", tmpfs)) if v})
        if "network_mode" not in base:
            base["networks"] = self._service_networks(name, service.get("networks"), path)
        base["labels"].update(self._project_labels(name, base))
        base["state"] = self.states[name]
        replicas = int((service.get("deploy") or {}).get("replicas", service.get("scale", 1)))
        if service.get("container_name") and replicas != 1:
            raise SpecError(f"{path}.container_name: a fixed name cannot be given to {replicas} replicas")
        specs = []
        for number in range(1, replicas + 1):
            container = service.get("container_name") or f"{self.name}-{name}-{number}"
            spec = {**base, "name": container, "labels": {**base["labels"], NUMBER_LABEL: str(number)}}
            if "networks" in base:  # Compose also gives each container its own name as an alias
                spec["networks"] = [{**e, "aliases": sorted({*e["aliases"], container})} for e in base["networks"]]
            specs.append(spec)
        return specs

    def _project_labels(self, name: str, base: dict[str, Any]) -> dict[str, str]:
        """The labels docker compose reads beyond project and service: the config hash (a digest of the
        service's container spec and of the files copied into it), what it depends on, and where the project's
        files are."""
        hashed = {"spec": base, "copied": self.copied.get(name) or []} if self.copied.get(name) else base
        labels = {
            CONFIG_HASH_LABEL: hashlib.sha256(json.dumps(hashed, sort_keys=True, default=str).encode()).hexdigest(),
            "com.docker.compose.depends_on": ",".join(
                f"{other}:{condition}:false" for other, condition in sorted(self.waits.get(name, {}).items())
            ),
        }
        if self.directory:
            labels["com.docker.compose.project.working_dir"] = self.directory
        if self.files:
            labels["com.docker.compose.project.config_files"] = ",".join(self.files)
        return labels

    def _build(self, name: str, service: dict[str, Any], path: str) -> dict[str, Any]:
        """A service that builds its image: named by image, else as Compose names it (<project>-<service>), built
        before its containers are planned (compose_build), so never pulled."""
        image = str(service.get("image") or f"{self.name}-{name}")
        if self.for_removal:
            return {"image": image, "pull": "never"}
        settings = build_settings(service["build"], image, self.directory, f"{path}.build")
        settings["always"] = service.get("pull_policy") == "build"
        settings["platform"] = service.get("platform")
        if self.controller_directories is not None and not settings["remote"]:
            # Read here, built there: what decides a rebuild is known before the context is sent (compose action).
            settings.update(transfer=True, fingerprint=fingerprint(settings))
        self.builds[name] = settings
        return {"image": image, "pull": "never"}

    def _secrets_and_configs(self, name: str, service: dict[str, Any], path: str) -> list[str]:
        """The service's secrets and configs: the binds of those given as files; those given by value are kept in
        ``copied`` for the service."""
        copied: list[dict[str, Any]] = []
        mounts = []
        for kind in FILE_REFERENCES:
            mounts += self._file_mounts(service.get(kind) or [], kind, f"{path}.{kind}", copied)
        if copied and service.get("read_only"):
            raise SpecError(f"{path}.read_only: the {copied[0]['what']} cannot be copied into a read-only container;"
                            " give it as a file, which is bind-mounted")  # fmt: skip
        self.copied[name] = [{k: v for k, v in c.items() if k != "what"} for c in copied]
        return mounts

    def _file_mounts(self, entries: list[Any], kind: str, path: str, copied: list[dict[str, Any]]) -> list[str]:
        """A service's secrets or configs given as files, as read-only binds (SOURCE:TARGET:ro); those given by
        value are added to ``copied``."""
        mounts = []
        for index, entry in enumerate(entries):
            given = {"source": entry} if isinstance(entry, str) else entry
            where = f"{path}[{index}]"
            if not isinstance(given, dict) or not given.get("source"):
                raise SpecError(f"{where}: {entry!r} names no source (a name, or a mapping with source:)")
            name = str(given["source"])
            declared = self.file_sources[kind].get(name)
            if declared is None:
                raise SpecError(f"{where}: the {kind[:-1]} {name!r} is not in the top-level {kind}")
            if declared["external"]:
                raise SpecError(f"{where}: the {kind[:-1]} {name!r} is external, which only a swarm holds (docker "
                                f"{kind[:-1]} create); on one host give it a file ({kind}.{name}.file)")  # fmt: skip
            target = str(given.get("target") or name)
            target = target if target.startswith("/") else FILE_REFERENCES[kind] + target
            if declared["content"] is not None:
                copied.append({"path": target, "content": declared["content"], "what": f"{kind[:-1]} {name!r}",
                               "mode": file_mode(given.get("mode"), f"{where}.mode"),
                               "uid": int(given.get("uid") or 0), "gid": int(given.get("gid") or 0)})  # fmt: skip
                continue
            if not os.path.isfile(declared["file"]) and not self.for_removal:
                raise SpecError(f"{kind}.{name}.file: {declared['file']} does not exist or is not a file")
            ignored = [k for k in ("uid", "gid", "mode") if given.get(k) is not None]
            if ignored:
                self.warnings.append(f"{where}: {', '.join(ignored)} ignored, as docker compose ignores them: the"
                                     " file is bind-mounted as it is on the host")  # fmt: skip
            mounts.append(f"{declared['file']}:{target}:ro")
        return mounts

    def _env_files(self, value: Any, path: str) -> dict[str, str]:
        env: dict[str, str] = {}
        for entry in [value] if isinstance(value, str) else value or []:
            given = entry if isinstance(entry, str) else entry["path"]
            if not self.directory and not os.path.isabs(given):
                raise SpecError(f"{path}: {given!r} is relative, and a definition has no project directory")
            file_path = os.path.join(self.directory, given)
            if isinstance(entry, dict) and entry.get("required") is False and not os.path.exists(file_path):
                continue  # Compose skips an env file it is told is optional
            written = entry.get("format") if isinstance(entry, dict) else None
            if written not in (None, "raw"):
                raise SpecError(f"{path}.format: {written!r} is not a format Compose reads (raw, or none)")
            try:
                with open(file_path, encoding="utf-8") as handle:
                    env.update(read_env_text(handle.read(), raw=written == "raw"))
            except OSError as exc:
                raise SpecError(f"{path}: cannot read {file_path}: {exc.strerror}") from None
        return env

    def _service_networks(self, name: str, value: Any, path: str) -> list[dict[str, Any]]:
        """The service's networks with the service name as an alias on each, in Compose's order (priority,
        then name: the first is the one the container is created on)."""
        entries = {"default": None} if not value else ({n: None for n in value} if isinstance(value, list) else value)
        result = []
        for key, given in sorted(entries.items(), key=lambda item: (-int((item[1] or {}).get("priority", 0)), item[0])):
            if key not in self.networks:
                raise SpecError(f"{path}.networks: the network {key!r} is not in the top-level networks")
            settings = given or {}
            endpoint = {"name": self.networks[key]["name"], "aliases": sorted({name, *(settings.get("aliases") or [])})}
            if settings.get("ipv4_address"):
                endpoint["ipv4_address"] = settings["ipv4_address"]
            result.append(endpoint)
        return result
