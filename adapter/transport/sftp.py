"""SMT's 2025 report delivery: SFTP (paramiko) with a key or a password, the server's
host key PINNED.

The host key must be in ``known_hosts`` (OpenSSH format; ``[host]:port`` entries for
other ports than 22) or equal the expected ``fingerprint`` (``SHA256:<base64>`` as
``ssh-keygen -l`` prints it). An unknown or changed key is refused before any credential
is sent; paramiko's AutoAddPolicy is never used. Every wait has a timeout.
"""

from __future__ import annotations

import base64
import errno
import hashlib
import hmac
import os
import socket
import stat
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import NoReturn, Self

import paramiko

from adapter.errors import AuthenticationError, ConfigurationError, TransportError
from adapter.transport.http import Timeouts
from adapter.transport.remote_files import (
    Progress,
    Refused,
    RemoteFile,
    accept_name,
    join_remote,
)

__all__ = ["SftpSettings", "SftpTransport", "format_fingerprint"]

# One SFTP read request: paramiko buffers across requests inside one read(), so a bigger
# read that fails part-way loses what it had; this size loses nothing already received.
_REQUEST = paramiko.SFTPFile.MAX_REQUEST_SIZE


def format_fingerprint(key: paramiko.PKey) -> str:
    """``SHA256:<base64, unpadded>``, as OpenSSH prints a key's fingerprint."""
    digest = hashlib.sha256(key.asbytes()).digest()
    return "SHA256:" + base64.b64encode(digest).decode().rstrip("=")


@dataclass(frozen=True, slots=True, kw_only=True)
class SftpSettings:
    """Where the SFTP server is and how to log in: ``key_file`` (an OpenSSH or PEM
    private key, unlocked by ``key_password``) or ``password``; the host key pinned by
    ``known_hosts`` or ``fingerprint`` (one is required).

    Raises ``ConfigurationError`` naming the field when the host or port is unusable, no
    credential or no host-key pin is given, or the fingerprint is not ``SHA256:...``."""

    host: str
    username: str
    port: int = 22
    key_file: Path | None = None
    key_password: str | None = field(default=None, repr=False)
    password: str | None = field(default=None, repr=False)
    known_hosts: Path | None = None
    fingerprint: str | None = None
    timeouts: Timeouts = field(default_factory=Timeouts)

    def __post_init__(self) -> None:
        if not self.host or not isinstance(self.port, int) or not 0 < self.port < 65536:
            raise ConfigurationError(
                f"sftp: host {self.host!r} port {self.port!r} is not an address",
                field="host",
                value=f"{self.host}:{self.port}",
            )
        if not self.username:
            raise ConfigurationError("sftp: username is required", field="username", value="")
        if self.key_file is None and not self.password:
            raise ConfigurationError(
                "sftp: give a key_file or a password", field="key_file", value=""
            )
        if self.known_hosts is None and self.fingerprint is None:
            raise ConfigurationError(
                "sftp: pin the server's host key with known_hosts or fingerprint",
                field="known_hosts",
                value="",
            )
        if self.fingerprint is not None and not self.fingerprint.startswith("SHA256:"):
            raise ConfigurationError(
                f"sftp: fingerprint {self.fingerprint!r} must look like SHA256:<base64>",
                field="fingerprint",
                value=self.fingerprint,
            )

    @property
    def url(self) -> str:
        return f"sftp://{self.host}:{self.port}"


