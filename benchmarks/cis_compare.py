"""The CIS Docker Benchmark's sections 2 and 3, side by side on two booted hosts: the engine role's defaults, and
``docker_hardening: cis`` with the points the README leaves to the user's choice asked for too (user namespaces,
container logs sent to a syslog target). Both trust a registry's CA and serve the remote API with TLS, so that
section 3 scores their files. Each host runs one ordinary container; the points are read by host_check, whose
checks are written from the benchmark's text (no copy of docker-bench-security runs).

    .venv/bin/python benchmarks/cis_compare.py

Prints one row per point (pass, WARN, info: missed by choice, n/a: a file the host does not have) and each host's
totals, docker-bench style; exits non-zero when the hardened host misses any point.
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import docker  # noqa: E402

from ansible_run import collections_path, run_module, run_playbook  # noqa: E402

sys.path.insert(0, str(collections_path()))  # local_docker imports the collection's code
from local_docker import bridge_address  # noqa: E402
from testbed import hosts as testbed_hosts  # noqa: E402
from testbed.images import ensure_images  # noqa: E402
from testbed.tls_daemon import make_certs  # noqa: E402

SESSION = f"bench-cis-{os.getpid()}"
SITE = ROOT / "playbooks/site.yml"
SHOWN = {"pass": "pass", "warning": "WARN", "info": "info", "absent": "n/a"}


def certificate_settings(directory: Path) -> dict:
    """What both hosts get, so that section 3's certificate points are scored: a registry's CA to trust, and the
    remote API with TLS."""
    certs = make_certs(directory)
    ca = (certs / "ca.pem").read_text()
    return {
        "docker_registry_ca_certs": {"registry.internal:5000": ca},
        "docker_tls_listen": "0.0.0.0:2376",
        "docker_tls_ca_cert": ca,
        "docker_tls_server_cert": (certs / "server-cert.pem").read_text(),
        "docker_tls_server_key": (certs / "server-key.pem").read_text(),
    }


def hardened_settings(client: docker.DockerClient) -> dict:
    # The syslog target need not listen: the daemon sends its UDP datagrams either way.
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind((bridge_address(client), 0))
        port = probe.getsockname()[1]
    return {
        "docker_hardening": "cis",
        "docker_userns_remap": "default",
        "docker_log_driver": "syslog",
        "docker_log_options": {"syslog-address": f"udp://{bridge_address(client)}:{port}"},
    }


def converge(inventory: Path, host: str, settings: dict, busybox: Path, image: str) -> dict:
    """site.yml on ``host``, one ordinary container, then host_check expecting the profile: its ``cis`` table."""
    shown = {k: v for k, v in settings.items() if not k.startswith(("docker_tls_", "docker_registry_ca"))}
    print(f"{host}: converging with {shown or 'the defaults'}, a registry CA and the TLS API ...", flush=True)
    proc = run_playbook(SITE, inventory=inventory, extra_vars=settings, limit=host)
    if proc.returncode != 0:
        raise SystemExit(f"site.yml failed on {host}:\n{proc.stdout[-3000:]}")
    web = {"name": "web", "image": image, "command": ["httpd", "-f", "-p", "80"], "ports": ["8080:80"]}
    steps = [
        ("ansible.builtin.copy", {"src": str(busybox), "dest": "/tmp/busybox.tar"}),
        ("dockyard.docker.image_load", {"path": "/tmp/busybox.tar"}),
        ("dockyard.docker.container", web),
        ("dockyard.docker.host_check", {"check_registries": False, "expect_hardening": "cis"}),
    ]
    for module, args in steps:
        result = run_module(module, args, inventory=inventory, hosts=host, become=True)[host]
        if result.failed:
            raise SystemExit(f"{module} failed on {host}: {result.get('msg')}")
    return result["cis"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.parse_args()
    client = docker.from_env()
    image = ensure_images(client, ["busybox"])["busybox"]
    with tempfile.TemporaryDirectory(prefix="dockyard-cis-") as tmp:
        work = Path(tmp)
        busybox = work / "busybox.tar"
        with busybox.open("wb") as out:
            for chunk in client.api.get_image(image):
                out.write(chunk)
        key = testbed_hosts.ensure_key(work / "ssh")
        try:
            hosts = testbed_hosts.start_hosts(client, "debian12", 2, key, session=SESSION, owner_pid=os.getpid())
            inventory = testbed_hosts.write_inventory(hosts, key, work / "inventory.yml")
            certificates = certificate_settings(work / "certs")
            hardened = {**certificates, **hardened_settings(client)}
            columns = {
                "defaults": converge(inventory, hosts[0].name, certificates, busybox, image),
                "cis": converge(inventory, hosts[1].name, hardened, busybox, image),
            }
        finally:
            testbed_hosts.sweep(client, session=SESSION)
    print(f"\n{'CIS':<6} {'defaults':<10} {'cis':<10}")
    for cis in columns["cis"]:
        print(f"{cis:<6} {SHOWN[columns['defaults'][cis]]:<10} {SHOWN[columns['cis'][cis]]:<10}")
    for name, column in columns.items():
        counts = {shown: sum(1 for status in column.values() if SHOWN[status] == shown) for shown in SHOWN.values()}
        print(f"{name}: " + ", ".join(f"{count} {shown}" for shown, count in counts.items()))
    missed = [cis for cis, status in columns["cis"].items() if status in ("warning", "info")]
    if missed:
        print(f"the hardened host misses {', '.join(missed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
