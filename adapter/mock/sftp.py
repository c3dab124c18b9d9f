"""The mock's SFTP server (paramiko): the drop folder as SMT's 2025 report delivery serves it.

Each account logs in with its service ID and either its password or a public key listed
for it (see ``read_authorized_keys``) and sees only ``<drop_root>/<service_id>/``
(``adhocusage/``, ``intervaldata/``) as ``/``. It may list, stat, read (from any offset,
so a client can resume), remove and rename; anything else is refused. A path naming
``..``, or one that resolves (through a symlink) outside the account's folder, is refused
with "permission denied". Files whose names start with ``.`` (the drop's temporary names)
are not listed.

Fault injection, scenario ``drop-mid-download``: with ``drop_after_bytes=N``, the first
download of each file gets exactly its first N bytes (a short read), and the read after
that closes the connection; once per file, so the resumed download completes.

One thread accepts connections on 127.0.0.1; each connection runs in its own threads.
"""

from __future__ import annotations

import errno
import hmac
import logging
import os
import posixpath
import socket
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, BinaryIO, Self

import paramiko
from paramiko.common import (
    AUTH_FAILED,
    AUTH_SUCCESSFUL,
    OPEN_FAILED_ADMINISTRATIVELY_PROHIBITED,
    OPEN_SUCCEEDED,
)
from paramiko.sftp import SFTP_FAILURE, SFTP_OK, SFTP_OP_UNSUPPORTED, SFTP_PERMISSION_DENIED

from adapter.mock.config import Account
from adapter.mock.ssh_keys import format_fingerprint

__all__ = ["SftpServer"]

log = logging.getLogger("adapter.mock.sftp")

_WRITING = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND


