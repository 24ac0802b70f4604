# Copyright (c) dockyard.docker contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Read-only checks of a Docker host against the pitfalls of the field notes, each finding with its fix.

A finding is ``{id, severity, seen, fix}``: ``severity`` is error (containers cannot work as asked),
warning (they work, but not as the user expects, or unsafely) or info (worth knowing); ``fix`` names the
engine role variable or the command that mends it. The checks only read: files under /proc, /sys and
/etc, the daemon's API over its socket (without the SDK, so that a host without it is checked too),
and the registries' /v2/ endpoints.
"""

from __future__ import annotations

import glob
import grp
import gzip
import ipaddress
import json
import os
import pwd
import shutil
import socket as sockets
import stat
import urllib.error
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

from ansible.module_utils.urls import ConnectionError as UrlError
from ansible.module_utils.urls import open_url

from ansible_collections.dockyard.docker.plugins.module_utils import data_root, engine_socket, facts, hardening, swarm
from ansible_collections.dockyard.docker.plugins.module_utils.daemon_schema import (
    exposed_without_tls,
    file_drift,
    insecure_everywhere,
    load,
    problems,
    running_settings,
)
from ansible_collections.dockyard.docker.plugins.module_utils.disk_usage import read_disk_usage

SEVERITIES = ("error", "warning", "info")
DEPRECATED_DRIVERS = {
    "devicemapper": "removed in Docker 25",
    "aufs": "removed in Docker 24",
    "overlay": "removed in Docker 24",
    "vfs": "copies every layer in full, slow and large",
}
# A small part of moby's contrib/check-config.sh: what a default engine needs to run a container on a bridge.
KERNEL_FEATURES = ("NAMESPACES", "NET_NS", "PID_NS", "IPC_NS", "UTS_NS", "CGROUPS", "VETH", "BRIDGE",
                   "BRIDGE_NETFILTER", "NF_NAT", "NETFILTER_XT_MATCH_ADDRTYPE", "NETFILTER_XT_MATCH_CONNTRACK",
                   "IP_NF_FILTER", "IP_NF_TARGET_MASQUERADE", "OVERLAY_FS", "POSIX_MQUEUE")  # fmt: skip
NAMESPACES = ("ipc", "mnt", "net", "pid", "uts", "user", "cgroup")
DOCKER_SOCKET_PATHS = ("/var/run/docker.sock", "/run/docker.sock")


def finding(check_id: str, severity: str, seen: str, fix: str) -> dict[str, str]:
    return {"id": check_id, "severity": severity, "seen": seen, "fix": fix}


def _read(path: str) -> Optional[str]:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return handle.read()
    except OSError:
        return None


@dataclass
class Host:
    """What the checks read once: the socket, the daemon's answers, daemon.json, and the task's settings; ``run``
    is the module's run_command."""

    socket: str
    daemon_json: str
    params: dict[str, Any]
    info: Optional[dict[str, Any]] = None
    info_error: Optional[str] = None
    config: dict[str, Any] = field(default_factory=dict)
    config_error: Optional[str] = None
    run: Optional[Callable[..., Any]] = None
    hardening_files: set[str] = field(default_factory=set)  # the names of the section 3 files the host has

    def get(self, path: str) -> Any:
        return engine_socket.get(self.socket, path, timeout=self.params["timeout"])


