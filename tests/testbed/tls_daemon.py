"""A second, throw-away dockerd on loopback that only speaks TLS with client certificates.

It is what a remote API set up the right way looks like, so the connection options and the
TLS error translation are tested against a real daemon, not a stub.
"""

from __future__ import annotations

import fcntl
import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def make_certs(
    directory: Path, name: str = "", addresses: tuple[str, ...] = ("127.0.0.1",), dns_names: tuple[str, ...] = ()
) -> Path:
    """CA, server certificate for ``addresses``, ``dns_names`` and localhost, and a client certificate,
    Docker-style names."""
    d = directory
    d.mkdir(parents=True, exist_ok=True)
    sans = ",".join([f"IP:{address}" for address in addresses] + [f"DNS:{dns}" for dns in dns_names])
    _openssl(
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca-key.pem",
        "-out",
        "ca.pem",
        "-days",
        "2",
        "-subj",
        f"/CN=dockyard test CA {name}",
        # Python 3.13's default context verifies strictly (VERIFY_X509_STRICT): a CA needs its key usage.
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
        cwd=d,
    )
    # ... and a leaf its key identifiers.
    identifiers = "authorityKeyIdentifier=keyid,issuer\nsubjectKeyIdentifier=hash\n"
    for role, subject, ext in (
        ("server", "/CN=localhost", f"subjectAltName={sans},DNS:localhost\nextendedKeyUsage=serverAuth\n"),
        ("client", "/CN=dockyard-client", "extendedKeyUsage=clientAuth\n"),
    ):
        (d / f"{role}.ext").write_text(ext + identifiers)
        _openssl(
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            f"{role}-key.pem",
            "-out",
            f"{role}.csr",
            "-subj",
            subject,
            cwd=d,
        )
        _openssl(
            "x509",
            "-req",
            "-in",
            f"{role}.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca-key.pem",
            "-CAcreateserial",
            "-out",
            f"{role}-cert.pem",
            "-days",
            "2",
            "-extfile",
            f"{role}.ext",
            cwd=d,
        )
    # The client side as DOCKER_CERT_PATH expects it.
    client = d / "client"
    client.mkdir(exist_ok=True)
    for src, dst in (("ca.pem", "ca.pem"), ("client-cert.pem", "cert.pem"), ("client-key.pem", "key.pem")):
        (client / dst).write_bytes((d / src).read_bytes())
    return d


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# A bridge per test process (tests run in parallel workers), each on a /24 of the benchmarking
# range (RFC 2544) that no other bridge holds: nothing is ever sent to it.
BRIDGE = f"dyk-tls{os.getpid() % 100000}"
BRIDGE_LOCK = Path("/run/lock/dockyard-tls-bridges")


def _ip(*args: str) -> str:
    """``ip ARGS``' output; failures ("exists", "not found") are fine."""
    return subprocess.run(["ip", *args], capture_output=True, text=True, check=False).stdout


def _add_bridge() -> None:
    with BRIDGE_LOCK.open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # two workers must not take the same /24
        taken = _ip("-o", "-4", "addr", "show")
        third = next(n for n in range(256) if f" 198.18.{n}." not in taken)
        _ip("link", "add", BRIDGE, "type", "bridge")
        _ip("addr", "add", f"198.18.{third}.1/24", "dev", BRIDGE)


@dataclass
class TLSDaemon:
    url: str
    certs: Path
    process: subprocess.Popen

    @property
    def client_cert_path(self) -> Path:
        return self.certs / "client"

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
        _ip("link", "delete", BRIDGE)


def start_tls_daemon(workdir: Path, timeout: float = 60) -> TLSDaemon:
    _add_bridge()
    certs = make_certs(workdir / "certs")
    port = free_port()
    log = (workdir / "dockerd.log").open("w")
    process = subprocess.Popen(
        [
            "dockerd",
            f"--data-root={workdir / 'data'}", f"--exec-root={workdir / 'exec'}",
            f"--pidfile={workdir / 'dockerd.pid'}", f"-H=tcp://127.0.0.1:{port}",
            "--tlsverify", f"--tlscacert={certs / 'ca.pem'}",
            f"--tlscert={certs / 'server-cert.pem'}", f"--tlskey={certs / 'server-key.pem'}",
            # A bridge of its own: with --bridge=none dockerd deletes docker0, the main daemon's.
            f"--bridge={BRIDGE}", "--iptables=false", "--ip-masq=false",
        ],
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"TLS dockerd exited: {(workdir / 'dockerd.log').read_text()[-2000:]}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return TLSDaemon(f"tcp://127.0.0.1:{port}", certs, process)
        time.sleep(0.2)
    process.kill()
    raise TimeoutError("TLS dockerd did not listen in time")
