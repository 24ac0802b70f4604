# Copyright (c) dockyard.docker contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    """Connection options every dockyard.docker module shares (resolved in module_utils/client.py)."""

    DOCUMENTATION = r"""
options:
  docker_host:
    description:
      - The Docker daemon to talk to, as the Docker CLI writes it, for example C(unix:///var/run/docker.sock)
        or C(tcp://host:2376).
      - When not given, the E(DOCKER_HOST) environment variable of the task is used, then the local socket.
    type: str
    default: unix:///var/run/docker.sock
    aliases: [docker_url]
  tls:
    description:
      - Speak TLS to the daemon without verifying its certificate. Prefer O(validate_certs).
      - Falls back to the E(DOCKER_TLS) environment variable.
    type: bool
    default: false
  validate_certs:
    description:
      - Speak TLS and verify the daemon's certificate against O(ca_path).
      - Falls back to the E(DOCKER_TLS_VERIFY) environment variable, as the Docker CLI does.
    type: bool
    default: false
    aliases: [tls_verify]
  cert_path:
    description:
      - A directory holding C(ca.pem), C(cert.pem) and C(key.pem), as the Docker CLI expects it. Implies TLS.
      - Falls back to the E(DOCKER_CERT_PATH) environment variable.
      - O(ca_path), O(client_cert) and O(client_key) override the single files.
    type: path
  ca_path:
    description: The CA certificate to verify the daemon's certificate against.
    type: path
    aliases: [ca_cert, tls_ca_cert]
  client_cert:
    description: The client certificate to present to the daemon.
    type: path
    aliases: [tls_client_cert, cert]
  client_key:
    description: The key of O(client_cert).
    type: path
    aliases: [tls_client_key, key]
  api_version:
    description:
      - The Docker API version to speak; C(auto) asks the daemon for its own.
      - Falls back to the E(DOCKER_API_VERSION) environment variable.
    type: str
    default: auto
    aliases: [docker_api_version]
  timeout:
    description:
      - Seconds to wait for an answer from the daemon.
      - Falls back to the E(DOCKER_TIMEOUT) environment variable.
    type: int
    default: 60
requirements:
  - Docker SDK for Python 5.0 or later (the C(docker) package) on the host the module runs on.
notes:
  - Modules run on the target host and talk to the daemon there, unless O(docker_host) points elsewhere.
  - The user the module runs as needs access to the daemon socket. That is root (C(become=true)) or a
    member of the C(docker) group, in a login session that started after the user joined it.
"""
