"""SMT's 2020 report delivery: explicit FTPS (``AUTH TLS`` on port 21) with the client
certificate SMT registered, passive data connections (SMT's ports 35000-35100), and
``PROT P`` always.

ftplib's ``FTP_TLS`` wraps each data connection in a NEW TLS session; servers that
require the data connection to resume the control connection's session (vsftpd's
``require_ssl_reuse``, SMT's) then refuse it. ``_SessionReusingFTP`` wraps data
connections with ``session=`` the control connection's session. The PASV answer's
address is ignored (ftplib's default): data goes to the control connection's host.
"""

from __future__ import annotations

import ftplib
import os
import socket
import ssl
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, NoReturn, Self

from adapter.errors import AuthenticationError, ConfigurationError, TransportError
from adapter.transport.http import Timeouts
from adapter.transport.remote_files import (
    Progress,
    Refused,
    RemoteFile,
    accept_name,
    join_remote,
)
from adapter.transport.tls import ClientCertificate, build_client_context

__all__ = ["FtpsSettings", "FtpsTransport"]

_CHUNK = 64 * 1024


@dataclass(frozen=True, slots=True, kw_only=True)
class FtpsSettings:
    """Where the FTPS server is and how to log in: ``username`` and ``password`` (FTP
    login) plus ``certificate`` (the client certificate, required); ``ca_file`` replaces
    the system's trust store.

    Raises ``ConfigurationError`` naming the field when the address is unusable, the
    username is empty or no client certificate is given."""

    host: str
    username: str
    password: str = field(repr=False)
    certificate: ClientCertificate
    port: int = 21
    ca_file: Path | None = None
    timeouts: Timeouts = field(default_factory=Timeouts)

    def __post_init__(self) -> None:
        if not self.host or not isinstance(self.port, int) or not 0 < self.port < 65536:
            raise ConfigurationError(
                f"ftps: host {self.host!r} port {self.port!r} is not an address",
                field="host",
                value=f"{self.host}:{self.port}",
            )
        if not self.username:
            raise ConfigurationError("ftps: username is required", field="username", value="")
        if not isinstance(self.certificate, ClientCertificate):
            raise ConfigurationError(
                "ftps: the client certificate SMT registered is required (cert_file)",
                field="certificate",
                value="",
            )

    @property
    def url(self) -> str:
        return f"ftps://{self.host}:{self.port}"


class _SessionReusingFTP(ftplib.FTP_TLS):
    """``FTP_TLS`` whose data connections resume the control connection's TLS session."""

    def ntransfercmd(
        self, cmd: str, rest: int | str | None = None
    ) -> tuple[socket.socket, int | None]:
        conn, size = ftplib.FTP.ntransfercmd(self, cmd, rest)  # noqa: S321 - TLS follows
        if self._prot_p:  # type: ignore[attr-defined]
            control = self.sock
            assert isinstance(control, ssl.SSLSocket)  # auth() came first
            conn = self.context.wrap_socket(
                conn, server_hostname=self.host, session=control.session
            )
        return conn, size


