"""The mock's HTTP(S) server: a threaded ``wsgiref`` server that speaks TLS and mutual TLS.

A thread per connection at a time, reused, one request per connection (``Connection:
close``), at most ``max_connections`` at once (one more is closed, with a log line). Under
TLS the handshake runs in that thread: a slow or failing client blocks nobody else.

What the WSGI app sees besides the usual CGI keys: ``HTTPS=on`` and the mod_ssl names
``SSL_PROTOCOL``, ``SSL_CLIENT_VERIFY`` (``SUCCESS`` or ``NONE``), ``SSL_CLIENT_S_DN``
(RFC 4514) and ``SSL_CLIENT_S_DN_CN``. The process environment is never copied into the
WSGI environ, so nothing outside a verified handshake can set those keys.

The app may raise ``DropConnection`` to make the server hang up without answering.
"""

from __future__ import annotations

import logging
import queue
import socket
import socketserver
import ssl
import sys
import threading
import time
from collections.abc import MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, ClassVar, Self, cast
from wsgiref.headers import Headers
from wsgiref.simple_server import ServerHandler, WSGIRequestHandler, WSGIServer
from wsgiref.types import WSGIApplication

from adapter.errors import ConfigurationError
from adapter.mock.peer import format_rfc4514
from adapter.mock.request_body import RequestBody
from adapter.mock.scenarios import DropConnection

if TYPE_CHECKING:
    from _typeshed import OptExcInfo

__all__ = ["DropConnection", "MockServer", "TlsFiles", "build_server_context"]

_LOG = logging.getLogger("adapter.mock.server")

# After the response, read what the client still sends (an unread body, a TLS alert) until
# it hangs up: closing with unread bytes makes the kernel send a reset, and a reset can
# destroy a response the client has not read yet.
_LINGER_SECONDS = 2.0
_LINGER_MAX_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True, slots=True, kw_only=True)
class TlsFiles:
    """The server's chain (PEM, leaf first) and key; with ``client_ca_file``, a client
    certificate signed by that CA is required (mutual TLS)."""

    cert_file: Path
    key_file: Path
    client_ca_file: Path | None = None


def build_server_context(files: TlsFiles) -> ssl.SSLContext:
    """Build the server's TLS context: TLS 1.2 or later, and mutual TLS trusting only
    ``client_ca_file`` when it is set. Unreadable files raise ``ConfigurationError``."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    try:
        context.load_cert_chain(files.cert_file, files.key_file)
    except (OSError, ssl.SSLError) as exc:
        raise ConfigurationError(
            f"cannot load the server certificate {files.cert_file} with key "
            f"{files.key_file}: {exc}",
            field="cert_file",
            value=str(files.cert_file),
        ) from exc
    if files.client_ca_file is not None:
        try:
            context.load_verify_locations(cafile=files.client_ca_file)
        except (OSError, ssl.SSLError) as exc:
            raise ConfigurationError(
                f"cannot load the client CA {files.client_ca_file}: {exc}",
                field="client_ca_file",
                value=str(files.client_ca_file),
            ) from exc
        context.verify_mode = ssl.CERT_REQUIRED
    return context


class MockServer:
    """A threaded WSGI server, HTTP or (with ``tls``) HTTPS; ``port=0`` picks a free port.

    ``max_connections`` connections are served at once, each in its own thread.
    ``timeout`` bounds, in seconds, each wait on a client (handshake, request,
    body).
    ``start()`` (or ``with``) serves in a daemon thread; ``shutdown()`` stops and closes."""

    def __init__(
        self,
        app: WSGIApplication,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        tls: ssl.SSLContext | None = None,
        max_request_line: int = 65536,
        timeout: float = 30.0,
        max_connections: int = 256,
    ) -> None:
        if not 1 <= max_connections <= 4096:
            message = f"max_connections = {max_connections}: must be 1 to 4096"
            raise ConfigurationError(message, field="max_connections", value=str(max_connections))
        self._server = _WsgiServer(
            (host, port),
            tls=tls,
            max_request_line=max_request_line,
            timeout=timeout,
            max_connections=max_connections,
        )
        self._server.set_app(app)
        self.port: int = self._server.server_port
        shown = f"[{host}]" if ":" in host else host
        self.base_url: str = f"{'https' if tls else 'http'}://{shown}:{self.port}"
        self._lock = threading.Lock()
        self._serving = False
        self._closed = False
        self._thread: threading.Thread | None = None

    def serve_forever(self) -> None:
        """Serve in this thread until ``shutdown()`` is called from another one."""
        with self._lock:
            if self._closed or self._serving:
                raise RuntimeError(f"{self.base_url} is already serving or shut down")
            self._serving = True
        self._server.serve_forever(poll_interval=0.05)

    def start(self) -> MockServer:
        """Serve in a background daemon thread; return self."""
        thread = threading.Thread(
            target=self.serve_forever, name=f"mock-server {self.base_url}", daemon=True
        )
        with self._lock:
            if self._thread is not None or self._closed:
                raise RuntimeError(f"{self.base_url} was already started or shut down")
            self._thread = thread
        thread.start()
        return self

    def shutdown(self) -> None:
        """Stop serving, close the listening socket and join the serving thread. Requests
        in flight finish in their own daemon threads. Calling it again does nothing."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            serving = self._serving
        if serving:  # BaseServer.shutdown() waits forever if serve_forever() never ran
            self._server.shutdown()
        self._server.server_close()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join()

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.shutdown()


