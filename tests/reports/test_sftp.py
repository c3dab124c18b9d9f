"""SftpTransport against the mock's real SFTP server: host keys pinned (unknown or changed
refused before credentials are sent), key and password logins, list, resumable download,
remove, rename."""

from __future__ import annotations

import hashlib
import os
import socket
from pathlib import Path

import pytest

from adapter.errors import AuthenticationError, ConfigurationError, TransportError
from adapter.mock.ssh_keys import load_host_key
from adapter.transport.http import Timeouts
from adapter.transport.remote_files import name_problem
from adapter.transport.sftp import SftpSettings, SftpTransport
from tests.reports.servers import (
    HOSTILE_NAMES,
    PASSWORD,
    SERVICE_ID,
    list_hostile_names,
    sftp_site,
)

DATA = os.urandom(300_000)


def test_list_download_rename_and_remove_with_a_key(tmp_path: Path) -> None:
    with sftp_site(tmp_path) as site:
        site.drop("adhocusage/a.CSV.1.zip.asc", DATA, mtime=1_700_000_000)
        (site.root / "adhocusage" / "sub").mkdir()
        with SftpTransport(site.settings()) as sftp:
            (listed,) = sftp.list_files("adhocusage")
            assert (listed.path, listed.size, listed.mtime) == (
                "adhocusage/a.CSV.1.zip.asc",
                len(DATA),
                1_700_000_000,
            )
            local = tmp_path / "a.part"
            assert sftp.download(listed.path, local) == len(DATA)
            assert local.read_bytes() == DATA
            sftp.rename(listed.path, "adhocusage/b")
            assert [f.name for f in sftp.list_files("adhocusage")] == ["b"]
            sftp.remove("adhocusage/b")
            sftp.remove("adhocusage/b")  # already gone: fine
            assert sftp.list_files("adhocusage") == []


def test_known_hosts_pins_the_key_and_a_password_logs_in(tmp_path: Path) -> None:
    with sftp_site(tmp_path) as site:
        key = site.server.host_key
        known = tmp_path / "known_hosts"
        known.write_text(f"[127.0.0.1]:{site.server.port} {key.get_name()} {key.get_base64()}\n")
        settings = site.settings(
            key_file=None, password=PASSWORD, fingerprint=None, known_hosts=known
        )
        with SftpTransport(settings) as sftp:
            assert sftp.list_files("intervaldata") == []


def test_an_unknown_host_key_is_refused_naming_host_and_fingerprint(tmp_path: Path) -> None:
    with sftp_site(tmp_path) as site:
        known = tmp_path / "known_hosts"
        known.write_text("")
        with pytest.raises(TransportError) as caught:
            SftpTransport(site.settings(fingerprint=None, known_hosts=known))
        assert not isinstance(caught.value, AuthenticationError)
        message = str(caught.value)
        assert f"127.0.0.1:{site.server.port}" in message
        assert site.server.fingerprint in message and "unknown" in message


def test_a_changed_host_key_is_refused_naming_both_fingerprints(tmp_path: Path) -> None:
    other, _ = load_host_key(tmp_path / "other")
    with sftp_site(tmp_path) as site:
        known = tmp_path / "known_hosts"
        known.write_text(
            f"[127.0.0.1]:{site.server.port} {other.get_name()} {other.get_base64()}\n"
        )
        with pytest.raises(TransportError) as caught:
            SftpTransport(site.settings(fingerprint=None, known_hosts=known))
        assert site.server.fingerprint in str(caught.value)
        assert "SHA256:" in str(caught.value).split("pinned", 1)[1]
        with pytest.raises(TransportError, match="does not match"):
            SftpTransport(site.settings(fingerprint="SHA256:" + "A" * 43))


def test_refused_credentials_are_an_authentication_error(tmp_path: Path) -> None:
    with sftp_site(tmp_path) as site:
        with pytest.raises(AuthenticationError) as caught:
            SftpTransport(site.settings(key_file=None, password="wrong"))
        assert caught.value.url == f"sftp://127.0.0.1:{site.server.port}"
        assert "wrong" not in str(caught.value)
        other, _ = load_host_key(tmp_path / "stranger")
        with pytest.raises(AuthenticationError):
            SftpTransport(site.settings(key_file=tmp_path / "stranger"))
    assert other is not None


def test_a_dropped_connection_is_resumed_from_the_part_file(tmp_path: Path) -> None:
    with sftp_site(tmp_path, drop_after_bytes=100_000) as site:
        site.drop("adhocusage/r.asc", DATA)
        local = tmp_path / "r.part"
        with (
            pytest.raises(TransportError, match=r"download of adhocusage/r\.asc") as caught,
            SftpTransport(site.settings()) as sftp,
        ):
            sftp.download("adhocusage/r.asc", local)
        assert caught.value.retryable
        assert 0 < local.stat().st_size <= 100_000
        with SftpTransport(site.settings()) as sftp:
            assert sftp.download("adhocusage/r.asc", local) == len(DATA)
        assert hashlib.sha256(local.read_bytes()).digest() == hashlib.sha256(DATA).digest()


def test_a_refused_connection_and_bad_settings(tmp_path: Path) -> None:
    with sftp_site(tmp_path) as site:
        port = site.server.port
        settings = site.settings(timeouts=Timeouts(connect=2, read=2))
    with pytest.raises(TransportError, match="cannot connect"):
        SftpTransport(settings)
    with pytest.raises(ConfigurationError):
        type(settings)(host="127.0.0.1", port=port, username=SERVICE_ID, password="x")


@pytest.mark.parametrize(
    ("name", "refused"),
    [("a.CSV", False), ("..", True), (".", True), ("a/b", True), ("a\\b", True),
     ("a\0b", True), ("", True)],
)  # fmt: skip
def test_a_name_that_could_leave_its_folder_is_refused(name: str, refused: bool) -> None:
    assert (name_problem(name) is not None) == refused


def test_list_files_skips_and_tells_a_hostile_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with sftp_site(tmp_path) as site:
        ok = site.drop("adhocusage/ok.CSV", b"x")
        list_hostile_names(monkeypatch, "adhocusage", ok)
        told: list[tuple[str, str]] = []
        with SftpTransport(site.settings()) as sftp:
            listed = sftp.list_files("adhocusage", refused=lambda *pair: told.append(pair))
        assert [f.name for f in listed] == ["ok.CSV"]
        hostile = [n for n in HOSTILE_NAMES if n not in (".", "..")]  # paramiko drops these
        assert [path for path, _ in told] == [f"adhocusage/{n}" for n in hostile]
        assert all(reason.startswith("the name") for _, reason in told)


def test_a_missing_known_hosts_is_a_setting_error_before_connecting(tmp_path: Path) -> None:
    with socket.socket() as unused:  # nothing listens here: connecting first would fail
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    settings = SftpSettings(
        host="127.0.0.1", port=port, username=SERVICE_ID, password=PASSWORD,
        known_hosts=tmp_path / "missing_known_hosts",
    )  # fmt: skip
    with pytest.raises(ConfigurationError) as caught:
        SftpTransport(settings)
    assert caught.value.field == "known_hosts" and "missing_known_hosts" in str(caught.value)
