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
  - Or builds from O(context_url), a Git repository or a tarball that the daemon fetches itself
    (C(docker build URL)), or from O(dockerfile_content) alone, with no context (C(docker build - < Dockerfile)).
  - The build runs every time and uses the daemon's layer cache, so an unchanged context gives the same
    image ID. The task reports a change only when O(name) now points to a different image ID.
options:
  path:
    description: The build context directory on the target.
    type: path
  context_url:
    description:
      - A remote build context the daemon fetches, as C(docker build URL) takes it - a Git repository
        (C(https://host/repo.git#branch:subdir), C(git@host:repo.git)) or an C(http(s)) URL of a tarball
        (the daemon host needs C(git) for the first kind).
      - O(dockerfile) is then a path inside that context.
    type: str
  dockerfile_content:
    description:
      - The Dockerfile's text. With O(path), it is used in place of the context's own Dockerfile (the file
        on the target is not changed); alone, the build has no context, as C(docker build - < Dockerfile),
        so C(COPY) and C(ADD) of local files cannot work.
    type: str
  name:
    description: The name to give the image, C([registry/]name[:tag]). No tag means C(latest).
    type: str
    required: true
  dockerfile:
    description: The Dockerfile, relative to O(path) (or to the root of O(context_url)).
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
  - dockyard.docker.attributes
  - dockyard.docker.attributes.actiongroup_docker
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

- name: Build a tag of a Git repository, as docker build URL does
  dockyard.docker.image_build:
    context_url: https://git.example.com/team/tools.git#v2.1
    name: tools:2.1

- name: A small image from a Dockerfile written in the task, with no context
  dockyard.docker.image_build:
    name: toolbox:1
    dockerfile_content: |
      FROM debian:12
      RUN apt-get update && apt-get install -y --no-install-recommends curl jq
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

import io
import os
import re
import tempfile

from ansible_collections.dockyard.docker.plugins.module_utils.client import DockerModule, TaskError, daemon_words
from ansible_collections.dockyard.docker.plugins.module_utils.images import (
    APIError,
    StreamError,
    checked_reference,
    consume,
    find_image,
)
from ansible_collections.dockyard.docker.plugins.module_utils.storage_races import again_while_vanished

REMOTE_CONTEXT = re.compile(r"^(https?://|git://|git@|github\.com/)")


def build_source(p: dict) -> dict:
    """The context and Dockerfile arguments of the SDK's build() for the task; raises TaskError naming what is
    missing. An inline Dockerfile with a context directory is written to a temporary file outside it, which
    the SDK adds to the context it sends (the directory on the target is not changed)."""
    if p["context_url"]:
        if not REMOTE_CONTEXT.match(p["context_url"]):
            raise TaskError(
                f"context_url: {p['context_url']!r} is not a Git repository or tarball URL "
                "(https://, http://, git://, git@host:repo); a directory on the target goes in path"
            )
        return {"path": p["context_url"], "dockerfile": p["dockerfile"]}
    if not p["path"]:  # a Dockerfile and no context, as docker build - < Dockerfile
        return {"fileobj": io.BytesIO(p["dockerfile_content"].encode("utf-8"))}
    if not os.path.isdir(p["path"]):
        raise TaskError(f"path: {p['path']} does not exist (or is not a directory) on the target")
    if p["dockerfile_content"] is None:
        dockerfile = os.path.join(p["path"], p["dockerfile"])
        if not os.path.isfile(dockerfile):
            raise TaskError(f"dockerfile: {dockerfile} does not exist")
        return {"path": p["path"], "dockerfile": p["dockerfile"]}
    handle, inline = tempfile.mkstemp(prefix="dockyard-dockerfile-")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(p["dockerfile_content"])
    return {"path": p["path"], "dockerfile": inline}


def main() -> None:
    dm = DockerModule(
        argument_spec={
            "path": {"type": "path"},
            "context_url": {"type": "str"},
            "dockerfile_content": {"type": "str"},
            "name": {"type": "str", "required": True},
            "dockerfile": {"type": "str", "default": "Dockerfile"},
            "build_args": {"type": "dict", "default": {}},
            "target": {"type": "str"},
            "labels": {"type": "dict", "default": {}},
            "nocache": {"type": "bool", "default": False},
            "pull": {"type": "bool", "default": False},
        },
        mutually_exclusive=[("path", "context_url"), ("context_url", "dockerfile_content")],
        required_one_of=[("path", "context_url", "dockerfile_content")],
        supports_check_mode=True,
    )
    p, module = dm.params, dm.module
    with dm.failing():
        ref = checked_reference(p["name"])
        source = build_source(p)
    client = dm.client
    with dm.failing():
        try:
            before = find_image(client, ref["full"])
            old_id = before and before["Id"]
            if module.check_mode:
                dm.exit(changed=before is None, old_id=old_id)

            def build_once() -> list:
                if source.get("fileobj"):
                    source["fileobj"].seek(0)
                stream = client.build(
                    **source,
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
                return consume(stream)

            lines = again_while_vanished(build_once)
            after = find_image(client, ref["full"])
        except (StreamError, APIError) as exc:
            raise TaskError(f"building {ref['full']} failed: {daemon_words(exc)}") from None
        finally:
            if source.get("fileobj"):
                source["fileobj"].close()
            if p["path"] and p["dockerfile_content"]:
                os.unlink(source["dockerfile"])
    log = [line["stream"].rstrip("\n") for line in lines if line.get("stream", "").strip()]
    dm.exit(changed=after["Id"] != old_id, image_id=after["Id"], old_id=old_id, log=log)


if __name__ == "__main__":
    main()
