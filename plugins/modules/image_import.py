#!/usr/bin/python
# Copyright (c) dockyard.docker contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: image_import
short_description: Make an image from a filesystem tarball, as C(docker import) does
version_added: 0.1.0
description:
  - Imports the tarball O(path) on the target, or the one at O(url), as a one-layer image named O(name),
    with Dockerfile-style O(changes) (C(CMD), C(ENTRYPOINT), C(ENV)...).
  - An imported image has no history and none of the metadata of the image the files came from; give the
    C(CMD) or C(ENTRYPOINT) it needs in O(changes).
  - From a O(path), the image records the tarball's SHA-256 (label C(dockyard.import.sha256)), and an image
    already imported from the same content under O(name) is left alone. From a O(url), the import happens
    only when O(name) does not exist yet, or with O(force=true).
options:
  path:
    description: The tarball on the target.
    type: path
  url:
    description: A URL the daemon downloads the tarball from.
    type: str
  name:
    description: The image to create, C([registry/]name[:tag]). No tag means C(latest).
    type: str
    required: true
  changes:
    description: Dockerfile instructions to apply, like C(CMD ["sh"]).
    type: list
    elements: str
    default: []
  force:
    description: Import from O(url) even when O(name) exists.
    type: bool
    default: false
extends_documentation_fragment:
  - dockyard.docker.docker
  - dockyard.docker.attributes
  - dockyard.docker.attributes.actiongroup_docker
attributes:
  check_mode:
    support: full
    description: Predicts the import from the tarball's hash (O(path)) or the name's existence (O(url)).
  diff_mode:
    support: none
    description: RV(image_id) names the image.
author:
  - Dockyard maintainers (@dockyard)
"""

EXAMPLES = r"""
- name: Import an exported filesystem as an image that runs a shell
  dockyard.docker.image_import:
    path: /srv/export/web-rootfs.tar
    name: team/web-flat:1
    changes:
      - CMD ["sh"]
"""

RETURN = r"""
image_id:
  description: The ID of the image O(name) points to after the task.
  returned: success and not in check mode
  type: str
sha256:
  description: SHA-256 of the tarball, for O(path).
  returned: when O(path) is given
  type: str
"""

import os

from ansible_collections.dockyard.docker.plugins.module_utils.client import DockerModule
from ansible_collections.dockyard.docker.plugins.module_utils.images import checked_reference, file_sha256, find_image

HASH_LABEL = "dockyard.import.sha256"


def main() -> None:
    dm = DockerModule(
        argument_spec={
            "path": {"type": "path"},
            "url": {"type": "str"},
            "name": {"type": "str", "required": True},
            "changes": {"type": "list", "elements": "str", "default": []},
            "force": {"type": "bool", "default": False},
        },
        required_one_of=[("path", "url")],
        mutually_exclusive=[("path", "url")],
        supports_check_mode=True,
    )
    p, module = dm.params, dm.module
    with dm.failing():
        ref = checked_reference(p["name"])
    digest = None
    if p["path"]:
        if not os.path.isfile(p["path"]):
            module.fail_json(msg=f"path: {p['path']} does not exist")
        digest = file_sha256(p["path"])
    client = dm.client
    existing = find_image(client, ref["full"])
    labels = ((existing or {}).get("Config") or {}).get("Labels") or {}
    if existing and (labels.get(HASH_LABEL) == digest if digest else not p["force"]):
        dm.exit(changed=False, image_id=existing["Id"], sha256=digest)
    if module.check_mode:
        dm.exit(changed=True, sha256=digest)
    changes = [*p["changes"], *([f"LABEL {HASH_LABEL}={digest}"] if digest else [])]
    with dm.failing():
        if p["path"]:
            answer = client.import_image_from_file(p["path"], repository=ref["name"], tag=ref["tag"], changes=changes)
        else:
            answer = client.import_image_from_url(p["url"], repository=ref["name"], tag=ref["tag"], changes=changes)
        after = find_image(client, ref["full"])
    if after is None:
        module.fail_json(msg=f"importing into {ref['full']} failed: {answer}")
    dm.exit(changed=True, image_id=after["Id"], sha256=digest)


if __name__ == "__main__":
    main()
