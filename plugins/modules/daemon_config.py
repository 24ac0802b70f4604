#!/usr/bin/python
# Copyright (c) dockyard.docker contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: daemon_config
short_description: Own the Docker daemon's configuration file, safely
version_added: 0.1.0
description:
  - Reads C(/etc/docker/daemon.json), sets the given keys, validates the result, and writes it
    atomically with a backup, only when its content changes.
  - Validation happens before anything is written. Each key's JSON type, the known keys (with a
    suggestion for a misspelt one) and the engine version that introduced them, URLs for registry
    mirrors, host:port or CIDR for insecure registries, IP addresses for DNS, absolute paths, a
    TCP listener without client certificates, and settings that the service definition already
    passes as flags (dockerd refuses to start when a setting is given both ways).
  - Where the installed engine has it (23.0 and later), C(dockerd --validate) checks the new file too.
  - Reports whether the change needs a daemon restart or whether a reload (SIGHUP) applies it,
    so that callers restart only when they must. The module itself never restarts the daemon.
options:
  path:
    description: The daemon configuration file.
    type: path
    default: /etc/docker/daemon.json
  settings:
    description:
      - daemon.json keys to set. Each key's value replaces what the file has for that key.
      - A key set to V(null) is removed from the file. Keys not named here are kept as they are.
      - A reload re-reads most reloadable keys only when the file names them, so removing one would
        leave its old value running. Such a key (C(registry-mirrors), C(insecure-registries),
        C(labels), C(debug), C(live-restore), C(shutdown-timeout), C(allow-nondistributable-artifacts))
        is written with its empty value (V([]), V(false), the default) instead while the file or the
        running daemon still has another value; a reload then clears it without a restart.
      - C(log-opts) values are strings to the daemon; numbers are written as strings.
    type: dict
    required: true
  exclusive:
    description:
      - Own the whole file. Keys that O(settings) does not name are removed too (with the same
        empty-value rule as a V(null)), so that a setting taken out of the task is taken off the host.
    type: bool
    default: false
  backup:
    description: Keep a timestamped copy of the previous file next to it when the file changes.
    type: bool
    default: true
  backups_kept:
    description: How many of those copies stay; older ones are removed when a new one is made.
    type: int
    default: 3
  validate:
    description: Run C(dockerd --validate) on the new content before writing it, when the engine supports it.
    type: bool
    default: true
  dockerd:
    description: The daemon binary, to learn its version and to validate with.
    type: str
    default: dockerd
  unit:
    description: The systemd unit whose command line is checked for flags that clash with the file.
    type: str
    default: docker.service
  ignore_flags_for:
    description:
      - Keys whose clashing service flags the caller removes itself, for example with a systemd
        drop-in that replaces C(ExecStart), as the engine role does for C(hosts).
    type: list
    elements: str
    default: []
  running:
    description:
      - What the running daemon shows, as M(dockyard.docker.engine_facts) returns it in C(daemon).
        With it, settings that the daemon has not applied (C(drift), C(pending_restart)) count as
        changes to apply, and C(stops_containers) names what a restart would stop.
    type: dict
    default: {}
  mode:
    description: File mode of the configuration file.
    type: raw
    default: "0644"
  allow_insecure_everywhere:
    description:
      - Take C(insecure-registries) networks that cover every address (C(0.0.0.0/0), C(::/0)) as they are, with
        a warning. Without it they are refused, since they trust every registry, Docker Hub's included, over
        plain HTTP and without certificate checks.
    type: bool
    default: false
attributes:
  check_mode:
    support: full
    description: Validates and predicts the change; writes nothing.
  diff_mode:
    support: full
    description: Shows the file before and after.
extends_documentation_fragment:
  - dockyard.docker.attributes
author:
  - Dockyard maintainers (@dockyard)
notes:
  - Needs no Docker SDK and no running daemon; the engine's version is read from C(dockerd --version).
