#!/usr/bin/python
# Copyright (c) dockyard.docker contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: volume
short_description: Create, inspect or remove a named Docker volume, never losing data by surprise
version_added: 0.2.0
description:
  - Makes the volume O(name) exist with the options the task sets (options left out are not compared),
    or removes it.
  - A volume's driver, options and labels cannot change in place. When they differ, the task fails and
    says so, unless O(recreate=true), because recreating a volume deletes its data.
  - A volume that containers use is never removed; the task fails and names them.
options:
  name:
    description: The volume's name.
    type: str
    required: true
  state:
    description: Whether the volume exists.
    type: str
    default: present
    choices: [present, absent]
  driver:
    description: The volume driver. A volume created without one uses C(local).
    type: str
  driver_options:
    description: Options of the driver, for example C(type), C(device) and C(o) of the C(local) driver.
    type: dict
  labels:
    description: Labels of the volume.
    type: dict
  recreate:
    description: When the volume differs from the task, remove it (and its data) and create it again.
    type: bool
    default: false
extends_documentation_fragment:
  - dockyard.docker.docker
  - dockyard.docker.attributes
  - dockyard.docker.attributes.actiongroup_docker
attributes:
  check_mode:
    support: full
    description: Predicts creation, recreation and removal.
  diff_mode:
    support: full
    description: Shows the options that differ.
author:
  - Dockyard maintainers (@dockyard)
"""

EXAMPLES = r"""
- name: A volume for the database
  dockyard.docker.volume:
    name: pgdata
    labels:
      backup: nightly

- name: A volume in memory, 64 MB
  dockyard.docker.volume:
    name: scratch
    driver_options:
      type: tmpfs
      device: tmpfs
      o: size=64m
"""

RETURN = r"""
volume:
  description: The volume after the task (before it, in check mode); null when there is none.
  returned: always
  type: dict
  contains:
    name: {description: Its name., type: str}
    driver: {description: Its driver., type: str}
    mountpoint: {description: Where its data is on the host., type: str}
    labels: {description: Its labels., type: dict}
    options: {description: Its driver options., type: dict}
    used_by: {description: The names of the containers that mount it., type: list, elements: str}
actions:
  description: What was done, V(created), V(recreated) or V(removed).
  returned: always
  type: list
  elements: str
differences:
  description:
    - Each option the task sets that the volume does not hold, C(option), C(before), C(after) and C(how) it is
      mended (V(recreate)), as the container modules report theirs.
  returned: always
  type: list
  elements: dict
"""

from ansible_collections.dockyard.docker.plugins.module_utils.client import DockerModule, TaskError
from ansible_collections.dockyard.docker.plugins.module_utils.resources import (
    as_differences,
    create_volume,
    diff,
    inspected,
    needed_action,
    volume_differences,
)
from ansible_collections.dockyard.docker.plugins.module_utils.values import SpecError, string_dict


def wanted(params) -> dict:
    """The options the task sets, checked."""
    want = {"driver": params["driver"]} if params["driver"] else {}
    for option in ("driver_options", "labels"):
        if params[option] is not None:
            want[option] = string_dict(params[option], option)
    return want


def users(client, name: str) -> list[str]:
    return sorted(c["Names"][0].lstrip("/") for c in client.containers(all=True, filters={"volume": name}))


def summary(volume: dict | None, used_by: list[str]) -> dict | None:
    if volume is None:
        return None
    return {
        "name": volume.get("Name"),
        "driver": volume.get("Driver"),
        "mountpoint": volume.get("Mountpoint"),
        "labels": volume.get("Labels") or {},
        "options": volume.get("Options") or {},
        "used_by": used_by,
    }


def planned(params: dict, volume: dict | None, found: dict, used_by: list[str]) -> list[str]:
    """The one action the task needs, if any; TaskError rather than lose data or pull a volume from under
    a container."""
    name = params["name"]
    action = needed_action(params["state"], volume, found)
    if action == "recreated" and not params["recreate"]:
        raise TaskError(
            f"volume {name!r} exists with other {', '.join(sorted(found))} "
            f"({'; '.join(f'{o}: {b!r}' for o, (b, _a) in sorted(found.items()))}); changing them means "
            "removing the volume and its data: set recreate: true to do that, or keep the options",
            volume=summary(volume, used_by),
        )
    if action in ("removed", "recreated") and used_by:
        raise TaskError(f"volume {name!r} is used by {', '.join(used_by)}; remove those containers first")
    return [action] if action else []


def main() -> None:
    dm = DockerModule(
        argument_spec={
            "name": {"type": "str", "required": True},
            "state": {"type": "str", "default": "present", "choices": ["present", "absent"]},
            "driver": {"type": "str"},
            "driver_options": {"type": "dict"},
            "labels": {"type": "dict"},
            "recreate": {"type": "bool", "default": False},
        },
        supports_check_mode=True,
    )
    module, params = dm.module, dm.params
    name = params["name"]
    try:
        want = wanted(params)
    except SpecError as exc:
        module.fail_json(msg=str(exc))
    client = dm.client
    actions: list[str] = []
    with dm.failing(lambda: {"actions": actions}):
        volume = inspected(client.inspect_volume, name)
        found = volume_differences(want, volume) if volume and params["state"] == "present" else {}
        used_by = users(client, name) if volume else []
        actions = planned(params, volume, found, used_by)
        if actions and not module.check_mode:
            if volume:
                client.remove_volume(name)
                volume = None
            if actions[0] != "removed":
                volume = create_volume(client, name, want)
    result = {"changed": bool(actions), "actions": actions, "differences": as_differences(found),
              "volume": summary(volume, used_by if volume else [])}  # fmt: skip
    if module._diff:
        result["diff"] = diff(found, actions)
    dm.exit(**result)


if __name__ == "__main__":
    main()
