"""TLS for SMT's HTTPS endpoints: the client certificate of the 2020 era (mutual TLS) and
the context both eras use (TLS 1.2 or later, hostname checked, an explicit trust store).

The trust store is the ``ca_file`` given, or the system's; environment variables such as
``SSL_CERT_FILE`` or ``REQUESTS_CA_BUNDLE`` are never consulted, so a test setting or a
corporate proxy's bundle cannot quietly change whom the adapter trusts.

Certificates and keys are read with ``cryptography`` first: it tells a wrong password from
a key that does not match its certificate, where OpenSSL only says "PEM lib".
"""

from __future__ import annotations

import os
import secrets
import ssl
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from cryptography.hazmat.primitives.serialization import pkcs12

from adapter.errors import CertificateError, ConfigurationError

__all__ = [
    "ClientCertificate",
    "LoadedCertificate",
    "build_client_context",
    "load_client_certificate",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class ClientCertificate:
    """Where the client certificate and its key are: PEM files (``cert_file``, the
    certificate followed by its chain, and ``key_file``, or the key inside ``cert_file``)
    or one PKCS#12 bundle (``pkcs12_file``). ``password`` unlocks the key or the bundle.

    Raises ``ConfigurationError`` on construction when neither or both forms are given, or
    a ``key_file`` comes without its ``cert_file``."""

    cert_file: Path | None = None
    key_file: Path | None = None
    pkcs12_file: Path | None = None
    password: str | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.pkcs12_file is not None and (self.cert_file or self.key_file):
            raise ConfigurationError(
                "give either cert_file (with key_file) or pkcs12_file, not both",
                field="pkcs12_file",
                value=str(self.pkcs12_file),
            )
        if self.pkcs12_file is None and self.cert_file is None:
            raise ConfigurationError(
                "a client certificate needs cert_file (PEM) or pkcs12_file",
                field="cert_file",
                value=str(self.key_file or ""),
            )

    @property
    def source(self) -> Path:
        """The file that holds the certificate: what error messages name."""
        path = self.pkcs12_file or self.cert_file
        assert path is not None  # __post_init__ guarantees one of them
        return path


@dataclass(frozen=True, slots=True)
class LoadedCertificate:
    """A client certificate as read from its files: the key, the leaf certificate and the
    certificates that follow it (intermediates, perhaps the root), in file order."""

    key: PrivateKeyTypes
    leaf: x509.Certificate
    chain: tuple[x509.Certificate, ...]

    @property
    def key_matches(self) -> bool:
        """Whether ``key`` is the private key of ``leaf``."""
        return _public_der(self.key) == self.leaf.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )


def load_client_certificate(certificate: ClientCertificate) -> LoadedCertificate:
    """Read the key and certificates of ``certificate`` (PEM or PKCS#12).

    Raises ``CertificateError`` naming the file when it cannot be read, holds no
    certificate or no private key, or the password is missing or wrong. A key that does
    not match the certificate is not an error here: see ``LoadedCertificate.key_matches``."""
    password = certificate.password.encode() if certificate.password is not None else None
    if certificate.pkcs12_file is not None:
        return _load_pkcs12(certificate.pkcs12_file, password)
    assert certificate.cert_file is not None  # ClientCertificate guarantees it
    certificates = _load_pem_certificates(certificate.cert_file)
    key_file = certificate.key_file or certificate.cert_file
    key = _load_pem_key(key_file, _read(key_file), password)
    return LoadedCertificate(key, certificates[0], tuple(certificates[1:]))


def build_client_context(
    *, ca_file: Path | None = None, certificate: ClientCertificate | None = None
) -> ssl.SSLContext:
    """A client ``SSLContext``: trust ``ca_file`` (OpenSSL's system store when None, never
    one named by environment variables), TLS 1.2 or later, hostnames checked; with
    ``certificate``, present it and its full chain.

    Raises ``CertificateError`` naming the file when ``ca_file`` or the certificate cannot
    be read, the password is wrong, or the key does not match the certificate."""
    try:
        if ca_file is not None:
            context = ssl.create_default_context(cafile=str(ca_file))
        else:
            cafile, capath = _system_trust()
            context = ssl.create_default_context(cafile=cafile, capath=capath)
    except (OSError, ssl.SSLError) as exc:
        raise CertificateError(
            f"cannot read the CA file {ca_file}: {_reason(exc)}", path=str(ca_file)
        ) from exc
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.check_hostname = True
    context.verify_mode = ssl.CERT_REQUIRED
    if certificate is not None:
        _load_into(context, certificate)
    return context


