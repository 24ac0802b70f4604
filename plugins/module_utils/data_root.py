# Copyright (c) dockyard.docker contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Moving Docker's data root: what makes a target unusable, how much room the data needs, and what
the daemon holds before and after, so that a move is refused before anything is touched and proven
after it (every image, container and volume still there)."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Callable, Optional

from ansible_collections.dockyard.docker.plugins.module_utils import daemon_schema, engine_socket

# Filesystems overlay2 cannot put its layers on, or that lose them: the reason for each.
UNUSABLE_FILESYSTEMS = {
    "nfs": "NFS cannot hold overlay2's layers",
    "nfs4": "NFS cannot hold overlay2's layers",
    "cifs": "CIFS/SMB cannot hold overlay2's layers",
    "smb3": "CIFS/SMB cannot hold overlay2's layers",
    "smbfs": "CIFS/SMB cannot hold overlay2's layers",
    "overlay": "overlay2 cannot stack on an overlay filesystem",
    "aufs": "overlay2 cannot stack on aufs",
    "tmpfs": "tmpfs is emptied at every boot",
    "ramfs": "ramfs is emptied at every boot",
    "9p": "a 9p share cannot hold overlay2's layers",
    "glusterfs": "GlusterFS cannot hold overlay2's layers",
    "ceph": "CephFS cannot hold overlay2's layers",
}
# Storage drivers that do not need what overlay2 needs of the filesystem under the data root.
OWN_FILESYSTEM_DRIVERS = ("vfs", "btrfs", "zfs", "devicemapper", "fuse-overlayfs", "aufs")
# Room kept free beyond the data itself: metadata and what the daemon writes on its first start.
SPARE_BYTES = 64 * 1024 * 1024
CONTAINERD_STORE = "io.containerd.snapshotter.v1"
CONTAINERD_DEFAULT_ROOT = "/var/lib/containerd"
CONTAINERD_CONFIG = "/etc/containerd/config.toml"


@dataclass(frozen=True)
class Mount:
    point: str
    fstype: str
    source: str


@dataclass
class Inventory:
    """What the daemon holds: image IDs, container IDs (running or not) and volume names."""

    images: set[str] = field(default_factory=set)
    containers: dict[str, bool] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    volumes: set[str] = field(default_factory=set)

    @property
    def running(self) -> list[str]:
        return sorted(cid for cid, up in self.containers.items() if up)

    def counts(self) -> dict[str, int]:
        return {"images": len(self.images), "containers": len(self.containers), "volumes": len(self.volumes)}


def read_inventory(socket: str) -> Inventory:
    containers = engine_socket.get(socket, "/containers/json?all=1")
    return Inventory(
        images={image["Id"] for image in engine_socket.get(socket, "/images/json?all=1")},
        containers={c["Id"]: c.get("State") == "running" for c in containers},
        names={c["Id"]: (c.get("Names") or ["/" + c["Id"][:12]])[0].lstrip("/") for c in containers},
        volumes={volume["Name"] for volume in engine_socket.get(socket, "/volumes").get("Volumes") or []},
    )


def missing(before: Inventory, after: Inventory) -> list[str]:
    """What ``before`` holds that ``after`` lacks, in words."""
    lost = [f"image {image}" for image in sorted(before.images - after.images)]
    lost += [f"container {before.names[cid]}" for cid in sorted(set(before.containers) - set(after.containers))]
    lost += [f"volume {name}" for name in sorted(before.volumes - after.volumes)]
    return lost


def _unescape(point: str) -> str:
    """mountinfo writes spaces, tabs and newlines in paths as octal escapes."""
    for code, char in (("\\040", " "), ("\\011", "\t"), ("\\012", "\n"), ("\\134", "\\")):
        point = point.replace(code, char)
    return point


def mounts(mountinfo: str) -> list[Mount]:
    found = []
    for line in mountinfo.splitlines():
        fields, _sep, rest = line.partition(" - ")
        parts, tail = fields.split(), rest.split()
        if len(parts) >= 5 and len(tail) >= 2:
            found.append(Mount(_unescape(parts[4]), tail[0], tail[1]))
    return found


def nearest_existing(path: str) -> str:
    """``path`` or the closest directory above it that exists (a target may not exist yet)."""
    path = os.path.abspath(path)
    while not os.path.exists(path):
        path = os.path.dirname(path)
    return os.path.realpath(path)


def mount_of(path: str, mountinfo: str) -> Mount:
    """The mount a path lives on: the longest mount point above it (the last one mounted wins)."""
    real = nearest_existing(path)
    best = Mount("/", "unknown", "")
    for mount in mounts(mountinfo):
        inside = real == mount.point or real.startswith(mount.point.rstrip("/") + "/")
        if inside and len(mount.point) >= len(best.point):
            best = mount
    return best


def filesystem_problem(mount: Mount, xfs_ftype: Callable[[str], Optional[int]]) -> Optional[str]:
    """Why overlay2 cannot use ``mount``, or None. ``xfs_ftype`` reads an xfs mount's ftype (None: unknown)."""
    fstype = mount.fstype.split(".")[0] if mount.fstype.startswith("fuse") else mount.fstype
    if fstype in UNUSABLE_FILESYSTEMS:
        return f"{mount.point} is {mount.fstype}: {UNUSABLE_FILESYSTEMS[fstype]}"
    if fstype == "fuse":
        return f"{mount.point} is {mount.fstype} (FUSE): overlay2 cannot use it"
    if fstype == "xfs" and xfs_ftype(mount.point) == 0:
        return f"{mount.point} is xfs made without ftype=1, which overlay2 needs (mkfs.xfs -n ftype=1)"
    return None


