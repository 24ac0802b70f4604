# Copyright (c) dockyard.docker contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Stable, short summaries of what the engine API returns, shared by the *_info modules."""

from __future__ import annotations

import os
import re
from typing import Any, Optional

# Docker always treats loopback registries as insecure; they are not configuration.
IMPLICIT_INSECURE_CIDRS = frozenset({"127.0.0.0/8", "::1/128"})
# With user namespaces on, the daemon keeps its data in a directory of the data root named after the remapped IDs
# (/var/lib/docker/100000.100000) and reports that directory as its root.
REMAPPED_DIRECTORY = re.compile(r"^[0-9]+\.[0-9]+$")


def userns_remapped(info: dict[str, Any]) -> bool:
    """The daemon runs containers in user namespaces (userns-remap)."""
    return "name=userns" in " ".join(info.get("SecurityOptions") or [])


def data_root(info: dict[str, Any]) -> Optional[str]:
    """The data root as daemon.json names it: DockerRootDir, without the remapped IDs' directory."""
    root = info.get("DockerRootDir")
    if root and userns_remapped(info) and REMAPPED_DIRECTORY.match(os.path.basename(root.rstrip("/"))):
        return os.path.dirname(root.rstrip("/"))
    return root


def insecure_registries(info: dict[str, Any]) -> list[str]:
    """host:port entries and CIDRs the engine trusts without TLS, as daemon.json lists them."""
    registry = info.get("RegistryConfig") or {}
    cidrs = [c for c in registry.get("InsecureRegistryCIDRs") or [] if c not in IMPLICIT_INSECURE_CIDRS]
    hosts = [
        name
        for name, index in sorted((registry.get("IndexConfigs") or {}).items())
        if not index.get("Secure", True) and not index.get("Official", False)
    ]
    return hosts + cidrs


def host_summary(info: dict[str, Any], version: dict[str, Any]) -> dict[str, Any]:
    registry = info.get("RegistryConfig") or {}
    return {
        "server_version": info.get("ServerVersion") or version.get("Version"),
        "api_version": version.get("ApiVersion"),
        "min_api_version": version.get("MinAPIVersion"),
        "operating_system": info.get("OperatingSystem"),
        "kernel_version": info.get("KernelVersion"),
        "architecture": info.get("Architecture"),
        "storage_driver": info.get("Driver"),
        "data_root": data_root(info),
        "cgroup_version": str(info.get("CgroupVersion") or ""),
        "cgroup_driver": info.get("CgroupDriver"),
        "logging_driver": info.get("LoggingDriver"),
        "live_restore": bool(info.get("LiveRestoreEnabled")),
        "registry_mirrors": list(registry.get("Mirrors") or []),
        "insecure_registries": insecure_registries(info),
        "swap_limit_support": bool(info.get("SwapLimit")),
        "memory_limit_support": bool(info.get("MemoryLimit")),
        "containers": info.get("Containers", 0),
        "containers_running": info.get("ContainersRunning", 0),
        "containers_paused": info.get("ContainersPaused", 0),
        "containers_stopped": info.get("ContainersStopped", 0),
        "images": info.get("Images", 0),
        "warnings": list(info.get("Warnings") or []),
    }


def _port(p: dict[str, Any]) -> str:
    inside = f"{p.get('PrivatePort')}/{p.get('Type', 'tcp')}"
    if "PublicPort" not in p:
        return inside
    return f"{p.get('IP', '0.0.0.0')}:{p['PublicPort']}->{inside}"


def container_listing(c: dict[str, Any]) -> dict[str, Any]:
    """One entry of ``docker ps -a`` (GET /containers/json), as host_info lists it."""
    names = c.get("Names") or []
    return {
        "id": c.get("Id"),
        "name": names[0].lstrip("/") if names else None,
        "image": c.get("Image"),
        "command": c.get("Command"),
        "state": c.get("State"),
        "status": c.get("Status"),
        "created": c.get("Created"),
        "ports": [_port(p) for p in c.get("Ports") or []],
        "labels": c.get("Labels") or {},
    }


def image_listing(i: dict[str, Any]) -> dict[str, Any]:
    """One entry of ``docker images`` (GET /images/json), as host_info lists it."""
    return {
        "id": i.get("Id"),
        "tags": [t for t in i.get("RepoTags") or [] if t != "<none>:<none>"],
        "digests": [d for d in i.get("RepoDigests") or [] if d != "<none>@<none>"],
        "size": i.get("Size"),
        "created": i.get("Created"),
        "labels": i.get("Labels") or {},
    }


def network_summary(n: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": n.get("Id"),
        "name": n.get("Name"),
        "driver": n.get("Driver"),
        "scope": n.get("Scope"),
        "internal": bool(n.get("Internal")),
        "labels": n.get("Labels") or {},
    }


def volume_summary(v: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": v.get("Name"),
        "driver": v.get("Driver"),
        "mountpoint": v.get("Mountpoint"),
        "labels": v.get("Labels") or {},
    }
