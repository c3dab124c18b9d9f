"""PGP decryption with the real gpg: only a complete, authentic message for our key is
accepted, and a refused one leaves no plaintext behind."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from adapter.errors import ConfigurationError, DecryptionError
from adapter.reports.pgp import decrypt_file, import_private_key
from tests.reports.keys import PgpKeys, receiving_home, session_keys


@pytest.fixture(scope="module")
def pgp_keys(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PgpKeys]:
    yield from session_keys(tmp_path_factory)


@pytest.fixture
def gnupghome(tmp_path: Path, pgp_keys: PgpKeys) -> Iterator[Path]:
    yield from receiving_home(tmp_path, pgp_keys)


PLAIN = b"ESIID,USAGE_DATE\n" + b"1008901000000000000001,01/02/2025\n" * 2000


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name != "in.asc")


def test_a_message_for_our_key_is_decrypted_into_place(
    tmp_path: Path, gnupghome: Path, pgp_keys: PgpKeys
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    armoured = out / "in.asc"
    armoured.write_bytes(pgp_keys.encrypt(PLAIN))
    target = decrypt_file(armoured, out / "report.zip", gnupghome=gnupghome, passphrase=None)
    assert target.read_bytes() == PLAIN
    assert _leftovers(out) == ["report.zip"]


@pytest.mark.parametrize("damage", ["truncated", "tampered", "wrong key", "not pgp"])
def test_a_damaged_or_foreign_message_is_refused_and_leaves_nothing(
    tmp_path: Path, gnupghome: Path, pgp_keys: PgpKeys, damage: str
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    armoured = out / "in.asc"
    data = pgp_keys.encrypt(PLAIN, to_other=damage == "wrong key")
    lines = data.splitlines(keepends=True)
    if damage == "truncated":  # cut the base64 body in half, keep the armour's end line
        body = [i for i, line in enumerate(lines) if line.strip() and b":" not in line]
        data = b"".join(lines[: body[len(body) // 2]] + lines[-1:])
    elif damage == "tampered":  # flip one base64 character in the middle of the body
        middle = len(lines) // 2
        line = bytearray(lines[middle])
        line[10] = ord("A") if line[10] != ord("A") else ord("B")
        lines[middle] = bytes(line)
        data = b"".join(lines)
    elif damage == "not pgp":
        data = b"-----BEGIN PGP MESSAGE-----\n\nnonsense\n-----END PGP MESSAGE-----\n"
    armoured.write_bytes(data)
    target = out / "report.zip"
    with pytest.raises(DecryptionError) as caught:
        decrypt_file(armoured, target, gnupghome=gnupghome, passphrase=None, remote_name="r")
    assert caught.value.path == str(armoured)
    assert caught.value.remote_name == "r"
    assert _leftovers(out) == []
    if damage == "wrong key":
        assert "secret key" in caught.value.reason


def test_an_existing_target_survives_a_refused_message(
    tmp_path: Path, gnupghome: Path, pgp_keys: PgpKeys
) -> None:
    armoured = tmp_path / "in.asc"
    armoured.write_bytes(pgp_keys.encrypt(PLAIN, to_other=True))
    target = tmp_path / "report.zip"
    target.write_bytes(b"earlier")
    with pytest.raises(DecryptionError):
        decrypt_file(armoured, target, gnupghome=gnupghome, passphrase=None)
    assert target.read_bytes() == b"earlier"


def test_a_key_file_without_a_secret_key_is_a_configuration_error(tmp_path: Path) -> None:
    key_file = tmp_path / "public.asc"
    key_file.write_text("not a key")
    with pytest.raises(ConfigurationError) as caught:
        import_private_key(tmp_path / "home", key_file)
    assert caught.value.field == "private_key_file"
    assert (tmp_path / "home").stat().st_mode & 0o777 == 0o700
