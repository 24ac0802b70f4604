#!/usr/bin/python
# Copyright (c) dockyard.docker contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: tls_certificate
short_description: A private CA kept on the host, and a server certificate it signs, renewed before expiry
version_added: 0.3.0
description:
  - In O(path), keeps C(ca.pem) and C(ca-key.pem), a CA made once and then kept (its clients trust it), and
    C(server.pem) and C(server-key.pem), a certificate for O(names) signed by that CA.
  - A CA certificate made by an earlier version, without the subject key identifier that strict verification
    (Python 3.13's default) asks for, is made again with the same key, name and expiry; clients that trust the old
    one still verify the server, and strict ones do once they trust the new one.
  - The server certificate is made again when it is missing, lacks one of O(names), was not signed by the CA,
    or expires within O(renew_days). Otherwise nothing changes.
  - Names that are IP addresses go into the certificate as IP addresses, the others as DNS names.
  - Keys are ECDSA P-256, written mode 0600; made with the C(cryptography) package, as well-kept a tool as any.
requirements:
  - cryptography (the C(python3-cryptography) package) on the target
options:
  path:
    description: Directory of the CA and server files; made mode 0700 if missing.
    type: path
    required: true
  names:
    description: Host names and IP addresses the server is reached by. The first is the certificate's common name.
    type: list
    elements: str
    required: true
  ca_name:
    description: Common name of the CA, when it is made.
    type: str
    default: dockyard registry CA
  days:
    description: Validity of a new server certificate, in days. The CA is made valid ten times as long.
    type: int
    default: 365
  renew_days:
    description: Make the server certificate again when it expires within this many days.
    type: int
    default: 30
attributes:
  check_mode:
    support: full
    description: Reports whether the CA or the certificate would be made, and why.
  diff_mode:
    support: none
    description: RV(reasons) says why the certificate is made.
extends_documentation_fragment:
  - dockyard.docker.attributes
author:
  - Dockyard maintainers (@dockyard)
"""

EXAMPLES = r"""
- name: TLS for the registry, for its name and address
  dockyard.docker.tls_certificate:
    path: /etc/docker-registry/certs
    names: [registry.example.com, 192.0.2.10]
  register: registry_tls

- name: Clients trust the CA (the engine role puts it in /etc/docker/certs.d)
  ansible.builtin.set_fact:
    registry_ca: "{{ registry_tls.ca_cert }}"
"""

RETURN = r"""
ca_cert:
  description: The CA certificate (PEM) for clients to trust. Empty in check mode when the CA would be made.
  returned: always
  type: str
fingerprint:
  description: SHA-256 of the server certificate; changes whenever it is made again.
  returned: always
  type: str
expires:
  description: When the server certificate expires (ISO 8601, UTC).
  returned: always
  type: str
reasons:
  description: Why the CA or the certificate was (or would be) made; empty when nothing changed.
  returned: always
  type: list
  elements: str
  sample: ["server certificate lacks 192.0.2.10"]
"""

import datetime
import ipaddress
import os
import traceback

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.dockyard.docker.plugins.module_utils.files import replace_file

try:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    CRYPTOGRAPHY_ERROR = None
except ImportError:  # pragma: no cover - exercised on targets without it
    x509 = None
    CRYPTOGRAPHY_ERROR = traceback.format_exc()

UTC = datetime.timezone.utc


def now() -> datetime.datetime:
    return datetime.datetime.now(UTC)


def expiry(cert) -> datetime.datetime:
    # cryptography 42 added the aware not_valid_after_utc; Debian 11 and 12 ship older versions.
    if hasattr(cert, "not_valid_after_utc"):
        return cert.not_valid_after_utc
    return cert.not_valid_after.replace(tzinfo=UTC)


def san(name: str):
    try:
        return x509.IPAddress(ipaddress.ip_address(name))
    except ValueError:
        return x509.DNSName(name)


def load_cert(path: str):
    try:
        with open(path, "rb") as handle:
            return x509.load_pem_x509_certificate(handle.read())
    except FileNotFoundError:
        return None


def load_key(path: str):
    try:
        with open(path, "rb") as handle:
            return serialization.load_pem_private_key(handle.read(), password=None)
    except FileNotFoundError:
        return None


def key_pem(key) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def make_ca(name: str, days: int, same_as=None, same_key=None):
    """A new CA certificate; or, given ``same_as`` and its ``same_key``, that CA made again (same key, name and
    expiry) with the identifiers it lacked."""
    key = same_key or ec.generate_private_key(ec.SECP256R1())
    subject = same_as.subject if same_as else x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    not_after = expiry(same_as) if same_as else None
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now() - datetime.timedelta(minutes=5))
        .not_valid_after(not_after or now() + datetime.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True
        )  # key_cert_sign, crl_sign
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return key, cert


def lacks_identifiers(cert) -> bool:
    """Whether ``cert`` lacks the key identifiers strict verification (Python 3.13's default, VERIFY_X509_STRICT)
    asks for: a CA its subject key identifier, a server certificate its authority key identifier."""
    wanted = x509.SubjectKeyIdentifier
    try:
        if not cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca:
            wanted = x509.AuthorityKeyIdentifier
    except x509.ExtensionNotFound:
        wanted = x509.AuthorityKeyIdentifier
    try:
        cert.extensions.get_extension_for_class(wanted)
    except x509.ExtensionNotFound:
        return True
    return False


def make_server(names: list[str], days: int, ca_key, ca_cert):
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0][:64])]))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now() - datetime.timedelta(minutes=5))
        .not_valid_after(now() + datetime.timedelta(days=days))
        .add_extension(x509.SubjectAlternativeName([san(n) for n in names]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_cert.public_key()), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    return key, cert


def server_problems(cert, key, ca_cert, names: list[str], renew_days: int) -> list[str]:
    if cert is None or key is None:
        return ["no server certificate yet"]
    if ca_cert is None or cert.issuer != ca_cert.subject:
        return ["server certificate not signed by this CA"]
    try:
        ca_cert.public_key().verify(cert.signature, cert.tbs_certificate_bytes, ec.ECDSA(cert.signature_hash_algorithm))
    except Exception:  # noqa: BLE001 - any failure means another CA (or key type) signed it
        return ["server certificate not signed by this CA"]
    problems = []
    try:
        present = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        present = []
    missing = [n for n in names if san(n) not in present]
    if missing:
        problems.append(f"server certificate lacks {', '.join(missing)}")
    if lacks_identifiers(cert):
        problems.append("server certificate lacks the authority key identifier strict clients (Python 3.13) ask for")
    if expiry(cert) - now() < datetime.timedelta(days=renew_days):
        problems.append(f"server certificate expires {expiry(cert).isoformat()}, within {renew_days} days")
    return problems


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "path": {"type": "path", "required": True},
            "names": {"type": "list", "elements": "str", "required": True},
            "ca_name": {"type": "str", "default": "dockyard registry CA"},
            "days": {"type": "int", "default": 365},
            "renew_days": {"type": "int", "default": 30},
        },
        supports_check_mode=True,
    )
    p = module.params
    if x509 is None and module.check_mode and not os.path.exists(os.path.join(p["path"], "ca.pem")):
        # A fresh host in check mode: the library comes with the run that makes the CA.
        module.exit_json(changed=True, reasons=["no CA yet"], ca_cert="", fingerprint="", expires="")
    if x509 is None:
        module.fail_json(
            msg=missing_required_lib("cryptography", reason="to make TLS certificates"), exception=CRYPTOGRAPHY_ERROR
        )
    names = list(dict.fromkeys(n.strip() for n in p["names"] if n and n.strip()))
    if not names:
        module.fail_json(msg="names: give at least one host name or address")
    if p["days"] <= p["renew_days"]:
        module.fail_json(
            msg=f"days: {p['days']} is not more than renew_days ({p['renew_days']}); every run would renew"
        )
    files = {name: os.path.join(p["path"], name) for name in ("ca.pem", "ca-key.pem", "server.pem", "server-key.pem")}
    ca_cert, ca_key = load_cert(files["ca.pem"]), load_key(files["ca-key.pem"])
    reasons = []
    if ca_cert is None or ca_key is None:
        reasons.append("no CA yet")
    elif expiry(ca_cert) - now() < datetime.timedelta(days=p["days"]):
        module.fail_json(
            msg=f"the CA in {files['ca.pem']} expires {expiry(ca_cert).isoformat()}, before a new server certificate "
            "would; replacing it needs every client to trust a new CA: move the old files away to make one"
        )
    # A CA made before 0.4.0 lacks its subject key identifier: made again with its own key, name and expiry, so
    # that clients which trust the old one still verify what it signs, and strict ones do once they get it.
    reissue_ca = ca_cert is not None and ca_key is not None and lacks_identifiers(ca_cert)
    if reissue_ca:
        reasons.append("CA certificate lacks the subject key identifier strict clients (Python 3.13) ask for")
    cert, key = load_cert(files["server.pem"]), load_key(files["server-key.pem"])
    reasons += server_problems(cert, key, ca_cert, names, p["renew_days"])
    if reasons and module.check_mode:
        known_ca = ca_cert.public_bytes(serialization.Encoding.PEM).decode() if ca_cert else ""
        module.exit_json(changed=True, reasons=reasons, ca_cert=known_ca, fingerprint="", expires="")
    if reasons:
        os.makedirs(p["path"], mode=0o700, exist_ok=True)
        if ca_cert is None or ca_key is None:
            ca_key, ca_cert = make_ca(p["ca_name"], p["days"] * 10)
            replace_file(files["ca-key.pem"], key_pem(ca_key), 0o600)
            replace_file(files["ca.pem"], ca_cert.public_bytes(serialization.Encoding.PEM), 0o644)
        elif reissue_ca:
            ca_key, ca_cert = make_ca(p["ca_name"], 0, same_as=ca_cert, same_key=ca_key)
            replace_file(files["ca.pem"], ca_cert.public_bytes(serialization.Encoding.PEM), 0o644)
        key, cert = make_server(names, p["days"], ca_key, ca_cert)
        replace_file(files["server-key.pem"], key_pem(key), 0o600)
        replace_file(files["server.pem"], cert.public_bytes(serialization.Encoding.PEM), 0o644)
    module.exit_json(
        changed=bool(reasons),
        reasons=reasons,
        ca_cert=ca_cert.public_bytes(serialization.Encoding.PEM).decode(),
        fingerprint=cert.fingerprint(hashes.SHA256()).hex(),
        expires=expiry(cert).isoformat(),
    )


if __name__ == "__main__":
    main()
