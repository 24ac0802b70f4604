#!/usr/bin/python
# Copyright (c) dockyard.docker contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: image_load
short_description: Load images from a C(docker save) archive, as C(docker load) does
version_added: 0.1.0
description:
  - Loads the archive O(path) on the target and reports the names it restored.
  - When every image in the archive is already on the host under the names the archive records,
    nothing is loaded and nothing changes.
options:
  path:
    description: The archive to load.
    type: path
    required: true
extends_documentation_fragment:
  - dockyard.docker.docker
  - dockyard.docker.attributes
  - dockyard.docker.attributes.actiongroup_docker
attributes:
  check_mode:
    support: full
    description: Reads the archive's manifest to predict the change.
  diff_mode:
    support: none
    description: RV(loaded) says what came.
author:
  - Dockyard maintainers (@dockyard)
"""

EXAMPLES = r"""
- name: Bring the release onto the offline host
  dockyard.docker.image_load:
    path: /srv/images/app-1.2.tar
"""

RETURN = r"""
images:
  description:
    - What the archive holds, image IDs with the tags it records. C(id) is the config digest (the ID in the classic
      store); C(ids) adds the digests of the manifests and indexes that lead to it (one of them is the ID in the
      containerd image store).
  returned: always
  type: list
  elements: dict
loaded:
  description: The names (or, for untagged images, IDs) the daemon reported loading.
  returned: always
  type: list
  elements: str
  sample: ["registry.local:5000/team/app:1.2"]
"""

import os

from ansible_collections.dockyard.docker.plugins.module_utils.client import DockerModule
from ansible_collections.dockyard.docker.plugins.module_utils.images import (
    archive_manifest,
    find_image,
    same_image,
    shown,
)


def present(client, image: dict) -> bool:
    """Every tag names this image (see same_image: either image store)."""
    if not image["tags"]:
        return any(find_image(client, digest) is not None for digest in image["ids"])
    return all(same_image(find_image(client, tag), image) for tag in image["tags"])


def main() -> None:
    dm = DockerModule(argument_spec={"path": {"type": "path", "required": True}}, supports_check_mode=True)
    p, module = dm.params, dm.module
    if not os.path.isfile(p["path"]):
        module.fail_json(msg=f"path: {p['path']} does not exist")
    try:
        images = archive_manifest(p["path"])
    except (OSError, ValueError, KeyError) as exc:
        module.fail_json(msg=f"path: {p['path']} is not a docker save archive ({exc})")
    client = dm.client
    loaded = []
    with dm.failing():
        if all(present(client, image) for image in images):
            dm.exit(changed=False, images=shown(images), loaded=[])
        if module.check_mode:
            dm.exit(changed=True, images=shown(images), loaded=[])
        with open(p["path"], "rb") as archive:
            for line in client.load_image(archive):
                text = line.get("stream", "") if isinstance(line, dict) else ""
                if "error" in (line if isinstance(line, dict) else {}):
                    module.fail_json(msg=f"loading {p['path']} failed: {line['error']}")
                for prefix in ("Loaded image: ", "Loaded image ID: "):
                    if text.startswith(prefix):
                        loaded.append(text[len(prefix) :].strip())
    dm.exit(changed=True, images=shown(images), loaded=loaded)


if __name__ == "__main__":
    main()