def _system_trust() -> tuple[str | None, str | None]:
    """OpenSSL's compiled-in trust store (file, directory), named explicitly: left to
    itself, OpenSSL would let $SSL_CERT_FILE and $SSL_CERT_DIR replace it. (None, None)
    where there is none (e.g. Windows): then the platform's own store is used."""
    paths = ssl.get_default_verify_paths()
    cafile = paths.openssl_cafile if os.path.isfile(paths.openssl_cafile) else None
    capath = paths.openssl_capath if os.path.isdir(paths.openssl_capath) else None
    return cafile, capath


def _load_into(context: ssl.SSLContext, certificate: ClientCertificate) -> None:
    loaded = load_client_certificate(certificate)
    path = str(certificate.source)
    if not loaded.key_matches:
        raise CertificateError(
            f"the private key does not match the certificate in {path}"
            + (f" (key file {certificate.key_file})" if certificate.key_file else ""),
            path=path,
        )
    if certificate.cert_file is not None:
        # PEM files go to OpenSSL as they are; the callable keeps OpenSSL from ever
        # prompting on a terminal for a password.
        password = certificate.password or ""
        try:
            context.load_cert_chain(
                certificate.cert_file, certificate.key_file, password=lambda: password
            )
        except (OSError, ssl.SSLError) as exc:
            raise CertificateError(
                f"OpenSSL cannot use the client certificate {path}: {_reason(exc)}", path=path
            ) from exc
        return
    _load_pkcs12_into(context, loaded, path)


def _load_pkcs12_into(context: ssl.SSLContext, loaded: LoadedCertificate, path: str) -> None:
    # ssl loads chains from files only. The key is written encrypted under a one-time
    # passphrase, in a private directory, and deleted as soon as OpenSSL has read it.
    passphrase = secrets.token_urlsafe(32)
    key_pem = loaded.key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(passphrase.encode()),
    )
    chain_pem = b"".join(
        c.public_bytes(serialization.Encoding.PEM) for c in (loaded.leaf, *loaded.chain)
    )
    with tempfile.TemporaryDirectory(prefix="smt-tls-") as directory:
        pem_path = os.path.join(directory, "client.pem")
        descriptor = os.open(pem_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(descriptor, "wb") as file:
                file.write(key_pem + chain_pem)
            context.load_cert_chain(pem_path, password=lambda: passphrase)
        except (OSError, ssl.SSLError) as exc:
            raise CertificateError(
                f"OpenSSL cannot use the client certificate in {path}: {_reason(exc)}",
                path=path,
            ) from exc
        finally:
            if os.path.exists(pem_path):
                os.unlink(pem_path)


def _load_pkcs12(path: Path, password: bytes | None) -> LoadedCertificate:
    data = _read(path)
    try:
        key, leaf, extra = pkcs12.load_key_and_certificates(data, password)
    except ValueError as exc:
        # cryptography cannot tell a wrong password from a damaged file here.
        hint = "no password was given" if password is None else "wrong password"
        raise CertificateError(
            f"cannot open the PKCS#12 file {path}: {hint}, or it is not a PKCS#12 file",
            path=str(path),
        ) from exc
    if leaf is None:
        raise CertificateError(f"the PKCS#12 file {path} holds no certificate", path=str(path))
    if key is None:
        raise CertificateError(f"the PKCS#12 file {path} holds no private key", path=str(path))
    return LoadedCertificate(key, leaf, tuple(extra))


def _load_pem_certificates(path: Path) -> list[x509.Certificate]:
    try:
        certificates = x509.load_pem_x509_certificates(_read(path))
    except ValueError as exc:
        raise CertificateError(
            f"{path} holds no readable PEM certificate: {exc}", path=str(path)
        ) from exc
    return certificates


def _load_pem_key(path: Path, data: bytes, password: bytes | None) -> PrivateKeyTypes:
    if b"PRIVATE KEY-----" not in data:
        raise CertificateError(
            f"{path} holds no PEM private key (give the key file too)", path=str(path)
        )
    try:
        return serialization.load_pem_private_key(data, password)
    except TypeError as exc:
        if password is not None:  # a password for a key that needs none does no harm
            return _load_pem_key(path, data, None)
        raise CertificateError(
            f"the private key in {path} is encrypted and no password was given", path=str(path)
        ) from exc
    except ValueError as exc:
        encrypted = password is not None and b"ENCRYPTED" in data
        problem = "wrong password" if encrypted else f"not a supported key ({exc})"
        raise CertificateError(
            f"cannot read the private key in {path}: {problem}", path=str(path)
        ) from exc


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise CertificateError(
            f"cannot read {path}: {exc.strerror or exc}", path=str(path)
        ) from exc


def _public_der(key: PrivateKeyTypes) -> bytes:
    return key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def _reason(exc: OSError) -> str:
    if isinstance(exc, ssl.SSLError):
        return str(exc.reason or exc)
    return str(exc.strerror or exc)