class _WsgiServer(WSGIServer):
    allow_reuse_address = True
    request_queue_size = 1024  # a burst of concurrent clients must not overflow the backlog

    def __init__(
        self,
        address: tuple[str, int],
        *,
        tls: ssl.SSLContext | None,
        max_request_line: int,
        timeout: float,
        max_connections: int,
    ) -> None:
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.tls = tls
        self.max_request_line = max_request_line
        self.connection_timeout = timeout
        # Threads are kept and reused; a new one starts only when none is idle, so no
        # client ever waits behind another (up to max_connections at once).
        self._connections: queue.SimpleQueue[tuple[Any, Any] | None] = queue.SimpleQueue()
        self._guard = threading.Lock()
        self._threads = self._idle = 0
        self._max_threads = max_connections
        super().__init__(address, _RequestHandler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._guard:
            if self._idle:
                self._idle -= 1  # an idle thread will take it
            elif self._threads < self._max_threads:
                self._threads += 1
                threading.Thread(target=self._serve, daemon=True).start()
            else:
                _LOG.warning("refused a connection from %s: too many at once", client_address[0])
                self.close_request(request)
                return
        self._connections.put((request, client_address))

    def _serve(self) -> None:
        while (item := self._connections.get()) is not None:
            request, client_address = item
            try:
                self.finish_request(request, client_address)
            except Exception:  # noqa: BLE001 - one connection's failure must not reach the others
                self.handle_error(request, client_address)
            finally:
                self.shutdown_request(request)
                with self._guard:
                    self._idle += 1

    def server_close(self) -> None:
        super().server_close()
        with self._guard:
            threads = self._threads
        for _ in range(threads):
            self._connections.put(None)

    def server_bind(self) -> None:
        # HTTPServer.server_bind() resolves the host with getfqdn(), which may hit DNS.
        socketserver.TCPServer.server_bind(self)
        self.server_name = str(self.server_address[0])
        self.server_port = int(self.server_address[1])
        self.setup_environ()

    def get_request(self) -> tuple[socket.socket, Any]:
        connection, address = self.socket.accept()
        if self.tls is None:
            return connection, address
        # No I/O here: the handshake happens in the connection's own thread.
        return self.tls.wrap_socket(
            connection, server_side=True, do_handshake_on_connect=False
        ), address

    def finish_request(self, request: Any, client_address: Any) -> None:
        if isinstance(request, ssl.SSLSocket):
            request.settimeout(self.connection_timeout)
            try:
                request.do_handshake()
            except OSError as exc:  # ssl.SSLError and timeouts are OSErrors
                _LOG.info("TLS handshake with %s failed: %s", client_address[0], exc)
                return
        super().finish_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        try:
            request.shutdown(socket.SHUT_WR)
            _discard_until_eof(request)
        except OSError:
            pass
        finally:
            self.close_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        exc = sys.exc_info()[1]
        level = logging.DEBUG if isinstance(exc, OSError) else logging.WARNING
        _LOG.log(level, "connection from %s failed: %r", client_address[0], exc)


class _RequestHandler(WSGIRequestHandler):
    disable_nagle_algorithm = True  # headers and body are separate writes

    def setup(self) -> None:
        self.request.settimeout(self._wsgi_server.connection_timeout)
        super().setup()

    @property
    def _wsgi_server(self) -> _WsgiServer:
        return cast(_WsgiServer, self.server)

    def handle(self) -> None:
        limit = self._wsgi_server.max_request_line
        self.raw_requestline = self.rfile.readline(limit + 1)
        if len(self.raw_requestline) > limit:
            self.requestline = self.request_version = self.command = ""
            self.send_error(414)
            return
        if not self.parse_request():  # it has answered already
            return
        if "Transfer-Encoding" in self.headers:
            # wsgiref hands the raw stream to the app and cannot decode chunked bodies.
            self.send_error(411, "send the body with a Content-Length")
            return
        length = self._content_length()
        if length is None:
            self.send_error(400, "invalid Content-Length")
            return
        handler = _ServerHandler(
            RequestBody(self.rfile, length),
            cast(IO[bytes], self.wfile),
            self.get_stderr(),
            self.get_environ(),
            multithread=True,
        )
        handler.request_handler = self
        app = self._wsgi_server.get_app()
        assert app is not None  # MockServer sets it before serving
        handler.run(app)
        if handler.dropped:
            _LOG.debug("dropped the connection from %s on request", self.address_string())

    def _content_length(self) -> int | None:
        values = set(self.headers.get_all("Content-Length") or ["0"])
        if len(values) != 1:
            return None
        (value,) = values
        return int(value) if value.strip().isdigit() else None

    def get_environ(self) -> dict[str, str]:
        environ = super().get_environ()
        connection = self.connection
        if isinstance(connection, ssl.SSLSocket):
            environ["HTTPS"] = "on"
            environ["wsgi.url_scheme"] = "https"
            environ["SSL_PROTOCOL"] = connection.version() or ""
            environ["SSL_CLIENT_VERIFY"] = "NONE"
            peer = connection.getpeercert()  # empty unless the chain was verified
            if peer:
                subject = cast(tuple[tuple[tuple[str, str], ...], ...], peer["subject"])
                environ["SSL_CLIENT_VERIFY"] = "SUCCESS"
                environ["SSL_CLIENT_S_DN"] = format_rfc4514(subject)
                names = [value for rdn in subject for key, value in rdn if key == "commonName"]
                if names:
                    environ["SSL_CLIENT_S_DN_CN"] = names[-1]
        return environ

    def log_message(self, format: str, *args: Any) -> None:
        _LOG.debug("%s %s", self.address_string(), format % args)


class _ServerHandler(ServerHandler):
    # wsgiref copies os.environ into every request; the app must see only the request.
    os_environ: ClassVar[MutableMapping[str, str]] = {}  # type: ignore[misc]
    dropped = False
    # Set by wsgiref at run time; typeshed does not declare them.
    request_handler: WSGIRequestHandler
    environ: MutableMapping[str, str] | None
    headers: Headers | None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pending: list[bytes] = []

    # wsgiref writes the status line, two preamble headers, the headers and each body chunk
    # separately: held until a flush, they leave in one TLS record and one system call.
    def _write(self, data: bytes) -> None:
        self._pending.append(data)

    def _flush(self) -> None:
        if self._pending:
            data = b"".join(self._pending)
            self._pending.clear()
            super()._write(data)
        super()._flush()

    def finish_content(self) -> None:
        super().finish_content()  # an empty body writes headers and never flushes
        self._flush()

    def cleanup_headers(self) -> None:
        super().cleanup_headers()
        assert self.headers is not None
        self.headers["Connection"] = "close"  # one request per connection

    def handle_error(self) -> None:
        if isinstance(sys.exc_info()[1], DropConnection):
            self.dropped = True  # write nothing; the server hangs up
            return
        super().handle_error()

    def log_exception(self, exc_info: OptExcInfo) -> None:
        environ = self.environ or {}
        _LOG.warning(
            "the app failed on %s %s: %r",
            environ.get("REQUEST_METHOD"),
            environ.get("PATH_INFO"),
            exc_info[1],
            exc_info=exc_info if _LOG.isEnabledFor(logging.DEBUG) else None,
        )


def _discard_until_eof(connection: socket.socket) -> None:
    deadline = time.monotonic() + _LINGER_SECONDS
    discarded = 0
    while discarded < _LINGER_MAX_BYTES:
        left = deadline - time.monotonic()
        if left <= 0:
            return
        connection.settimeout(left)
        data = connection.recv(65536)
        if not data:
            return
        discarded += len(data)