# -- the daemon ------------------------------------------------------------------------------------
def daemon_checks(host: Host, flag_clashes) -> list[dict[str, str]]:
    """Installed, running, reachable by the user, and started with a daemon.json it accepts.
    ``flag_clashes(keys)`` names daemon.json keys the service's flags set too."""
    found = []
    installed = shutil.which("dockerd") or os.path.exists("/usr/bin/dockerd")
    if not installed and not os.path.exists(host.socket):
        return [finding("daemon.not_installed", "error", "no dockerd on this host",
                        "install the engine: the dockyard.docker.engine role")]  # fmt: skip
    try:
        host.config = load(host.daemon_json)
    except ValueError as exc:
        host.config_error = str(exc)
        found.append(
            finding(
                "daemon.json_invalid",
                "error",
                str(exc),
                "fix or remove the file (dockerd will not start with it); the engine role then writes it anew",
            )
        )
    if host.config:
        for problem in problems(host.config) + insecure_everywhere(host.config):
            found.append(
                finding(
                    "daemon.json_problem",
                    "error",
                    problem,
                    "set the value through the engine role (docker_daemon_options), which checks it",
                )
            )
        for clash in flag_clashes(set(host.config)):
            found.append(
                finding(
                    "daemon.flag_clash",
                    "error",
                    clash,
                    "the engine role's service drop-in takes -H off ExecStart (docker_tls_listen)",
                )
            )
    if not os.path.exists(host.socket):
        found.append(
            finding(
                "daemon.socket_missing",
                "error",
                f"{host.socket} does not exist: the daemon is not running",
                "systemctl start docker.socket docker.service; the engine role enables and starts both",
            )
        )
        return found
    try:
        host.info = host.get("/info")
    except PermissionError:
        host.info_error = "permission denied"
    except OSError as exc:
        host.info_error = str(exc)
        found.append(
            finding(
                "daemon.not_running",
                "error",
                f"{host.socket} does not answer ({exc})",
                "systemctl restart docker; journalctl -u docker says why it stopped",
            )
        )
    found += socket_access(host)
    if host.info and not host.config_error:
        drifted = file_drift(host.daemon_json, running_settings(host.info))
        if drifted:
            found.append(
                finding(
                    "daemon.config_not_applied",
                    "warning",
                    f"daemon.json sets {', '.join(drifted)}, which the running daemon does not use",
                    "apply it: the engine role reloads or restarts as each key needs (docker_daemon_restart)",
                )
            )
    return found


def socket_access(host: Host) -> list[dict[str, str]]:
    """Whether ``user`` reaches the socket, telling "not in the group" from "added, but log in again"."""
    found = []
    status = os.stat(host.socket)
    if status.st_mode & 0o002:
        found.append(
            finding(
                "security.socket_world_writable",
                "error",
                f"{host.socket} is writable by every user (mode {status.st_mode & 0o777:o}): root for anyone",
                "chmod 660 the socket and restart docker.socket (SocketMode=0660); the engine role's unit does",
            )
        )
    user = (
        host.params["user"]
        or os.environ.get("SUDO_USER")
        or (pwd.getpwuid(os.getuid()).pw_name if os.getuid() else None)
    )
    if not user or user == "root":
        return found
    try:
        account = pwd.getpwnam(user)
        group = grp.getgrgid(status.st_gid)
    except KeyError:
        return found
    member = user in group.gr_mem or account.pw_gid == group.gr_gid
    if not member:
        # Asked about this user: an error. The one who became root: it uses sudo, which is a choice.
        severity = "error" if host.params["user"] else "info"
        found.append(
            finding(
                "daemon.socket_not_in_group",
                severity,
                f"{user} is not in the group {group.gr_name!r} that owns {host.socket}: without sudo, docker says "
                "'permission denied while trying to connect to the Docker daemon socket'",
                f"add {user} to docker_users (engine role), then log in again; or keep using sudo",
            )
        )
    elif os.getuid() == account.pw_uid and group.gr_gid not in os.getgroups():
        found.append(
            finding(
                "daemon.socket_log_in_again",
                "warning",
                f"{user} is in the group {group.gr_name!r}, but this login session started before that",
                "log out and in again (or newgrp docker); in a play, meta: reset_connection",
            )
        )
    return found


# -- the kernel and cgroups ------------------------------------------------------------------------
def kernel_config_text(release: str) -> Optional[str]:
    text = _read(f"/boot/config-{release}")
    if text is None and os.path.exists("/proc/config.gz"):
        try:
            with gzip.open("/proc/config.gz", "rt", encoding="utf-8") as handle:
                text = handle.read()
        except OSError:
            text = None
    return text


def missing_kernel_features(config_text: str) -> list[str]:
    """CONFIG_ names of KERNEL_FEATURES that the kernel configuration neither builds in nor has as a module."""
    present = set()
    for line in config_text.splitlines():
        name, _sep, value = line.partition("=")
        if value in ("y", "m"):
            present.add(name.removeprefix("CONFIG_"))
    return [name for name in KERNEL_FEATURES if name not in present]


