"""tls_certificate on the controller: what it makes passes strict verification (VERIFY_X509_STRICT, Python 3.13's
default), and a CA an earlier version made without key identifiers is made again with its own key, so that a client
that trusts the old CA certificate still verifies the server."""

from __future__ import annotations

import datetime
import ipaddress
import socket
import ssl
import threading
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from ansible_run import local_module


def handshake(ca: Path, cert: Path, key: Path, strict: bool) -> str:
    """A TLS handshake with a server holding ``cert``, by a client that trusts ``ca``: "verified" or the error."""
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(cert, key)
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def serve() -> None:
        conn = listener.accept()[0]
        try:
            server.wrap_socket(conn, server_side=True).close()
        except OSError:
            pass

    threading.Thread(target=serve, daemon=True).start()
    client = ssl.create_default_context(cafile=str(ca))
    if strict:
        client.verify_flags |= ssl.VERIFY_X509_STRICT
    try:
        with client.wrap_socket(socket.create_connection(("127.0.0.1", port)), server_hostname="127.0.0.1"):
            return "verified"
    except ssl.SSLError as exc:
        return exc.reason or str(exc)
    finally:
        listener.close()


def old_style_files(directory: Path) -> None:
    """A CA and server certificate as version 0.3.0 made them: no key identifiers."""
    directory.mkdir(mode=0o700)
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.timezone.utc)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "dockyard registry CA")])

    def build(subject, public_key, days):
        return (x509.CertificateBuilder().subject_name(subject).issuer_name(name).public_key(public_key)
                .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
                .not_valid_after(now + datetime.timedelta(days=days)))  # fmt: skip

    ca = (build(name, ca_key.public_key(), 3650).add_extension(x509.BasicConstraints(ca=True, path_length=0), True)
          .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), True)
          .sign(ca_key, hashes.SHA256()))  # fmt: skip
    server = (build(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]), key.public_key(), 365)
              .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
              .add_extension(x509.BasicConstraints(ca=False, path_length=None), True)
              .sign(ca_key, hashes.SHA256()))  # fmt: skip
    pem = serialization.Encoding.PEM
    private = (pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    (directory / "ca.pem").write_bytes(ca.public_bytes(pem))
    (directory / "ca-key.pem").write_bytes(ca_key.private_bytes(*private))
    (directory / "server.pem").write_bytes(server.public_bytes(pem))
    (directory / "server-key.pem").write_bytes(key.private_bytes(*private))


def test_a_new_ca_and_server_certificate_pass_strict_verification(tmp_path):
    made = local_module("tls_certificate", {"path": str(tmp_path / "tls"), "names": ["127.0.0.1"]})
    assert made["changed"] is True and made["reasons"] == ["no CA yet", "no server certificate yet"]
    tls = tmp_path / "tls"
    assert handshake(tls / "ca.pem", tls / "server.pem", tls / "server-key.pem", strict=True) == "verified"
    again = local_module("tls_certificate", {"path": str(tls), "names": ["127.0.0.1"]})
    assert again["changed"] is False


def test_an_earlier_versions_ca_is_made_again_with_its_own_key_and_old_clients_still_verify(tmp_path):
    tls = tmp_path / "tls"
    old_style_files(tls)
    old_ca = x509.load_pem_x509_certificate((tls / "ca.pem").read_bytes())
    (tmp_path / "old-ca.pem").write_bytes((tls / "ca.pem").read_bytes())
    refused = handshake(tls / "ca.pem", tls / "server.pem", tls / "server-key.pem", strict=True)
    assert refused != "verified"  # what a Python 3.13 client saw

    predicted = local_module("tls_certificate", {"path": str(tls), "names": ["127.0.0.1"]}, check=True)
    assert predicted["changed"] is True
    assert (tmp_path / "old-ca.pem").read_bytes() == (tls / "ca.pem").read_bytes()  # check mode wrote nothing
    made = local_module("tls_certificate", {"path": str(tls), "names": ["127.0.0.1"]})
    assert made["changed"] is True
    assert [r.split(" lacks ")[0] for r in made["reasons"]] == ["CA certificate", "server certificate"]
    new_ca = x509.load_pem_x509_certificate((tls / "ca.pem").read_bytes())
    public = serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    assert new_ca.public_key().public_bytes(*public) == old_ca.public_key().public_bytes(*public)
    assert new_ca.subject == old_ca.subject and new_ca.not_valid_after_utc == old_ca.not_valid_after_utc
    assert handshake(tls / "ca.pem", tls / "server.pem", tls / "server-key.pem", strict=True) == "verified"
    # A client still holding the old CA certificate (Docker's certs.d until the next run) verifies the server.
    assert handshake(tmp_path / "old-ca.pem", tls / "server.pem", tls / "server-key.pem", strict=False) == "verified"
    assert local_module("tls_certificate", {"path": str(tls), "names": ["127.0.0.1"]})["changed"] is False
