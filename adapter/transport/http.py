"""One HTTP(S) POST per connection, on ``http.client``: the transport of both SMT eras.

``HttpsTransport.post`` returns every HTTP status as an ``HttpResponse``; deciding what a
401 or a 500 means is the caller's job. What it raises is ``TransportError`` for the
failures that leave no HTTP answer, and it says how far the request got:

- ``sent=False``: nothing reached SMT as a request (DNS, refused connection, TLS refusal,
  a timeout or reset while sending). Repeating it is safe.
- ``sent=True``: the whole request left, then the connection closed, reset or timed out
  before a status line. SMT may have acted on it; only safe calls should be repeated.

TLS refusals that no retry can fix (an untrusted server certificate, a client certificate
the server refuses, no common protocol version) have ``retryable=False``. Under TLS 1.3 a
server's refusal of our certificate arrives only after the request was written; its alert
is recognised and reported as unsent, but a server that resets instead of alerting looks
like ``sent=True``.

Proxies and environment variables play no part: the URL is where the request goes.
"""

from __future__ import annotations

import http.client
import io
import json
import math
import socket
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Self
from urllib.parse import SplitResult, urlsplit

from adapter.errors import ConfigurationError, TransportError
from adapter.transport.tls import build_client_context

__all__ = ["DEFAULT_MAX_BODY", "HttpResponse", "HttpsTransport", "Timeouts"]

DEFAULT_MAX_BODY = 64 * 1024 * 1024  # bytes HttpResponse.read() accepts unless told otherwise
_MAX_JSON_BODY = 1024 * 1024  # the token service answers a few hundred bytes
_CHUNK = 64 * 1024

