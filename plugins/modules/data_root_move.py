#!/usr/bin/python
# Copyright (c) dockyard.docker contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: data_root_move
short_description: Move Docker's data root to another directory without losing an image, container or volume
version_added: 0.3.0
description:
  - Moves what the running daemon keeps in its data root (C(docker info) C(DockerRootDir)) to O(path) and
    points C(data-root) in daemon.json there. Does nothing when the daemon already uses O(path).
  - 'Refuses, before touching anything: a target that is not empty, inside the current root or holding it; a
    target on a filesystem overlay2 cannot use (NFS, CIFS, an overlay, tmpfs, FUSE, xfs without ftype=1); a
    target without room for the data; an engine that keeps images in containerd''s store.'
  - 'The move: the running containers are stopped, then C(docker.socket) and C(docker.service) (the socket would
    start the daemon again mid-copy); the data is copied with C(cp -a) (hard links, extended attributes such as
    overlay2''s C(trusted.overlay.*), ACLs, numeric owners) and sparse files kept sparse; daemon.json gets the
    new C(data-root); the daemon starts; every image ID, container and volume it held must be there again, and the
    containers that ran are started again.'
  - 'The storage driver the daemon runs is kept (written to daemon.json when the file names none): on the new root
    the daemon might pick another one (overlay2 instead of the vfs it fell back to), which sees none of the data.'
  - If the copy fails, or the daemon does not come back, or something is missing, the previous daemon.json is
    put back, the partial copy removed, and the daemon started on the old root; the task fails naming why.
  - The old directory is kept unless O(remove_old) is set; the result says where it is.
options:
  path:
    description: The new data root, an absolute path. It may exist only as an empty directory.
    type: path
    required: true
  remove_old:
    description: Delete the old data root's contents once the daemon runs from the new one and holds everything.
    type: bool
    default: false
  service_manager:
    description: How the daemon is stopped and started.
    type: str
    choices: [systemd, openrc, sysvinit]
    default: systemd
  socket:
    description: The daemon's Unix socket.
    type: path
    default: /var/run/docker.sock
  daemon_json:
    description: The daemon's configuration file; only its C(data-root) key is changed.
    type: path
    default: /etc/docker/daemon.json
  timeout:
    description: Seconds to wait for the daemon to answer after it starts.
    type: int
    default: 120
attributes:
  check_mode:
    support: full
    description: Makes every check a move makes before it starts (room, filesystem, emptiness) and reports the move.
  diff_mode:
    support: full
    description: Shows C(data-root) before and after.
notes:
  - The daemon is down for the copy, which takes as long as C(cp) needs for the data on these disks.
  - Needs GNU C(cp) (coreutils).
extends_documentation_fragment:
  - dockyard.docker.attributes
author:
  - Dockyard maintainers (@dockyard)
"""

EXAMPLES = r"""
- name: Move Docker's data to the data disk
  dockyard.docker.data_root_move:
    path: /srv/docker
  register: moved

- name: Say where the old data is
  ansible.builtin.debug:
    msg: "{{ moved.msg }}"
"""

RETURN = r"""
moved:
  description: Whether the data was moved (or, in check mode, would be).
  returned: always
  type: bool
previous_data_root:
  description: The data root the daemon used before.
  returned: always
  type: str
data_root:
  description: The data root the daemon uses now.
  returned: always
  type: str
bytes:
  description: Disk space the data took, counted before the copy.
  returned: when moved
  type: int
held:
  description: Counts of images, containers and volumes found again after the move.
  returned: when moved
  type: dict
  sample: {images: 3, containers: 2, volumes: 1}
restarted_containers:
  description: Names of the containers that ran before the move and were started again.
  returned: when moved
  type: list
  elements: str
old_data_root_kept:
  description: Where the old data still is (null when O(remove_old) deleted it).
  returned: when moved
  type: str
stops_containers:
  description: The running containers the move stops for the copy (and starts again after it).
  returned: when moved
  type: list
  elements: str
storage_driver:
  description:
    - The storage driver the data was written with. When daemon.json names none, the move writes it there beside
      C(data-root), so that the daemon does not pick another driver on the new root and hide the data.
  returned: when moved
  type: str