class SftpServer:
    """SFTP over SSH on ``host:port`` (``port=0`` picks a free one), serving
    ``root/<service_id>/`` to each account. ``start()`` (or ``with``) serves in a daemon
    thread; ``shutdown()`` stops, closes every connection and joins."""

    def __init__(
        self,
        root: Path,
        *,
        accounts: Sequence[Account],
        host_key: paramiko.PKey,
        authorized_keys: Mapping[str, Sequence[paramiko.PKey]] | None = None,
        passwords: bool = True,
        host: str = "127.0.0.1",
        port: int = 0,
        drop_after_bytes: int | None = None,
        timeout: float = 30.0,
    ) -> None:
        self.root = root
        self.accounts = {account.service_id: account for account in accounts}
        self.host_key = host_key
        self.authorized_keys = {k: list(v) for k, v in (authorized_keys or {}).items()}
        self.passwords = passwords
        self.drop_after_bytes = drop_after_bytes
        self.timeout = timeout
        self.fingerprint = format_fingerprint(host_key)
        self._listener = socket.create_server((host, port))
        self._listener.settimeout(0.1)
        self.host = host
        self.port: int = self._listener.getsockname()[1]
        self.address = f"sftp://{host}:{self.port}"
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._transports: set[paramiko.Transport] = set()
        self._dropped: set[str] = set()  # files whose download drop-mid-download cut once

    def start(self) -> Self:
        """Accept connections in a background daemon thread; return self."""
        with self._lock:
            if self._thread is not None or self._stopping.is_set():
                raise RuntimeError(f"{self.address} was already started or shut down")
            self._thread = threading.Thread(
                target=self._accept, name=f"mock-sftp {self.address}", daemon=True
            )
        self._thread.start()
        return self

    def shutdown(self) -> None:
        """Stop accepting, close every open connection and the listening socket. Calling
        it again does nothing."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join()
        self._listener.close()
        with self._lock:
            transports = list(self._transports)
        for transport in transports:
            transport.close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.shutdown()

    def should_drop(self, real: str, offset: int, length: int) -> int | None:
        """drop-mid-download: None to read as asked, the length to read (a short read up to
        byte N), or -1 to close the connection now."""
        limit = self.drop_after_bytes
        if limit is None or offset + length <= limit:
            return None
        with self._lock:
            if real in self._dropped:
                return None
            if offset < limit:
                return limit - offset
            self._dropped.add(real)
        return -1

    def _accept(self) -> None:
        while not self._stopping.is_set():
            try:
                connection, peer = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(
                target=self._serve, args=(connection, peer), name="mock-sftp-session", daemon=True
            ).start()

    def _serve(self, connection: socket.socket, peer: Any) -> None:
        connection.settimeout(None)
        transport = paramiko.Transport(connection)
        with self._lock:
            self._transports.add(transport)
        try:
            transport.add_server_key(self.host_key)
            gate = _Gate(self, transport)
            transport.set_subsystem_handler("sftp", paramiko.SFTPServer, _Folder)
            transport.start_server(server=gate)
            channel = transport.accept(self.timeout)  # kept: a collected channel closes
            if channel is None:
                return
            while transport.is_active() and not self._stopping.is_set():
                transport.join(0.1)
        except (paramiko.SSHException, OSError, EOFError) as exc:
            log.info("sftp connection from %s ended: %s", peer, exc)
        finally:
            transport.close()
            with self._lock:
                self._transports.discard(transport)


class _Gate(paramiko.ServerInterface):
    """Authentication of one connection, and the account it logged in as."""

    def __init__(self, server: SftpServer, transport: paramiko.Transport) -> None:
        self.server = server
        self.transport = transport
        self.service_id: str | None = None

    def get_allowed_auths(self, username: str) -> str:
        return "publickey,password" if self.server.passwords else "publickey"

    def check_auth_password(self, username: str, password: str) -> int:
        account = self.server.accounts.get(username)
        if (
            self.server.passwords
            and account is not None
            and hmac.compare_digest(account.password.encode(), password.encode())
        ):
            self.service_id = username
            return AUTH_SUCCESSFUL
        log.info("sftp: password refused for %r", username)
        return AUTH_FAILED

    def check_auth_publickey(self, username: str, key: paramiko.PKey) -> int:
        listed = self.server.authorized_keys.get(username, [])
        if username in self.server.accounts and any(k.asbytes() == key.asbytes() for k in listed):
            self.service_id = username
            return AUTH_SUCCESSFUL
        return AUTH_FAILED

    def check_channel_request(self, kind: str, chanid: int) -> int:
        if kind == "session":
            return OPEN_SUCCEEDED
        return OPEN_FAILED_ADMINISTRATIVELY_PROHIBITED


class _RefusedError(Exception):
    """A path outside the account's folder."""


