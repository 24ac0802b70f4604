# Copyright (c) dockyard.docker contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A Compose project's images built on the daemon, each only when its fingerprint (compose_build) differs from the
one kept on the image. Apart from compose_build, which the controller imports without the Docker SDK's cost."""

from __future__ import annotations

import os
import re
import tempfile
from typing import Any

from ansible_collections.dockyard.docker.plugins.module_utils.client import TaskError, daemon_words
from ansible_collections.dockyard.docker.plugins.module_utils.compose_build import (
    FINGERPRINT_LABEL,
    fingerprint,
)
from ansible_collections.dockyard.docker.plugins.module_utils.images import APIError, StreamError, find_image
from ansible_collections.dockyard.docker.plugins.module_utils.storage_races import again_while_vanished

STEP = re.compile(r"^Step \d+/\d+ : ")  # the classic builder's line for each Dockerfile step


def current_fingerprint(client, image: str) -> str | None:
    found = find_image(client, image)
    return ((found or {}).get("Config") or {}).get("Labels", {}).get(FINGERPRINT_LABEL) if found else None


def build(client, settings: dict[str, Any], digest: str) -> str:
    """Build the image, labelled with its fingerprint; its ID. A failure names the step that failed."""
    if settings["dockerfile_inline"] is not None and settings["remote"]:
        raise TaskError(f"{settings['where']}.dockerfile_inline: a remote context takes its Dockerfile from there")
    dockerfile, inline, archive = settings["dockerfile"], None, None
    if settings.get("archive"):  # the context as the controller sent it, its Dockerfile inside
        archive = open(settings["archive"]["path"], "rb")  # closed below, after the stream
        source = {"fileobj": archive, "custom_context": True, "dockerfile": settings["archive"]["dockerfile"]}
    else:
        if settings["dockerfile_inline"] is not None:  # outside the context, which the SDK then adds it to
            handle, inline = tempfile.mkstemp(prefix="dockyard-dockerfile-")
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(settings["dockerfile_inline"])
            dockerfile = inline
        source = {"path": settings["context"], "dockerfile": dockerfile}
    steps: list[str] = []

    def build_once() -> None:
        steps.clear()
        if archive:
            archive.seek(0)
        stream = client.build(
            **source,
            tag=settings["image"],
            buildargs=settings["args"] or None,
            target=settings["target"],
            labels={**settings["labels"], FINGERPRINT_LABEL: digest},
            network_mode=settings["network"],
            extra_hosts=settings["extra_hosts"] or None,
            shmsize=settings["shm_size"],
            cache_from=settings["cache_from"] or None,
            platform=settings.get("platform"),
            nocache=settings["no_cache"],
            pull=settings["pull"],
            rm=True,
            forcerm=True,
            decode=True,
        )
        for line in stream:
            text = (line.get("stream") or "").strip()
            if STEP.match(text):
                steps.append(text)
            if "error" in line or "errorDetail" in line:
                raise StreamError((line.get("errorDetail") or {}).get("message") or line.get("error"))

    try:
        again_while_vanished(build_once)
    except (StreamError, APIError) as exc:
        at = f" at {steps[-1]}" if steps else ""
        raise TaskError(f"{settings['where']}: building {settings['image']} failed{at}: {daemon_words(exc)}") from None
    finally:
        if inline:
            os.unlink(inline)
        if archive:
            archive.close()
    return client.inspect_image(settings["image"])["Id"]


class Builds:
    """The project's builds: which images a run builds (those whose fingerprint differs, or every one with
    ``policy: always``), done before any container is planned, so that a rebuilt image recreates its containers."""

    def __init__(self, client, settings: list[dict[str, Any]], policy: str) -> None:
        self.client, self.settings, self.policy = client, settings, policy
        # A project read on the controller brings its fingerprints; none is needed when nothing is built.
        self.digests = {} if policy == "never" else {s["image"]: s.get("fingerprint") or fingerprint(s)
                                                     for s in settings}  # fmt: skip

    def wanted(self) -> list[dict[str, Any]]:
        if self.policy == "never":
            return []
        return [s for s in self.settings if self.policy == "always" or s.get("always") or self.stale(s["image"])]

    def stale(self, image: str) -> bool:
        """The image is missing, or was built from something else than what the project now says."""
        return current_fingerprint(self.client, image) != self.digests[image]

    def run(self, todo: list[dict[str, Any]]) -> list[str]:
        """Build ``todo``; the images whose ID changed."""
        changed = []
        for settings in todo:
            before = find_image(self.client, settings["image"])
            if build(self.client, settings, self.digests[settings["image"]]) != (before or {}).get("Id"):
                changed.append(settings["image"])
        return changed
