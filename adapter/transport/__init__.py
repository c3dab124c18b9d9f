"""How the adapter reaches SMT over HTTP(S): TLS contexts with the client certificate of
the 2020 certificate era, one-connection-per-call POSTs, and the bearer tokens of the
2025 token era. Failures are ``TransportError``, ``AuthenticationError`` and
``CertificateError`` (``adapter.errors``)."""

from adapter.transport.http import DEFAULT_MAX_BODY, HttpResponse, HttpsTransport, Timeouts
from adapter.transport.tls import (
    ClientCertificate,
    LoadedCertificate,
    build_client_context,
    load_client_certificate,
)
from adapter.transport.token import TokenSource

__all__ = [
    "DEFAULT_MAX_BODY",
    "ClientCertificate",
    "HttpResponse",
    "HttpsTransport",
    "LoadedCertificate",
    "Timeouts",
    "TokenSource",
    "build_client_context",
    "load_client_certificate",
]
