# Copyright (c) dockyard.docker contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    """The attributes modules share. A module's own ``attributes`` add to these or override one."""

    # Every module: it runs on the managed host (the engine's host, or one that reaches the daemon).
    DOCUMENTATION = r"""
attributes:
  platform:
    support: full
    platforms: posix
    description: Runs on the managed host, with Python.
"""

    # The modules that talk to a Docker daemon take their connection options from one module_defaults group.
    ACTIONGROUP_DOCKER = r"""
attributes:
  action_group:
    support: full
    membership:
      - dockyard.docker.docker
    description: Use C(group/dockyard.docker.docker) in C(module_defaults) to set the connection options once.
"""

    # A module that only reads behaves the same in check mode and has nothing to diff.
    INFO_MODULE = r"""
attributes:
  check_mode:
    support: full
    description: Only reads; check mode is the same as a run.
  diff_mode:
    support: none
    description: Nothing changes.
"""