def bytes_used(root: str) -> int:
    """Disk space the files under ``root`` take (allocated blocks, so sparse files count as they lie;
    a hard-linked file once)."""
    seen: set[tuple[int, int]] = set()
    total = 0
    for directory, dirs, files in os.walk(root):
        for name in dirs + files:
            try:
                stat = os.lstat(os.path.join(directory, name))
            except OSError:
                continue
            if stat.st_nlink > 1 and not os.path.isdir(os.path.join(directory, name)):
                if (stat.st_dev, stat.st_ino) in seen:
                    continue
                seen.add((stat.st_dev, stat.st_ino))
            total += stat.st_blocks * 512
    return total


def space_problem(target: str, needed: int, available: int) -> Optional[str]:
    if needed + SPARE_BYTES <= available:
        return None
    return (
        f"{target} has {_size(available)} free and the data needs {_size(needed)} (and {_size(SPARE_BYTES)} to spare)"
    )


def _size(count: int) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if count < 1024 or unit == "GiB":
            return f"{count:.0f} {unit}" if unit == "B" else f"{count:.1f} {unit}"
        count /= 1024
    raise AssertionError("unreachable")  # pragma: no cover


def in_containerd_store(info: dict) -> bool:
    """Docker 29 and later keep images in containerd's store unless told otherwise; containerd's root
    is not under the data root then."""
    return any(pair[:2] == ["driver-type", CONTAINERD_STORE] for pair in info.get("DriverStatus") or [])


def target_problems(source: str, target: str) -> list[str]:
    """What is wrong with ``target`` itself, whatever its filesystem."""
    real_source, real_target = os.path.realpath(source), os.path.realpath(target)
    if real_target.startswith(real_source.rstrip("/") + "/"):
        return [f"{target} is inside the current data root {source}"]
    if real_source.startswith(real_target.rstrip("/") + "/"):
        return [f"{target} holds the current data root {source}"]
    if os.path.lexists(target) and not os.path.isdir(target):
        return [f"{target} exists and is not a directory"]
    if os.path.isdir(target) and os.listdir(target):
        entries = sorted(os.listdir(target))
        shown = ", ".join(entries[:5]) + (", ..." if len(entries) > 5 else "")
        return [f"{target} is not empty ({shown}): give a new or empty directory, so nothing is overwritten"]
    return []


def containerd_root(config_text: Optional[str]) -> str:
    """Where containerd keeps its content and snapshots (the containerd image store's images): the top-level
    ``root`` of its config.toml, else containerd's default."""
    for line in (config_text or "").splitlines():
        if line.lstrip().startswith("["):  # past the top level: a table's own root is another thing
            break
        match = re.match(r"""^\s*root\s*=\s*["']([^"']+)["']""", line)
        if match:
            return match.group(1)
    return CONTAINERD_DEFAULT_ROOT


def containerd_store_problem(info: dict) -> Optional[str]:
    if not in_containerd_store(info):
        return None
    return (
        "the engine keeps images in containerd's image store (driver-type io.containerd.snapshotter.v1); "
        "they live under containerd's root, not the data root, and this move does not move containerd's root. "
        "Move /var/lib/containerd by hand, or turn the containerd-snapshotter feature off first"
    )


def xfs_ftype(run: Callable) -> Callable[[str], Optional[int]]:
    """An xfs mount's ftype as xfs_info reports it (None when it cannot tell), through ``run(argv)``."""

    def ftype(point: str) -> Optional[int]:
        rc, out, _err = run(["xfs_info", point])
        if rc != 0:
            return None
        return 0 if "ftype=0" in out else 1

    return ftype


def read_mountinfo() -> str:
    with open("/proc/self/mountinfo", encoding="utf-8") as handle:
        return handle.read()


def preflight(run: Callable, info: dict, source: str, target: str, daemon_json: str) -> tuple[list[str], int]:
    """Every reason to refuse moving the data root ``source`` to ``target``, and the bytes the data takes.
    ``run(argv) -> (rc, out, err)`` runs a command on the host (AnsibleModule.run_command)."""
    problem = containerd_store_problem(info)
    if problem:
        return [problem], 0
    problems = target_problems(source, target)
    try:
        daemon_schema.load(daemon_json)
    except (ValueError, OSError) as exc:
        problems.append(f"{exc}: fix it first, the move has to add data-root to it")
    problem = filesystem_problem(mount_of(target, read_mountinfo()), xfs_ftype(run))
    if problem:
        problems.append(problem)
    needed = bytes_used(source)
    free = os.statvfs(nearest_existing(target))
    problem = space_problem(target, needed, free.f_bavail * free.f_frsize)
    if problem:
        problems.append(problem)
    rc, out, _err = run(["cp", "--version"])
    if rc != 0 or "GNU coreutils" not in out:
        problems.append("the copy needs GNU cp (the coreutils package), which keeps xattrs, ACLs and sparse files")
    return problems, needed
