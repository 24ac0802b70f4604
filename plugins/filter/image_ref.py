# Copyright (c) dockyard.docker contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The image_ref filter: an image reference split and normalised the way Docker reads it."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.dockyard.docker.plugins.module_utils.image_ref import ImageReferenceError, parse


def image_ref(reference):
    try:
        return parse(reference)
    except ImageReferenceError as exc:
        raise AnsibleFilterError(f"image_ref: {exc}") from exc


class FilterModule:
    def filters(self):
        return {"image_ref": image_ref}
