"""Throwaway PGP keys made by the real gpg in private homes, and helpers to wrap report
bytes the way SMT does (ZIP, then ASCII-armoured PGP). ``session_keys`` and
``receiving_home`` are the bodies of the ``pgp_keys`` and ``gnupghome`` fixtures that the
test modules declare (a conftest here would be shared with the parser tests)."""

from __future__ import annotations

import io
import subprocess
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import gnupg  # type: ignore[import-untyped]
import pytest

from adapter.reports.pgp import import_private_key


@dataclass(frozen=True)
class PgpKeys:
    """The sender's keyring (``home``) holds two keys: ``fingerprint`` (SMT's recipient,
    whose secret key is in ``key_file``) and ``other`` (in ``other_key_file``)."""

    home: Path
    fingerprint: str
    key_file: Path
    other: str
    other_key_file: Path

    def encrypt(self, data: bytes, *, to_other: bool = False) -> bytes:
        gpg = gnupg.GPG(gnupghome=str(self.home))
        result = gpg.encrypt(
            data, self.other if to_other else self.fingerprint, armor=True, always_trust=True
        )
        assert result.ok, result.status
        return bytes(result.data)


def make_keys(folder: Path) -> PgpKeys:
    home = folder / "sender"
    home.mkdir(mode=0o700)
    gpg = gnupg.GPG(gnupghome=str(home))
    prints = []
    for name in ("smt-reports", "someone-else"):
        spec = gpg.gen_key_input(
            name_real=name,
            name_email=f"{name}@example.test",
            key_type="EDDSA",
            key_curve="ed25519",
            subkey_type="ECDH",
            subkey_curve="cv25519",
            no_protection=True,
        )
        key = gpg.gen_key(spec)
        assert key.fingerprint, key.stderr
        prints.append(str(key.fingerprint))
    files = []
    for fingerprint in prints:
        path = folder / f"{fingerprint}.asc"
        path.write_text(gpg.export_keys(fingerprint, secret=True, expect_passphrase=False))
        files.append(path)
    return PgpKeys(home, prints[0], files[0], prints[1], files[1])


def stop_agent(home: Path) -> None:
    subprocess.run(
        ["gpgconf", "--homedir", str(home), "--kill", "gpg-agent"], check=False, timeout=10
    )


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def session_keys(factory: pytest.TempPathFactory) -> Iterator[PgpKeys]:
    """Body of a session fixture: the keys, and their gpg-agent stopped afterwards."""
    keys = make_keys(factory.mktemp("pgp"))
    yield keys
    stop_agent(keys.home)


def receiving_home(tmp_path: Path, keys: PgpKeys) -> Iterator[Path]:
    """Body of a fixture: a private GNUPGHOME holding SMT's recipient key."""
    home = tmp_path / "gnupg"
    import_private_key(home, keys.key_file)
    yield home
    stop_agent(home)
