# Copyright (c) dockyard.docker contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    """The options of the modules that talk to a registry's HTTP API (module_utils/registry.py REGISTRY_ARGS)."""

    DOCUMENTATION = r"""
options:
  registry:
    description:
      - The registry, C(host:port) (HTTPS), C(https://host:port), or C(http://host:port) for one that speaks
        plain HTTP. C(docker.io) means Docker Hub.
    type: str
    required: true
  username:
    description:
      - User on the registry. Without it, the credentials stored for the registry in the Docker config of
        O(user) are used (its C(auths), C(credsStore) or C(credHelpers)), as the Docker CLI does.
    type: str
  password:
    description: Password or token for O(username). Never logged.
    type: str
  user:
    description: The user on the target whose Docker config holds the credentials. Default, whoever runs the module.
    type: str
  docker_config:
    description: Path of the Docker config file to use instead of O(user)'s C(~/.docker/config.json).
    type: path
  ca_path:
    description:
      - CA certificate (PEM) that signed the registry's certificate. Without it,
        C(/etc/docker/certs.d/<host:port>/ca.crt) is used when it exists (where Docker looks, and where the
        engine role puts it), else the system's CAs.
    type: path
  validate_certs:
    description: Check the registry's certificate. Turn off only for a registry you reach over a trusted network.
    type: bool
    default: true
  timeout:
    description: Seconds to wait for each answer of the registry.
    type: int
    default: 30
  retries:
    description:
      - How many more times to try, with doubling pauses from one second, when the registry cannot be reached
        or answers with a server error. A refusal (wrong credentials, no such repository) is not retried.
    type: int
    default: 3
"""
