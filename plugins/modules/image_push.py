#!/usr/bin/python
# Copyright (c) dockyard.docker contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: image_push
short_description: Push an image to its registry; changed only when something was sent
version_added: 0.1.0
description:
  - Pushes the image named O(name) to the registry the name points to (Docker Hub when it names none).
    Name it for a private registry first with M(dockyard.docker.image_tag).
  - Reports a change only when layers were uploaded or the tag in the registry moved to this image.
  - A refused push (wrong credentials, no right to the repository) is an error. The Docker SDK reports
    it inside the stream rather than raising it, and this module reads the stream to its end.
options:
  name:
    description: The image to push, C(registry[:port]/namespace/name:tag). No tag means C(latest).
    type: str
    required: true
  retries:
    description:
      - How many more times to try when the registry does not answer or goes away during the push, waiting
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
    description: Compares the registry's digest for the tag with the local image's to predict a change.
  diff_mode:
    support: none
    description: RV(digest) says what the tag points to.
author:
  - Dockyard maintainers (@dockyard)
"""

EXAMPLES = r"""
- name: Publish the release to the private registry
  dockyard.docker.image_push:
    name: registry.local:5000/team/app:1.2
    username: ci
    password: "{{ vault_registry_password }}"
"""

RETURN = r"""
attempts:
  description: How many tries it took to reach the registry and push (1 when nothing failed).
  returned: when the push was tried
  type: int
  sample: 1
digest:
  description: The manifest digest the tag points to in the registry after the push.
  returned: success
  type: str
  sample: sha256:9b1...
layers_pushed:
  description: How many layers were uploaded (the others were already there).
  returned: success and not in check mode
  type: int
reference:
  description: The normalised reference pushed.
  returned: always
  type: str
"""

from ansible_collections.dockyard.docker.plugins.module_utils.client import DockerModule, NotFound
from ansible_collections.dockyard.docker.plugins.module_utils.images import (
    AUTH_ARGS,
    APIError,
    StreamError,
    auth_config,
    checked_reference,
    consume,
    find_image,
    retrying,
    transfer_failed,
)


def remote_digest(client, reference: str, auth) -> str | None:
    try:
        return client.inspect_distribution(reference, auth_config=auth)["Descriptor"]["digest"]
    except NotFound:
        return None
    except APIError as exc:
        # Registries answer "not found" for a tag that is not there yet in more than one way.
        if "not found" in str(exc).lower() or "unknown" in str(exc).lower():
            return None
        raise


def main() -> None:
    dm = DockerModule(
        argument_spec={
            "name": {"type": "str", "required": True},
            "retries": {"type": "int", "default": 2},
            **AUTH_ARGS,
        },
        supports_check_mode=True,
    )
    params, module = dm.params, dm.module
    with dm.failing():
        ref = checked_reference(params["name"])
    if ref["digest"]:
        module.fail_json(msg=f"name: {params['name']!r} carries a digest; push a tag (registry/name:tag)")
    target, auth = ref["full"], auth_config(params)
    client = dm.client
    result = {"changed": False, "reference": target}
    failures: list[str] = []  # the attempts that failed before the push went through (see retries)
    with dm.failing(result):
        try:
            image = find_image(client, target)
            if image is None:
                module.fail_json(
                    msg=f"name: no image {target} on this host; tag an image with that name first", **result
                )
            before = retrying(lambda: remote_digest(client, target, auth), params["retries"], failures)
            if module.check_mode:
                local = {d.split("@", 1)[1] for d in image.get("RepoDigests") or [] if d.startswith(ref["name"] + "@")}
                dm.exit(**{**result, "changed": before is None or before not in local, "digest": before})
            lines = retrying(
                lambda: consume(client.push(ref["name"], tag=ref["tag"], stream=True, decode=True, auth_config=auth)),
                params["retries"],
                failures,
            )
        except (StreamError, APIError) as exc:
            raise transfer_failed("pushing", target, exc, failures) from None
    pushed = sum(1 for line in lines if line.get("status") == "Pushed")
    after = next((line["aux"]["Digest"] for line in lines if "Digest" in (line.get("aux") or {})), None)
    if after is None:  # the containerd image store's push stream carries no digest: ask the registry
        with dm.failing(result):
            after = retrying(lambda: remote_digest(client, target, auth), params["retries"], failures)
    dm.exit(
        **{
            **result,
            "changed": pushed > 0 or after != before,
            "digest": after,
            "layers_pushed": pushed,
            "attempts": len(failures) + 1,
        }
    )


if __name__ == "__main__":
    main()
