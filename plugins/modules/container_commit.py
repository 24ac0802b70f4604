#!/usr/bin/python
# Copyright (c) dockyard.docker contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: container_commit
short_description: Turn a container into an image, as C(docker commit) does
version_added: 0.1.0
description:
  - Commits the container O(container) to the image O(name), with a commit message, an author and Dockerfile-style
    O(changes).
  - A commit always makes a new image, so the module commits only when O(name) does not exist yet, or
    when O(force=true). The image records which container it came from (label C(dockyard.commit.container)).
options:
  container:
    description: The container, by name or ID.
    type: str
    required: true
  name:
    description: The image to create, C([registry/]name[:tag]). No tag means C(latest).
    type: str
    required: true
  commit_message:
    description: The commit message (C(docker commit --message)).
    type: str
  author:
    description: The author, for example C(Jane Doe <jane@example.com>).
    type: str
  changes:
    description: Dockerfile instructions to apply, like C(CMD ["httpd", "-f"]) or C(ENV MODE=prod).
    type: list
    elements: str
    default: []
  pause:
    description: Pause the container while committing.
    type: bool
    default: true
  force:
    description: Commit even when O(name) exists (it then moves to the new image).
    type: bool
    default: false
extends_documentation_fragment:
  - dockyard.docker.docker
  - dockyard.docker.attributes
  - dockyard.docker.attributes.actiongroup_docker
attributes:
  check_mode:
    support: full
    description: Predicts whether a commit would happen.
  diff_mode:
    support: none
    description: RV(image_id) names the new image.
author:
  - Dockyard maintainers (@dockyard)
"""

EXAMPLES = r"""
- name: Keep the state of the debugging container
  dockyard.docker.container_commit:
    container: debug-shell
    name: team/debug-snapshot:2026-11-26
    commit_message: state after reproducing issue 42
    author: Jane Doe <jane@example.com>
    changes:
      - CMD ["sh"]
"""

RETURN = r"""
image_id:
  description: The ID of the image O(name) points to after the task.
  returned: success and not in check mode
  type: str
"""

from ansible_collections.dockyard.docker.plugins.module_utils.client import DockerModule, TaskError
from ansible_collections.dockyard.docker.plugins.module_utils.images import checked_reference, commit, find_image
from ansible_collections.dockyard.docker.plugins.module_utils.resources import inspected


def main() -> None:
    dm = DockerModule(
        argument_spec={
            "container": {"type": "str", "required": True},
            "name": {"type": "str", "required": True},
            "commit_message": {"type": "str"},
            "author": {"type": "str"},
            "changes": {"type": "list", "elements": "str", "default": []},
            "pause": {"type": "bool", "default": True},
            "force": {"type": "bool", "default": False},
        },
        supports_check_mode=True,
    )
    p, module = dm.params, dm.module
    with dm.failing():
        ref = checked_reference(p["name"])
        client = dm.client
        container = inspected(client.inspect_container, p["container"])
        if container is None:
            raise TaskError(f"container: no container {p['container']!r} on this host")
        existing = find_image(client, ref["full"])
        if existing and not p["force"]:
            dm.exit(changed=False, image_id=existing["Id"])
        if module.check_mode:
            dm.exit(changed=True)
        changes = [*p["changes"], f"LABEL dockyard.commit.container={container['Id'][:12]}"]
        answer = commit(client, container["Id"], repository=ref["name"], tag=ref["tag"], message=p["commit_message"],
                        author=p["author"], changes=changes, pause=p["pause"])  # fmt: skip
    dm.exit(changed=True, image_id=answer["Id"])


if __name__ == "__main__":
    main()
