"""Shared pieces of the mock's tests: the mock in process (a WSGI call, no socket) and
behind its real server on 127.0.0.1 (HTTPS with mutual TLS, or plain HTTP)."""

from __future__ import annotations

import base64
import io
import ssl
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from adapter.contract import load_services
from adapter.mock.certs import CertificateSet, write_certificate_set
from adapter.mock.config import MockSettings, SecurityProfile
from adapter.mock.server import MockServer, TlsFiles, build_server_context
from tests.conftest import SOAP_FIXTURES

if TYPE_CHECKING:
    from adapter.mock.app import MockApp

# The day the guide's CSP examples were captured: agreement 119720 starts on 08/07/2019.
GUIDE_DAY = date(2019, 8, 7)
TOKEN_SECRET = "a-test-signing-key-of-at-least-32-characters"
PASSWORDS = {"CSPAPIUser1": "smt-mock-CSPAPIUser1", "bobby@123": "smt-mock-bobby"}


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes


def operation_of(name: str) -> Any:
    return next(op for s in load_services() for op in s.operations if op.name == name)


def path_of(name: str) -> str:
    return next(s.path for s in load_services() for op in s.operations if op.name == name)


def guide_request(service: str, operation: str) -> bytes:
    return (SOAP_FIXTURES / service / f"{operation}.request.xml").read_bytes()


def call_app(
    app: MockApp,
    path: str,
    body: bytes = b"",
    *,
    method: str = "POST",
    query: str = "",
    headers: dict[str, str] | None = None,
    peer: str | None = None,
) -> Answer:
    """One request to the mock in process, as its server would hand it over."""
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8443",
        "HTTP_HOST": "127.0.0.1:8443",
        "wsgi.url_scheme": "https",
        "wsgi.input": io.BytesIO(body),
        "CONTENT_LENGTH": str(len(body)),
        "CONTENT_TYPE": "text/xml; charset=utf-8",
    }
    if peer is not None:
        environ["REMOTE_ADDR"] = peer
    for name, value in (headers or {}).items():
        key = name.upper().replace("-", "_")
        environ[key if key in ("CONTENT_TYPE", "CONTENT_LENGTH") else f"HTTP_{key}"] = value
    seen: dict[str, Any] = {}

    def start_response(status: str, response_headers: list[tuple[str, str]]) -> None:
        seen["status"] = int(status.split()[0])
        seen["headers"] = dict(response_headers)

    data = b"".join(app(environ, start_response))
    return Answer(seen["status"], seen["headers"], data)


def call_operation(
    app: MockApp, operation: str, body: bytes, *, headers: dict[str, str] | None = None
) -> Answer:
    """POST a SOAP request with the operation's SOAPAction and, unless given, the Basic
    credentials of the requestorID found in the body."""
    sent = {"SOAPAction": f'"{operation_of(operation).soap_action}"', **(headers or {})}
    if "Authorization" not in sent:
        for service_id, password in PASSWORDS.items():
            if f"<requestorID>{service_id}</requestorID>".encode() in body:
                sent["Authorization"] = basic(service_id, password)
    return call_app(app, path_of(operation), body, headers=sent)


def basic(username: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


@pytest.fixture
def settings(tmp_path: Path) -> MockSettings:
    """Certificate-era settings (Basic checked in process; TLS is the server's job)."""
    return MockSettings(security=SecurityProfile.CERTIFICATE, today=GUIDE_DAY)


@pytest.fixture
def app(settings: MockSettings) -> MockApp:
    from adapter.mock.app import MockApp

    return MockApp(settings)


@pytest.fixture(scope="session")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> CertificateSet:
    return write_certificate_set(tmp_path_factory.mktemp("certs"))


def client_context(certs: CertificateSet, *, with_certificate: bool = True) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=str(certs.ca_cert))
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    if with_certificate:
        context.load_cert_chain(str(certs.client_cert), str(certs.client_key))
    return context


@pytest.fixture
def mtls_mock(certificates: CertificateSet) -> Iterator[tuple[MockServer, MockApp]]:
    """The mock behind its real server: HTTPS, client certificate required, Basic."""
    from adapter.mock.app import MockApp

    app = MockApp(MockSettings(today=GUIDE_DAY, port=0))
    files = TlsFiles(
        cert_file=certificates.server_cert,
        key_file=certificates.server_key,
        client_ca_file=certificates.ca_cert,
    )
    with MockServer(app, port=0, tls=build_server_context(files)) as server:
        yield server, app


@pytest.fixture
def token_mock(certificates: CertificateSet) -> Iterator[tuple[MockServer, MockApp]]:
    """The 2025 era: HTTPS without client certificates, bearer tokens."""
    from adapter.mock.app import MockApp

    settings = MockSettings(
        security=SecurityProfile.TOKEN, today=GUIDE_DAY, port=0, token_secret=TOKEN_SECRET
    )
    app = MockApp(replace(settings, token_lifetime_seconds=120))
    files = TlsFiles(cert_file=certificates.server_cert, key_file=certificates.server_key)
    with MockServer(app, port=0, tls=build_server_context(files)) as server:
        yield server, app