# OpenSSL reasons (ssl.SSLError.reason) for a client certificate the server refused.
_CLIENT_CERTIFICATE_REFUSED = {
    "TLSV13_ALERT_CERTIFICATE_REQUIRED": "the server requires one and none was sent",
    "PEER_DID_NOT_RETURN_A_CERTIFICATE": "the server requires one and none was sent",
    "TLSV1_ALERT_UNKNOWN_CA": "the server does not trust the CA that signed ours",
    "SSLV3_ALERT_CERTIFICATE_EXPIRED": "the server says ours has expired",
    "SSLV3_ALERT_CERTIFICATE_REVOKED": "the server says ours was revoked",
    "SSLV3_ALERT_BAD_CERTIFICATE": "the server calls ours a bad certificate",
    "SSLV3_ALERT_CERTIFICATE_UNKNOWN": "the server could not verify ours",
    "SSLV3_ALERT_UNSUPPORTED_CERTIFICATE": "the server does not support its type",
    "TLSV1_ALERT_ACCESS_DENIED": "the server denied access to its holder",
    "TLSV1_ALERT_DECRYPT_ERROR": "its signature did not verify at the server",
}
_PROTOCOL_REFUSED = {
    "UNSUPPORTED_PROTOCOL",
    "TLSV1_ALERT_PROTOCOL_VERSION",
    "NO_PROTOCOLS_AVAILABLE",
    "WRONG_SSL_VERSION",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Timeouts:
    """Seconds to wait: ``connect`` for the TCP connection and the TLS handshake,
    ``read`` for each later wait (sending, the status line, each block of the body).

    Raises ``ConfigurationError`` unless both are finite and greater than zero."""

    connect: float = 10.0
    read: float = 60.0

    def __post_init__(self) -> None:
        for name in ("connect", "read"):
            value = getattr(self, name)
            if not (isinstance(value, int | float) and 0 < value < math.inf):
                raise ConfigurationError(
                    f"timeouts.{name} = {value!r}: must be a number of seconds above 0",
                    field=f"timeouts.{name}",
                    value=str(value),
                )


class HttpResponse:
    """An HTTP answer whose body has not been read yet. Read it whole with ``read()``, or
    stream it from ``stream`` (e.g. into ``lxml.etree.iterparse``); then ``close()`` it, or
    use it as a context manager. Failures while reading the body raise ``TransportError``
    with ``sent=True``."""

    def __init__(
        self, *, url: str, connection: http.client.HTTPConnection, raw: http.client.HTTPResponse
    ) -> None:
        self.url = url
        self.status: int = raw.status
        self.reason: str = raw.reason
        self.headers: tuple[tuple[str, str], ...] = tuple(raw.getheaders())
        self._connection = connection
        self._raw = raw
        self.stream: io.BufferedReader = io.BufferedReader(_BodyStream(self), _CHUNK)

    def header(self, name: str) -> str | None:
        """The value of header ``name`` (any case); repeated headers joined by ", "."""
        return self._raw.getheader(name)

    def read(self, max_bytes: int = DEFAULT_MAX_BODY) -> bytes:
        """The whole body. Raises ``TransportError`` when it is longer than ``max_bytes``
        (checked before and while reading) or the connection fails while reading."""
        declared = self.header("Content-Length")
        if declared is not None and declared.strip().isdigit() and int(declared) > max_bytes:
            raise self._too_large(max_bytes)
        parts: list[bytes] = []
        total = 0
        while chunk := self.stream.read(min(_CHUNK, max_bytes + 1 - total)):
            parts.append(chunk)
            total += len(chunk)
            if total > max_bytes:
                raise self._too_large(max_bytes)
        return b"".join(parts)

    def close(self) -> None:
        """Close the body and the connection; calling it again does nothing."""
        self._raw.close()
        self._connection.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<HttpResponse {self.status} {self.reason} from {self.url}>"

    def _too_large(self, max_bytes: int) -> TransportError:
        return TransportError(
            f"{self.url}: the answer (HTTP {self.status}) is larger than {max_bytes} bytes",
            url=self.url,
            status=self.status,
            sent=True,
        )


class _BodyStream(io.RawIOBase):
    """The body as a raw stream whose failures are ``TransportError``s."""

    def __init__(self, response: HttpResponse) -> None:
        self._response = response

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        response = self._response
        try:
            count = response._raw.readinto(buffer)
        except (OSError, http.client.HTTPException) as exc:
            raise self._broken(_describe(exc)) from exc
        # http.client ends a body cut short of its Content-Length quietly, as if complete.
        if count == 0 and len(buffer) and response._raw.length:
            raise self._broken(f"the body ended early, {response._raw.length} bytes short")
        return count

    def _broken(self, cause: str) -> TransportError:
        response = self._response
        return TransportError(
            f"{response.url}: the connection failed while reading the answer "
            f"(HTTP {response.status}): {cause}",
            url=response.url,
            status=response.status,
            retryable=True,
            sent=True,
        )


class HttpsTransport:
    """POSTs over HTTPS with ``context`` (see ``build_client_context``), one connection
    per call, with ``timeouts``.

    With ``context=None``, http:// URLs are sent in plain text and https:// URLs use the
    default context (system trust, TLS 1.2 or later). With a context, an http:// URL is a
    ``ConfigurationError``: credentials meant for TLS must not leave in plain text.
    It keeps no connection between calls, so one transport may serve many threads."""

    def __init__(self, *, context: ssl.SSLContext | None, timeouts: Timeouts) -> None:
        self._context = context
        self._default_context: ssl.SSLContext | None = None
        self.timeouts = timeouts

    def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> HttpResponse:
        """POST ``body`` to ``url`` and return the answer, whatever its status.

        Raises ``ConfigurationError`` for a URL or header that cannot be sent, and
        ``TransportError`` when no status line comes back (see the module docstring for
        ``sent`` and ``retryable``)."""
        parts = self._check_url(url)
        _check_headers(headers)
        connection = self._connect(url, parts)
        try:
            raw = self._exchange(url, parts, connection, body, headers)
        except BaseException:
            connection.close()
            raise
        return HttpResponse(url=url, connection=connection, raw=raw)

    def post_json(
        self, url: str, payload: Mapping[str, object], headers: Mapping[str, str]
    ) -> tuple[int, object]:
        """POST ``payload`` as JSON; return the status and the decoded JSON answer.

        Raises what ``post`` raises, and ``TransportError`` (with ``status``) when the
        answer is not JSON, e.g. a proxy's HTML error page."""
        sent = {"Content-Type": "application/json", "Accept": "application/json", **headers}
        with self.post(url, json.dumps(payload).encode(), sent) as response:
            data = response.read(_MAX_JSON_BODY)
        try:
            return response.status, json.loads(data)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            kind = response.header("Content-Type") or "no Content-Type"
            snippet = data[:200].decode("utf-8", "replace")
            raise TransportError(
                f"{url}: HTTP {response.status} {response.reason} with a body that is not "
                f"JSON ({kind}): {snippet!r}",
                url=url,
                status=response.status,
                retryable=response.status >= 500,
                sent=True,
            ) from exc

    def _check_url(self, url: str) -> SplitResult:
        parts = urlsplit(url)
        try:
            parts.port  # noqa: B018 - raises ValueError for a port that is not a number
        except ValueError as exc:
            raise ConfigurationError(f"{url}: bad port", field="url", value=url) from exc
        if parts.username is not None or parts.password is not None:
            shown = parts._replace(netloc=parts.netloc.rpartition("@")[2]).geturl()
            raise ConfigurationError(
                "credentials go in headers, not in the URL", field="url", value=shown
            )
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigurationError(
                f"{url}: not an http:// or https:// URL with a host", field="url", value=url
            )
        try:
            parts.hostname.encode("idna")  # as the connection would, later and less clearly
        except UnicodeError as exc:
            raise ConfigurationError(
                f"{url}: {parts.hostname!r} is not a valid host name", field="url", value=url
            ) from exc
        if parts.scheme == "http" and self._context is not None:
            raise ConfigurationError(
                f"{url}: plain http:// with a TLS context configured; use https://",
                field="url",
                value=url,
            )
        return parts

    def _connect(self, url: str, parts: SplitResult) -> http.client.HTTPConnection:
        host, port = parts.hostname or "", parts.port
        connection: http.client.HTTPConnection
        if parts.scheme == "https":
            connection = http.client.HTTPSConnection(
                host, port, timeout=self.timeouts.connect, context=self._tls_context()
            )
        else:
            connection = http.client.HTTPConnection(host, port, timeout=self.timeouts.connect)
        try:
            connection.connect()  # TCP and the TLS handshake, both under the connect timeout
            assert connection.sock is not None
            connection.sock.settimeout(self.timeouts.read)
        except OSError as exc:
            connection.close()
            raise _unsent(url, exc, f"within {self.timeouts.connect:g} s") from exc
        return connection

    def _exchange(
        self,
        url: str,
        parts: SplitResult,
        connection: http.client.HTTPConnection,
        body: bytes,
        headers: Mapping[str, str],
    ) -> http.client.HTTPResponse:
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        try:
            connection.request("POST", target, body=body, headers=dict(headers))
        except OSError as exc:
            raise _unsent(url, exc, f"within {self.timeouts.read:g} s") from exc
        try:
            return connection.getresponse()
        except ssl.SSLError as exc:
            if _tls_refusal(exc) is not None:
                # Under TLS 1.3 the server's verdict on our certificate arrives after our
                # side of the handshake: the server refused the connection, not the request.
                raise _unsent(url, exc, "") from exc
            raise _lost(url, exc, self.timeouts.read) from exc
        except (OSError, http.client.HTTPException) as exc:
            raise _lost(url, exc, self.timeouts.read) from exc

    def _tls_context(self) -> ssl.SSLContext:
        if self._context is not None:
            return self._context
        if self._default_context is None:
            self._default_context = build_client_context()
        return self._default_context


def _check_headers(headers: Mapping[str, str]) -> None:
    # http.client would refuse these too, but its message quotes the value: a credential.
    for name, value in headers.items():
        if any(c in f"{name}{value}" for c in "\r\n\0") or not name or ":" in name:
            raise ConfigurationError(
                f"header {name!r}: a name or value with a line break, NUL or colon",
                field="headers",
                value=name,
            )


def _unsent(url: str, exc: OSError, limit: str) -> TransportError:
    refusal = _tls_refusal(exc) if isinstance(exc, ssl.SSLError) else None
    if refusal is not None:
        return TransportError(f"{url}: {refusal}", url=url, retryable=False, sent=False)
    if isinstance(exc, ssl.SSLError):
        cause = f"TLS handshake failed: {exc.reason or exc}"
    elif isinstance(exc, TimeoutError):
        cause = f"timed out {limit}".strip()
    else:
        cause = _describe(exc)
    return TransportError(f"{url}: {cause}", url=url, retryable=True, sent=False)


def _lost(url: str, exc: Exception, read_timeout: float) -> TransportError:
    if isinstance(exc, TimeoutError):
        cause = f"no answer within {read_timeout:g} s after the request was sent"
    elif isinstance(exc, http.client.RemoteDisconnected | ConnectionError):
        cause = f"the server closed the connection without answering ({_describe(exc)})"
    else:
        cause = f"no HTTP answer: {_describe(exc)}"
    return TransportError(f"{url}: {cause}", url=url, retryable=True, sent=True)


def _tls_refusal(exc: ssl.SSLError) -> str | None:
    """Say what kind of TLS refusal ``exc`` is, or None if it is not one."""
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"certificate verify failed: the server's certificate: {exc.verify_message}"
    reason = str(exc.reason or "")
    if reason in _CLIENT_CERTIFICATE_REFUSED:
        return f"no client certificate accepted: {_CLIENT_CERTIFICATE_REFUSED[reason]} ({reason})"
    if reason in _PROTOCOL_REFUSED:
        return f"protocol version: no TLS version from 1.2 up in common with the server ({reason})"
    if reason == "WRONG_VERSION_NUMBER":
        return f"protocol version: the server did not answer in TLS, plain HTTP? ({reason})"
    return None


def _describe(exc: BaseException) -> str:
    if isinstance(exc, socket.gaierror):
        return f"cannot resolve the host name ({exc.strerror or exc})"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, ConnectionResetError):
        return "connection reset"
    if isinstance(exc, http.client.IncompleteRead):
        return f"the body ended early, after {len(exc.partial)} bytes"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__
