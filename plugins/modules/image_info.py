#!/usr/bin/python
# Copyright (c) dockyard.docker contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: image_info
short_description: Inspect images by name, or list them with filters
version_added: 0.1.0
description:
  - With O(names), inspects each; names that are not on the host are listed in RV(missing), not an error.
  - Without O(names), lists the images that match O(filters), as C(docker images --filter) does.
  - Read-only.
options:
  names:
    description: Images to inspect, by reference or ID.
    type: list
    elements: str
  filters:
    description:
      - Filters as C(docker images --filter) takes them, for example C(dangling=true) or C(label=team=web)
        written as a mapping.
    type: dict
  history:
    description: Add each image's layer history (C(docker history)) to RV(images).
    type: bool
    default: false
extends_documentation_fragment:
  - dockyard.docker.docker
  - dockyard.docker.attributes
  - dockyard.docker.attributes.actiongroup_docker
  - dockyard.docker.attributes.info_module
author:
  - Dockyard maintainers (@dockyard)
"""

EXAMPLES = r"""
- name: Which version of the app is here?
  dockyard.docker.image_info:
    names: [registry.local:5000/team/app:1.2]
  register: app_image

- name: Dangling images
  dockyard.docker.image_info:
    filters:
      dangling: true
"""

RETURN = r"""
images:
  description: The images found, summarised.
  returned: always
  type: list
  elements: dict
  sample: [{"id": "sha256:4a8...", "tags": ["app:1.2"], "digests": [], "size": 1990000, "cmd": ["sh"]}]
missing:
  description: The O(names) that are not on the host.
  returned: always
  type: list
  elements: str
"""

from ansible_collections.dockyard.docker.plugins.module_utils.client import DockerModule
from ansible_collections.dockyard.docker.plugins.module_utils.images import find_image, image_summary


def main() -> None:
    dm = DockerModule(
        argument_spec={
            "names": {"type": "list", "elements": "str"},
            "filters": {"type": "dict"},
            "history": {"type": "bool", "default": False},
        },
        mutually_exclusive=[("names", "filters")],
        supports_check_mode=True,
    )
    params = dm.params
    client = dm.client
    images, missing = [], []
    with dm.failing():
        if params["names"] is not None:
            for name in params["names"]:
                found = find_image(client, name)
                if found is None:
                    missing.append(name)
                else:
                    images.append(found)
        else:
            images = [client.inspect_image(i["Id"]) for i in client.images(filters=params["filters"] or None)]
        summaries = [image_summary(i) for i in images]
        if params["history"]:
            for summary in summaries:
                summary["history"] = client.history(summary["id"])
    dm.exit(changed=False, images=summaries, missing=missing)


if __name__ == "__main__":
    main()
