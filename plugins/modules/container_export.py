#!/usr/bin/python
# Copyright (c) dockyard.docker contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: container_export
short_description: Export a container's filesystem to a tarball, as C(docker export) does
version_added: 0.1.0
description:
  - Writes the filesystem of O(container) to O(path) on the target, to be imported elsewhere with
    M(dockyard.docker.image_import).
  - Only the files travel. Image history, layers, C(CMD), C(ENTRYPOINT), C(ENV) and other metadata are not
    kept, and the contents of volumes are not included.
  - An existing tarball with the same content is not rewritten.
options:
  container:
    description: The container, by name or ID.
    type: str
    required: true
  path:
    description: The tarball to write.
    type: path
    required: true
  mode:
    description: File mode of the tarball.
    type: raw
    default: "0644"
extends_documentation_fragment:
  - dockyard.docker.docker
  - dockyard.docker.attributes
  - dockyard.docker.attributes.actiongroup_docker
attributes:
  check_mode:
    support: full
    description: Exports to a temporary file to compare; O(path) is not touched.
  diff_mode:
    support: none
    description: RV(sha256) identifies the content.
author:
  - Dockyard maintainers (@dockyard)
"""

EXAMPLES = r"""
- name: Flatten the container's files for another host
  dockyard.docker.container_export:
    container: web
    path: /srv/export/web-rootfs.tar
"""

RETURN = r"""
sha256:
  description: SHA-256 of the tarball.
  returned: success
  type: str
"""

import os

from ansible_collections.dockyard.docker.plugins.module_utils.client import DockerModule, NotFound, TaskError
from ansible_collections.dockyard.docker.plugins.module_utils.files import stage
from ansible_collections.dockyard.docker.plugins.module_utils.images import (
    ARCHIVE_ARGS,
    archive_directory,
    file_sha256,
    replace_unless_same,
)


def main() -> None:
    dm = DockerModule(
        argument_spec={"container": {"type": "str", "required": True}, **ARCHIVE_ARGS},
        supports_check_mode=True,
    )
    p, module = dm.params, dm.module
    with dm.failing():
        directory = archive_directory(p["path"])
    client = dm.client
    with dm.failing():
        try:
            exported = client.export(p["container"])
        except NotFound:
            raise TaskError(f"container: no container {p['container']!r} on this host") from None
        staged = stage(directory, ".container-export-", exported)
    digest = file_sha256(staged)
    same = os.path.exists(p["path"]) and file_sha256(p["path"]) == digest
    dm.exit(changed=replace_unless_same(module, staged, p["path"], p["mode"], same), sha256=digest)


if __name__ == "__main__":
    main()
