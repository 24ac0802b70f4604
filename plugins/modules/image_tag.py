#!/usr/bin/python
# Copyright (c) dockyard.docker contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: image_tag
short_description: Give an image more names, as C(docker tag) does
version_added: 0.1.0
description:
  - Points each of O(targets) at the image O(source) names, for example to push it to a private
    registry under C(registry-host:port/namespace/name:tag).
  - A target that already points at that image is left alone; one that points at another image is moved.
options:
  source:
    description: The image to tag, by reference or ID.
    type: str
    required: true
  targets:
    description: The names to give it. No tag means C(latest).
    type: list
    elements: str
    required: true
extends_documentation_fragment:
  - dockyard.docker.docker
  - dockyard.docker.attributes
  - dockyard.docker.attributes.actiongroup_docker
attributes:
  check_mode:
    support: full
    description: Predicts which targets would be tagged.
  diff_mode:
    support: none
    description: RV(tagged) says which names moved.
author:
  - Dockyard maintainers (@dockyard)
"""

EXAMPLES = r"""
- name: Name the image for the private registry
  dockyard.docker.image_tag:
    source: app:1.2
    targets:
      - registry.local:5000/team/app:1.2
      - registry.local:5000/team/app:latest
"""

RETURN = r"""
image_id:
  description: The ID of the image the targets now name.
  returned: always
  type: str
tagged:
  description: The targets that were added or moved (normalised references).
  returned: always
  type: list
  elements: str
  sample: [registry.local:5000/team/app:1.2]
"""

from ansible_collections.dockyard.docker.plugins.module_utils.client import DockerModule
from ansible_collections.dockyard.docker.plugins.module_utils.images import checked_reference, find_image


def main() -> None:
    dm = DockerModule(
        argument_spec={
            "source": {"type": "str", "required": True},
            "targets": {"type": "list", "elements": "str", "required": True},
        },
        supports_check_mode=True,
    )
    params, module = dm.params, dm.module
    with dm.failing():
        targets = [checked_reference(t, f"targets[{i}]") for i, t in enumerate(params["targets"])]
    if any(t["digest"] for t in targets):
        module.fail_json(msg="targets: a tag cannot carry a digest; write registry/name:tag")
    client = dm.client
    tagged = []
    with dm.failing():
        source = find_image(client, params["source"])
        if source is None:
            module.fail_json(msg=f"source: no image {params['source']!r} on this host; pull or build it first")
        for target in targets:
            current = find_image(client, target["full"])
            if current and current["Id"] == source["Id"]:
                continue
            tagged.append(target["full"])
            if not module.check_mode:
                client.tag(source["Id"], target["name"], tag=target["tag"])
    dm.exit(changed=bool(tagged), tagged=tagged, image_id=source["Id"])


if __name__ == "__main__":
    main()