def kernel_checks(host: Host) -> list[dict[str, str]]:
    found = []
    info = host.info or {}
    if host.info is not None:
        if not info.get("SwapLimit"):
            found.append(
                finding(
                    "kernel.swap_limit",
                    "warning",
                    "docker info: 'WARNING: No swap limit support'; --memory-swap is ignored",
                    "docker_swap_accounting: true (engine role) adds swapaccount=1 to the kernel command line",
                )
            )
        if (
            info.get("CgroupVersion") == "1"
            and info.get("CgroupDriver") == "cgroupfs"
            and os.path.isdir("/run/systemd/system")
        ):
            found.append(
                finding(
                    "cgroup.driver_mismatch",
                    "info",
                    "cgroup v1 with the cgroupfs driver under systemd (Docker's default there): two managers of the "
                    "same cgroups, which a kubelet on the systemd driver refuses",
                    "docker_daemon_options: {exec-opts: [native.cgroupdriver=systemd]} (engine role) for Kubernetes",
                )
            )
        if info.get("BridgeNfIptables") is False:
            found.append(
                finding(
                    "kernel.bridge_nf_call_iptables",
                    "warning",
                    "bridge-nf-call-iptables is off: traffic between containers on a bridge skips iptables",
                    "modprobe br_netfilter; sysctl -w net.bridge.bridge-nf-call-iptables=1 (and in /etc/sysctl.d)",
                )
            )
    forward = (_read("/proc/sys/net/ipv4/ip_forward") or "").strip()
    if forward == "0":
        found.append(
            finding(
                "kernel.ip_forward",
                "error",
                "net.ipv4.ip_forward is 0: containers on a bridge cannot reach beyond the host",
                "sysctl -w net.ipv4.ip_forward=1 and keep it in /etc/sysctl.d/; restarting docker sets it",
            )
        )
    absent = [name for name in NAMESPACES if not os.path.exists(f"/proc/self/ns/{name}")]
    if absent:
        found.append(
            finding(
                "kernel.namespaces",
                "error",
                f"no {', '.join(absent)} namespace in this kernel",
                "a kernel built with CONFIG_NAMESPACES and each namespace (see moby's check-config.sh)",
            )
        )
    config = kernel_config_text(os.uname().release)
    if config is None:
        found.append(
            finding(
                "kernel.config_unreadable",
                "info",
                "neither /boot/config-<release> nor /proc/config.gz",
                "the kernel features the engine needs were not checked",
            )
        )
    else:
        missing = missing_kernel_features(config)
        if missing:
            found.append(
                finding(
                    "kernel.features",
                    "error",
                    "the kernel lacks CONFIG_" + ", CONFIG_".join(missing),
                    "a kernel with these built in or as modules (moby's contrib/check-config.sh lists them)",
                )
            )
    return found


# -- storage ---------------------------------------------------------------------------------------
def driver_fix(root: str, driver: str, mountinfo: str) -> str:
    """Advice that works on this host: overlay2 only where the data root's filesystem can hold it (asked for on
    an overlay root, the daemon would not start); elsewhere, first a data root on a filesystem that can."""
    problem = data_root.filesystem_problem(data_root.mount_of(root, mountinfo), lambda _point: None)
    if problem:
        return (
            f"a data root overlay2 can use ({problem}): docker_data_root on an ext4 or xfs (ftype=1) disk; the engine "
            f"role moves the data and keeps {driver}, then docker_storage_driver: overlay2 starts an empty image store "
            "there (images pulled again)"
        )
    return "docker_storage_driver: overlay2 (this data root's filesystem can hold it); images must be pulled again"


def _driver_status(info: dict[str, Any], key: str) -> Optional[str]:
    return next((value for name, value in info.get("DriverStatus") or [] if name == key), None)


