"""The mock's FTPS server, with ftplib's real FTP_TLS client over loopback: explicit TLS,
a client certificate, PROT P only, data connections that reuse the control session."""

from __future__ import annotations

import ftplib
import io
import socket
import ssl
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from adapter.mock.certs import CertificateSet
from adapter.mock.config import DEFAULT_ACCOUNTS
from adapter.mock.ftps import FtpsServer
from adapter.mock.server import TlsFiles
from tests.mock.conftest import client_context

NAME = "IntervalMeterUsage5b878d4e072917e2a11fcd59.CSV.630630258"
DATA = b"ESIID,USAGE_DATE\r\n" * 5000
PASSWORD = "smt-mock-CSPAPIUser1"


class ReusingFtpTls(ftplib.FTP_TLS):
    """FTP_TLS whose data connections resume the control connection's TLS session."""

    def ntransfercmd(self, cmd: str, rest: Any = None) -> tuple[socket.socket, int | None]:
        connection, size = ftplib.FTP.ntransfercmd(self, cmd, rest)
        if self._prot_p:  # type: ignore[attr-defined]
            assert isinstance(self.sock, ssl.SSLSocket)
            connection = self.context.wrap_socket(
                connection, server_hostname=self.host, session=self.sock.session
            )
        return connection, size


def _passive_range() -> tuple[int, int]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    low = min(port, 65_000)
    return low, low + 20


@pytest.fixture
def server(tmp_path: Path, certificates: CertificateSet) -> Iterator[FtpsServer]:
    folder = tmp_path / "CSPAPIUser1" / "adhocusage"
    folder.mkdir(parents=True)
    (folder / NAME).write_bytes(DATA)
    (folder / ".temp.part").write_bytes(b"x")
    (tmp_path / "bobby@123").mkdir()
    (tmp_path / "bobby@123" / "secret.csv").write_text("bobby's")
    files = TlsFiles(
        cert_file=certificates.server_cert,
        key_file=certificates.server_key,
        client_ca_file=certificates.ca_cert,
    )
    with FtpsServer(
        tmp_path, accounts=DEFAULT_ACCOUNTS, tls=files, passive_ports=_passive_range()
    ) as running:
        yield running


def _connect(server: FtpsServer, context: ssl.SSLContext) -> ReusingFtpTls:
    ftp = ReusingFtpTls(context=context, timeout=10)
    ftp.connect("127.0.0.1", server.port)
    ftp.auth()
    return ftp


def _login(server: FtpsServer, certs: CertificateSet) -> ReusingFtpTls:
    ftp = _connect(server, client_context(certs))
    ftp.login("CSPAPIUser1", PASSWORD)
    ftp.prot_p()
    return ftp


def test_a_client_lists_downloads_resumes_and_removes(
    server: FtpsServer, certificates: CertificateSet
) -> None:
    ftp = _login(server, certificates)
    try:
        assert ftp.nlst("adhocusage") in ([NAME], [f"adhocusage/{NAME}"])
        ftp.voidcmd("TYPE I")
        assert ftp.size(f"adhocusage/{NAME}") == len(DATA)
        received = io.BytesIO()
        ftp.retrbinary(f"RETR adhocusage/{NAME}", received.write)
        assert received.getvalue() == DATA
        rest = io.BytesIO()
        ftp.retrbinary(f"RETR adhocusage/{NAME}", rest.write, rest=50_000)
        assert rest.getvalue() == DATA[50_000:]
        ftp.rename(f"adhocusage/{NAME}", f"adhocusage/{NAME}.done")
        ftp.delete(f"adhocusage/{NAME}.done")
        # gone: asked on the control connection (an empty listing's data connection may
        # be closed by the server before its TLS handshake ends, which ftplib reports)
        with pytest.raises(ftplib.error_perm, match=r"^550"):
            ftp.size(f"adhocusage/{NAME}.done")
    finally:
        ftp.quit()


def test_uploads_and_paths_outside_the_folder_are_refused(
    server: FtpsServer, certificates: CertificateSet
) -> None:
    ftp = _login(server, certificates)
    try:
        with pytest.raises(ftplib.error_perm, match=r"^550"):
            ftp.retrbinary("RETR ../bobby@123/secret.csv", lambda _: None)
        with pytest.raises(ftplib.error_perm, match=r"^550"):
            ftp.storbinary("STOR adhocusage/new.csv", io.BytesIO(b"x"))
        with pytest.raises(ftplib.error_perm, match=r"^550"):
            ftp.rmd("adhocusage")
    finally:
        ftp.quit()


def test_prot_c_is_refused(server: FtpsServer, certificates: CertificateSet) -> None:
    ftp = _connect(server, client_context(certificates))
    ftp.login("CSPAPIUser1", PASSWORD)
    with pytest.raises(ftplib.error_perm, match=r"^534"):
        ftp.prot_c()
    with pytest.raises(ftplib.error_perm, match=r"^550"):
        ftp.nlst()  # no data connection before PROT P
    ftp.quit()


def test_a_wrong_password_is_refused(server: FtpsServer, certificates: CertificateSet) -> None:
    ftp = _connect(server, client_context(certificates))
    with pytest.raises(ftplib.error_perm, match=r"^530"):
        ftp.login("CSPAPIUser1", "wrong")
    ftp.close()


def test_a_client_without_a_certificate_is_refused(
    server: FtpsServer, certificates: CertificateSet
) -> None:
    context = client_context(certificates, with_certificate=False)
    with pytest.raises((ssl.SSLError, OSError, EOFError, ftplib.Error)):  # noqa: PT012
        ftp = _connect(server, context)
        ftp.login("CSPAPIUser1", PASSWORD)


def test_login_before_auth_tls_is_refused(server: FtpsServer) -> None:
    ftp = ftplib.FTP(timeout=10)
    ftp.connect("127.0.0.1", server.port)
    with pytest.raises(ftplib.error_perm, match=r"^550"):
        ftp.login("CSPAPIUser1", PASSWORD)
    ftp.close()