class SftpTransport:
    """A logged-in SFTP session (``FileTransport``). Connects on construction.

    Raises ``TransportError`` (``url``, ``retryable``) when the connection fails or times
    out, or the host key is unknown or changed (naming the host and both fingerprints);
    ``AuthenticationError`` when the server refuses the credentials; ``ConfigurationError``
    when the key or known_hosts file cannot be read."""

    def __init__(self, settings: SftpSettings) -> None:
        self.settings = settings
        self._transport = self._connect()
        try:
            self._authenticate()
            client = paramiko.SFTPClient.from_transport(self._transport)
            if client is None:
                self._fail("the server opened no SFTP channel")
            self._sftp = client
            self._sftp.get_channel().settimeout(settings.timeouts.read)  # type: ignore[union-attr]
        except BaseException:
            self._transport.close()
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
        self._transport.close()

    def list_files(self, folder: str, *, refused: Refused | None = None) -> list[RemoteFile]:
        """The regular files of ``folder``; none when it does not exist. A name that could
        leave the folder is skipped and told to ``refused``. Raises ``TransportError``."""
        try:
            entries = self._sftp.listdir_attr(folder)
        except FileNotFoundError:
            return []  # e.g. intervaldata/ on a CSP's account
        except (OSError, paramiko.SSHException, EOFError) as exc:
            self._fail(f"cannot list {folder}", exc)
        return [
            RemoteFile(join_remote(folder, e.filename), e.filename, e.st_size or 0, e.st_mtime or 0)
            for e in entries
            if e.st_mode is not None
            and stat.S_ISREG(e.st_mode)
            and accept_name(folder, e.filename, refused)
        ]

    def download(self, path: str, local: Path, *, progress: Progress | None = None) -> int:
        """Append ``path`` to ``local`` from ``local``'s size (resume); fsync; return the
        final size. A local file larger than the remote one is started again. Raises
        ``TransportError`` (``retryable``) when the connection drops or times out."""
        offset = 0
        try:
            size = self._sftp.stat(path).st_size or 0
            offset = local.stat().st_size if local.exists() else 0
            mode = "ab" if offset <= size else "wb"
            offset = offset if offset <= size else 0
            with self._sftp.open(path, "rb") as remote, local.open(mode) as sink:
                remote.seek(offset)
                while offset < size:
                    chunk = remote.read(min(_REQUEST, size - offset))
                    if not chunk:
                        break
                    sink.write(chunk)
                    offset += len(chunk)
                    if progress is not None:
                        progress(len(chunk))
                sink.flush()
                os.fsync(sink.fileno())
        except (OSError, paramiko.SSHException, EOFError) as exc:
            self._fail(f"download of {path} failed at byte {offset}", exc)
        return offset

    def remove(self, path: str) -> None:
        """Remove ``path``; one already gone is fine. Raises ``TransportError``."""
        try:
            self._sftp.remove(path)
        except FileNotFoundError:
            return
        except (OSError, paramiko.SSHException, EOFError) as exc:
            if getattr(exc, "errno", None) == errno.ENOENT:
                return
            self._fail(f"cannot remove {path}", exc)

    def rename(self, path: str, new_path: str) -> None:
        """Rename ``path`` to ``new_path``. Raises ``TransportError``."""
        try:
            self._sftp.posix_rename(path, new_path)
        except (OSError, paramiko.SSHException, EOFError) as exc:
            self._fail(f"cannot rename {path} to {new_path}", exc)

    def _connect(self) -> paramiko.Transport:
        settings = self.settings
        known = self._known_keys()  # an unreadable known_hosts is a setting: before any packet
        try:
            sock = socket.create_connection(
                (settings.host, settings.port), timeout=settings.timeouts.connect
            )
        except OSError as exc:
            self._fail("cannot connect", exc, retryable=True)
        transport = paramiko.Transport(sock)
        transport.banner_timeout = settings.timeouts.connect
        transport.handshake_timeout = settings.timeouts.connect
        transport.auth_timeout = settings.timeouts.connect
        if known:  # negotiate a key type we can check
            options = transport.get_security_options()
            preferred = [t for t in options.key_types if t in known]
            if preferred:
                options.key_types = preferred
        try:
            transport.start_client(timeout=settings.timeouts.connect)
            self._check_host_key(transport.get_remote_server_key(), known)
        except (paramiko.SSHException, OSError, EOFError) as exc:
            transport.close()
            self._fail("SSH handshake failed", exc, retryable=True)
        except BaseException:
            transport.close()
            raise
        return transport

    def _known_keys(self) -> dict[str, paramiko.PKey]:
        settings = self.settings
        if settings.known_hosts is None:
            return {}
        try:
            hosts = paramiko.HostKeys(str(settings.known_hosts))
        except (OSError, paramiko.SSHException) as exc:
            raise ConfigurationError(
                f"sftp: known_hosts {settings.known_hosts} cannot be read ({exc})",
                field="known_hosts",
                value=str(settings.known_hosts),
            ) from exc
        name = settings.host if settings.port == 22 else f"[{settings.host}]:{settings.port}"
        entry = hosts.lookup(name)
        return dict(entry) if entry is not None else {}

    def _check_host_key(self, key: paramiko.PKey, known: dict[str, paramiko.PKey]) -> None:
        settings = self.settings
        offered = format_fingerprint(key)
        expected = [format_fingerprint(k) for k in known.values()]
        if settings.fingerprint is not None:
            expected.append(settings.fingerprint)
        if any(hmac.compare_digest(offered, e) for e in expected):
            return
        if not expected:
            problem = f"is unknown (not in {settings.known_hosts})"
        else:
            problem = f"does not match the pinned {', '.join(expected)} (CHANGED?)"
        raise TransportError(
            f"{settings.url}: refusing the host key {key.get_name()} {offered}: it {problem}",
            url=settings.url,
        )

    def _authenticate(self) -> None:
        settings = self.settings
        try:
            if settings.key_file is not None:
                key = self._private_key()
                self._transport.auth_publickey(settings.username, key)
            else:
                assert settings.password is not None
                self._transport.auth_password(settings.username, settings.password)
        except paramiko.AuthenticationException as exc:
            raise AuthenticationError(
                f"{settings.url}: the server refused {settings.username}'s "
                f"{'key' if settings.key_file else 'password'} ({type(exc).__name__})",
                url=settings.url,
                status=None,
            ) from exc
        except (paramiko.SSHException, OSError, EOFError) as exc:
            self._fail("authentication failed", exc, retryable=True)

    def _private_key(self) -> paramiko.PKey:
        path = self.settings.key_file
        assert path is not None
        try:
            return paramiko.PKey.from_path(path, password=self.settings.key_password)
        except (OSError, paramiko.SSHException, ValueError) as exc:
            reason = getattr(exc, "strerror", None) or type(exc).__name__
            raise ConfigurationError(
                f"sftp: cannot use the private key {path}: {reason} "
                "(missing, unsupported, or a wrong or missing key_password)",
                field="key_file",
                value=str(path),
            ) from exc

    def _fail(
        self, what: str, exc: BaseException | None = None, *, retryable: bool = True
    ) -> NoReturn:
        reason = f": {getattr(exc, 'strerror', None) or exc or type(exc).__name__}" if exc else ""
        raise TransportError(
            f"{self.settings.url}: {what}{reason}", url=self.settings.url, retryable=retryable
        ) from exc
