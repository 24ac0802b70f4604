# Copyright (c) dockyard.docker contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    """Registry credentials of the modules that talk to a registry (module_utils/images.py AUTH_ARGS)."""

    DOCUMENTATION = r"""
options:
  username:
    description:
      - User for the registry. Without it, the credentials stored on the target for the registry
        (C(~/.docker/config.json) and its credential helpers) are used, as the Docker CLI does.
    type: str
  password:
    description: Password or token for O(username). Never logged.
    type: str
"""