def image_store_finding(info: dict[str, Any], root: str) -> dict[str, str]:
    """Which image store the daemon uses and where each kind of data lives: what a backup or a move must take."""
    if data_root.in_containerd_store(info):
        images = data_root.containerd_root(_read(data_root.CONTAINERD_CONFIG))
        return finding(
            "storage.image_store",
            "info",
            f"images are in containerd's image store under {images} (snapshotter {info.get('Driver')}); containers"
            f" and volumes under the data root {root}",
            f"back up both; a data-root move (docker_data_root) does not take {images}: move it by hand",
        )
    return finding(
        "storage.image_store",
        "info",
        f"images, containers and volumes are under the data root {root} (the classic image store,"
        f" {info.get('Driver')})",
        "nothing to do; docker_daemon_options.features.containerd-snapshotter: true moves images to containerd's"
        " store (Docker 29's default), which starts empty",
    )


def storage_checks(host: Host) -> list[dict[str, str]]:
    found = []
    info = host.info or {}
    root = facts.data_root(info) or host.config.get("data-root") or "/var/lib/docker"
    where = root if os.path.exists(root) else os.path.dirname(root)
    if os.path.exists(where):
        stats = os.statvfs(where)
        for what, free, total, floor in (
            ("space", stats.f_bavail, stats.f_blocks, host.params["min_free_percent"]),
            ("inodes", stats.f_favail, stats.f_files, host.params["min_free_inodes_percent"]),
        ):
            percent = 100.0 * free / total if total else 100.0
            if percent < floor:
                severity = "error" if percent < floor / 2 else "warning"
                found.append(
                    finding(
                        f"storage.free_{what}",
                        severity,
                        f"{percent:.1f}% {what} free on the data root {root} (below {floor}%)",
                        "dockyard.docker.prune (docker system prune), or a data root on a larger disk "
                        "(docker_data_root: the engine role moves it without loss)",
                    )
                )
        mount = data_root.mount_of(where, _read("/proc/self/mountinfo") or "")
        problem = data_root.filesystem_problem(mount, lambda _point: None)  # d_type is checked below
        if problem and (info.get("Driver") or "overlay2") not in data_root.OWN_FILESYSTEM_DRIVERS:
            found.append(
                finding(
                    "storage.filesystem",
                    "error",
                    f"the data root {root} is on a filesystem the storage driver cannot use: {problem}",
                    "docker_data_root on a local ext4 or xfs (ftype=1) disk (the engine role moves the data)",
                )
            )
    if _driver_status(info, "Supports d_type") == "false":
        found.append(
            finding(
                "storage.d_type",
                "error",
                f"the data root's filesystem ({_driver_status(info, 'Backing Filesystem')}) has no d_type "
                "(xfs made with ftype=0): overlay2 misbehaves",
                "a data root on ext4, or xfs made with mkfs.xfs -n ftype=1 (docker_data_root)",
            )
        )
    if info:
        found.append(image_store_finding(info, root))
    driver = info.get("Driver")
    if driver in DEPRECATED_DRIVERS:
        seen = f"the storage driver is {driver} ({DEPRECATED_DRIVERS[driver]})"
        fix = driver_fix(root, driver, _read("/proc/self/mountinfo") or "")
        found.append(finding("storage.driver", "warning", seen, fix))
    return found


# -- registries ------------------------------------------------------------------------------------
def probe(url: str, timeout: float, ca_file: Optional[str] = None) -> tuple[Optional[int], Optional[str]]:
    """(HTTP status, None) when ``url`` answers at all (401 counts: a registry that wants a login), else
    (None, why). Not through a proxy: the daemon reaches registries directly unless told otherwise."""
    try:
        answer = open_url(url, timeout=timeout, ca_path=ca_file, use_proxy=False, follow_redirects="none")
        answer.close()
        return answer.status, None
    except urllib.error.HTTPError as exc:
        return exc.code, None
    except (urllib.error.URLError, OSError, ValueError, UrlError) as exc:
        return None, str(getattr(exc, "reason", None) or exc)


def is_insecure(registry: str, info: dict[str, Any]) -> bool:
    """Whether the daemon reaches ``registry`` (host[:port]) over plain HTTP: listed, or in an insecure CIDR."""
    config = info.get("RegistryConfig") or {}
    index = (config.get("IndexConfigs") or {}).get(registry)
    if index is not None:
        return not index.get("Secure", True)
    host = registry.rsplit(":", 1)[0].strip("[]") if registry.count(":") == 1 or registry.startswith("[") else registry
    try:
        addresses = {ipaddress.ip_address(host)}
    except ValueError:
        try:
            addresses = {ipaddress.ip_address(a[4][0]) for a in sockets.getaddrinfo(host, None)}
        except OSError:
            return False
    networks = [ipaddress.ip_network(c, strict=False) for c in config.get("InsecureRegistryCIDRs") or []]
    return any(address in network for address in addresses for network in networks)