class FtpsTransport:
    """A logged-in FTPS session (``FileTransport``). Connects on construction.

    Raises ``TransportError`` (``url``, ``retryable``) when the connection or the TLS
    handshake fails or times out; ``AuthenticationError`` when the server refuses the
    login or the client certificate (or none was configured and the server requires
    one); ``CertificateError`` when the certificate cannot be loaded."""

    def __init__(self, settings: FtpsSettings) -> None:
        self.settings = settings
        context = build_client_context(ca_file=settings.ca_file, certificate=settings.certificate)
        self._ftp = _SessionReusingFTP(context=context, timeout=settings.timeouts.connect)
        try:
            self._ftp.connect(settings.host, settings.port, timeout=settings.timeouts.connect)
            self._ftp.auth()
            self._ftp.login(settings.username, settings.password, secure=False)
            self._ftp.prot_p()
            self._ftp.set_pasv(True)
            self._ftp.timeout = settings.timeouts.read  # data connections and later waits
            if self._ftp.sock is not None:
                self._ftp.sock.settimeout(settings.timeouts.read)
        except BaseException as exc:
            self._ftp.close()
            if isinstance(exc, (ftplib.Error, OSError, EOFError)):
                self._fail("cannot log in", exc, logging_in=True)
            raise

    @property
    def url(self) -> str:
        return self.settings.url

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        try:
            self._ftp.quit()
        except (ftplib.Error, OSError, EOFError, AttributeError):
            pass
        finally:
            self._ftp.close()

    def list_files(self, folder: str, *, refused: Refused | None = None) -> list[RemoteFile]:
        """The regular files of ``folder`` (MLSD); none when it does not exist. A name that
        could leave the folder is skipped and told to ``refused``. Raises
        ``TransportError``."""
        try:
            entries = list(self._ftp.mlsd(folder or ".", facts=["type", "size", "modify"]))
        except ftplib.error_perm as exc:
            if str(exc)[:3] in ("501", "550") and "director" in str(exc).lower():
                return []  # e.g. intervaldata/ on a CSP's account
            self._fail(f"cannot list {folder}", exc)
        except (ftplib.Error, OSError, EOFError) as exc:
            self._fail(f"cannot list {folder}", exc)
        return [
            RemoteFile(join_remote(folder, name), name, int(facts.get("size", 0)), _mtime(facts))
            for name, facts in entries
            if facts.get("type", "file").lower() == "file" and accept_name(folder, name, refused)
        ]

    def download(self, path: str, local: Path, *, progress: Progress | None = None) -> int:
        """Append ``path`` to ``local`` from ``local``'s size (``REST``); fsync; return the
        final size. Raises ``TransportError`` (``retryable``) when the connection drops."""
        offset = local.stat().st_size if local.exists() else 0
        written = offset
        try:
            self._ftp.voidcmd("TYPE I")  # listings switch to ASCII, where SIZE is refused
            size = self._ftp.size(path)
            if size is not None and offset > size:  # not a prefix of this file: start again
                local.unlink()
                offset = written = 0
            if size is not None and offset == size:
                return size
            with local.open("ab") as sink:

                def write(block: bytes) -> None:
                    nonlocal written
                    sink.write(block)
                    written += len(block)
                    if progress is not None:
                        progress(len(block))

                try:
                    self._ftp.retrbinary(
                        f"RETR {path}", write, blocksize=_CHUNK, rest=offset or None
                    )
                finally:
                    sink.flush()
                    os.fsync(sink.fileno())
        except (ftplib.Error, OSError, EOFError) as exc:
            self._fail(f"download of {path} failed at byte {written}", exc)
        return written

    def remove(self, path: str) -> None:
        """Delete ``path``; one already gone (550) is fine. Raises ``TransportError``."""
        try:
            self._ftp.delete(path)
        except ftplib.error_perm as exc:
            if not str(exc).startswith("550"):
                self._fail(f"cannot remove {path}", exc)
        except (ftplib.Error, OSError, EOFError) as exc:
            self._fail(f"cannot remove {path}", exc)

    def rename(self, path: str, new_path: str) -> None:
        """Rename ``path`` to ``new_path``. Raises ``TransportError``."""
        try:
            self._ftp.rename(path, new_path)
        except (ftplib.Error, OSError, EOFError) as exc:
            self._fail(f"cannot rename {path} to {new_path}", exc)

    def _fail(self, what: str, exc: BaseException, *, logging_in: bool = False) -> NoReturn:
        url = self.settings.url
        closed = isinstance(
            exc, ConnectionResetError | BrokenPipeError | EOFError | ssl.SSLEOFError
        )
        if logging_in and closed:
            # Under TLS 1.3 the server judges our certificate after the client's handshake
            # is done; some servers then just close instead of alerting.
            raise AuthenticationError(
                f"{url}: {what}: the server closed the connection after the TLS handshake; "
                "it may not accept our client certificate",
                url=url,
                status=None,
            ) from exc
        if isinstance(exc, ftplib.error_perm) and str(exc)[:3] in ("530", "532"):
            raise AuthenticationError(f"{url}: {what}: {exc}", url=url, status=None) from exc
        if isinstance(exc, ssl.SSLError) and _certificate_refused(exc):
            raise AuthenticationError(
                f"{url}: {what}: the server refused the TLS handshake ({exc.reason}); "
                "it does not accept our client certificate",
                url=url,
                status=None,
            ) from exc
        if isinstance(exc, ssl.SSLError | ssl.CertificateError):
            raise TransportError(f"{url}: {what}: {exc}", url=url) from exc
        retryable = not isinstance(exc, ftplib.error_perm)
        reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        raise TransportError(f"{url}: {what}: {reason}", url=url, retryable=retryable) from exc


def _certificate_refused(exc: ssl.SSLError) -> bool:
    reason = str(exc.reason or "")
    return ("CERTIFICATE" in reason and "VERIFY_FAILED" not in reason) or "HANDSHAKE" in reason


def _mtime(facts: dict[str, Any]) -> float:
    text = str(facts.get("modify", ""))[:14]
    try:
        return datetime.strptime(text, "%Y%m%d%H%M%S").replace(tzinfo=UTC).timestamp()
    except ValueError:
        return 0.0
