"""The real loopback servers of the report tests: the mock's SFTP server (paramiko) with
a fresh host key and a client key, and a helper to drop files into an account's folder."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import paramiko
import pytest
import trustme

from adapter.mock import sftp as sftp_module
from adapter.mock.config import Account
from adapter.mock.ftps import FtpsServer
from adapter.mock.server import TlsFiles
from adapter.mock.sftp import SftpServer
from adapter.mock.ssh_keys import load_host_key
from adapter.transport.ftps import FtpsSettings
from adapter.transport.http import Timeouts
from adapter.transport.sftp import SftpSettings
from adapter.transport.tls import ClientCertificate

SERVICE_ID = "CSPAPIUser1"
PASSWORD = "s3cret-Password"


@dataclass(frozen=True)
class SftpSite:
    server: SftpServer
    root: Path  # the account's folder, seen as / by the client
    client_key: Path

    def settings(self, **changes: object) -> SftpSettings:
        values: dict[str, object] = {
            "host": self.server.host,
            "port": self.server.port,
            "username": SERVICE_ID,
            "key_file": self.client_key,
            "fingerprint": self.server.fingerprint,
        }
        values.update(changes)
        return SftpSettings(**values)  # type: ignore[arg-type]

    def drop(self, remote_path: str, data: bytes, *, mtime: float | None = None) -> Path:
        path = self.root / remote_path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        if mtime is not None:
            import os

            os.utime(path, (mtime, mtime))
        return path


@contextmanager
def sftp_site(folder: Path, *, drop_after_bytes: int | None = None) -> Iterator[SftpSite]:
    host_key, _ = load_host_key(folder / "host_key")
    client_key, _ = load_host_key(folder / "client_key")
    public = paramiko.PKey.from_type_string(client_key.get_name(), client_key.asbytes())
    root = folder / "drop"
    (root / SERVICE_ID / "adhocusage").mkdir(parents=True)
    (root / SERVICE_ID / "intervaldata").mkdir(parents=True)
    server = SftpServer(
        root,
        accounts=[Account(service_id=SERVICE_ID, password=PASSWORD)],
        host_key=host_key,
        authorized_keys={SERVICE_ID: [public]},
        drop_after_bytes=drop_after_bytes,
        timeout=10,
    )
    with server:
        yield SftpSite(server, root / SERVICE_ID, folder / "client_key")


@dataclass(frozen=True)
class FtpsSite:
    """The mock's FTPS server with throwaway trustme certificates (server for 127.0.0.1,
    a client certificate signed by the CA the server requires)."""

    server: FtpsServer
    root: Path
    ca_file: Path
    certificate: ClientCertificate

    def settings(self, **changes: object) -> FtpsSettings:
        values: dict[str, object] = {
            "host": "127.0.0.1",
            "port": self.server.port,
            "username": SERVICE_ID,
            "password": PASSWORD,
            "certificate": self.certificate,
            "ca_file": self.ca_file,
            "timeouts": Timeouts(connect=5, read=5),
        }
        values.update(changes)
        return FtpsSettings(**values)  # type: ignore[arg-type]

    def drop(self, remote_path: str, data: bytes) -> Path:
        path = self.root / remote_path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return path


def ftps_certificates(folder: Path) -> tuple[TlsFiles, Path, ClientCertificate]:
    folder.mkdir(parents=True, exist_ok=True)
    ca = trustme.CA()
    server = ca.issue_cert("127.0.0.1", "localhost")
    files = TlsFiles(
        cert_file=folder / "server.pem", key_file=folder / "server-key.pem",
        client_ca_file=folder / "ca.pem",
    )  # fmt: skip
    server.private_key_pem.write_to_path(str(files.key_file))
    files.cert_file.write_bytes(b"".join(blob.bytes() for blob in server.cert_chain_pems))
    ca.cert_pem.write_to_path(str(folder / "ca.pem"))
    client = ca.issue_cert("cspapiuser1.example")
    client.private_key_and_cert_chain_pem.write_to_path(str(folder / "client.pem"))
    return files, folder / "ca.pem", ClientCertificate(cert_file=folder / "client.pem")


@contextmanager
def ftps_site(folder: Path, *, tls: tuple[TlsFiles, Path, ClientCertificate] | None = None
              ) -> Iterator[FtpsSite]:  # fmt: skip
    files, ca_file, certificate = tls or ftps_certificates(folder)
    root = folder / "drop"
    (root / SERVICE_ID / "adhocusage").mkdir(parents=True, exist_ok=True)
    server = FtpsServer(
        root,
        accounts=[Account(service_id=SERVICE_ID, password=PASSWORD)],
        tls=files,
        passive_ports=(35000, 35100),
        timeout=10,
    )
    with server:
        yield FtpsSite(server, root / SERVICE_ID, ca_file, certificate)


HOSTILE_NAMES = ("..", ".", "../../etc/evil.CSV", "evil\\..\\x.CSV", "nul\0.CSV")


def list_hostile_names(monkeypatch: pytest.MonkeyPatch, folder: str, like: Path) -> None:
    """Make the SFTP server list ``HOSTILE_NAMES`` in ``folder`` too, each a regular file
    with ``like``'s size and times: what a compromised server could send."""
    listing = sftp_module._Folder.list_folder

    def hostile(self: Any, path: str) -> list[paramiko.SFTPAttributes] | int:
        listed = listing(self, path)
        if isinstance(listed, list) and path.strip("/") == folder:
            listed += [paramiko.SFTPAttributes.from_stat(like.stat(), n) for n in HOSTILE_NAMES]
        return listed

    monkeypatch.setattr(sftp_module._Folder, "list_folder", hostile)
