#!/usr/bin/python
# Copyright (c) dockyard.docker contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: image_pull
short_description: Pull an image, and say truthfully whether anything changed
version_added: 0.1.0
description:
  - Pulls an image from its registry (Docker Hub when the reference names none).
  - With O(pull=missing) (the default) an image already present under the name is left alone.
  - With O(pull=always) the registry is asked again. Pulling does not replace what people think it
    replaces, so the module reports a change only when the name now points to a different image ID,
    and returns the old and the new ID.
  - In check mode, O(pull=always) asks the registry for the manifest digest instead of pulling, to predict a change.
options:
  name:
    description:
      - The image reference, C([registry[:port]/][namespace/]name[:tag][@digest]). No tag means C(latest).
    type: str
    required: true
  pull:
    description: When to pull.
    type: str
    choices: [missing, always]
    default: missing
  platform:
    description: The platform to pull, like C(linux/arm64), when it is not the daemon's own.
    type: str
  retries:
    description:
      - How many more times to try when the registry does not answer or goes away during the pull, waiting
        1 s, then 2 s, 4 s, ... between tries. A registry that answers no (unknown image, refused
        credentials) fails at once.
    type: int
    default: 2
extends_documentation_fragment:
  - dockyard.docker.docker
  - dockyard.docker.registry_auth
  - dockyard.docker.attributes
  - dockyard.docker.attributes.actiongroup_docker
attributes:
  check_mode:
    support: full
    description: Predicts the change without pulling.
  diff_mode:
    support: none
    description: An image has no text to diff; RV(old_id) and RV(new_id) say what changed.
author:
  - Dockyard maintainers (@dockyard)
"""

EXAMPLES = r"""
- name: Make sure the image is there (pull only when missing)
  dockyard.docker.image_pull:
    name: registry.local:5000/team/app:1.2

- name: Refresh a moving tag; changed only when a new image came
  dockyard.docker.image_pull:
    name: nginx:1.27
    pull: always
  register: nginx_image

- name: Pull from a private registry with credentials given here
  dockyard.docker.image_pull:
    name: registry.example.com/app:2
    username: deploy
    password: "{{ vault_registry_password }}"
"""

RETURN = r"""
attempts:
  description: How many tries it took to reach the registry and pull (1 when nothing failed).
  returned: when the pull was tried
  type: int
  sample: 1
image:
  description: The image the name points to after the task.
  returned: success and not in check mode, or when the image was present
  type: dict
  sample: {"id": "sha256:4a8...", "tags": ["nginx:1.27"], "digests": ["nginx@sha256:..."]}
old_id:
  description: The image ID the name pointed to before the task; null when it was absent.
  returned: always
  type: str
new_id:
  description: The image ID the name points to after the task (in check mode, null when unknown).
  returned: always
  type: str
digest:
  description: The repository digest of the image as pulled.
  returned: when known
  type: str
pulled:
  description: Whether the registry was asked for the image.
  returned: always
  type: bool
reference:
  description: The normalised reference that was pulled.
  returned: always
  type: str
  sample: docker.io/library/nginx:1.27
"""

from ansible_collections.dockyard.docker.plugins.module_utils.client import DockerModule
from ansible_collections.dockyard.docker.plugins.module_utils.images import (
    AUTH_ARGS,
    APIError,
    StreamError,
    auth_config,
    checked_reference,
    find_image,
    image_summary,
    pull,
    repo_digest,
    transfer_failed,
)


def main() -> None:
    dm = DockerModule(
        argument_spec={
            "name": {"type": "str", "required": True},
            "pull": {"type": "str", "choices": ["missing", "always"], "default": "missing"},
            "platform": {"type": "str"},
            "retries": {"type": "int", "default": 2},
            **AUTH_ARGS,
        },
        supports_check_mode=True,
    )
    params, module = dm.params, dm.module
    with dm.failing():
        ref = checked_reference(params["name"])
    client = dm.client
    target = ref["full"]
    result = {"changed": False, "pulled": False, "reference": target}
    failures: list[str] = []  # the attempts that failed before the pull went through (see retries)
    with dm.failing(result):
        try:
            before = find_image(client, target)
            result["old_id"] = before and before["Id"]
            if before and params["pull"] == "missing":
                dm.exit(new_id=before["Id"], image=image_summary(before), digest=repo_digest(before, ref), **result)
            if module.check_mode:
                if before is None:
                    dm.exit(**{**result, "changed": True, "new_id": None})
                remote = client.inspect_distribution(target, auth_config=auth_config(params))
                remote_digest = remote["Descriptor"]["digest"]
                changed = remote_digest != repo_digest(before, ref)
                dm.exit(**{**result, "changed": changed, "new_id": None if changed else before["Id"],
                           "digest": remote_digest})  # fmt: skip
            pull(client, ref, params["platform"], auth_config(params), params["retries"], failures)
            after = find_image(client, target)
        except (StreamError, APIError) as exc:
            raise transfer_failed("pulling", target, exc, failures) from None
    result.update(
        pulled=True,
        attempts=len(failures) + 1,
        changed=(after or {}).get("Id") != result["old_id"],
        new_id=after and after["Id"],
        image=image_summary(after),
        digest=repo_digest(after, ref),
    )
    dm.exit(**result)


if __name__ == "__main__":
    main()
