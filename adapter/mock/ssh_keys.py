"""SSH keys of the mock's SFTP server: its host key (made on first use), its fingerprint as
OpenSSH prints it, and the public keys each account may log in with."""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
from pathlib import Path

import paramiko
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from adapter.errors import ConfigurationError

__all__ = ["format_fingerprint", "load_host_key", "read_authorized_keys"]


def load_host_key(path: Path) -> tuple[paramiko.PKey, bool]:
    """The host key in ``path`` (OpenSSH private key format), or a new Ed25519 key written
    there (0600, atomically) when the file is missing; also says whether it was created.

    Raises ``ConfigurationError`` when the file cannot be read as a private key or
    cannot be written."""
    created = False
    if not path.exists():
        key = ed25519.Ed25519PrivateKey.generate()
        data = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.OpenSSH,
            serialization.NoEncryption(),
        )
        temporary = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(data)
            os.replace(temporary, path)
        except OSError as exc:
            temporary.unlink(missing_ok=True)
            raise ConfigurationError(
                f"mock.sftp.host_key_file = {path}: cannot write it ({exc.strerror or exc})",
                field="mock.sftp.host_key_file",
                value=str(path),
            ) from exc
        created = True
    try:
        return paramiko.PKey.from_path(path), created
    except (OSError, paramiko.SSHException, ValueError) as exc:
        raise ConfigurationError(
            f"mock.sftp.host_key_file = {path}: not an unencrypted SSH private key ({exc})",
            field="mock.sftp.host_key_file",
            value=str(path),
        ) from exc


def format_fingerprint(key: paramiko.PKey) -> str:
    """The key's fingerprint as OpenSSH prints it: ``SHA256:<base64, unpadded>``."""
    digest = hashlib.sha256(key.asbytes()).digest()
    return "SHA256:" + base64.b64encode(digest).decode().rstrip("=")


def read_authorized_keys(path: Path) -> dict[str, list[paramiko.PKey]]:
    """Public keys per service ID, from lines ``<service_id> <key type> <base64> [comment]``
    (``#`` comments and blank lines are skipped).

    Raises ``ConfigurationError`` naming the line when it cannot be read."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigurationError(
            f"mock.sftp.authorized_keys = {path}: cannot read it ({exc})",
            field="mock.sftp.authorized_keys",
            value=str(path),
        ) from exc
    keys: dict[str, list[paramiko.PKey]] = {}
    for number, line in enumerate(lines, 1):
        fields = line.split()
        if not fields or fields[0].startswith("#"):
            continue
        try:
            service_id, key_type, blob = fields[:3]
            key = paramiko.PKey.from_type_string(key_type, base64.b64decode(blob, validate=True))
        except (ValueError, paramiko.SSHException) as exc:
            raise ConfigurationError(
                f"mock.sftp.authorized_keys = {path}: line {number} is not "
                f"'<service_id> <key type> <base64 key> [comment]' ({exc})",
                field="mock.sftp.authorized_keys",
                value=f"{path}:{number}",
            ) from exc
        keys.setdefault(service_id, []).append(key)
    return keys
