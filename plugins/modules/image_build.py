#!/usr/bin/python
# Copyright (c) dockyard.docker contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: image_build
short_description: Build an image from a Dockerfile directory, changed only when the image ID changes
version_added: 0.1.0
description:
  - Builds the directory O(path) on the target (the build context; keep it small, or use a C(.dockerignore))
    and names the result O(name).
  - The build runs every time and uses the daemon's layer cache, so an unchanged context gives the same
    image ID. The task reports a change only when O(name) now points to a different image ID.
options:
  path:
    description: The build context directory on the target.
    type: path
    required: true
  name:
    description: The name to give the image, C([registry/]name[:tag]). No tag means C(latest).
    type: str
    required: true
  dockerfile:
    description: The Dockerfile, relative to O(path).
    type: str
    default: Dockerfile
  build_args:
    description: Build-time variables (C(ARG) in the Dockerfile).
    type: dict
    default: {}
  target:
    description: The stage of a multi-stage Dockerfile to build.
    type: str
  labels:
    description: Labels to set on the image.
    type: dict
    default: {}
  nocache:
    description: Build without the layer cache. The image ID then changes on every build.
    type: bool
    default: false
  pull:
    description: Pull newer versions of the base images first.
    type: bool
    default: false
extends_documentation_fragment:
  - dockyard.docker.docker
attributes:
  check_mode:
    support: partial
    description: Does not build.
    details: Without building, a change is predicted only when O(name) does not exist yet.
  diff_mode:
    support: none
    description: RV(old_id) and RV(image_id) say what changed.
author:
  - Dockyard maintainers (@dockyard)
"""

EXAMPLES = r"""
- name: Build the app
  dockyard.docker.image_build:
    path: /srv/app
    name: registry.local:5000/team/app:1.2
    build_args:
      VERSION: "1.2"
    labels:
      org.opencontainers.image.revision: "{{ git_sha }}"
"""

RETURN = r"""
image_id:
  description: The ID of the built image.
  returned: success and not in check mode
  type: str
old_id:
  description: The ID O(name) pointed to before; null when it did not exist.
  returned: always
  type: str
log:
  description: The build's output lines.
  returned: success and not in check mode
  type: list
  elements: str
"""

import os

from ansible_collections.dockyard.docker.plugins.module_utils.client import DockerModule, TaskError
from ansible_collections.dockyard.docker.plugins.module_utils.images import (
    APIError,
    StreamError,
    checked_reference,
    consume,
    find_image,
)


def main() -> None:
    dm = DockerModule(
        argument_spec={
            "path": {"type": "path", "required": True},
            "name": {"type": "str", "required": True},
            "dockerfile": {"type": "str", "default": "Dockerfile"},
            "build_args": {"type": "dict", "default": {}},
            "target": {"type": "str"},
            "labels": {"type": "dict", "default": {}},
            "nocache": {"type": "bool", "default": False},
            "pull": {"type": "bool", "default": False},
        },
        supports_check_mode=True,
    )
    p, module = dm.params, dm.module
    with dm.failing():
        ref = checked_reference(p["name"])
    dockerfile = os.path.join(p["path"], p["dockerfile"])
    if not os.path.isfile(dockerfile):
        module.fail_json(msg=f"dockerfile: {dockerfile} does not exist")
    client = dm.client
    with dm.failing():
        try:
            before = find_image(client, ref["full"])
            old_id = before and before["Id"]
            if module.check_mode:
                dm.exit(changed=before is None, old_id=old_id)
            stream = client.build(
                path=p["path"],
                dockerfile=p["dockerfile"],
                tag=ref["full"],
                buildargs={k: str(v) for k, v in p["build_args"].items()},
                target=p["target"],
                labels={k: str(v) for k, v in p["labels"].items()},
                nocache=p["nocache"],
                pull=p["pull"],
                rm=True,
                forcerm=True,
                decode=True,
            )
            lines = consume(stream)
            after = find_image(client, ref["full"])
        except (StreamError, APIError) as exc:
            raise TaskError(f"building {ref['full']} failed: {getattr(exc, 'explanation', None) or exc}") from None
    log = [line["stream"].rstrip("\n") for line in lines if line.get("stream", "").strip()]
    dm.exit(changed=after["Id"] != old_id, image_id=after["Id"], old_id=old_id, log=log)


if __name__ == "__main__":
    main()
