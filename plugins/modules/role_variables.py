#!/usr/bin/python
# Copyright (c) dockyard.docker contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: role_variables
short_description: Warn about variables a role does not know, such as a misspelt role variable
version_added: 0.2.0
description:
  - Ansible accepts any variable, so a misspelt role variable (C(docker_registry_mirror) for
    C(docker_registry_mirrors)) is silently ignored and the role's default applies.
  - Run inside a role, this lists every variable with the given prefix that the role does not
    know, with the name it probably meant, as warnings, or as a failure with O(strict).
  - The role's names are read from its own files (argument spec, defaults, vars, and the names its
    tasks and handlers register, set or declare), so no list needs keeping.
  - Runs on the controller; the managed host is not contacted.
options:
  prefix:
    description: The prefix of the role's variables.
    type: str
    default: docker_
  also_known:
    description: Other names with the prefix that are not mistakes (variables of the playbooks that use the role).
    type: list
    elements: str
    default: []
  strict:
    description: Fail instead of warning.
    type: bool
    default: false
attributes:
  action:
    support: full
    description: Runs on the controller as an action; nothing is sent to the managed host.
  platform:
    support: full
    platforms: all
    description: Reads the variables Ansible holds for the host; the host's platform does not matter.
extends_documentation_fragment:
  - dockyard.docker.attributes
  - dockyard.docker.attributes.info_module
author:
  - Dockyard maintainers (@dockyard)
"""

EXAMPLES = r"""
- name: Warn about misspelt role variables
  dockyard.docker.role_variables:
    prefix: docker_
    strict: "{{ docker_strict_variables }}"
"""

RETURN = r"""
unknown:
  description: One message per unknown variable, with a suggestion where a role variable is close.
  returned: always
  type: list
  elements: str
  sample:
    - "docker_registry_mirror: not a variable of dockyard.docker.engine, so it changes nothing;
      did you mean docker_registry_mirrors?"
"""
