"""A throwaway PKI for the mock: one CA, a server certificate and a client certificate.

SMT issues 90-day client certificates to a CSP's API user and requires them for mutual
TLS; this module writes the same kind of set for local use (EC P-256, SHA-256)::

    ca.pem              the CA certificate (trust it on both sides)
    server.pem          server certificate, then the CA (the full chain)
    server-key.pem      its private key (unencrypted, 0600)
    client.pem          client certificate (CN = the API user), then the CA
    client-key.pem      its private key (unencrypted, 0600)
    client.p12          client key + certificate + CA, encrypted (0600)
    client.p12.password the PKCS#12 password (0600)

All files are written to temporary names first and renamed only once every one of them
is complete, so a failure never leaves a half-written set.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from adapter.errors import ConfigurationError

__all__ = [
    "CERTIFICATE_FILES",
    "CertificateSet",
    "describe_certificate_set",
    "read_certificate_set",
    "write_certificate_set",
]

_CA_CERT = "ca.pem"
_SERVER_CERT = "server.pem"
_SERVER_KEY = "server-key.pem"
_CLIENT_CERT = "client.pem"
_CLIENT_KEY = "client-key.pem"
_CLIENT_P12 = "client.p12"
_P12_UNLOCK_FILE = "client.p12.password"
_FILE_NAMES = (
    _CA_CERT,
    _SERVER_CERT,
    _SERVER_KEY,
    _CLIENT_CERT,
    _CLIENT_KEY,
    _CLIENT_P12,
    _P12_UNLOCK_FILE,
)

CERTIFICATE_FILES = _FILE_NAMES  # what a set consists of, in the order it is written

_PUBLIC = 0o644
_PRIVATE = 0o600
_CLOCK_SKEW = timedelta(minutes=5)  # backdate so a peer whose clock lags still accepts them
_ORGANIZATION = "smt-adapter mock"


@dataclass(frozen=True, slots=True, kw_only=True)
class CertificateSet:
    """The paths ``write_certificate_set`` wrote, and the PKCS#12 password."""

    ca_cert: Path
    server_cert: Path
    server_key: Path
    client_cert: Path
    client_key: Path
    client_p12: Path
    p12_password: str


