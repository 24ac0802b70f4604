#!/usr/bin/python
# Copyright (c) dockyard.docker contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: image_remove
short_description: Remove an image name, or the image, as C(docker rmi) does
version_added: 0.1.0
description:
  - Removing a name of an image that has other names only removes that name (untags); the image stays.
    Removing its last name, or removing it by ID, deletes the image.
  - An image that a container uses is not deleted unless O(force=true); the error names the containers.
  - An image that is not there is not an error.
options:
  name:
    description: The image, by reference or ID.
    type: str
    required: true
  force:
    description: Delete the image even when containers use it, and remove every name when O(name) is an ID.
    type: bool
    default: false
extends_documentation_fragment:
  - dockyard.docker.docker
  - dockyard.docker.attributes
  - dockyard.docker.attributes.actiongroup_docker
attributes:
  check_mode:
    support: full
    description: Predicts whether the name or the image would go.
  diff_mode:
    support: none
    description: RV(untagged) and RV(deleted) say what went.
author:
  - Dockyard maintainers (@dockyard)
"""

EXAMPLES = r"""
- name: Drop the old name, keep the image under its others
  dockyard.docker.image_remove:
    name: registry.local:5000/team/app:1.1

- name: Delete the image even though a stopped container still uses it
  dockyard.docker.image_remove:
    name: app:1.1
    force: true
"""

RETURN = r"""
untagged:
  description: The names removed.
  returned: always
  type: list
  elements: str
deleted:
  description: The image IDs deleted.
  returned: always
  type: list
  elements: str
"""

from ansible_collections.dockyard.docker.plugins.module_utils.client import DockerModule
from ansible_collections.dockyard.docker.plugins.module_utils.image_ref import ImageReferenceError, parse
from ansible_collections.dockyard.docker.plugins.module_utils.images import find_image


def main() -> None:
    dm = DockerModule(
        argument_spec={"name": {"type": "str", "required": True}, "force": {"type": "bool", "default": False}},
        supports_check_mode=True,
    )
    params, module = dm.params, dm.module
    name = params["name"]
    by_id = name.startswith("sha256:") or (len(name) >= 12 and all(c in "0123456789abcdef" for c in name))
    if not by_id:
        try:
            name = parse(name)["full"]
        except ImageReferenceError as exc:
            module.fail_json(msg=f"name: {exc}")
    client = dm.client
    with dm.failing():
        image = find_image(client, name)
        if image is None:
            dm.exit(changed=False, untagged=[], deleted=[])
        last_name = by_id or len(image.get("RepoTags") or []) <= 1
        users = client.containers(all=True, filters={"ancestor": image["Id"]}) if last_name else []
        if users and not params["force"]:
            names = ", ".join(sorted(c["Names"][0].lstrip("/") for c in users))
            module.fail_json(
                msg=f"{params['name']} is used by the container(s) {names}; remove them first or set force: true"
            )
        if module.check_mode:
            dm.exit(changed=True, untagged=[] if by_id else [name], deleted=[image["Id"]] if last_name else [])
        answer = client.remove_image(name, force=params["force"]) or []
    dm.exit(
        changed=True,
        untagged=[entry["Untagged"] for entry in answer if "Untagged" in entry],
        deleted=[entry["Deleted"] for entry in answer if "Deleted" in entry],
    )


if __name__ == "__main__":
    main()
