#!/usr/bin/python
# Copyright (c) dockyard.docker contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: registry_prune
short_description: Retention for a private registry, keep the newest or youngest tags and delete the rest
version_added: 0.3.0
description:
  - For each repository matching O(repositories), keeps the newest O(keep_last) tags, the tags younger than
    O(keep_younger_than) and the tags matching O(protect); the manifests of the other tags are deleted by digest.
  - A digest that a kept tag also points to is never deleted (the registry would drop the kept tag with it);
    such tags are reported in RV(spared).
  - Deleting manifests frees no disk space by itself. The registry's garbage collection does that
    (the registry role's C(registry_garbage_collect)).
  - The registry must allow deletes (C(storage.delete.enabled), the registry role's C(registry_delete_enabled)).
extends_documentation_fragment:
  - dockyard.docker.registry_api
  - dockyard.docker.attributes
options:
  repositories:
    description: Shell-style patterns of the repositories to prune (C(team/*)). Default, every repository.
    type: list
    elements: str
    default: ['*']
  keep_last:
    description: Keep this many of the newest tags (by image creation time) of each repository.
    type: int
  keep_younger_than:
    description: Keep tags whose image is younger than this, C(30d), C(12h), C(2w), C(1d12h).
    type: str
  protect:
    description: Shell-style patterns of tags that are always kept.
    type: list
    elements: str
    default: [latest]
  page_size:
    description: How many entries to ask for per page of a list.
    type: int
    default: 100
attributes:
  check_mode:
    support: full
    description: Lists what would be deleted (RV(deleted)) and deletes nothing.
  diff_mode:
    support: none
    description: RV(deleted) lists each manifest deleted with its tags.
author:
  - Dockyard maintainers (@dockyard)
"""

EXAMPLES = r"""
- name: Keep the last ten builds of each team repository, and whatever is under a month old
  dockyard.docker.registry_prune:
    registry: registry.example.com:5000
    repositories: ["team/*"]
    keep_last: 10
    keep_younger_than: 30d
    protect: [latest, "release-*"]
"""

RETURN = r"""
deleted:
  description: The manifests deleted (in check mode, that would be), each with its repository and tags.
  returned: always
  type: list
  elements: dict
  sample: [{repository: team/app, digest: "sha256:5d1...", tags: ["build-17"]}]
kept:
  description: Repository -> the tags kept, newest first.
  returned: always
  type: dict
spared:
  description: Tags the policy would drop but that stay because a kept tag shares their digest, with that tag.
  returned: always
  type: list
  elements: dict
  sample: [{repository: team/app, tag: build-20, kept_by: latest}]
"""

import fnmatch
from datetime import datetime, timezone

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.dockyard.docker.plugins.module_utils import retention
from ansible_collections.dockyard.docker.plugins.module_utils.docker_config import DockerConfigError
from ansible_collections.dockyard.docker.plugins.module_utils.registry import REGISTRY_ARGS, RegistryError, connect
from ansible_collections.dockyard.docker.plugins.module_utils.values import SpecError, age_seconds


def repository_tags(api, repository: str, page_size: int) -> list[retention.Tag]:
    tags = []
    for name in api.tags(repository, page_size):
        manifest = api.manifest(repository, name)
        if manifest:  # a tag deleted between the listing and now is gone already
            tags.append(retention.Tag(name, manifest["digest"], retention.parse_created(manifest.get("created"))))
    return tags


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            **REGISTRY_ARGS,
            "repositories": {"type": "list", "elements": "str", "default": ["*"]},
            "keep_last": {"type": "int"},
            "keep_younger_than": {"type": "str"},
            "protect": {"type": "list", "elements": "str", "default": ["latest"]},
            "page_size": {"type": "int", "default": 100},
        },
        required_one_of=[("keep_last", "keep_younger_than")],
        supports_check_mode=True,
    )
    p = module.params
    try:
        if p["keep_last"] is not None and p["keep_last"] < 0:
            raise SpecError(f"keep_last: {p['keep_last']} is negative; write 0 or more")
        max_age = age_seconds(p["keep_younger_than"], "keep_younger_than") if p["keep_younger_than"] else None
    except SpecError as exc:
        module.fail_json(msg=str(exc))
    result = {"changed": False, "deleted": [], "kept": {}, "spared": []}
    now = datetime.now(timezone.utc)
    try:
        api = connect(p, module.run_command)
        repositories = [
            name for name in api.repositories(p["page_size"])
            if any(fnmatch.fnmatchcase(name, pattern) for pattern in p["repositories"])
        ]  # fmt: skip
        for repository in repositories:
            tags = repository_tags(api, repository, p["page_size"])
            chosen = retention.plan(tags, p["keep_last"], max_age, p["protect"], now)
            result["kept"][repository] = chosen.kept
            result["spared"] += [{"repository": repository, "tag": t, "kept_by": k} for t, k in chosen.spared.items()]
            for digest, tags in chosen.deleted.items():
                if not module.check_mode:
                    api.delete_manifest(repository, digest)
                result["deleted"].append({"repository": repository, "digest": digest, "tags": tags})
                result["changed"] = True
    except (RegistryError, DockerConfigError) as exc:
        module.fail_json(msg=str(exc), **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
