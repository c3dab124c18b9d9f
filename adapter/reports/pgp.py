"""The PGP layer of SMT's report files: ASCII-armoured messages decrypted with the ``gpg``
binary (python-gnupg) in a private GNUPGHOME.

A decryption counts only when python-gnupg reports it ok AND gpg exited 0: gpg writes
plaintext as it goes, so a truncated or tampered message can leave a partial file and
still print some good status lines. Plaintext goes to a temporary file beside the target,
renamed into place only after both checks; on any failure it is deleted.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import gnupg  # type: ignore[import-untyped]

from adapter.errors import ConfigurationError, DecryptionError

__all__ = ["decrypt_file", "import_private_key", "open_keyring"]


def open_keyring(gnupghome: Path) -> gnupg.GPG:
    """A ``gnupg.GPG`` on ``gnupghome``, created private (0700) when missing.

    Raises ``ConfigurationError`` when the folder cannot be made or the gpg binary is
    missing."""
    try:
        gnupghome.mkdir(mode=0o700, parents=True, exist_ok=True)
        gnupghome.chmod(0o700)  # gpg warns about (and some builds refuse) open homes
        return gnupg.GPG(gnupghome=str(gnupghome))
    except (OSError, ValueError) as exc:
        raise ConfigurationError(
            f"gnupghome {gnupghome}: cannot use it with gpg ({exc})",
            field="gnupghome",
            value=str(gnupghome),
        ) from exc


def import_private_key(gnupghome: Path, key_file: Path, *, passphrase: str | None = None) -> str:
    """Import the (armoured or binary) private key in ``key_file`` into ``gnupghome``;
    return its fingerprint. Importing the same key again does no harm.

    Raises ``ConfigurationError`` naming ``key_file`` when it cannot be read or holds no
    secret key."""
    gpg = open_keyring(gnupghome)
    try:
        data = key_file.read_bytes()
    except OSError as exc:
        raise ConfigurationError(
            f"pgp key file {key_file}: {exc.strerror or exc}",
            field="private_key_file",
            value=str(key_file),
        ) from exc
    result = gpg.import_keys(data, passphrase=passphrase)
    secret = [r for r in result.results if "fingerprint" in r and r.get("fingerprint")]
    if result.returncode != 0 or not (result.sec_imported or result.sec_read) or not secret:
        raise ConfigurationError(
            f"pgp key file {key_file} holds no secret key gpg can import",
            field="private_key_file",
            value=str(key_file),
        )
    return str(secret[0]["fingerprint"])


def decrypt_file(
    armoured: Path,
    target: Path,
    *,
    gnupghome: Path,
    passphrase: str | None,
    remote_name: str | None = None,
) -> Path:
    """Decrypt ``armoured`` into ``target`` (replaced atomically); return ``target``.

    Raises ``DecryptionError`` (``path`` = ``armoured``) when there is no secret key for the
    message (the wrong key), the message is truncated or tampered with, the passphrase is
    wrong, or gpg exits with a failure; then nothing exists at ``target``'s temporary name
    and ``target`` is untouched."""
    gpg = open_keyring(gnupghome)
    temporary = target.with_name(f".{target.name}.{secrets.token_hex(6)}.decrypting")
    try:
        with armoured.open("rb") as stream:
            result = gpg.decrypt_file(
                stream, passphrase=passphrase, output=str(temporary), extra_args=["--no-tty"]
            )
    except (OSError, ValueError) as exc:
        temporary.unlink(missing_ok=True)
        raise DecryptionError(
            f"cannot decrypt {armoured}: {exc}",
            path=str(armoured),
            reason=str(exc),
            remote_name=remote_name,
        ) from exc
    if not result.ok or result.returncode != 0 or not temporary.is_file():
        temporary.unlink(missing_ok=True)
        reason = result.status or "gpg failed"
        if result.ok:  # good status lines, but gpg itself failed (e.g. a damaged tail)
            reason = f"gpg exited {result.returncode}"
        elif "no secret key" in reason or "no secret key" in result.stderr:
            reason = "no secret key for this message (the wrong PGP key?)"
        raise DecryptionError(
            f"cannot decrypt {armoured}: {reason}",
            path=str(armoured),
            reason=reason,
            remote_name=remote_name,
        )
    try:
        with temporary.open("rb") as stream:
            os.fsync(stream.fileno())
        os.replace(temporary, target)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise DecryptionError(
            f"cannot write {target}: {exc.strerror or exc}",
            path=str(armoured),
            reason=str(exc.strerror or exc),
            remote_name=remote_name,
        ) from exc
    return target
