#!/usr/bin/python
# Copyright (c) dockyard.docker contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: registry_storage_copy
short_description: Copy a registry's storage from a directory on the host into an S3 bucket
version_added: 0.4.0
description:
  - Copies the registry tree (C(docker/registry/v2)) under O(path) into the bucket O(settings) names, at the keys
    the registry's s3 driver reads, so that a registry switched to the bucket serves every image it served before.
  - An object the bucket already holds with the same size is not sent again, so a re-run copies nothing; upload
    sessions left unfinished (C(_uploads)) are not copied. Nothing is deleted on either side.
  - Returns every tag the tree holds with the digest it points to, for checking the registry once switched.
requirements:
  - boto3 (the C(python3-boto3) package) on the target
options:
  path:
    description: The registry's storage directory on the host (what it mounts at C(/var/lib/registry)).
    type: path
    required: true
  settings:
    description:
      - The s3 driver's settings as the registry's C(config.yml) writes them (C(bucket), C(region),
        C(regionendpoint), C(forcepathstyle), C(accesskey), C(secretkey), C(encrypt), C(rootdirectory)), as the
        P(dockyard.docker.registry_storage#filter) filter gives them.
    type: dict
    required: true
attributes:
  check_mode:
    support: full
    description: Reports what would be copied; sends nothing.
  diff_mode:
    support: none
    description: The result names how many objects and bytes are sent.
extends_documentation_fragment:
  - dockyard.docker.attributes
author:
  - Dockyard maintainers (@dockyard)
"""

EXAMPLES = r"""
- name: Copy the registry's images into its new bucket
  dockyard.docker.registry_storage_copy:
    path: /var/lib/docker-registry/registry
    settings: "{{ registry_storage_plan.settings }}"
  no_log: true
"""

RETURN = r"""
copied:
  description: How many objects were sent (would be, in check mode).
  returned: always
  type: int
bytes:
  description: How many bytes they hold.
  returned: always
  type: int
tags:
  description: Every C(repository:tag) of the tree, to the manifest digest it points to.
  returned: always
  type: dict
  sample: {"team/app:1.2": "sha256:4b1c..."}
"""

import os
import traceback

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.dockyard.docker.plugins.module_utils.registry_storage import TREE, object_key

try:
    import boto3
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError, ClientError

    BOTO3_ERROR = None
except ImportError:  # pragma: no cover - exercised on targets without it
    boto3 = None
    BOTO3_ERROR = traceback.format_exc()


def tree_files(root: str) -> dict[str, int]:
    """Each file of the registry tree, relative to ``root``, to its size; unfinished uploads left out."""
    found = {}
    for directory, subdirectories, files in os.walk(os.path.join(root, TREE)):
        subdirectories[:] = sorted(d for d in subdirectories if d != "_uploads")
        for name in files:
            full = os.path.join(directory, name)
            found[os.path.relpath(full, root)] = os.path.getsize(full)
    return found


def tags(root: str) -> dict[str, str]:
    """repository:tag -> the digest its current link names, as the registry reads a tag."""
    repositories = os.path.join(root, TREE, "repositories")
    result = {}
    for directory, subdirectories, _files in os.walk(repositories):
        subdirectories[:] = sorted(d for d in subdirectories if d != "_uploads")
        if os.path.basename(directory) != "tags" or os.path.basename(os.path.dirname(directory)) != "_manifests":
            continue
        repository = os.path.relpath(os.path.dirname(os.path.dirname(directory)), repositories)
        for tag in subdirectories:
            link = os.path.join(directory, tag, "current", "link")
            if os.path.isfile(link):
                with open(link, encoding="ascii") as handle:
                    result[f"{repository}:{tag}"] = handle.read().strip()
        subdirectories[:] = []
    return result


def bucket_client(settings: dict):
    """A client for the bucket as the registry's s3 driver reaches it (its endpoint, addressing and keys)."""
    addressing = {"addressing_style": "path" if settings.get("forcepathstyle") else "auto"}
    return boto3.client(
        "s3",
        region_name=settings.get("region") or "us-east-1",
        endpoint_url=settings.get("regionendpoint") or None,
        aws_access_key_id=settings.get("accesskey") or None,
        aws_secret_access_key=settings.get("secretkey") or None,
        config=Config(s3=addressing, retries={"max_attempts": 5, "mode": "standard"}),
    )


def held(client, bucket: str, prefix: str) -> dict[str, int]:
    """Key -> size of what the bucket holds under ``prefix``."""
    found = {}
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        found.update({item["Key"]: item["Size"] for item in page.get("Contents") or []})
    return found


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "path": {"type": "path", "required": True},
            "settings": {"type": "dict", "required": True},
        },
        supports_check_mode=True,
    )
    if boto3 is None:
        module.fail_json(msg=missing_required_lib("boto3", reason="to copy a registry into S3"), exception=BOTO3_ERROR)
    root, settings = module.params["path"], module.params["settings"]
    if settings.get("secretkey"):
        module.no_log_values.add(settings["secretkey"])
    bucket = settings.get("bucket") or ""
    if not bucket:
        module.fail_json(msg="settings: no bucket")
    if not os.path.isdir(os.path.join(root, TREE)):
        module.exit_json(changed=False, copied=0, bytes=0, tags={})
    files = tree_files(root)
    client = bucket_client(settings)
    try:
        there = held(client, bucket, object_key(settings, TREE))
        todo = sorted(f for f, size in files.items() if there.get(object_key(settings, f)) != size)
        extra = {"ServerSideEncryption": "AES256"} if settings.get("encrypt") else None
        if not module.check_mode:
            for relative in todo:
                client.upload_file(os.path.join(root, relative), bucket, object_key(settings, relative),
                                   ExtraArgs=extra)  # fmt: skip
    except (BotoCoreError, ClientError) as exc:
        module.fail_json(msg=f"copying {root} into the bucket {bucket}: {exc}")
    module.exit_json(changed=bool(todo), copied=len(todo), bytes=sum(files[f] for f in todo), tags=tags(root))


if __name__ == "__main__":
    main()