def registry_checks(host: Host) -> list[dict[str, str]]:
    if host.info is None or not host.params["check_registries"]:
        return []
    config = host.info.get("RegistryConfig") or {}
    timeout = host.params["timeout"]
    return (
        _mirror_checks(config, timeout)
        + _insecure_checks(config, timeout)
        + _ca_checks(host.params["certs_d"], timeout)
        + _pull_checks(host, timeout)
    )


def _mirror_checks(config: dict[str, Any], timeout: float) -> list[dict[str, str]]:
    found = []
    for mirror in config.get("Mirrors") or []:
        status, why = probe(mirror.rstrip("/") + "/v2/", timeout)
        if status is None:
            found.append(
                finding(
                    "registry.mirror_unreachable",
                    "warning",
                    f"the mirror {mirror} does not answer /v2/ ({why}): pulls go to Docker Hub as if it were not there",
                    "a mirror that answers (docker_registry_mirrors), or none",
                )
            )
    return found


def _insecure_checks(config: dict[str, Any], timeout: float) -> list[dict[str, str]]:
    found = []
    listed = [name for name, index in (config.get("IndexConfigs") or {}).items() if not index.get("Secure", True)]
    for name in listed:
        secure, _why = probe(f"https://{name}/v2/", timeout)
        if secure is not None:
            found.append(
                finding(
                    "registry.insecure_needless",
                    "info",
                    f"{name} is listed as insecure, yet answers HTTPS with a certificate this host trusts",
                    f"take {name} out of docker_insecure_registries",
                )
            )
        elif probe(f"http://{name}/v2/", timeout)[0] is None:
            found.append(
                finding(
                    "registry.insecure_unreachable",
                    "warning",
                    f"the insecure registry {name} does not answer",
                    f"check the address, or take {name} out of docker_insecure_registries",
                )
            )
    return found


def _ca_checks(certs_d: str, timeout: float) -> list[dict[str, str]]:
    found = []
    for name in sorted(os.listdir(certs_d)) if os.path.isdir(certs_d) else []:
        ca = os.path.join(certs_d, name, "ca.crt")
        if os.path.isfile(ca):
            status, why = probe(f"https://{name}/v2/", timeout, ca_file=ca)
            if status is None and "CERTIFICATE_VERIFY_FAILED" in (why or ""):
                found.append(
                    finding(
                        "registry.ca_mismatch",
                        "error",
                        f"{ca} does not verify {name}'s certificate ({why}): pulls fail with 'x509'",
                        f"the CA that signed {name}'s certificate in docker_registry_ca_certs",
                    )
                )
    return found


def _pull_checks(host: Host, timeout: float) -> list[dict[str, str]]:
    """The registries the host pulls from, as the daemon will try them: HTTPS unless listed as insecure."""
    found = []
    for name in host.params["registries"]:
        if is_insecure(name, host.info or {}):
            continue
        ca = os.path.join(host.params["certs_d"], name, "ca.crt")
        secure, why = probe(f"https://{name}/v2/", timeout, ca_file=ca if os.path.isfile(ca) else None)
        if secure is None and probe(f"http://{name}/v2/", timeout)[0] is not None:
            found.append(
                finding(
                    "registry.http_only",
                    "error",
                    f"{name} answers plain HTTP only: pulls fail with 'server gave HTTP response to HTTPS client'",
                    f"TLS for {name} (its CA in docker_registry_ca_certs), or {name} in docker_insecure_registries",
                )
            )
        elif secure is None:
            found.append(
                finding(
                    "registry.unreachable",
                    "warning",
                    f"{name} does not answer /v2/ ({why})",
                    "check the address, the firewall and the proxy (docker_proxy_https)",
                )
            )
    return found


