#!/usr/bin/python
# Copyright (c) dockyard.docker contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: prune
short_description: Remove stopped containers, unused images, networks, volumes and build cache (docker system prune)
version_added: 0.3.0
description:
  - The cleanup for hosts that fill their disks (CI runners above all). Each kind is pruned only when asked.
  - O(labels) and O(until) narrow what goes, where the engine takes them; C(until) is refused for volumes,
    which the engine does not filter by age.
  - Reports what was removed and the space reclaimed; check mode lists what would go and how much space that is.
options:
  containers:
    description: Remove stopped containers (exited, created or dead).
    type: bool
    default: false
  images:
    description: Remove images no container uses; by default only dangling ones (untagged), see O(images_all).
    type: bool
    default: false
  images_all:
    description: With O(images), remove every image no container uses, tagged or not (C(docker image prune -a)).
    type: bool
    default: false
  networks:
    description: Remove networks no container is connected to (the predefined bridge, host and none stay).
    type: bool
    default: false
  volumes:
    description:
      - Remove volumes no container uses; their data is lost. Docker 23 and later remove only anonymous
        volumes unless O(volumes_named); older engines remove named ones too.
    type: bool
    default: false
  volumes_named:
    description: With O(volumes), on Docker 23 and later, remove unused named volumes too.
    type: bool
    default: false
  build_cache:
    description: Remove the build cache that no build is using.
    type: bool
    default: false
  until:
    description:
      - Only what was created before then - a duration ago (C(24h), C(1h30m)) or a Unix time.
    type: str
  labels:
    description: Only what carries each of these labels, as C(key) or C(key=value).
    type: list
    elements: str
    default: []
extends_documentation_fragment:
  - dockyard.docker.docker
  - dockyard.docker.attributes
  - dockyard.docker.attributes.actiongroup_docker
attributes:
  check_mode:
    support: full
    description: Lists what would be removed and the space it takes; removes nothing.
  diff_mode:
    support: none
    description: RV(removed) lists what went.
author:
  - Dockyard maintainers (@dockyard)
"""

EXAMPLES = r"""
- name: Keep a CI runner's disk in check, sparing a day of cache
  dockyard.docker.prune:
    containers: true
    images: true
    images_all: true
    networks: true
    build_cache: true
    until: 24h
  register: cleanup

- name: Say how much it gave back
  ansible.builtin.debug:
    msg: "{{ cleanup.space_reclaimed | human_readable }} reclaimed"
"""

RETURN = r"""
removed:
  description: What was removed (or would be), by kind; a kind not asked for is an empty list.
  returned: always
  type: dict
  contains:
    containers: {description: Container names., type: list, elements: str}
    images: {description: "Image IDs, with the tags they had.", type: list, elements: str}
    networks: {description: Network names., type: list, elements: str}
    volumes: {description: Volume names., type: list, elements: str}
    build_cache: {description: Build cache record IDs., type: list, elements: str}
space_reclaimed:
  description: Bytes given back (in check mode, the size of what would go).
  returned: always
  type: int
