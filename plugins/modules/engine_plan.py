#!/usr/bin/python
# Copyright (c) dockyard.docker contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: engine_plan
short_description: The engine role's plan for a host, decided once before anything is touched
version_added: 0.4.0
description:
  - Runs inside C(dockyard.docker.engine). Reads the role's variables, its distribution data and the host (one
    M(dockyard.docker.engine_facts) call), and returns one plan - every problem with the input, named by the role
    variable that holds it; what each step of the role has to do (RV(pending)); the data each step carries out.
  - Fails, naming every bad value, before any step of the role changes the host (a data-root move, a package, a
    file, a restart). Also warns about misspelt C(docker_*) variables, or refuses them with
    C(docker_strict_variables).
  - The decisions are made on the controller; the host is only read.
options:
  also_known:
    description: Variables with the C(docker_) prefix that are not the role's and not mistakes (the playbooks' own).
    type: list
    elements: str
    default: []
attributes:
  action:
    support: full
    description: Runs on the controller; the host is read through M(dockyard.docker.engine_facts).
  platform:
    support: full
    platforms: posix
    description: The hosts the engine role supports.
extends_documentation_fragment:
  - dockyard.docker.attributes
  - dockyard.docker.attributes.info_module
author:
  - Dockyard maintainers (@dockyard)
"""

EXAMPLES = r"""
- name: Decide what the engine role does on this host
  dockyard.docker.engine_plan:
    also_known: [docker_batch_size]
  register: __docker_plan
"""

RETURN = r"""
pending:
  description: Each step of the role and whether it has work on this host.
  returned: always
  type: dict
  sample: {data_root_move: false, daemon_json: true, install: false, users: false}
work:
  description: The steps that have work.
  returned: always
  type: list
  elements: str
daemon_settings:
  description: The daemon.json settings the role writes (None removes a key).
  returned: always
  type: dict
packages:
  description: The packages to install, move to their pin, hold and release, and the conflicting ones installed.
  returned: always
  type: dict
problems:
  description: Every problem with the input, each naming the role variable; the task fails when there are any.
  returned: on failure
  type: list
  elements: str
unknown:
  description: The C(docker_*) variables the role does not know, with the one probably meant.
  returned: always
  type: list
  elements: str
"""