# -- security --------------------------------------------------------------------------------------
def dockerd_hosts(pid: Optional[int]) -> list[str]:
    """The -H/--host values on the running dockerd's command line."""
    return hosts_in_argv((_read(f"/proc/{pid}/cmdline") or "").split("\0") if pid else [])


def hosts_in_argv(argv: list[str]) -> list[str]:
    found = []
    for index, arg in enumerate(argv):
        if arg in ("-H", "--host") and index + 1 < len(argv):
            found.append(argv[index + 1])
        elif arg.startswith(("-H=", "--host=")):
            found.append(arg.split("=", 1)[1])
        elif arg.startswith("-H") and len(arg) > 2:
            found.append(arg[2:])
    return found


def security_checks(host: Host) -> list[dict[str, str]]:
    found = []
    pid_text = (_read("/var/run/docker.pid") or "").strip()
    hosts = list(host.config.get("hosts") or []) + dockerd_hosts(int(pid_text) if pid_text.isdigit() else None)
    for listener in exposed_without_tls(hosts, host.config):
        found.append(
            finding(
                "security.tcp_without_tls",
                "error",
                f"the Docker API listens on {listener} without client certificates: root for anyone who reaches it",
                "docker_tls_listen with the CA, certificate and key (engine role), or take the listener away",
            )
        )
    try:
        group = grp.getgrnam("docker")
        members = sorted(set(group.gr_mem) | {u.pw_name for u in pwd.getpwall() if u.pw_gid == group.gr_gid})
    except KeyError:
        members = []
    if members:
        found.append(
            finding(
                "security.docker_group",
                "info",
                f"in the docker group (root on this host, in effect): {', '.join(members)}",
                "keep docker_users to the people who need it; rootless Docker for the others",
            )
        )
    if host.info is None:
        return found
    if host.info.get("LoggingDriver") == "json-file" and "max-size" not in (host.config.get("log-opts") or {}):
        found.append(
            finding(
                "security.log_rotation",
                "warning",
                "json-file logs without max-size: a chatty container fills the disk",
                "docker_log_rotation: {max-size: 10m, max-file: '3'} (the engine role's default)",
            )
        )
    in_swarm = (host.info.get("Swarm") or {}).get("LocalNodeState", "inactive") != "inactive"
    if host.params["expect_live_restore"] and not host.info.get("LiveRestoreEnabled") and not in_swarm:
        found.append(
            finding(
                "security.live_restore",
                "warning",
                "live-restore is off: a daemon restart stops every container",
                "docker_live_restore: true (engine role)",
            )
        )
    privileged, socket_mounted = [], []
    for summary in host.get("/containers/json"):
        name = (summary.get("Names") or ["/?"])[0].lstrip("/")
        if any(m.get("Source") in DOCKER_SOCKET_PATHS for m in summary.get("Mounts") or []):
            socket_mounted.append(name)
        if host.get(f"/containers/{summary['Id']}/json").get("HostConfig", {}).get("Privileged"):
            privileged.append(name)
    if privileged:
        found.append(
            finding(
                "security.privileged_containers",
                "warning",
                f"running privileged: {', '.join(privileged)}",
                "give them the capabilities they need (cap_add, devices) instead of privileged",
            )
        )
    if socket_mounted:
        found.append(
            finding(
                "security.socket_mounted",
                "warning",
                f"the Docker socket is mounted into: {', '.join(socket_mounted)} (root on the host for them)",
                "a socket proxy that allows only the calls they need, or no socket",
            )
        )
    return found


# -- hygiene ---------------------------------------------------------------------------------------
def reclaimable(usage: dict[str, Any]) -> dict[str, tuple[int, int]]:
    """Kind -> (count, bytes) that a prune would take: dangling images, stopped containers, unused build cache."""
    images = [i for i in usage.get("Images") or [] if not [t for t in i.get("RepoTags") or [] if t != "<none>:<none>"]
              and i.get("Containers", 0) == 0]  # fmt: skip
    stopped = [c for c in usage.get("Containers") or [] if c.get("State") in ("exited", "created", "dead")]
    cache = [r for r in usage.get("BuildCache") or [] if not r.get("InUse")]
    return {
        "dangling images": (len(images), sum(i.get("Size") or 0 for i in images)),
        "stopped containers": (len(stopped), sum(c.get("SizeRw") or 0 for c in stopped)),
        "build cache": (len(cache), sum(r.get("Size") or 0 for r in cache)),
    }


