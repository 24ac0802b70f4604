#!/usr/bin/python
# Copyright (c) dockyard.docker contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: registry_login
short_description: Log a user on the target in to a registry (or out), as C(docker login) does
version_added: 0.3.0
description:
  - Stores credentials for a registry in the Docker config of a user on the target
    (C(~/.docker/config.json)), where the Docker CLI, the Docker SDK and this collection's image modules find them.
  - Stores them where the Docker CLI would, through the credential helper the config names for the
    registry (C(credHelpers)) or for all registries (C(credsStore)), else base64 in the file. The file keeps
    every other registry and setting; it is written mode 0600, owned by the user, in its directory mode 0700.
  - Checks the credentials against the registry before storing them (basic auth, or the token flow that
    a C(WWW-Authenticate Bearer) answer asks for); wrong ones fail the task and store nothing.
  - Reports a change only when what is stored changes. Needs no Docker daemon.
extends_documentation_fragment:
  - dockyard.docker.registry_api
  - dockyard.docker.attributes
options:
  registry:
    description:
      - The registry, C(host:port), C(https://host:port) or C(http://host:port). The config's key is C(host:port)
        (C(https://index.docker.io/v1/) for Docker Hub, as the CLI writes it).
    type: str
    required: true
  username:
    description: User on the registry. Required with O(state=present).
    type: str
  password:
    description: Password or access token. Required with O(state=present). Never logged.
    type: str
  state:
    description: C(present) stores the credentials; C(absent) removes them (log out).
    type: str
    choices: [present, absent]
    default: present
  verify:
    description: Check the credentials against the registry before storing them.
    type: bool
    default: true
attributes:
  check_mode:
    support: full
    description: Checks the credentials against the registry and reports whether they would be stored; writes nothing.
  diff_mode:
    support: full
    description: Shows the registry and user stored before and after; never the password.
notes:
  - A credential helper named in the config must be installed on the target (C(docker-credential-<name>)).
author:
  - Dockyard maintainers (@dockyard)
"""

EXAMPLES = r"""
- name: Let the deploy user pull from the private registry
  dockyard.docker.registry_login:
    registry: registry.example.com:5000
    username: deploy
    password: "{{ vault_registry_password }}"
    user: deploy

- name: Log root out of the old registry
  dockyard.docker.registry_login:
    registry: old-registry.example.com:5000
    state: absent
"""

RETURN = r"""
registry:
  description: The registry's key in the Docker config.
  returned: always
  type: str
  sample: registry.example.com:5000
username:
  description: The user stored for the registry (after the task).
  returned: always
  type: str
stored_in:
  description: Where the credentials are kept, C(file) or C(helper:<name>); C(none) after a log-out.
  returned: always
  type: str
  sample: file
config_path:
  description: The Docker config file.
  returned: always
  type: str
  sample: /home/deploy/.docker/config.json
"""

import os

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.dockyard.docker.plugins.module_utils import docker_config
from ansible_collections.dockyard.docker.plugins.module_utils.registry import REGISTRY_ARGS, Registry, RegistryError


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            **REGISTRY_ARGS,
            "state": {"type": "str", "choices": ["present", "absent"], "default": "present"},
            "verify": {"type": "bool", "default": True},
        },
        required_if=[("state", "present", ["username", "password"])],
        supports_check_mode=True,
    )
    p = module.params
    result = {"changed": False}
    try:
        api = Registry(
            p["registry"], p["username"], p["password"], p["ca_path"], p["validate_certs"], p["timeout"], p["retries"]
        )
        where = docker_config.locate(p["user"], p["docker_config"])
        result.update(registry=api.key, config_path=where.path)
        config = docker_config.load(where)
        before = docker_config.stored(config, api.key, module.run_command)
        helper = docker_config.helper_for(config, api.key)
        if p["state"] == "present":
            if p["verify"]:
                api.check()
            wanted = (p["username"], p["password"])
            loose_mode = os.path.exists(where.path) and os.stat(where.path).st_mode & 0o777 != 0o600
            result["changed"] = before != wanted or loose_mode
            result["stored_in"] = f"helper:{helper}" if helper else "file"
            if result["changed"] and not module.check_mode:
                if before != wanted:
                    docker_config.store(config, api.key, *wanted, module.run_command)
                docker_config.save(where, config)
            after_user = p["username"]
        else:
            result["changed"] = before is not None or api.key in (config.get("auths") or {})
            result["stored_in"] = "none"
            if result["changed"] and not module.check_mode:
                docker_config.erase(config, api.key, helper_holds=before is not None, run=module.run_command)
                docker_config.save(where, config)
            after_user = None
    except (RegistryError, docker_config.DockerConfigError, OSError) as exc:
        module.fail_json(msg=str(exc), **result)
    result["username"] = after_user or ""
    if module._diff:
        result["diff"] = {
            "before": {"registry": api.key, "username": before[0] if before else None},
            "after": {"registry": api.key, "username": after_user},
        }
    module.exit_json(**result)


if __name__ == "__main__":
    main()