"""

import json
import os
import shutil

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.dockyard.docker.plugins.module_utils import daemon_schema, data_root, engine_socket, facts
from ansible_collections.dockyard.docker.plugins.module_utils.files import replace_file

# Each step: the command, and whether it must succeed (the socket unit may not exist: static installs, OpenRC).
SERVICE_COMMANDS = {
    # The socket first: it would start the daemon again on the next request.
    "systemd": {
        "stop": [(["systemctl", "stop", "docker.socket"], False), (["systemctl", "stop", "docker.service"], True)],
        "start": [
            (["systemctl", "reset-failed", "docker.service", "docker.socket"], False),
            (["systemctl", "start", "docker.service"], True),
            (["systemctl", "start", "docker.socket"], False),
        ],
    },
    "openrc": {
        "stop": [(["rc-service", "docker", "stop"], True)],
        "start": [(["rc-service", "docker", "start"], True)],
    },
    "sysvinit": {"stop": [(["service", "docker", "stop"], True)], "start": [(["service", "docker", "start"], True)]},
}


class MoveFailed(Exception):
    """A step of the move failed; the message names it."""


class Move:
    def __init__(self, module: AnsibleModule, source: str, target: str) -> None:
        self.module, self.p = module, module.params
        self.source, self.target = source, target
        self.created_target = not os.path.exists(target)
        self.old_config = self._read_config()
        # preflight has refused a file that does not parse, before anything stopped
        self.config = daemon_schema.load(self.p["daemon_json"])

    def _read_config(self) -> bytes | None:
        try:
            with open(self.p["daemon_json"], "rb") as handle:
                return handle.read()
        except FileNotFoundError:
            return None

    def _run(self, argv: list[str], required: bool = True) -> None:
        rc, out, err = self.module.run_command(argv)
        if rc != 0 and required:
            raise MoveFailed(f"{' '.join(argv)} failed: {(err or out).strip()}")

    def service(self, action: str, required: bool = True) -> None:
        for argv, must in SERVICE_COMMANDS[self.p["service_manager"]][action]:
            self._run(argv, required=must and required)

    def stop_containers(self, running: list[str]) -> None:
        # With live-restore on, containers would outlive the daemon and keep writing to the old root.
        for cid in running:
            engine_socket.post(self.p["socket"], f"/containers/{cid}/stop?t=30", timeout=60)

    def copy(self) -> None:
        os.makedirs(self.target, mode=0o710, exist_ok=True)
        self._run(["cp", "-a", "--sparse=always", "--", os.path.join(self.source, "."), self.target])

    def switch_config(self, root: str, driver: str | None) -> None:
        config = dict(self.config, **{"data-root": root})
        # The daemon sees only the data of the driver it runs: one that picked vfs on the old root would
        # pick overlay2 on the new one and hide every copied image, container and volume.
        if driver:
            config.setdefault("storage-driver", driver)
        replace_file(self.p["daemon_json"], (json.dumps(config, indent=2) + "\n").encode(), 0o644)

    def restore(self) -> None:
        """Back to the old root: the old daemon.json, no partial copy, the daemon running."""
        self.service("stop", required=False)
        if self.old_config is None:
            if os.path.exists(self.p["daemon_json"]):
                os.unlink(self.p["daemon_json"])
        else:
            replace_file(self.p["daemon_json"], self.old_config, 0o644)
        if self.created_target:
            shutil.rmtree(self.target, ignore_errors=True)
        elif os.path.isdir(self.target):
            for entry in os.listdir(self.target):
                _remove(os.path.join(self.target, entry))
        self.service("start")
        engine_socket.info(self.p["socket"], wait=self.p["timeout"])


def _remove(path: str) -> None:
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path)
    else:
        os.unlink(path)


def move(module: AnsibleModule, info_before: dict, source: str, target: str, needed: int) -> dict:
    p = module.params
    before = data_root.read_inventory(p["socket"])
    work = Move(module, source, target)
    try:
        work.stop_containers(before.running)
        work.service("stop")
        work.copy()
        work.switch_config(target, info_before.get("Driver"))
        work.service("start")
        info = engine_socket.info(p["socket"], wait=p["timeout"])
        if os.path.realpath(facts.data_root(info) or "") != os.path.realpath(target):
            raise MoveFailed(f"the daemon started on {facts.data_root(info)}, not {target}")
        after = data_root.read_inventory(p["socket"])
        lost = data_root.missing(before, after)
        if lost:
            raise MoveFailed(f"after the copy the daemon lacks {', '.join(lost)}")
    except (MoveFailed, OSError, ValueError) as exc:
        try:
            work.restore()
        except (MoveFailed, OSError) as again:
            module.fail_json(msg=f"moving {source} to {target} failed: {exc}; putting the old root back failed too: "
                                 f"{again}. daemon.json was {work.old_config!r}")  # fmt: skip
        _start_again(p["socket"], before)
        module.fail_json(msg=f"moving {source} to {target} failed: {exc}. Nothing was lost: daemon.json is as it "
                             f"was, the partial copy is removed and the daemon runs on {source} again")  # fmt: skip
    restarted, warnings = _start_again(p["socket"], before, after)
    kept = source
    if p["remove_old"]:
        for entry in os.listdir(source):
            _remove(os.path.join(source, entry))
        kept = None
    for warning in warnings:
        module.warn(warning)
    return {"bytes": needed, "held": after.counts(), "restarted_containers": sorted(restarted),
            "old_data_root_kept": kept}  # fmt: skip


def _start_again(socket: str, before, after=None) -> tuple[list[str], list[str]]:
    """Start the containers that ran before and do not now (those without a restart policy); their
    names, and a warning for each that would not start."""
    restarted, warnings = [], []
    for cid in before.running:
        if after is not None and after.containers.get(cid):
            continue
        try:
            engine_socket.post(socket, f"/containers/{cid}/start", timeout=60)
            restarted.append(before.names[cid])
        except OSError as exc:  # 304: its restart policy already started it
            if getattr(exc, "code", None) != 304:
                warnings.append(f"container {before.names[cid]} ran before the move and did not start again: {exc}")
    return restarted, warnings


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "path": {"type": "path", "required": True},
            "remove_old": {"type": "bool", "default": False},
            "service_manager": {"type": "str", "default": "systemd", "choices": sorted(SERVICE_COMMANDS)},
            "socket": {"type": "path", "default": engine_socket.SOCKET},
            "daemon_json": {"type": "path", "default": "/etc/docker/daemon.json"},
            "timeout": {"type": "int", "default": 120},
        },
        supports_check_mode=True,
    )
    target = os.path.normpath(module.params["path"])
    if not os.path.isabs(target):
        module.fail_json(msg=f"path: {module.params['path']!r} is not an absolute path")
    try:
        info = engine_socket.info(module.params["socket"])
    except OSError as exc:
        module.fail_json(msg=f"the daemon does not answer on {module.params['socket']} ({exc}): start it; "
                             "the move reads what it holds from it")  # fmt: skip
    source = facts.data_root(info) or "/var/lib/docker"
    result = {"previous_data_root": source, "data_root": target, "moved": False}
    if os.path.realpath(source) == os.path.realpath(target):
        module.exit_json(changed=False, **result)
    problems, needed = data_root.preflight(module.run_command, info, source, target, module.params["daemon_json"])
    if problems:
        module.fail_json(msg=f"Docker's data cannot move from {source} to {target}: {'; '.join(problems)}. "
                             "Nothing was changed", problems=problems, **result)  # fmt: skip
    stops = data_root.read_inventory(module.params["socket"])
    stopped = sorted(stops.names[cid] for cid in stops.running)
    result.update(moved=True, diff={"before": {"data-root": source}, "after": {"data-root": target}},
                  stops_containers=stopped, storage_driver=info.get("Driver"))  # fmt: skip
    stopping = f", stopping the running containers {', '.join(stopped)} for the copy" if stopped else ""
    if module.check_mode:
        module.exit_json(changed=True, bytes=needed, msg=f"would move {source} to {target}{stopping}", **result)
    result.update(move(module, info, source, target, needed))
    kept = result["old_data_root_kept"]
    result["msg"] = f"moved {source} to {target}{stopping.replace('stopping', 'having stopped')}; " + (
        f"the old data is still in {kept}: delete it when you no longer need it (or set remove_old)"
        if kept
        else "the old data was removed"
    )
    module.exit_json(changed=True, **result)


if __name__ == "__main__":
    main()