"""

import calendar
import time

from ansible_collections.dockyard.docker.plugins.module_utils.client import DockerModule, TaskError
from ansible_collections.dockyard.docker.plugins.module_utils.disk_usage import read_disk_usage
from ansible_collections.dockyard.docker.plugins.module_utils.values import SpecError, duration_ns

KINDS = ("containers", "images", "networks", "volumes", "build_cache")
STOPPED = ("exited", "created", "dead")
PREDEFINED_NETWORKS = ("bridge", "host", "none")
ANONYMOUS_VOLUME_LABEL = "com.docker.volume.anonymous"


def until_epoch(value: str) -> int:
    text = str(value).strip()
    if text.isdigit():
        return int(text)
    try:
        return int(time.time() - duration_ns(text, "until") / 1e9)
    except SpecError:
        raise SpecError(f"until: {value!r} is neither a duration (24h, 1h30m) nor a Unix time") from None


def has_labels(labels: dict | None, wanted: list[str]) -> bool:
    labels = labels or {}
    for entry in wanted:
        key, sep, value = entry.partition("=")
        if key not in labels or (sep and labels[key] != value):
            return False
    return True


class Pruner:
    """What each kind would lose (from one GET /system/df and the network list), and the prune calls."""

    def __init__(self, client, p: dict, before: int | None) -> None:
        self.client, self.p, self.before = client, p, before
        self.usage = read_disk_usage(client.df)
        self.api = tuple(int(part) for part in client.api_version.split("."))

    def _old_enough(self, created: int | None) -> bool:
        return self.before is None or (created or 0) < self.before

    def _selected(self, item: dict) -> bool:
        return has_labels(item.get("Labels"), self.p["labels"]) and self._old_enough(item.get("Created"))

    def containers(self) -> tuple[list[str], int]:
        found = [c for c in self.usage.get("Containers") or [] if c.get("State") in STOPPED and self._selected(c)]
        return [(c.get("Names") or ["/" + c["Id"][:12]])[0].lstrip("/") for c in found], sum(
            c.get("SizeRw") or 0 for c in found
        )

    def images(self) -> tuple[list[str], int]:
        found = []
        for image in self.usage.get("Images") or []:
            tags = [t for t in image.get("RepoTags") or [] if t != "<none>:<none>"]
            if image.get("Containers", 0) > 0 or (tags and not self.p["images_all"]) or not self._selected(image):
                continue
            found.append((image["Id"] + (f" ({', '.join(tags)})" if tags else ""), image.get("Size") or 0))
        return [name for name, _size in found], sum(size for _name, size in found)

    def networks(self) -> tuple[list[str], int]:
        found = []
        for summary in self.client.networks(filters={"label": self.p["labels"]} if self.p["labels"] else None):
            if summary["Name"] in PREDEFINED_NETWORKS:
                continue
            network = self.client.inspect_network(summary["Id"])
            if not network.get("Containers") and self._old_enough(self._epoch(network.get("Created"))):
                found.append(network["Name"])
        return sorted(found), 0

    def volumes(self) -> tuple[list[str], int]:
        only_anonymous = self.api >= (1, 42) and not self.p["volumes_named"]
        found = [
            v
            for v in self.usage.get("Volumes") or []
            if (v.get("UsageData") or {}).get("RefCount", 0) == 0
            and has_labels(v.get("Labels"), self.p["labels"])
            and (not only_anonymous or ANONYMOUS_VOLUME_LABEL in (v.get("Labels") or {}))
        ]
        return sorted(v["Name"] for v in found), sum(max((v.get("UsageData") or {}).get("Size", 0), 0) for v in found)

    def build_cache(self) -> tuple[list[str], int]:
        found = [
            r
            for r in self.usage.get("BuildCache") or []
            if not r.get("InUse") and self._old_enough(self._epoch(r.get("CreatedAt")))
        ]
        return sorted(r["ID"] for r in found), sum(r.get("Size") or 0 for r in found)

    @staticmethod
    def _epoch(stamp: str | None) -> int | None:
        if not stamp:
            return None
        try:
            return calendar.timegm(time.strptime(stamp[:19], "%Y-%m-%dT%H:%M:%S"))
        except ValueError:
            return None

    def prune(self, kind: str) -> tuple[list[str], int]:
        """Prune ``kind`` through the engine: the names of what it removed, and the bytes it reclaimed."""
        filters: dict = {}
        if self.p["labels"]:
            filters["label"] = self.p["labels"]
        if self.p["until"] and kind != "volumes":
            filters["until"] = str(self.before)
        if kind == "containers":
            answer = self.client.prune_containers(filters=filters) or {}
            names = {c["Id"]: c.get("Names") or [c["Id"][:12]] for c in self.usage.get("Containers") or []}
            gone = [names.get(i, [i[:12]])[0].lstrip("/") for i in answer.get("ContainersDeleted") or []]
        elif kind == "images":
            answer = self.client.prune_images(filters={**filters, "dangling": not self.p["images_all"]}) or {}
            deleted = {entry.get("Deleted") for entry in answer.get("ImagesDeleted") or []}
            listed, _size = self.images()  # "ID (tags)"; layers deleted with an image are not listed
            gone = [name for name in listed if name.split(" ")[0] in deleted]
        elif kind == "networks":
            answer = self.client.prune_networks(filters=filters) or {}
            gone = sorted(answer.get("NetworksDeleted") or [])
        elif kind == "volumes":
            named = {"all": "true"} if self.p["volumes_named"] and self.api >= (1, 42) else {}
            answer = self.client.prune_volumes(filters={**filters, **named}) or {}
            gone = sorted(answer.get("VolumesDeleted") or [])
        else:
            answer = self.client.prune_builds(filters=filters or None) or {}
            gone = sorted(answer.get("CachesDeleted") or [])
        return gone, answer.get("SpaceReclaimed") or 0


def main() -> None:
    dm = DockerModule(
        argument_spec={
            **{kind: {"type": "bool", "default": False} for kind in KINDS},
            "images_all": {"type": "bool", "default": False},
            "volumes_named": {"type": "bool", "default": False},
            "until": {"type": "str"},
            "labels": {"type": "list", "elements": "str", "default": []},
        },
        supports_check_mode=True,
    )
    p = dm.params
    with dm.failing():
        if p["until"] and p["volumes"]:
            raise TaskError("until: the engine does not prune volumes by age; prune volumes in a task of their own")
        before = until_epoch(p["until"]) if p["until"] else None
        asked = [kind for kind in KINDS if p[kind]]
        pruner = Pruner(dm.client, p, before)
        removed: dict[str, list[str]] = {kind: [] for kind in KINDS}
        space = 0
        for kind in asked:
            # Check mode lists what the engine would find now; a run lists what it removed.
            names, size = getattr(pruner, kind)() if dm.module.check_mode else pruner.prune(kind)
            removed[kind], space = names, space + size
    dm.exit(changed=any(removed.values()), removed=removed, space_reclaimed=space)


if __name__ == "__main__":
    main()
