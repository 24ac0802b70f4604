# Copyright (c) dockyard.docker contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The engine role's plan: every decision the role makes about a host, computed once, in Python.

``request`` says what to read from the host (the arguments of one engine_facts call); ``plan`` takes
the role's variables (``v``: every ``docker_*`` name of the role, the family's data, the facts it
needs) and what the host has, and returns one value: every problem with the input in the role's own
variable names, what each step of tasks/converge.yml has to do (``pending``), and the data each
step carries out. Nothing here touches a host; the engine_plan action runs it on the controller.
Not an API: the role is its only caller.
"""

from __future__ import annotations

import json
import re
from typing import Any, Callable

from ansible_collections.dockyard.docker.plugins.module_utils import (
    apt_sources,
    daemon_schema,
    data_root,
    hardening,
    swarm,
)
from ansible_collections.dockyard.docker.plugins.module_utils.legacy_options import DEFAULT_DATA_ROOT, with_legacy
from ansible_collections.dockyard.docker.plugins.module_utils.service_flags import clash_messages
from ansible_collections.dockyard.docker.plugins.module_utils.values import ROTATING_LOG_DRIVERS

# The daemon.json key each plain role variable sets; every other key comes from docker_daemon_options.
KEY_VARIABLES = {
    "registry-mirrors": "docker_registry_mirrors",
    "insecure-registries": "docker_insecure_registries",
    "data-root": "docker_data_root",
    "dns": "docker_dns",
    "log-driver": "docker_log_driver",
    "log-opts": "docker_log_options",
    "live-restore": "docker_live_restore",
    "storage-driver": "docker_storage_driver",
    "userns-remap": "docker_userns_remap",
}
REMOTE_API_KEYS = ("hosts", "tlsverify", "tlscacert", "tlscert", "tlskey")
_PEM_CERT = re.compile(r"\s*-----BEGIN CERTIFICATE-----")
_PEM_KEY = re.compile(r"\s*-----BEGIN [A-Z ]*PRIVATE KEY-----")
_LISTEN = re.compile(r"^[A-Za-z0-9.\[\]:-]*:[0-9]{1,5}$")


def _json(value: Any) -> str:
    return json.dumps(value)


# -- what the daemon.json holds ------------------------------------------------------------------------
def package_kind(v: dict) -> str:
    """distro -> the distribution's packages; docker and mirror -> Docker's CE packages; static -> the
    binaries of Docker's static archive; files -> whichever the files are."""
    source = v["docker_package_source"]
    if source == "static":
        return "static"
    if source == "distro":
        return "distro"
    if source == "files" and not any(_basename(f).startswith("docker-ce") for f in v["docker_package_files"]):
        return "distro"
    return "docker"


def _basename(path: str) -> str:
    return path.rstrip("/").rsplit("/", 1)[-1]


def remote_api_settings(v: dict, dropin_present: bool) -> dict:
    """The remote API keys when docker_tls_listen is set; removed again when it is cleared (then the role's
    hosts drop-in is still on the host), and left alone when the role never managed them."""
    if v["docker_tls_listen"]:
        tls = v["docker_tls_dir"]
        return {
            "hosts": ["fd://", "tcp://" + v["docker_tls_listen"]],
            "tlsverify": True,
            "tlscacert": f"{tls}/ca.pem",
            "tlscert": f"{tls}/server-cert.pem",
            "tlskey": f"{tls}/server-key.pem",
        }
    return dict.fromkeys(REMOTE_API_KEYS) if dropin_present else {}


def settings_asked(v: dict, dropin_present: bool) -> dict:
    """The plain variables, the hardening profile where they leave a key unset, then docker_daemon_options over
    them; None removes a key."""
    asked = {key: v[name] or None for key, name in KEY_VARIABLES.items()}
    asked["log-opts"] = log_options(v) or None
    for key, value in _hardening(v).items():
        if asked.get(key) is None:
            asked[key] = value
    asked.update(remote_api_settings(v, dropin_present))
    return _combine(asked, v["docker_daemon_options"])


def log_options(v: dict) -> dict:
    """docker_log_options over docker_log_rotation, which only the drivers that rotate logs on the host take."""
    rotating = (v["docker_log_driver"] or "json-file") in ROTATING_LOG_DRIVERS
    return {**(v["docker_log_rotation"] if rotating else {}), **v["docker_log_options"]}


# The modes the role writes its certificate files with, unless the hardening profile asks for less.
USUAL_MODES = {"registry_ca": "0644", "tls_ca": "0644", "tls_cert": "0644", "tls_key": "0600"}


def _hardening(v: dict) -> dict:
    return hardening.profile_settings(v["docker_hardening"], v["docker_hardening_except"])


def _combine(base: dict, over: dict) -> dict:
    out = dict(base)
    for key, value in over.items():
        out[key] = _combine(out[key], value) if isinstance(out.get(key), dict) and isinstance(value, dict) else value
    return out


def _from_profile(key: str, v: dict) -> hardening.Point | None:
    """The hardening point a daemon.json key came from, when neither docker_daemon_options nor a plain variable
    set it."""
    if key in v["docker_daemon_options"] or v.get(KEY_VARIABLES.get(key, "")):
        return None
    return next((p for p in hardening.profile_points(v["docker_hardening"], v["docker_hardening_except"])
                 if p.key == key), None)  # fmt: skip


