#!/usr/bin/python
# Copyright (c) dockyard.docker contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: registry_info
short_description: List a registry's repositories and tags, and describe a tag's manifest
version_added: 0.3.0
description:
  - Without O(repository), lists the registry's repositories (C(/v2/_catalog)).
  - With O(repository), lists its tags; with O(tag) too, describes that tag (or digest) the way the registry
    serves it to C(docker pull), the digest, media type, platforms and creation time.
  - Lists are read page by page, following the registry's C(Link) header to the end.
  - Talks to the registry's HTTP API v2 directly; needs no Docker daemon.
extends_documentation_fragment:
  - dockyard.docker.registry_api
  - dockyard.docker.attributes
  - dockyard.docker.attributes.info_module
options:
  repository:
    description: A repository in the registry, C(team/app).
    type: str
  tag:
    description: A tag (or a C(sha256:) digest) of O(repository) to describe.
    type: str
  page_size:
    description: How many entries to ask for per page.
    type: int
    default: 100
author:
  - Dockyard maintainers (@dockyard)
"""

EXAMPLES = r"""
- name: What does the private registry hold?
  dockyard.docker.registry_info:
    registry: registry.example.com:5000
  register: catalog

- name: Which digest does team/app:1.2 point to?
  dockyard.docker.registry_info:
    registry: registry.example.com:5000
    repository: team/app
    tag: "1.2"
  register: release
"""

RETURN = r"""
repositories:
  description: Every repository in the registry (without O(repository)).
  returned: when O(repository) is not given
  type: list
  elements: str
  sample: [library/busybox, team/app]
tags:
  description: Every tag of O(repository); empty when the repository does not exist.
  returned: when O(repository) is given
  type: list
  elements: str
manifest:
  description: The manifest O(tag) points to; null when there is no such tag.
  returned: when O(tag) is given
  type: dict
  contains:
    digest:
      description: The manifest's digest, as C(docker inspect) shows it in C(RepoDigests).
      type: str
    media_type:
      description: Docker v2 manifest, manifest list, OCI manifest or OCI index.
      type: str
    size:
      description: Size of the manifest document in bytes.
      type: int
    platforms:
      description: The os/architecture (variant) of each image; for a list or index, with each image's digest.
      type: list
      elements: dict
    created:
      description: When the image was built (of a list or index, its first image).
      type: str
  sample:
    digest: sha256:3f4d...
    media_type: application/vnd.docker.distribution.manifest.v2+json
    size: 528
    platforms: [{os: linux, architecture: amd64}]
    created: "2026-11-20T10:00:00.123456789Z"
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.dockyard.docker.plugins.module_utils.docker_config import DockerConfigError
from ansible_collections.dockyard.docker.plugins.module_utils.registry import REGISTRY_ARGS, RegistryError, connect


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            **REGISTRY_ARGS,
            "repository": {"type": "str"},
            "tag": {"type": "str"},
            "page_size": {"type": "int", "default": 100},
        },
        required_by={"tag": "repository"},
        supports_check_mode=True,
    )
    p = module.params
    if p["page_size"] < 1:
        module.fail_json(msg=f"page_size: {p['page_size']} is not a positive number")
    result = {"changed": False}
    try:
        api = connect(p, module.run_command)
        if not p["repository"]:
            result["repositories"] = api.repositories(p["page_size"])
        else:
            repository = p["repository"].strip("/")
            result["tags"] = api.tags(repository, p["page_size"])
            if p["tag"]:
                result["manifest"] = api.manifest(repository, p["tag"])
    except (RegistryError, DockerConfigError) as exc:
        module.fail_json(msg=str(exc), **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
