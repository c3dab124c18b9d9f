"""FtpsTransport against the mock's real FTPS server (explicit TLS, client certificate,
PROT P, passive): list, resumable download, rename, delete; refusals translated."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from adapter.errors import AuthenticationError, ConfigurationError, TransportError
from adapter.transport import ftps as ftps_module
from adapter.transport.ftps import FtpsTransport
from tests.reports.servers import ftps_certificates, ftps_site

DATA = os.urandom(400_000)


def test_list_download_rename_and_delete(tmp_path: Path) -> None:
    with ftps_site(tmp_path) as site:
        site.drop("adhocusage/a.CSV.1.zip.asc", DATA)
        site.drop("adhocusage/.hidden", b"x")
        (site.root / "adhocusage" / "sub").mkdir()
        with FtpsTransport(site.settings()) as ftps:
            (listed,) = ftps.list_files("adhocusage")
            assert (listed.path, listed.size) == ("adhocusage/a.CSV.1.zip.asc", len(DATA))
            assert listed.mtime > 1_600_000_000
            local = tmp_path / "a.part"
            assert ftps.download(listed.path, local) == len(DATA)
            assert local.read_bytes() == DATA
            ftps.rename(listed.path, "adhocusage/b")
            assert [f.name for f in ftps.list_files("adhocusage")] == ["b"]
            ftps.remove("adhocusage/b")
            ftps.remove("adhocusage/b")  # already gone: fine
            assert ftps.list_files("adhocusage") == []


def test_a_download_resumes_from_the_part_file_after_a_drop(tmp_path: Path) -> None:
    tls = ftps_certificates(tmp_path)
    local = tmp_path / "r.part"
    # far more than loopback socket buffers hold, so the cut always lands mid-file
    big = os.urandom(32 * 1024 * 1024)
    with ftps_site(tmp_path, tls=tls) as site:
        site.drop("adhocusage/r.asc", big)
        ftps = FtpsTransport(site.settings())

        def cut(_: int) -> None:  # the server goes away mid-download
            if local.stat().st_size if local.exists() else 0:
                site.server.shutdown()

        with pytest.raises(TransportError, match=r"download of adhocusage/r\.asc") as caught:
            ftps.download("adhocusage/r.asc", local, progress=cut)
        ftps.close()
    assert caught.value.retryable
    assert 0 < local.stat().st_size < len(big)
    with ftps_site(tmp_path, tls=tls) as site, FtpsTransport(site.settings()) as ftps:
        assert ftps.download("adhocusage/r.asc", local) == len(big)
    assert hashlib.sha256(local.read_bytes()).digest() == hashlib.sha256(big).digest()


def test_ftps_settings_without_a_client_certificate_are_refused(tmp_path: Path) -> None:
    with ftps_site(tmp_path) as site, pytest.raises(ConfigurationError) as caught:
        site.settings(certificate=None)
    assert "certificate" in caught.value.field


def test_a_client_certificate_the_server_does_not_trust_is_refused(tmp_path: Path) -> None:
    stranger = ftps_certificates(tmp_path / "other")[2]  # signed by another CA
    with ftps_site(tmp_path / "site") as site:
        with pytest.raises(TransportError) as caught:
            FtpsTransport(site.settings(certificate=stranger))
        assert caught.value.url == f"ftps://127.0.0.1:{site.server.port}"


def test_a_wrong_password_is_an_authentication_error(tmp_path: Path) -> None:
    with ftps_site(tmp_path) as site:
        with pytest.raises(AuthenticationError) as caught:
            FtpsTransport(site.settings(password="wrong"))
        assert "wrong" not in str(caught.value)


def test_an_untrusted_server_is_refused(tmp_path: Path) -> None:
    with ftps_site(tmp_path) as site, pytest.raises(TransportError):
        FtpsTransport(site.settings(ca_file=None))


def test_data_connections_resume_the_control_session(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reused: list[bool] = []
    real = ftps_module._SessionReusingFTP.ntransfercmd

    def spy(self: ftps_module._SessionReusingFTP, cmd: str, rest: object = None) -> object:
        conn, size = real(self, cmd, rest)  # type: ignore[arg-type]
        reused.append(conn.session_reused)  # type: ignore[attr-defined]
        return conn, size

    monkeypatch.setattr(ftps_module._SessionReusingFTP, "ntransfercmd", spy)
    with ftps_site(tmp_path) as site:
        site.drop("adhocusage/x", DATA)
        with FtpsTransport(site.settings()) as ftps:
            ftps.list_files("adhocusage")
            ftps.download("adhocusage/x", tmp_path / "x")
    assert reused == [True, True]