def _where(key: str, v: dict) -> str:
    """The role variable a daemon.json key came from."""
    point = _from_profile(key, v)
    if point:
        return f"docker_hardening: {v['docker_hardening']} (CIS {point.cis}, {key})"
    if key in v["docker_daemon_options"] or key not in KEY_VARIABLES:
        return f"docker_daemon_options.{key}"
    return KEY_VARIABLES[key]


def in_role_terms(message: str, v: dict) -> str:
    """A daemon_schema message ('registry-mirrors[0]: ...') with the daemon.json key replaced by the role
    variable the user set ('docker_registry_mirrors[0]: ...')."""
    match = re.match(r"^([a-z0-9-]+)([\[.:])", message)
    if not match or match.group(1) not in daemon_schema.KEYS:
        return message
    option = re.match(r"^log-opts\.([a-z0-9-]+)", message)
    if option and _where("log-opts", v) == "docker_log_options" and option.group(1) not in v["docker_log_options"]:
        return "docker_log_rotation" + message[len("log-opts") :]
    return _where(match.group(1), v) + message[len(match.group(1)) :]


# -- the plan ----------------------------------------------------------------------------------------------
def wanted_names(v: dict, kind: str) -> list[str]:
    return v["docker_packages"][kind] + extra_packages(v, kind)


def extra_packages(v: dict, kind: str) -> list[str]:
    """What the role installs beside the engine: the compose CLI, the modules' SDK, what rootless needs."""
    compose = v["docker_compose_cli_packages"][kind] if v["docker_compose_cli"] else []
    return compose + (v["docker_sdk_packages"] if v["docker_install_sdk"] else []) + rootless_packages(v, kind)


def rootless_packages(v: dict, kind: str) -> list[str]:
    return v["docker_rootless"]["packages"].get(kind, []) if v["docker_rootless_users"] else []


def service(v: dict) -> dict:
    return v["docker_service_managers"][v["docker_service_manager"]]


def request(v: dict) -> dict:
    """The engine_facts arguments that read everything the plan needs from the host, in one round trip."""
    kind = package_kind(v)
    svc = service(v)
    paths = [
        svc["proxy_file"],
        v["docker_hosts_dropin"],
        v["docker_boot_loader"]["file"],
        *v["docker_swap_accounting_proof"],
    ]
    if kind == "static":
        paths += [unit["dest"] for unit in svc["static_units"]]
    apt_repository = v["docker_package_manager"] == "apt" and v["docker_package_source"] in ("docker", "mirror")
    if apt_repository:
        paths.append(v["docker_repository"]["key_file"])
    return {
        "package_manager": v["docker_package_manager"],
        "packages": wanted_names(v, kind) + v["docker_conflicting_packages"][kind],
        "users": list(dict.fromkeys(v["docker_users"] + v["docker_rootless_users"])),
        "rootless_users": v["docker_rootless_users"],
        "paths": paths,
        "records": [v["docker_static_record"]],
        "service_manager": v["docker_service_manager"],
        "daemon_json": v["docker_daemon_json_path"],
        "daemon_json_content": True,
        "apt_sources": apt_repository,
        "restart_marker": v["docker_restart_marker"],
        # Empty: engine_facts looks where an old option file puts it, as the plan's daemon settings do.
        "data_root": v["docker_daemon_options"].get("data-root") or v["docker_data_root"] or "",
    }


def is_docker_source(uris: list[str], base: str) -> bool:
    """An apt entry of Docker's repository: at download.docker.com, under the role's base URL, or on a
    mirror's docker-ce tree (mirrors.example.com/docker-ce/linux/debian)."""
    for uri in uris:
        plain = uri.rstrip("/")
        if re.match(r"^https?://download\.docker\.com(/|$)", plain) or "/docker-ce/" in plain + "/":
            return True
        if plain.startswith(base.rstrip("/")):
            return True
    return False


def image_store_wanted(settings: dict, version: str, current: str) -> str:
    """The image store the daemon runs with once it has these settings: what features.containerd-snapshotter
    says; unset, the classic store before Docker 29, and from 29 the one in use (29 keeps a store that holds
    data and takes containerd's for a fresh install)."""
    asked = (settings.get("features") or {}).get("containerd-snapshotter")
    if asked is None:
        major = re.match(r"^([0-9]+)\.", version)
        return current if major and int(major.group(1)) >= 29 else "classic"
    return "containerd" if asked in (True, "true") else "classic"


def apt_sources_text(v: dict, url: str) -> str:
    """The role's docker.sources (deb822): the key as a keyring named by Signed-By, never apt-key."""
    where = " (a mirror of download.docker.com)" if v["docker_package_source"] == "mirror" else ""
    return (
        f"# Docker's CE packages{where}; written by the dockyard.docker engine role, which replaces changes here.\n"
        "Types: deb\n"
        f"URIs: {url}\n"
        f"Suites: {v['docker_apt_suite']}\n"
        "Components: stable\n"
        f"Architectures: {v['docker_apt_architecture']}\n"
        f"Signed-By: {v['docker_repository']['key_file']}\n"
    )