class _Folder(paramiko.SFTPServerInterface):
    """One session's view: the account's drop folder as ``/``."""

    def __init__(self, server: _Gate, *args: Any, **kwargs: Any) -> None:
        super().__init__(server, *args, **kwargs)
        self.gate = server
        if server.service_id is None:  # paramiko opens the subsystem only after auth
            raise paramiko.SSHException("sftp requested before authentication")
        home = server.server.root / server.service_id
        home.mkdir(parents=True, exist_ok=True)
        self.home = os.path.realpath(home)

    def _real(self, path: str) -> str:
        parts = [p for p in path.replace("\\", "/").split("/") if p not in ("", ".")]
        if ".." in parts:
            raise _RefusedError(path)
        real = os.path.realpath(os.path.join(self.home, *parts))
        if real != self.home and not real.startswith(self.home + os.sep):
            raise _RefusedError(path)
        return real

    def canonicalize(self, path: str) -> str:
        return posixpath.normpath("/" + path.replace("\\", "/"))

    def list_folder(self, path: str) -> list[paramiko.SFTPAttributes] | int:
        try:
            folder = self._real(path)
            names = sorted(n for n in os.listdir(folder) if not n.startswith("."))
        except _RefusedError:
            return SFTP_PERMISSION_DENIED
        except OSError as exc:
            return _status(exc)
        listed = []
        for name in names:  # a symlink out of the folder, or a dangling one, is not shown
            try:
                real = self._real(posixpath.join(path, name))
                listed.append(paramiko.SFTPAttributes.from_stat(os.stat(real), name))
            except (_RefusedError, OSError):
                continue
        return listed

    def stat(self, path: str) -> paramiko.SFTPAttributes | int:
        try:
            return paramiko.SFTPAttributes.from_stat(os.stat(self._real(path)))
        except _RefusedError:
            return SFTP_PERMISSION_DENIED
        except OSError as exc:
            return _status(exc)

    lstat = stat  # symlinks are followed, inside the folder only

    def open(
        self, path: str, flags: int, attr: paramiko.SFTPAttributes
    ) -> paramiko.SFTPHandle | int:
        if flags & _WRITING:
            return SFTP_PERMISSION_DENIED  # reports are read, removed or renamed, never written
        try:
            real = self._real(path)
            if os.path.isdir(real):
                return SFTP_FAILURE
            handle = _Handle(self.gate, real, open(real, "rb"))  # noqa: SIM115 - closed by it
        except _RefusedError:
            return SFTP_PERMISSION_DENIED
        except OSError as exc:
            return _status(exc)
        return handle

    def remove(self, path: str) -> int:
        try:
            real = self._real(path)
            if os.path.isdir(real):
                return SFTP_PERMISSION_DENIED
            os.remove(real)
        except _RefusedError:
            return SFTP_PERMISSION_DENIED
        except OSError as exc:
            return _status(exc)
        return SFTP_OK

    def rename(self, oldpath: str, newpath: str) -> int:
        return self._rename(oldpath, newpath, replace=False)

    def posix_rename(self, oldpath: str, newpath: str) -> int:
        return self._rename(oldpath, newpath, replace=True)

    def _rename(self, oldpath: str, newpath: str, *, replace: bool) -> int:
        try:
            old, new = self._real(oldpath), self._real(newpath)
            if os.path.isdir(old) or (not replace and os.path.lexists(new)):
                return SFTP_FAILURE  # SFTP v3: a plain rename never replaces
            os.replace(old, new)
        except _RefusedError:
            return SFTP_PERMISSION_DENIED
        except OSError as exc:
            return _status(exc)
        return SFTP_OK

    def mkdir(self, path: str, attr: paramiko.SFTPAttributes) -> int:
        return SFTP_PERMISSION_DENIED

    def rmdir(self, path: str) -> int:
        return SFTP_PERMISSION_DENIED

    def setstat(self, path: str, attr: paramiko.SFTPAttributes) -> int:
        return SFTP_OP_UNSUPPORTED

    def symlink(self, target_path: str, path: str) -> int:
        return SFTP_PERMISSION_DENIED


class _Handle(paramiko.SFTPHandle):
    """An open report: reads from any offset; drop-mid-download acts here."""

    def __init__(self, gate: _Gate, real: str, readfile: BinaryIO) -> None:
        super().__init__()
        self.gate = gate
        self.real = real
        self.readfile = readfile  # SFTPHandle reads (at offsets) and closes it

    def read(self, offset: int, length: int) -> bytes | int:
        cut = self.gate.server.should_drop(self.real, offset, length)
        if cut == -1:
            log.info("sftp: drop-mid-download closes the connection at byte %d", offset)
            self.gate.transport.close()
            return SFTP_FAILURE
        result: bytes | int = super().read(offset, length if cut is None else cut)
        return result

    def stat(self) -> paramiko.SFTPAttributes | int:
        try:
            return paramiko.SFTPAttributes.from_stat(os.stat(self.real))
        except OSError as exc:
            return _status(exc)


def _status(exc: OSError) -> int:
    return paramiko.SFTPServer.convert_errno(exc.errno or errno.EIO)