"""

EXAMPLES = r"""
- name: Use a registry mirror, trust an internal registry, bound the logs
  dockyard.docker.daemon_config:
    settings:
      registry-mirrors: [https://mirror.example.com]
      insecure-registries: [registry.local:5000]
      log-driver: json-file
      log-opts: {max-size: 10m, max-file: 3}
  register: daemon_json
  notify: Restart docker

- name: Stop managing DNS (remove the key)
  dockyard.docker.daemon_config:
    settings:
      dns: null
"""

RETURN = r"""
config:
  description: The whole configuration as written (or, in check mode, as it would be written).
  returned: always
  type: dict
  sample: {"registry-mirrors": ["https://mirror.example.com"], "log-driver": "json-file"}
changed_keys:
  description: Top-level keys whose value changed, was added or was removed.
  returned: always
  type: list
  elements: str
  sample: [registry-mirrors]
restart_needed:
  description: Whether the daemon must restart to apply the change. False when nothing changed or a reload applies it.
  returned: always
  type: bool
reload_sufficient:
  description: Whether a reload (SIGHUP, C(systemctl reload docker)) applies every change without a restart.
  returned: always
  type: bool
backup_file:
  description: The copy of the previous file, when one was made.
  returned: when the file changed and O(backup=true) and a previous file existed
  type: str
  sample: /etc/docker/daemon.json.12345.2026-11-26@12:00:00~
apply:
  description:
    - What makes the daemon run with the new file. V(nothing), V(reload) (SIGHUP applies every key), or V(restart).
    - Counts the keys the running daemon had not applied before (O(running)), not only the file's changes.
  returned: always
  type: str
  sample: reload
apply_keys:
  description: The keys that the reload or restart applies.
  returned: always
  type: list
  elements: str
drift:
  description: Keys for which the running daemon showed another value than the file asks before this run.
  returned: always
  type: list
  elements: str
stops_containers:
  description: The running containers that a restart stops (none when live-restore is on or no restart is needed).
  returned: always
  type: list
  elements: str
engine_version:
  description: The installed engine's version, when C(dockerd) is installed.
  returned: always
  type: str
  sample: 20.10.24+dfsg1
"""

import json
import os
import tempfile

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.dockyard.docker.plugins.module_utils.daemon_schema import (
    apply_verdict,
    changed_keys,
    insecure_everywhere,
    load,
    normalize,
    planned,
    problems,
    version_tuple,
)
from ansible_collections.dockyard.docker.plugins.module_utils.files import backup, stage
from ansible_collections.dockyard.docker.plugins.module_utils.service_flags import flag_clashes

VALIDATE_SINCE = (23, 0)


def dockerd_path(module: AnsibleModule, dockerd: str) -> str | None:
    return module.get_bin_path(dockerd, opt_dirs=["/usr/sbin", "/usr/bin", "/usr/local/bin"])


def engine_version(module: AnsibleModule, dockerd: str) -> str | None:
    binary = dockerd_path(module, dockerd)
    if not binary:
        return None
    rc, out, _err = module.run_command([binary, "--version"])
    if rc != 0 or "version" not in out:
        return None
    return out.split("version", 1)[1].split(",")[0].strip()


def dockerd_validate(module: AnsibleModule, dockerd: str, config: dict) -> str | None:
    binary = dockerd_path(module, dockerd)
    handle, path = tempfile.mkstemp(prefix="daemon-json-", suffix=".json")
    try:
        with os.fdopen(handle, "w") as out:
            json.dump(config, out)
        rc, out_text, err = module.run_command([binary, "--validate", f"--config-file={path}"])
    finally:
        os.unlink(path)
    return None if rc == 0 else (err or out_text).strip()


def render(config: dict) -> str:
    return json.dumps(config, indent=2) + "\n" if config else "{}\n"


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "path": {"type": "path", "default": "/etc/docker/daemon.json"},
            "settings": {"type": "dict", "required": True},
            "exclusive": {"type": "bool", "default": False},
            "backup": {"type": "bool", "default": True},
            "backups_kept": {"type": "int", "default": 3},
            "validate": {"type": "bool", "default": True},
            "dockerd": {"type": "str", "default": "dockerd"},
            "unit": {"type": "str", "default": "docker.service"},
            "ignore_flags_for": {"type": "list", "elements": "str", "default": []},
            "running": {"type": "dict", "default": {}},
            "mode": {"type": "raw", "default": "0644"},
            "allow_insecure_everywhere": {"type": "bool", "default": False},
        },
        supports_check_mode=True,
    )
    params = module.params
    path = params["path"]
    version = engine_version(module, params["dockerd"])

    # Validate the keys the task sets before reading or touching anything else.
    wanted = normalize({k: v for k, v in params["settings"].items() if v is not None})
    found = problems(wanted, version)
    everywhere = insecure_everywhere(wanted)
    if params["allow_insecure_everywhere"]:
        for reason in everywhere:
            module.warn(f"{reason} (allowed by allow_insecure_everywhere)")
    else:
        found += [f"{reason}; allow_insecure_everywhere: true takes it as it is" for reason in everywhere]
    try:
        current = load(path)
    except ValueError as exc:
        module.fail_json(msg=f"{exc}; fix or remove it, nothing was changed")
    running = params["running"].get("running_settings") or {}
    config = planned(current, params["settings"], params["exclusive"], running)
    found += flag_clashes(module, params["unit"], set(config), set(params["ignore_flags_for"]))
    if found:
        module.fail_json(msg="daemon.json not changed: " + "; ".join(found), problems=found)

    changed = changed_keys(current, config)
    action, apply_keys, drifted = apply_verdict(
        changed, config, running, params["running"].get("pending_restart") or []
    )
    stops = [] if action != "restart" or running.get("live-restore") else params["running"].get("running_containers")
    result = {
        "changed": bool(changed) or not os.path.exists(path),
        "config": config,
        "changed_keys": changed,
        "restart_needed": action == "restart",
        "reload_sufficient": action == "reload",
        "apply": action,
        "apply_keys": apply_keys,
        "drift": drifted,
        "stops_containers": stops or [],
        "engine_version": version,
    }
    if module._diff:
        result["diff"] = {
            "before": render(current) if os.path.exists(path) else "",
            "after": render(config),
            "before_header": path,
            "after_header": path,
        }
    if not result["changed"] or module.check_mode:
        module.exit_json(**result)

    if params["validate"] and version and version_tuple(version) >= VALIDATE_SINCE:
        error = dockerd_validate(module, params["dockerd"], config)
        if error:
            module.fail_json(msg=f"daemon.json not changed: dockerd --validate refused it: {error}", **result)

    directory = os.path.dirname(path)
    if not os.path.isdir(directory):
        os.makedirs(directory, 0o755)
    try:
        if params["backup"] and os.path.exists(path):
            result["backup_file"] = backup(path, params["backups_kept"])
        # Staged and renamed: a full disk fails here and leaves the old file (and no empty one) in place.
        staged = stage(directory, ".daemon.json.", [render(config).encode("utf-8")])
    except OSError as exc:
        module.fail_json(msg=f"daemon.json not changed: cannot write in {directory}: {exc.strerror}", **result)
    module.atomic_move(staged, path)
    mode = params["mode"]
    module.set_mode_if_different(path, mode, False)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