class Plan:
    """One host's plan, built field by field from the variables and what the host has."""

    def __init__(self, v: dict, host: dict, check_mode: bool, is_file: Callable[[str], bool]) -> None:
        self.v, self.host, self.check_mode, self.is_file = v, host, check_mode, is_file
        self.kind = package_kind(v)
        self.service = service(v)
        self.present = set(host.get("present_paths") or [])
        self.installed = set(host.get("installed") or [])
        self.daemon = host.get("daemon") or {"answering": False}
        legacy = host.get("legacy_options") or {}
        self.legacy = {
            "settings": legacy.get("settings") or {},
            "migrate": legacy.get("migrate") or [],
            "kept": legacy.get("kept") or [],
        }
        self.problems: list[str] = []
        self.warnings: list[str] = []
        self._data_root = DEFAULT_DATA_ROOT  # set by daemon_settings()

    # Packages, pins and holds
    def packages(self) -> dict:
        v, kind = self.v, self.kind
        names = wanted_names(v, kind)
        pinned = v["docker_pinned_packages"][kind] if v["docker_version"] else []
        suffix = (
            v["docker_version_separator"] + v["docker_version"] + ("" if v["docker_package_manager"] == "apk" else "*")
        )
        wanted = [n for n in v["docker_packages"][kind] if n not in pinned] + [n + suffix for n in pinned]
        wanted += extra_packages(v, kind)
        versions = self.host.get("versions") or {}
        bare = re.sub(r"^[0-9]+:", "", v["docker_version"])
        on_pin = re.compile(r"^([0-9]+:)?" + re.escape(bare))
        off_pin = [
            n for n in pinned if n in versions and not (isinstance(versions[n], str) and on_pin.match(versions[n]))
        ]
        held = [n for n in v["docker_pinned_packages"][kind] if n in (self.host.get("held") or [])]
        released = held if (off_pin or not v["docker_version"]) else []
        hold = [n for n in pinned if n not in [h for h in held if h not in released]]
        conflicts = [n for n in v["docker_conflicting_packages"][kind] if n in self.installed]
        missing = [n for n in names if n not in self.installed]
        return {
            "names": names,
            "wanted": wanted,
            "missing": missing,
            "off_pin": off_pin,
            "version_bare": bare,
            "hold_released": released,
            "hold_wanted": hold,
            "conflicts": conflicts,
            "engine_installed": not [n for n in v["docker_packages"][kind] if n not in self.installed],
        }

    def static(self) -> dict:
        v = self.v
        found = (self.host.get("records") or {}).get(v["docker_static_record"])
        units = [unit["dest"] for unit in self.service["static_units"]]
        installed = isinstance(found, dict)
        work = self.kind == "static" and (
            not installed
            or found.get("checksum") != v["docker_static_checksum"]
            or found.get("bin_dir") != v["docker_static_bin_dir"]
            or any(u not in self.present for u in units)
        )
        return {
            "installed": installed,
            "work": work,
            "unit_paths": units,
            "digest": re.sub(r"^sha256:", "", v["docker_static_checksum"]),
            "wanted": {"checksum": v["docker_static_checksum"], "bin_dir": v["docker_static_bin_dir"]},
        }

    # daemon.json
    def daemon_settings(self) -> dict:
        asked = settings_asked(self.v, self.v["docker_hosts_dropin"] in self.present)
        settings = daemon_schema.normalize(with_legacy(asked, self.legacy["settings"]))
        # Wherever data-root comes from (the variable, docker_daemon_options, an old option file), the data moves.
        self._data_root = settings.get("data-root") or DEFAULT_DATA_ROOT
        return self._keep_storage_driver(settings)

    def _keep_storage_driver(self, asked: dict) -> dict:
        """With docker_storage_driver empty, the driver the daemon's data was written with stays: another
        driver would hide every image, container and volume (the daemon sees only its own driver's
        data). Kept where daemon.json names it, and written when the data root moves."""
        if asked.get("storage-driver") or not self.daemon.get("answering") or not self._holds_data():
            return asked
        running = self.daemon.get("storage_driver")
        current = (self.host.get("daemon_json_content") or {}).get("config") or {}
        if running and (current.get("storage-driver") == running or self._moves_data_root()):
            return {**asked, "storage-driver": running}
        return asked

    def _holds_data(self) -> bool:
        d = self.daemon
        return (d.get("images", 0) + d.get("containers", 0) + d.get("volumes", 0)) > 0

    def data_root_wanted(self) -> str:
        return self._data_root

    def _moves_data_root(self) -> bool:
        d = self.daemon
        return bool(d.get("answering")) and d.get("data_root") != self.data_root_wanted() and self._holds_data()

    def daemon_json_settled(self, wanted: dict) -> bool:
        content = self.host.get("daemon_json_content") or {}
        if content.get("error") or not content.get("exists"):
            return False
        return daemon_schema.settled(content.get("config") or {}, wanted, self.daemon)

    # Rootless
    def rootless(self, settings: dict) -> dict:
        v = self.v
        own = {k: val for k, val in settings.items() if k not in v["docker_rootless_system_keys"] and val is not None}
        users = (self.host.get("rootless") or {}).get("users") or {}
        pending = []
        for name in v["docker_rootless_users"]:
            user = users.get(name)
            if not user:
                continue
            daemon = user.get("daemon") or {}
            ready = (
                user.get("subuid")
                and user.get("subgid")
                and user.get("linger")
                and user.get("unit")
                and user.get("daemon_json") == own
                and daemon.get("answering")
                and daemon.get("rootless")
                and not daemon.get("drift")
                and (user.get("context") == "rootless" or not v["docker_rootless_context"])
            )
            if not ready:
                pending.append({**user, "name": name})
        supported = self.kind in v["docker_rootless"]["command"] and v["docker_service_manager"] == "systemd"
        return {"settings": own, "pending": pending, "supported": supported}

    def build(self) -> dict:
        v, host = self.v, self.host
        packages = self.packages()
        static = self.static()
        settings = self.daemon_settings()
        rootless = self.rootless(settings)
        repository = self.repository(packages)
        swap_accounted = any(p in self.present for p in v["docker_swap_accounting_proof"])
        remote_api_wanted = bool(v["docker_tls_listen"])
        proxy_wanted = bool(v["docker_proxy_http"] or v["docker_proxy_https"])
        members = set(host.get("group_members") or [])
        users_to_add = [u for u in v["docker_users"] if u not in members]
        users_to_remove = self.users_to_remove(members)
        install_work = bool(
            (v["docker_remove_conflicting_packages"] and packages["conflicts"])
            or not host.get("group_exists")
            or packages["missing"]
            or packages["off_pin"]
            or packages["hold_released"]
            or packages["hold_wanted"]
            or static["work"]
        )
        engine_installed = static["installed"] if self.kind == "static" else packages["engine_installed"]
        settled = self.daemon_json_settled(settings)
        pending = {
            "data_root_move": self._moves_data_root() and not v["docker_data_root_leave_data"],
            "daemon_json": not settled,
            "legacy_lines": bool(self.legacy["migrate"]),
            "registry_cas": bool(v["docker_registry_ca_certs"]),
            "proxy": proxy_wanted or self.service["proxy_file"] in self.present,
            "remote_api": remote_api_wanted or v["docker_hosts_dropin"] in self.present,
            "repository": repository.get("work", False),
            "install": install_work,
            "users": bool(users_to_add or users_to_remove),
            "service": (not host.get("service_active") or host.get("service_enabled") != v["docker_service_enabled"])
            and (engine_installed or not self.check_mode),
            "rootless": bool(rootless["pending"]),
            "swap_accounting": bool(v["docker_swap_accounting"] and not swap_accounted),
        }
        plan = {
            "host": {k: val for k, val in host.items() if k not in ("invocation", "changed", "warnings")},
            "package_kind": self.kind,
            "packages": packages,
            "static": static,
            "engine_installed": engine_installed,
            "daemon": self.daemon,
            "daemon_settings": settings,
            "daemon_json_settled": settled,
            "ignore_flags_for": self.ignore_flags_for(),
            "legacy": self.legacy,
            "data_root_wanted": self.data_root_wanted(),
            "remote_api_wanted": remote_api_wanted,
            "file_modes": hardening.written_modes(v["docker_hardening"], v["docker_hardening_except"], USUAL_MODES),
            "proxy_wanted": proxy_wanted,
            "service": self.service,
            "users_to_add": users_to_add,
            "users_to_remove": users_to_remove,
            "rootless": rootless,
            "swap_accounted": swap_accounted,
            "reboot_required": bool(v["docker_swap_accounting"] and not swap_accounted),
            "repository": repository,
            "pending": pending,
            "work": sorted(step for step, todo in pending.items() if todo),
        }
        self.problems += self.setting_problems(plan)
        plan["problems"] = self.problems
        plan["warnings"] = self.warnings
        return plan

    def repository(self, packages: dict) -> dict:
        """Docker's package repository for this distribution: at download.docker.com, or under the mirror.
        On apt: the docker.sources the role writes, whether the key is fetched again, and the earlier Docker
        sources (and their keys) that would clash with it."""
        v = self.v
        base = (
            v["docker_repository_mirror"]
            if v["docker_package_source"] == "mirror"
            else "https://download.docker.com/linux"
        )
        layout = v.get("docker_repository") or {}
        if not layout.get("distribution"):
            return {}
        url = f"{base.rstrip('/')}/{layout['distribution']}"
        found = {"url": url, "key_url": f"{url}/gpg", "work": v["docker_package_source"] in ("docker", "mirror")}
        if not found["work"] or v["docker_package_manager"] != "apt":
            return found
        listing = self.host.get("apt_sources") or {"files": {}, "keyrings": []}
        text = apt_sources_text(v, url)
        stale = self._stale_apt_sources(listing, base)
        rewritten = listing["files"].get(layout["file"]) != text
        # apt refreshes its lists before it installs or upgrades: the key is fetched again then, which is
        # how a key Docker (or the mirror) rotated reaches the host.
        refresh_key = (
            layout["key_file"] not in self.present or rewritten or bool(packages["missing"] or packages["off_pin"])
        )
        found.update(stale, sources_text=text, refresh_key=refresh_key)
        found["work"] = bool(
            rewritten or refresh_key or stale["stale_files"] or stale["stale_lines"] or stale["stale_keys"]
        )
        return found

    def _stale_apt_sources(self, listing: dict, base: str) -> dict:
        """Docker sources other than the role's file: a file that holds only those goes, a line in a file
        that holds other sources too is commented out, and their keys (and Docker keys in trusted.gpg.d,
        which apt trusts for every source) go too."""
        layout = self.v["docker_repository"]
        files, lines, used_keys, kept_keys = [], [], set(), set()
        for path, text in sorted(listing["files"].items()):
            if path == layout["file"]:
                continue
            found = apt_sources.entries(path, text)
            docker = [e for e in found if is_docker_source(e["uris"], base)]
            kept_keys |= {e["signed_by"] for e in found if e not in docker}
            if not docker:
                continue
            used_keys |= {e["signed_by"] for e in docker}
            if len(docker) == len(found) and path != "/etc/apt/sources.list":
                files.append(path)
            elif path.endswith(".sources"):
                self.problems.append(
                    f"{path} names Docker's repository ({docker[0]['uris'][0]}) beside other sources; apt would see it"
                    f" twice with {layout['file']}: remove that stanza, then run again"
                )
            else:
                lines += [{"path": path, "text": e["text"]} for e in docker]
        keys = [
            k
            for k in listing["keyrings"]
            if k != layout["key_file"] and k not in kept_keys and (k in used_keys or "/trusted.gpg.d/" in k)
        ]
        return {"stale_files": files, "stale_lines": lines, "stale_keys": keys}

    def ignore_flags_for(self) -> list[str]:
        """The role's drop-in takes -H off the unit's command line when daemon.json names the hosts, and the
        legacy step comments out the old option lines whose flags daemon.json now holds."""
        return (["hosts"] if self.v["docker_tls_listen"] else []) + (
            list(self.legacy["settings"]) if self.legacy["migrate"] else []
        )

    def users_to_remove(self, members: set) -> list[str]:
        """With docker_users_exclusive, the docker group's members not listed (root and system accounts
        aside); without it, they stay, and the run says so."""
        v = self.v
        others = sorted(
            m
            for m in members
            if m not in v["docker_users"] and m not in (self.host.get("system_accounts") or []) and m != "root"
        )
        if others and not v["docker_users_exclusive"]:
            self.warnings.append(
                f"the docker group also has {', '.join(others)}, which docker_users does not list: they keep root-"
                "equivalent access to the daemon; docker_users_exclusive: true removes them"
            )
            return []
        return others if v["docker_users_exclusive"] else []

    # -- every problem, in the role's terms ---------------------------------------------------------------
    def setting_problems(self, plan: dict) -> list[str]:
        checks: list[Callable[[dict], list[str]]] = [
            self.problem_package_source,
            self.problem_compose_cli,
            self.problem_package_files,
            self.problem_static,
            self.problem_pin,
            self.problem_ca_certs,
            self.problem_remote_api,
            self.problem_hardening,
            self.problem_daemon_settings,
            self.problem_data_root,
            self.problem_data_root_move,
            self.problem_image_store_switch,
            self.problem_userns_switch,
            self.problem_proxies,
            self.problem_users,
            self.problem_rootless,
            self.problem_conflicts,
            self.problem_boot_loader,
            self.problem_swarm_node,
        ]
        found: list[str] = []
        for check in checks:
            found += check(plan)
        return found

    def problem_package_source(self, plan: dict) -> list[str]:
        v = self.v
        source, facts = v["docker_package_source"], v["facts"]
        ok = (source in ("distro", "files", "static") or v["docker_repository_supported"]) and v["docker_packages"][
            self.kind
        ]
        mirror_ok = source != "mirror" or re.match(r"^https?://[^/]+", v["docker_repository_mirror"])
        if ok and mirror_ok:
            return []
        where = f"{facts['ansible_distribution']} {facts.get('ansible_distribution_version', '')}"
        if source == "mirror" and v["docker_repository_supported"]:
            why = f"docker_repository_mirror: {_json(v['docker_repository_mirror'])} is not a URL; use https://mirror.example.com/docker-ce/linux"
        elif source != "distro":
            why = "Docker publishes no packages for it; use docker_package_source: distro"
        else:
            why = "it has no Docker engine package of its own; use docker_package_source: docker"
        return [f"docker_package_source: {_json(source)} does not work on {where}: {why}"]

    def problem_compose_cli(self, plan: dict) -> list[str]:
        v = self.v
        if not v["docker_compose_cli"] or self.kind == "docker" or v["docker_compose_cli_packages"][self.kind]:
            return []
        facts = v["facts"]
        where = f"{facts['ansible_distribution']} {facts.get('ansible_distribution_major_version') or ''}".strip()
        if self.kind == "static":
            return ["docker_compose_cli: Docker's static archive carries no compose plugin; use docker_package_source:"
                    " docker (docker-compose-plugin) or leave docker_compose_cli false"]  # fmt: skip
        return [f"docker_compose_cli: {where} packages no Compose v2 (`docker compose`; Debian 11 and 12 have only"
                " Compose v1, another program); use docker_package_source: docker, whose docker-compose-plugin is"
                " installed with the engine"]  # fmt: skip

    def problem_package_files(self, plan: dict) -> list[str]:
        v = self.v
        if v["docker_package_source"] != "files":
            return []
        files, suffix = v["docker_package_files"], v["docker_local_packages"]["suffix"]
        if not files:
            return [
                "docker_package_files: empty; docker_package_source: files installs from the package files it lists"
            ]
        wrong = [f for f in files if not re.search(suffix + "$", f)]
        if wrong:
            manager = v["docker_package_manager"]
            return [f"docker_package_files: {_json(wrong)} are not {suffix} files, which {manager} installs"]
        absent = [f for f in files if not self.is_file(f)]
        if absent:
            return [f"docker_package_files: {_json(absent)} do not exist on the controller"]
        lacking = [
            n
            for n in plan["packages"]["missing"]
            if not any(re.match(re.escape(n) + "[_-][0-9]", _basename(f)) for f in files)
        ]
        if lacking:
            sdk = " (or set docker_install_sdk: false)" if set(v["docker_sdk_packages"]) & set(lacking) else ""
            return [f"docker_package_files: no file for {_json(lacking)}, which the host lacks{sdk}"]
        return []

    def problem_static(self, plan: dict) -> list[str]:
        v = self.v
        if v["docker_package_source"] != "static":
            return []
        archive = v["docker_static_archive"]
        if not archive:
            return [
                "docker_static_archive: empty; docker_package_source: static installs the archive it names (a path"
                " on the controller or a URL of docker-<version>.tgz)"
            ]
        if not re.match(r"^https?://", archive) and not self.is_file(archive):
            return [f"docker_static_archive: {_json(archive)} does not exist on the controller"]
        if not re.match(r"^sha256:[0-9a-f]{64}$", v["docker_static_checksum"]):
            return [
                f"docker_static_checksum: {_json(v['docker_static_checksum'])} is not sha256:<64 hex digits>; it names"
                f" the engine the host runs (sha256sum {_basename(archive)})"
            ]
        if v["docker_version"]:
            return [
                f"docker_version: {_json(v['docker_version'])} pins packages; with docker_package_source: static the"
                " archive is the version, so leave docker_version empty"
            ]
        if not self.service["static_units"]:
            return [
                f"docker_package_source: static has no service units for {v['docker_service_manager']}; it works"
                " with systemd and OpenRC"
            ]
        return []

    def problem_pin(self, plan: dict) -> list[str]:
        v = self.v
        if not v["docker_version"] or v["docker_hold_supported"]:
            return []
        return [
            f"docker_version: {_json(v['docker_version'])} cannot be pinned with {v['docker_package_manager']}:"
            f" {v['facts']['ansible_distribution']} is a rolling distribution whose repositories keep no older"
            " versions; leave docker_version empty there"
        ]

    def problem_ca_certs(self, plan: dict) -> list[str]:
        found = []
        for name, pem in self.v["docker_registry_ca_certs"].items():
            if (
                not re.match(r"^[A-Za-z0-9.-]+(:[0-9]{1,5})?$", str(name))
                or not isinstance(pem, str)
                or "-----BEGIN CERTIFICATE-----" not in pem
            ):
                found.append(
                    f"docker_registry_ca_certs[{_json(name)}]: needs a registry host[:port] as key and the PEM"
                    " text of a CA certificate as value (-----BEGIN CERTIFICATE----- ...)"
                )
        return found

    def problem_remote_api(self, plan: dict) -> list[str]:
        """Only the conditions that fail, each in its own words."""
        v = self.v
        listen = v["docker_tls_listen"]
        if not listen:
            return []
        found = []
        if not _LISTEN.match(listen):
            found.append(f"docker_tls_listen: {_json(listen)} is not an address:port; use 0.0.0.0:2376")
        if self.kind not in v["docker_dockerd_command"] or v["docker_service_manager"] != "systemd":
            found.append(
                f"docker_tls_listen: needs systemd, whose drop-in replaces the unit's -H flag; this host runs"
                f" {v['docker_service_manager']}"
            )
        for name, pattern, what in (
            ("docker_tls_ca_cert", _PEM_CERT, "-----BEGIN CERTIFICATE-----"),
            ("docker_tls_server_cert", _PEM_CERT, "-----BEGIN CERTIFICATE-----"),
            ("docker_tls_server_key", _PEM_KEY, "-----BEGIN ... PRIVATE KEY-----"),
        ):
            if not pattern.match(v[name] or ""):
                state = "empty" if not v[name] else "not PEM"
                found.append(
                    f"{name}: {state}; docker_tls_listen needs it as PEM text ({what}): the remote API is"
                    " never served without TLS and client certificates"
                )
        return found

    def problem_hardening(self, _plan: dict) -> list[str]:
        v = self.v
        found = []
        if v["docker_hardening"] not in hardening.PROFILES:
            found.append(f"docker_hardening: {v['docker_hardening']!r} is no profile; use cis, or leave it empty")
        known = ", ".join(point.cis for point in hardening.POINTS)
        found += [
            f"docker_hardening_except: {cis!r} is no point of the cis profile (its points: {known}, and 3.1 to "
            "3.24 for file owners and modes)"
            for cis in hardening.unknown_exceptions(v["docker_hardening_except"])
        ]
        return found

    def problem_daemon_settings(self, plan: dict) -> list[str]:
        """daemon.json's own checks (daemon_schema), before the first step that changes the host, named by the
        role variable each key came from."""
        v = self.v
        settings = {k: val for k, val in plan["daemon_settings"].items() if val is not None}
        found = [
            in_role_terms(m, v)
            for m in daemon_schema.problems(settings, self.daemon.get("version") or self.host.get("engine_version"))
        ]
        for reason in daemon_schema.insecure_everywhere(settings):
            if v["docker_insecure_registries_allow_everywhere"]:
                self.warnings.append(
                    in_role_terms(reason, v) + " (allowed by docker_insecure_registries_allow_everywhere)"
                )
            else:
                found.append(
                    in_role_terms(reason, v) + "; docker_insecure_registries_allow_everywhere: true takes it as it is"
                )
        flags = self.host.get("service_flags") or []
        found += [in_role_terms(m, v) for m in clash_messages(flags, set(settings), set(plan["ignore_flags_for"]))]
        return found

    def problem_swarm_node(self, plan: dict) -> list[str]:
        """On a swarm node, a setting swarm mode refuses would leave the engine unable to start."""
        if self.daemon.get("swarm", "inactive") == "inactive":
            return []
        settings = {k: val for k, val in plan["daemon_settings"].items() if val is not None}
        found = []
        for key in swarm.refused_in_swarm_mode(settings):
            point = _from_profile(key, self.v)  # the profile's point is left out by its number
            off = f"list {point.cis} in docker_hardening_except" if point else "keep it off"
            found.append(
                f"{_where(key, self.v)}: {json.dumps(settings[key])}, but this host is a swarm node and its engine "
                f"does not start with {key} in swarm mode; {off}, or take the host out of the swarm first"
            )
        return found

    def problem_data_root(self, plan: dict) -> list[str]:
        """A data root on a filesystem overlay2 cannot use: the daemon would fall back to vfs (every layer a
        full copy) without a word. Checked where the daemon does not run on it yet (a fresh install, a move);
        a user who wants another driver names it (docker_storage_driver)."""
        driver = plan["daemon_settings"].get("storage-driver") or ""
        target = plan["data_root_wanted"]
        if not target.startswith("/") or plan["pending"]["data_root_move"]:  # the move's own checks say it
            return []
        if driver.split(".")[0] in data_root.OWN_FILESYSTEM_DRIVERS or self.daemon.get("data_root") == target:
            return []
        mount = self.host.get("data_root_mount")
        if not mount:
            return []
        problem = data_root.filesystem_problem(
            data_root.Mount(mount["point"], mount["fstype"], ""), lambda _p: mount.get("xfs_ftype")
        )
        if not problem:
            return []
        name = "docker_data_root" if self.v["docker_data_root"] else "docker_data_root (empty: /var/lib/docker)"
        return [
            f"{name}: {_json(target)} is on {problem}; the daemon would fall back to vfs, a full copy of every"
            " layer. Give a data root on ext4, xfs with ftype=1 or btrfs, or set docker_storage_driver: vfs to"
            " take vfs as it is"
        ]

    def problem_data_root_move(self, plan: dict) -> list[str]:
        """What the move would refuse (engine_facts made the same checks data_root_move makes), said now, beside
        every other problem, rather than by the move itself."""
        reasons = self.host.get("data_root_move_problems") or []
        if not plan["pending"]["data_root_move"] or not reasons:
            return []
        return [
            f"docker_data_root: Docker's data cannot move from {self.daemon.get('data_root')} to"
            f" {plan['data_root_wanted']}: {'; '.join(reasons)}"
        ]

    def problem_image_store_switch(self, plan: dict) -> list[str]:
        """Switching image stores hides the other store's images and containers: refused while it holds any."""
        d, v = self.daemon, self.v
        if not d.get("answering") or not d.get("image_store") or v["docker_image_store_switch"]:
            return []
        wanted = image_store_wanted(plan["daemon_settings"], d.get("version") or "", d["image_store"])
        held = {"images": d.get("images", 0), "containers": d.get("containers", 0)}
        if wanted == d["image_store"] or not any(held.values()):
            return []
        where = _where("features", v) + ".containerd-snapshotter"
        names = {"containerd": "containerd's image store", "classic": "the classic image store"}
        return [
            f"{where}: {'true' if wanted == 'containerd' else 'unset or false'} switches {v['inventory_hostname']}"
            f" from {names[d['image_store']]} to {names[wanted]}, where its {held['images']} images and"
            f" {held['containers']} containers are not seen (they stay on disk, out of sight, until it is switched"
            " back); move them over first (docker save, then docker load after the switch), or set"
            " docker_image_store_switch: true"
        ]

    def problem_userns_switch(self, plan: dict) -> list[str]:
        """User namespaces turned on or off: the daemon then keeps its data in another directory (the remapped IDs'
        under the data root), where the images, containers and volumes it shows now are not seen; refused while it
        shows any. containerd's image store does not run with them: refused when asked for together."""
        d, v = self.daemon, self.v
        settings = plan["daemon_settings"]
        wanted = bool(settings.get("userns-remap"))
        where = _where("userns-remap", v)
        found = []
        store = image_store_wanted(settings, d.get("version") or "", d.get("image_store") or "classic")
        if wanted and (settings.get("features") or {}).get("containerd-snapshotter") in (True, "true"):
            found.append(
                f"{where}: {_json(settings['userns-remap'])} and {_where('features', v)}.containerd-snapshotter: "
                "true: Docker does not run containerd's image store with user namespaces; leave one of them out"
            )
        if wanted and not d.get("userns_remap"):
            self.warnings.append(
                f"{where}: {_json(settings['userns-remap'])}: root in a container is an unprivileged ID on the host"
                " (from the remapped user's /etc/subuid range, 100000 and up for 'default'): files containers write"
                " to volumes and bind mounts belong to those IDs, a host directory bind-mounted for writing needs"
                " them as owners, and --privileged or --network host containers need --userns host"
            )
        if not d.get("answering") or wanted == bool(d.get("userns_remap")) or v["docker_userns_remap_switch"]:
            return found
        held = {"images": d.get("images", 0), "containers": d.get("containers", 0), "volumes": d.get("volumes", 0)}
        if not any(held.values()):
            return found
        turned, back = ("on", "off") if wanted else ("off", "on")
        value = _json(settings["userns-remap"]) if wanted else "empty"
        also = " (and from containerd's image store to the classic one)" if wanted and store == "containerd" else ""
        found.append(
            f"{where}: {value} turns user namespaces {turned} for {v['inventory_hostname']}{also}, where its"
            f" {held['images']} images, {held['containers']} containers and {held['volumes']} volumes are not seen"
            f" (they stay on disk, out of sight, until user namespaces are turned {back} again); move what you need"
            " over (docker save, then docker load after the switch; volumes by copying), or set"
            " docker_userns_remap_switch: true"
        )
        return found

    def problem_proxies(self, plan: dict) -> list[str]:
        # The value is not repeated: a proxy URL may carry credentials.
        return [
            f"{name}: is not a URL (its value is not shown, as it may carry credentials); use http://proxy.example.com:3128"
            for name in ("docker_proxy_http", "docker_proxy_https")
            if self.v[name] and not re.match(r"^https?://[^/\s]+", self.v[name])
        ]

    def problem_users(self, plan: dict) -> list[str]:
        missing = [u for u in self.v["docker_users"] if u in (self.host.get("missing_users") or [])]
        if not missing:
            return []
        return [
            f"docker_users: {_json(missing)} do not exist on {self.v['inventory_hostname']}; create them first (the"
            " role adds users to the docker group, it creates no accounts)"
        ]

    def problem_rootless(self, plan: dict) -> list[str]:
        v = self.v
        users = v["docker_rootless_users"]
        if not users:
            return []
        if "root" in users:
            return ["docker_rootless_users: root runs the system daemon; rootless Docker is for other users"]
        missing = [u for u in users if u in (self.host.get("missing_users") or [])]
        if missing:
            return [
                f"docker_rootless_users: {_json(missing)} do not exist on {v['inventory_hostname']}; create them first"
            ]
        if not plan["rootless"]["supported"]:
            if v["docker_service_manager"] != "systemd":
                hint = " (rootless runs as a systemd user service)"
            else:
                hint = "; use docker_package_source: docker" if "docker" in v["docker_rootless"]["command"] else ""
            return [
                f"docker_rootless_users: rootless Docker is not packaged for {v['facts']['ansible_distribution']} with"
                f" docker_package_source: {v['docker_package_source']} and {v['docker_service_manager']}{hint}"
            ]
        return []

    def problem_conflicts(self, plan: dict) -> list[str]:
        conflicts = plan["packages"]["conflicts"]
        if not conflicts or self.v["docker_remove_conflicting_packages"]:
            return []
        return [
            f"{_json(conflicts)} conflict with docker_package_source: {self.v['docker_package_source']}; remove"
            " them, or set docker_remove_conflicting_packages: true"
        ]

    def problem_boot_loader(self, plan: dict) -> list[str]:
        v = self.v
        loader = v["docker_boot_loader"]["file"]
        if not v["docker_swap_accounting"] or plan["swap_accounted"] or loader in self.present:
            return []
        return [
            f"docker_swap_accounting: this kernel does not account swap, and {loader}, where its command line would"
            f" get {' '.join(v['docker_swap_accounting_args'])}, does not exist; add them to the boot loader's"
            " command line by hand, or set docker_swap_accounting: false"
        ]


def plan(v: dict, host: dict, check_mode: bool, is_file: Callable[[str], bool]) -> dict:
    return Plan(v, host, check_mode, is_file).build()
