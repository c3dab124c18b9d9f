"""Shared pieces of the transport tests: certificates made with cryptography and trustme,
the mock behind its real mutual-TLS server, and tiny socket servers that misbehave."""

from __future__ import annotations

import socket
import ssl
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import trustme
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12

from adapter.mock import MockApp, MockServer, MockSettings, TlsFiles, build_server_context
from adapter.mock.certs import CertificateSet
from tests.mock.conftest import GUIDE_DAY

HOST = "127.0.0.1"
StartResponse = Callable[[str, list[tuple[str, str]]], Any]


def write_leaf(
    ca: trustme.CA,
    directory: Path,
    name: str,
    *,
    days: float = 90,
    expired: bool = False,
) -> tuple[Path, Path]:
    """A client certificate from ``ca`` as (certificate + chain PEM, key PEM): valid from
    now for ``days``, or (``expired``) one that ran out yesterday after its 90 days."""
    now = datetime.now(UTC)
    start = now - timedelta(days=91) if expired else now - timedelta(minutes=5)
    end = now - timedelta(days=1) if expired else now + timedelta(days=days)
    leaf = ca.issue_cert(
        f"{name.lower()}.example", common_name=name, not_before=start, not_after=end
    )
    cert, key = directory / f"{name}.pem", directory / f"{name}-key.pem"
    cert.write_bytes(b"".join(blob.bytes() for blob in leaf.cert_chain_pems))
    key.write_bytes(leaf.private_key_pem.bytes())
    return cert, key


def encrypt_key(key_file: Path, password: str, target: Path) -> Path:
    """``key_file`` written again to ``target``, encrypted with ``password``."""
    key = serialization.load_pem_private_key(key_file.read_bytes(), None)
    target.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(password.encode()),
        )
    )
    return target


def write_pkcs12(cert_file: Path, key_file: Path, password: str | None, target: Path) -> Path:
    """The PEM certificate, its chain and its key as one PKCS#12 bundle."""
    leaf, *chain = x509.load_pem_x509_certificates(cert_file.read_bytes())
    key = serialization.load_pem_private_key(key_file.read_bytes(), None)
    encryption = (
        serialization.BestAvailableEncryption(password.encode())
        if password
        else serialization.NoEncryption()
    )
    target.write_bytes(
        pkcs12.serialize_key_and_certificates(b"client", key, leaf, chain, encryption)  # type: ignore[arg-type]
    )
    return target


class CountingApp:
    """The mock's WSGI app, counting the requests per path."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.paths: list[str] = []

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        self.paths.append(environ["PATH_INFO"])
        return self.app(environ, start_response)  # type: ignore[no-any-return]


@contextmanager
def serve_mock(
    certs: CertificateSet,
    *,
    client_ca: Path | None,
    settings: MockSettings | None = None,
) -> Iterator[tuple[MockServer, CountingApp]]:
    """The mock behind its real HTTPS server; with ``client_ca``, mutual TLS trusting
    only client certificates signed by that CA."""
    app = CountingApp(MockApp(settings or MockSettings(today=GUIDE_DAY, port=0)))
    files = TlsFiles(
        cert_file=certs.server_cert, key_file=certs.server_key, client_ca_file=client_ca
    )
    with MockServer(app, port=0, tls=build_server_context(files)) as server:
        yield server, app


@contextmanager
def serve_raw(
    handle: Callable[[socket.socket], None], *, tls: ssl.SSLContext | None = None
) -> Iterator[int]:
    """A server on 127.0.0.1 that runs ``handle`` on each connection (after the TLS
    handshake, with ``tls``); yields its port."""
    listener = socket.create_server((HOST, 0))
    stop = threading.Event()

    def serve_one(connection: socket.socket) -> None:
        with connection:
            try:
                if tls is not None:
                    connection = tls.wrap_socket(connection, server_side=True)
                handle(connection)
            except OSError:
                pass  # the client went away or refused the handshake: that is the test

    def accept() -> None:
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            threading.Thread(target=serve_one, args=(connection,), daemon=True).start()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        with suppress(OSError):
            listener.shutdown(socket.SHUT_RDWR)
        listener.close()
        thread.join(timeout=5)


def read_request(connection: socket.socket) -> bytes:
    """Read one HTTP request with a Content-Length body; return it whole."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = connection.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        (
            int(line.split(b":", 1)[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length:")
        ),
        0,
    )
    while len(body) < length:
        chunk = connection.recv(65536)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body
