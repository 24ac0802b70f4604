#!/usr/bin/python
# Copyright (c) dockyard.docker contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: image_save
short_description: Save images to a tar archive, as C(docker save) does
version_added: 0.1.0
description:
  - Writes the images O(names) name into the archive O(path) on the target, for M(dockyard.docker.image_load)
    on a host that cannot reach the registry.
  - What the archive records follows Docker. Saving by C(repo:tag) records that tag, saving by C(repo) records
    all its tags, and saving by image ID records no tag at all (the loaded image is then nameless).
  - An archive that already holds the same images under the same names is not rewritten.
options:
  names:
    description: Images to save, by C(repo:tag), C(repo) or ID.
    type: list
    elements: str
    required: true
  path:
    description: The archive to write.
    type: path
    required: true
  mode:
    description: File mode of the archive.
    type: raw
    default: "0644"
extends_documentation_fragment:
  - dockyard.docker.docker
  - dockyard.docker.attributes
  - dockyard.docker.attributes.actiongroup_docker
attributes:
  check_mode:
    support: full
    description: Saves to a temporary file to compare; O(path) is not touched.
  diff_mode:
    support: none
    description: RV(images) lists what the archive holds.
author:
  - Dockyard maintainers (@dockyard)
"""

EXAMPLES = r"""
- name: Save the release for an offline host
  dockyard.docker.image_save:
    names: [registry.local:5000/team/app:1.2]
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
  sample: [{"id": "sha256:4a8...", "tags": ["registry.local:5000/team/app:1.2"]}]
"""

import os

from ansible_collections.dockyard.docker.plugins.module_utils.client import (
    DockerModule,
    engine_request,
)
from ansible_collections.dockyard.docker.plugins.module_utils.files import stage
from ansible_collections.dockyard.docker.plugins.module_utils.images import (
    ARCHIVE_ARGS,
    archive_directory,
    archive_manifest,
    find_image,
    replace_unless_same,
    shown,
)


def main() -> None:
    dm = DockerModule(
        argument_spec={"names": {"type": "list", "elements": "str", "required": True}, **ARCHIVE_ARGS},
        supports_check_mode=True,
    )
    p, module = dm.params, dm.module
    with dm.failing():
        directory = archive_directory(p["path"])
    client = dm.client
    with dm.failing():
        missing = [name for name in p["names"] if find_image(client, name) is None]
        if missing:
            module.fail_json(msg=f"names: {missing} are not on this host; pull or build them first")
        # The SDK saves one name at a time; the API takes several, as `docker save a b` does.
        response = engine_request(client, "GET", "/images/get", params={"names": p["names"]}, stream=True)
        staged = stage(directory, ".image-save-", response.iter_content(chunk_size=1 << 20))
    images = archive_manifest(staged)
    same = os.path.exists(p["path"]) and _holds(p["path"], images)
    dm.exit(changed=replace_unless_same(module, staged, p["path"], p["mode"], same), images=shown(images))


def _holds(path: str, images: list) -> bool:
    try:
        return sorted(archive_manifest(path), key=lambda i: i["id"]) == sorted(images, key=lambda i: i["id"])
    except (OSError, ValueError, KeyError):
        return False


if __name__ == "__main__":
    main()
