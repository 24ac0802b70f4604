#!/usr/bin/python
# Copyright (c) dockyard.docker contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: htpasswd
short_description: Keep the users of an htpasswd file, bcrypt-hashed, as a registry reads them
version_added: 0.3.0
description:
  - Writes O(users) into the htpasswd file O(path) with bcrypt hashes, the only kind the registry (distribution)
    accepts.
  - A user whose stored hash already matches the password keeps it, so a re-run changes nothing (bcrypt salts
    every hash afresh; rehashing would change the file on every run).
  - With O(exclusive=true), users not listed are removed.
  - Passwords never appear in the output, the diff or the logs.
requirements:
  - bcrypt (the C(python3-bcrypt) package) on the target
options:
  path:
    description: The htpasswd file. Written mode O(mode), in one rename.
    type: path
    required: true
  users:
    description: The users, each with C(name) and C(password).
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description: The user name (no colon).
        type: str
        required: true
      password:
        description: The password. Never logged.
        type: str
        required: true
  exclusive:
    description: Remove users the file has and O(users) does not name.
    type: bool
    default: true
  mode:
    description: Permissions of the file. The registry reads it as root; nobody else needs to.
    type: raw
    default: "0600"
  rounds:
    description: bcrypt cost factor for new hashes.
    type: int
    default: 10
attributes:
  check_mode:
    support: full
    description: Reports which users would be added, changed or removed.
  diff_mode:
    support: full
    description: Shows the user names before and after, never hashes or passwords.
extends_documentation_fragment:
  - dockyard.docker.attributes
author:
  - Dockyard maintainers (@dockyard)
"""

EXAMPLES = r"""
- name: Users of the private registry
  dockyard.docker.htpasswd:
    path: /etc/docker-registry/auth/htpasswd
    users:
      - name: ci
        password: "{{ vault_ci_password }}"
      - name: deploy
        password: "{{ vault_deploy_password }}"
"""

RETURN = r"""
added:
  description: Users added.
  returned: always
  type: list
  elements: str
changed_users:
  description: Users whose password changed.
  returned: always
  type: list
  elements: str
removed:
  description: Users removed (with O(exclusive)).
  returned: always
  type: list
  elements: str
checksum:
  description:
    - SHA-256 of the file after the task, a fingerprint to restart a service on.
    - Null in check mode when the file would change.
  returned: always
  type: str
"""

import hashlib
import os
import traceback

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.dockyard.docker.plugins.module_utils.files import replace_file

try:
    import bcrypt

    BCRYPT_ERROR = None
except ImportError:  # pragma: no cover - exercised on targets without it
    bcrypt = None
    BCRYPT_ERROR = traceback.format_exc()


def read_entries(path: str) -> dict[str, str]:
    try:
        with open(path, encoding="utf-8") as handle:
            lines = handle.read().splitlines()
    except FileNotFoundError:
        return {}
    entries = {}
    for line in lines:
        if ":" in line and not line.startswith("#"):
            name, hashed = line.split(":", 1)
            entries[name] = hashed
    return entries


def matches(password: str, hashed: str) -> bool:
    """Whether ``hashed`` is a bcrypt hash of ``password`` (any other kind never matches)."""
    if not hashed.startswith(("$2a$", "$2b$", "$2y$")):
        return False
    try:
        return bcrypt.checkpw(password.encode(), hashed.encode())
    except ValueError:
        return False


def checksum(path: str) -> str | None:
    try:
        with open(path, "rb") as handle:
            return hashlib.sha256(handle.read()).hexdigest()
    except FileNotFoundError:
        return None


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "path": {"type": "path", "required": True},
            "users": {
                "type": "list",
                "elements": "dict",
                "required": True,
                "options": {
                    "name": {"type": "str", "required": True},
                    "password": {"type": "str", "required": True, "no_log": True},
                },
            },
            "exclusive": {"type": "bool", "default": True},
            "mode": {"type": "raw", "default": "0600"},
            "rounds": {"type": "int", "default": 10},
        },
        supports_check_mode=True,
    )
    if bcrypt is None and module.check_mode and not os.path.exists(module.params["path"]):
        # A fresh host in check mode: the library comes with the run that writes the file.
        names = [user["name"] for user in module.params["users"]]
        module.exit_json(changed=True, added=names, changed_users=[], removed=[], checksum=None)
    if bcrypt is None:
        module.fail_json(
            msg=missing_required_lib("bcrypt", reason="to hash registry passwords"), exception=BCRYPT_ERROR
        )
    p = module.params
    names = [user["name"] for user in p["users"]]
    for index, name in enumerate(names):
        if not name or ":" in name or "\n" in name:
            module.fail_json(msg=f"users[{index}].name: {name!r} is not a user name (no colon, not empty)")
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        module.fail_json(msg=f"users: {', '.join(duplicates)} listed more than once")
    if not os.path.isdir(os.path.dirname(p["path"]) or "."):
        module.fail_json(msg=f"path: the directory of {p['path']} does not exist")
    try:
        mode = int(str(p["mode"]), 8)
    except ValueError:
        module.fail_json(msg=f"mode: {p['mode']!r} is not an octal mode such as 0600")

    before = read_entries(p["path"])
    after: dict[str, str] = {} if p["exclusive"] else dict(before)
    result = {"added": [], "changed_users": [], "removed": []}
    for user in p["users"]:
        name, password = user["name"], user["password"]
        if name in before and matches(password, before[name]):
            after[name] = before[name]
            continue
        result["changed_users" if name in before else "added"].append(name)
        after[name] = (
            "" if module.check_mode else bcrypt.hashpw(password.encode(), bcrypt.gensalt(p["rounds"])).decode()
        )
    result["removed"] = sorted(set(before) - set(after))
    changed = bool(result["added"] or result["changed_users"] or result["removed"])
    loose = os.path.exists(p["path"]) and os.stat(p["path"]).st_mode & 0o777 != mode
    if (changed or loose) and not module.check_mode:
        text = "".join(f"{name}:{hashed}\n" for name, hashed in after.items())
        replace_file(p["path"], text.encode("utf-8"), mode)
    diff = {"before": {"users": sorted(before)}, "after": {"users": sorted(after)}}
    result["checksum"] = None if module.check_mode and changed else checksum(p["path"])
    module.exit_json(changed=changed or loose, diff=diff, **result)


if __name__ == "__main__":
    main()
