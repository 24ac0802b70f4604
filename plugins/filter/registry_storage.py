# Copyright (c) dockyard.docker contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The registry_storage filter: the registry role's storage variables as the driver and settings config.yml
writes, and what is wrong with them (module_utils/registry_storage.py decides)."""

from __future__ import annotations

from ansible_collections.dockyard.docker.plugins.module_utils.registry_storage import storage_plan


def registry_storage(variables):
    return storage_plan(dict(variables))


class FilterModule:
    def filters(self):
        return {"registry_storage": registry_storage}