def hardening_checks(host: Host) -> list[dict[str, str]]:
    """The CIS Docker Benchmark's daemon points and file owners and modes (module_utils/hardening.py) the host
    does not meet."""
    if host.info is None:
        return []
    try:  # icc as the default bridge runs with it; a daemon without that bridge (bridge: none) has none to judge
        icc = (host.get("/networks/bridge").get("Options") or {}).get("com.docker.network.bridge.enable_icc")
    except (OSError, ValueError):
        icc = None
    in_swarm = (host.info.get("Swarm") or {}).get("LocalNodeState", "inactive") != "inactive"
    p = host.params
    found = hardening.point_findings(host.config, host.info, icc, p["expect_hardening"], p["hardening_except"],
                                     in_swarm)  # fmt: skip
    # live-restore asked for on its own is security.live_restore's to report
    found = [f for f in found if not (p["expect_live_restore"] and f[0] == "hardening.live_restore")]
    observed = hardening_files(host.config, p["certs_d"])
    host.hardening_files = {point.name for point, *_seen in observed}
    found += hardening.file_findings(observed, p["expect_hardening"], p["hardening_except"])
    return [finding(*f) for f in found]


def hardening_files(config: dict[str, Any], certs_d: str) -> list[tuple[hardening.FilePoint, str, str, str, int]]:
    """(point, path, owner, group, mode) of each file of the benchmark's section 3 this host has; registry
    certificates under ``certs_d``."""
    observed = []
    for point in hardening.FILE_POINTS:
        if point.config_key:
            paths = [config[point.config_key]] if config.get(point.config_key) else []
        elif any("*" in path for path in point.paths):
            patterns = [pattern.replace(hardening.CERTS_D, certs_d, 1) for pattern in point.paths]
            paths = sorted(path for pattern in patterns for path in glob.glob(pattern))
        else:
            paths = [path for path in point.paths if os.path.exists(path)][:1]
        for path in paths:
            try:
                held = os.stat(path)
            except OSError:
                continue
            observed.append((point, path, _user(held.st_uid), _group(held.st_gid), stat.S_IMODE(held.st_mode)))
    return observed


def _user(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


def _group(gid: int) -> str:
    try:
        return grp.getgrgid(gid).gr_name
    except KeyError:
        return str(gid)


def swarm_checks(host: Host) -> list[dict[str, str]]:
    """A swarm node's pitfalls (swarm.membership_findings judges): what the engine reports, the kernel's IPVS, and
    whether the node's address is a DHCP lease."""
    if host.info is None:
        return []
    local = swarm.local_state(host.info)
    dynamic = False
    ip = shutil.which("ip")
    if local["manager"] and host.run and ip:
        _rc, listing, _err = host.run([ip, "-j", "addr", "show"])
        try:
            dynamic = swarm.dynamic_address(local["node_address"], json.loads(listing or "[]"))
        except ValueError:
            dynamic = False
    ip_vs = swarm.ip_vs_available(os.uname().release)
    return [finding(*found) for found in swarm.membership_findings(host.info, ip_vs, dynamic)]


def hygiene_checks(host: Host) -> list[dict[str, str]]:
    if host.info is None:
        return []
    found = []
    limit = host.params["reclaimable_warn_gb"] * (1 << 30)
    commands = {
        "dangling images": "images: true",
        "stopped containers": "containers: true",
        "build cache": "build_cache: true",
    }
    for kind, (count, size) in reclaimable(read_disk_usage(lambda: host.get("/system/df"))).items():
        if count:
            found.append(
                finding(
                    f"hygiene.{kind.replace(' ', '_')}",
                    "warning" if size > limit else "info",
                    f"{count} {kind}, {size / (1 << 20):.1f} MiB",
                    f"dockyard.docker.prune with {commands[kind]} (docker system prune)",
                )
            )
    return found


def summary(findings: list[dict[str, str]]) -> dict[str, int]:
    return {severity: sum(1 for f in findings if f["severity"] == severity) for severity in SEVERITIES}