def write_certificate_set(
    directory: Path,
    *,
    client_name: str = "CSPAPIUser1",
    hosts: Sequence[str] = ("localhost", "127.0.0.1", "::1"),
    days: int = 90,
    p12_password: str | None = None,
    overwrite: bool = False,
) -> CertificateSet:
    """Write a fresh CA, server and client certificate set into ``directory`` (created,
    0700, when missing), each certificate valid for ``days`` days.

    Raises ``ConfigurationError`` for an empty ``client_name`` or ``hosts``, ``days``
    outside 1..3650, a directory that already holds one of the files (unless
    ``overwrite``), or one that cannot be written."""
    _check_arguments(client_name, hosts, days)
    if p12_password is None:
        p12_password = secrets.token_urlsafe(12)
    if not overwrite:
        _refuse_existing(directory)

    not_before = datetime.now(UTC).replace(microsecond=0) - _CLOCK_SKEW
    not_after = not_before + timedelta(days=days)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name(f"{_ORGANIZATION} CA {secrets.token_hex(4)}")
    ca = (
        _builder(ca_name, ca_name, ca_key, not_before, not_after)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(cert_sign=True), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    server_key = ec.generate_private_key(ec.SECP256R1())
    server_cert = (
        _leaf(_name(hosts[0]), server_key, ca, ca_key, not_before, not_after)
        .add_extension(x509.SubjectAlternativeName([_general_name(h) for h in hosts]), False)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    client_key = ec.generate_private_key(ec.SECP256R1())
    client_cert = (
        _leaf(_name(client_name), client_key, ca, ca_key, not_before, not_after)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    p12 = pkcs12.serialize_key_and_certificates(
        client_name.encode(),
        client_key,
        client_cert,
        [ca],
        serialization.BestAvailableEncryption(p12_password.encode()),
    )

    contents = {
        _CA_CERT: (_pem(ca), _PUBLIC),
        _SERVER_CERT: (_pem(server_cert) + _pem(ca), _PUBLIC),
        _SERVER_KEY: (_key_pem(server_key), _PRIVATE),
        _CLIENT_CERT: (_pem(client_cert) + _pem(ca), _PUBLIC),
        _CLIENT_KEY: (_key_pem(client_key), _PRIVATE),
        _CLIENT_P12: (p12, _PRIVATE),
        _P12_UNLOCK_FILE: (p12_password.encode() + b"\n", _PRIVATE),
    }
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        _write_all_or_nothing(directory, contents)
    except OSError as exc:
        raise ConfigurationError(
            f"cannot write the certificate set to {directory}: {exc.strerror or exc}",
            field="directory",
            value=str(directory),
        ) from exc
    return _set_in(directory, p12_password)


def _set_in(directory: Path, p12_password: str) -> CertificateSet:
    return CertificateSet(
        ca_cert=directory / _CA_CERT,
        server_cert=directory / _SERVER_CERT,
        server_key=directory / _SERVER_KEY,
        client_cert=directory / _CLIENT_CERT,
        client_key=directory / _CLIENT_KEY,
        client_p12=directory / _CLIENT_P12,
        p12_password=p12_password,
    )


def read_certificate_set(directory: Path, *, valid_for: timedelta) -> CertificateSet | None:
    """The complete set in ``directory`` if every certificate in it stays valid for
    ``valid_for`` from now; None if a file is missing or a certificate expires sooner."""
    if not all((directory / name).is_file() for name in _FILE_NAMES):
        return None
    deadline = datetime.now(UTC) + valid_for
    for name in (_CA_CERT, _SERVER_CERT, _CLIENT_CERT):
        try:
            if _load_leaf(directory / name).not_valid_after_utc < deadline:
                return None
        except ConfigurationError:
            return None
    return _set_in(directory, (directory / _P12_UNLOCK_FILE).read_text().strip())


def describe_certificate_set(cs: CertificateSet) -> list[str]:
    """Human lines for each certificate: its file, subject, expiry and SHA-256 fingerprint.
    Raises ``ConfigurationError`` when a certificate file cannot be read."""
    lines: list[str] = []
    for label, path in (("CA", cs.ca_cert), ("server", cs.server_cert), ("client", cs.client_cert)):
        certificate = _load_leaf(path)
        fingerprint = certificate.fingerprint(hashes.SHA256()).hex(":").upper()
        expires = certificate.not_valid_after_utc.strftime("%Y-%m-%d %H:%M:%S UTC")
        lines.append(f"{label} certificate: {path}")
        lines.append(f"  subject: {certificate.subject.rfc4514_string()}")
        lines.append(f"  expires: {expires}")
        lines.append(f"  SHA-256: {fingerprint}")
    lines.append(f"client PKCS#12: {cs.client_p12} (password in {cs.client_p12.name}.password)")
    return lines


def _check_arguments(client_name: str, hosts: Sequence[str], days: int) -> None:
    if not client_name.strip():
        raise ConfigurationError(
            "client_name must not be empty", field="client_name", value=client_name
        )
    if isinstance(hosts, str) or not hosts or not all(h.strip() for h in hosts):
        raise ConfigurationError(
            "hosts must be a non-empty list of host names or IP addresses",
            field="hosts",
            value=repr(hosts),
        )
    if not 1 <= days <= 3650:
        raise ConfigurationError("days must be 1 to 3650", field="days", value=str(days))


def _refuse_existing(directory: Path) -> None:
    existing = [name for name in _FILE_NAMES if (directory / name).exists()]
    if existing:
        raise ConfigurationError(
            f"{directory} already holds {', '.join(existing)}; pass overwrite=True to replace",
            field="directory",
            value=str(directory),
        )


def _write_all_or_nothing(directory: Path, contents: dict[str, tuple[bytes, int]]) -> None:
    staged: list[tuple[str, str]] = []
    try:
        for name, (data, mode) in contents.items():
            fd, temporary = tempfile.mkstemp(dir=directory, prefix=f".{name}.", suffix=".tmp")
            staged.append((temporary, name))
            with os.fdopen(fd, "wb") as file:
                os.fchmod(file.fileno(), mode)
                file.write(data)
                file.flush()
                os.fsync(file.fileno())
        for temporary, name in staged:
            os.replace(temporary, directory / name)
    finally:
        for temporary, _ in staged:
            if os.path.exists(temporary):
                os.unlink(temporary)


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, _ORGANIZATION),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _builder(
    subject: x509.Name,
    issuer: x509.Name,
    key: ec.EllipticCurvePrivateKey,
    not_before: datetime,
    not_after: datetime,
) -> x509.CertificateBuilder:
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )


def _leaf(
    subject: x509.Name,
    key: ec.EllipticCurvePrivateKey,
    ca: x509.Certificate,
    ca_key: ec.EllipticCurvePrivateKey,
    not_before: datetime,
    not_after: datetime,
) -> x509.CertificateBuilder:
    return (
        _builder(subject, ca.subject, key, not_before, not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(cert_sign=False), critical=True)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
    )


def _key_usage(*, cert_sign: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=not cert_sign,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=cert_sign,
        crl_sign=cert_sign,
        encipher_only=False,
        decipher_only=False,
    )


def _general_name(host: str) -> x509.GeneralName:
    try:
        return x509.IPAddress(ipaddress.ip_address(host))
    except ValueError:
        return x509.DNSName(host)


def _pem(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.PEM)


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _load_leaf(path: Path) -> x509.Certificate:
    try:
        return x509.load_pem_x509_certificates(path.read_bytes())[0]
    except (OSError, ValueError) as exc:
        raise ConfigurationError(
            f"cannot read the certificate {path}: {exc}", field="certificate", value=str(path)
        ) from exc
