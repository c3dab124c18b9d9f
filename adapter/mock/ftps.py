"""The mock's FTPS server (pyftpdlib): the drop folder as the 2020 guide's report delivery
serves it (section 4.2).

Explicit TLS (``AUTH TLS``) before ``USER``, TLS 1.2 or later, a client certificate signed
by the configured CA in every handshake (control and data), and protected data
connections only: ``PROT C`` is refused (534), and so is ``PASV``/``EPSV`` before
``PROT P``. Data connections are passive, on ``passive_ports`` (the guide's 35000-35100 by
default). Each account logs in with its service ID and password and sees
``<drop_root>/<service_id>/`` as ``/``: it may list, download (``REST`` resumes), delete
and rename; uploads and folder changes are refused. Files whose names start with ``.``
(the drop's temporary names) are not listed.

pyftpdlib has no type hints: it stays inside this module. Its event loop runs in one
daemon thread on 127.0.0.1.
"""

from __future__ import annotations

import hmac
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Self

from OpenSSL import SSL
from pyftpdlib.authorizers import (  # type: ignore[import-untyped]
    AuthenticationFailed,
    DummyAuthorizer,
)
from pyftpdlib.filesystems import AbstractedFS  # type: ignore[import-untyped]
from pyftpdlib.handlers import TLS_FTPHandler  # type: ignore[import-untyped]
from pyftpdlib.servers import FTPServer  # type: ignore[import-untyped]

from adapter.errors import ConfigurationError
from adapter.mock.config import Account
from adapter.mock.server import TlsFiles

__all__ = ["FtpsServer", "build_ftps_context"]

# e: change folder, l: list, r: download, d: delete, f: rename (pyftpdlib's letters)
_PERMISSIONS = "elrdf"


def build_ftps_context(files: TlsFiles) -> SSL.Context:
    """The server's pyOpenSSL context: TLS 1.2 or later, no compression, and a client
    certificate signed by ``files.client_ca_file`` required.

    Raises ``ConfigurationError`` when ``client_ca_file`` is None or a file cannot be
    loaded."""
    if files.client_ca_file is None:
        raise ConfigurationError(
            "FTPS requires client certificates: give the CA that signs them (client_ca_file)",
            field="client_ca_file",
            value="",
        )
    context = SSL.Context(SSL.TLS_SERVER_METHOD)
    context.set_min_proto_version(SSL.TLS1_2_VERSION)
    context.set_options(SSL.OP_NO_COMPRESSION)
    try:
        context.use_certificate_chain_file(str(files.cert_file))
        context.use_privatekey_file(str(files.key_file))
        context.check_privatekey()
        context.load_verify_locations(str(files.client_ca_file))
    except (OSError, SSL.Error) as exc:
        raise ConfigurationError(
            f"cannot load the FTPS certificate {files.cert_file}, key {files.key_file} or "
            f"client CA {files.client_ca_file}: {exc}",
            field="cert_file",
            value=str(files.cert_file),
        ) from exc
    context.set_verify(SSL.VERIFY_PEER | SSL.VERIFY_FAIL_IF_NO_PEER_CERT, _verified)
    context.set_session_id(b"smt-mock-ftps")  # lets data connections resume the session
    return context


def _verified(connection: Any, certificate: Any, errno: int, depth: int, ok: int) -> bool:
    return bool(ok)  # OpenSSL's own chain check decides


class FtpsServer:
    """Explicit FTPS on ``host:port`` (``port=0`` picks a free one), serving
    ``root/<service_id>/`` to each account. ``start()`` (or ``with``) serves in a daemon
    thread; ``shutdown()`` stops, closes every connection and joins.

    Raises ``ConfigurationError`` for an unusable passive range or TLS files, and
    ``OSError`` when ``host:port`` cannot be bound."""

    def __init__(
        self,
        root: Path,
        *,
        accounts: Sequence[Account],
        tls: TlsFiles,
        host: str = "127.0.0.1",
        port: int = 0,
        passive_ports: tuple[int, int] = (35000, 35100),
        timeout: float = 30.0,
    ) -> None:
        low, high = passive_ports
        if not 1024 <= low <= high <= 65535:
            raise ConfigurationError(
                f"passive_ports = {low}-{high}: must be a range within 1024-65535",
                field="passive_ports",
                value=f"{low}-{high}",
            )
        authorizer = _Authorizer()
        for account in accounts:
            home = root / account.service_id
            home.mkdir(parents=True, exist_ok=True)
            authorizer.add_user(
                account.service_id, account.password, str(home.resolve()), perm=_PERMISSIONS
            )
        handler = type(
            "MockFtpsHandler",
            (_Handler,),
            {
                "ssl_context": build_ftps_context(tls),
                "authorizer": authorizer,
                "passive_ports": list(range(low, high + 1)),
                "timeout": timeout,
                "abstracted_fs": _DropFolder,
            },
        )
        self._server = FTPServer((host, port), handler)
        self.host = host
        self.port: int = self._server.address[1]
        self.address = f"ftps://{host}:{self.port}"
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> Self:
        """Serve in a background daemon thread; return self."""
        if self._thread is not None or self._stopping.is_set():
            raise RuntimeError(f"{self.address} was already started or shut down")
        self._thread = threading.Thread(
            target=self._serve, name=f"mock-ftps {self.address}", daemon=True
        )
        self._thread.start()
        return self

    def shutdown(self) -> None:
        """Stop serving and close every connection. Calling it again does nothing."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join()
        else:
            self._server.close_all()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.shutdown()

    def _serve(self) -> None:
        try:  # pyftpdlib's loop is not thread-safe: it is stopped from its own thread
            while not self._stopping.is_set():
                self._server.serve_forever(timeout=0.05, blocking=False, handle_exit=False)
        finally:
            self._server.close_all()


class _Authorizer(DummyAuthorizer):  # type: ignore[misc]
    def validate_authentication(self, username: str, password: str, handler: Any) -> None:
        """Raises AuthenticationFailed unless the password is the account's (compared in
        constant time; there is no anonymous login)."""
        stored = self.user_table.get(username, {}).get("pwd")
        if not isinstance(stored, str) or not hmac.compare_digest(
            stored.encode(), password.encode()
        ):
            raise AuthenticationFailed("Authentication failed.")


class _DropFolder(AbstractedFS):  # type: ignore[misc]
    def listdir(self, path: str) -> list[str]:
        return [name for name in super().listdir(path) if not name.startswith(".")]


class _Handler(TLS_FTPHandler):  # type: ignore[misc]
    tls_control_required = True
    tls_data_required = True
    banner = "SMT mock FTPS ready: AUTH TLS, client certificate, PROT P"

    def ftp_PROT(self, line: str) -> None:  # noqa: N802 - pyftpdlib's command naming
        if line.strip().upper() == "C":
            self.respond("534 PROT C refused: data connections must be protected (PROT P).")
            return
        super().ftp_PROT(line)

    def ftp_RMD(self, path: str) -> None:  # noqa: N802
        self.respond("550 Folders cannot be removed.")
