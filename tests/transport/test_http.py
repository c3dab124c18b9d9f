"""``HttpsTransport`` against real servers on 127.0.0.1: the mock behind mutual TLS (the
certificate era), and small socket servers that refuse, hang up or stay silent."""

from __future__ import annotations

import json
import socket
import ssl
import threading
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme
from lxml import etree

from adapter.errors import ConfigurationError, TransportError
from adapter.mock.certs import CertificateSet, write_certificate_set
from adapter.mock.server import MockServer
from adapter.transport import (
    ClientCertificate,
    HttpsTransport,
    Timeouts,
    build_client_context,
)
from tests.mock.conftest import PASSWORDS, basic, guide_request, operation_of, path_of
from tests.transport import (
    HOST,
    CountingApp,
    encrypt_key,
    read_request,
    serve_mock,
    serve_raw,
    write_leaf,
)

SECRET = "p12-and-key-password"
FAST = Timeouts(connect=5, read=5)
TOKEN_BODY = json.dumps({"username": "CSPAPIUser1", "password": PASSWORDS["CSPAPIUser1"]})


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> CertificateSet:
    return write_certificate_set(tmp_path_factory.mktemp("pki"), p12_password=SECRET)


@pytest.fixture
def mtls(certs: CertificateSet) -> Iterator[tuple[MockServer, CountingApp]]:
    with serve_mock(certs, client_ca=certs.ca_cert) as served:
        yield served


def transport_for(
    certs: CertificateSet, certificate: ClientCertificate | None, timeouts: Timeouts = FAST
) -> HttpsTransport:
    context = build_client_context(ca_file=certs.ca_cert, certificate=certificate)
    return HttpsTransport(context=context, timeouts=timeouts)


def pem(certs: CertificateSet) -> ClientCertificate:
    return ClientCertificate(cert_file=certs.client_cert, key_file=certs.client_key)


def test_a_soap_call_over_mutual_tls_with_basic_is_answered_and_streams_into_lxml(
    certs: CertificateSet, mtls: tuple[MockServer, CountingApp]
) -> None:
    server, _ = mtls
    operation = "processIntervalEnergyData"
    headers = {
        "Content-Type": "text/xml; charset=utf-8",
        "SOAPAction": f'"{operation_of(operation).soap_action}"',
        "Authorization": basic("CSPAPIUser1", PASSWORDS["CSPAPIUser1"]),
    }
    transport = transport_for(certs, pem(certs))

    with transport.post(
        server.base_url + path_of(operation), guide_request("energydata", operation), headers
    ) as response:
        assert response.status == 200
        assert response.header("content-type") == response.header("CONTENT-TYPE")
        assert "xml" in (response.header("Content-Type") or "")
        tags = [etree.QName(e).localname for _, e in etree.iterparse(response.stream)]

    assert "Envelope" in tags


@pytest.mark.parametrize("form", ["pem", "pkcs12", "encrypted-key"])
def test_mutual_tls_works_with_each_certificate_form(
    certs: CertificateSet, mtls: tuple[MockServer, CountingApp], tmp_path: Path, form: str
) -> None:
    server, app = mtls
    if form == "pem":
        certificate = pem(certs)
    elif form == "pkcs12":
        certificate = ClientCertificate(pkcs12_file=certs.client_p12, password=SECRET)
    else:
        key = encrypt_key(certs.client_key, SECRET, tmp_path / "key.pem")
        certificate = ClientCertificate(cert_file=certs.client_cert, key_file=key, password=SECRET)

    status, body = transport_for(certs, certificate).post_json(
        f"{server.base_url}/v2/token/", json.loads(TOKEN_BODY), {}
    )

    assert status == 200 and isinstance(body, dict) and body["statusCode"] == "0000"
    assert app.paths == ["/v2/token/"]


def refused(transport: HttpsTransport, server: MockServer) -> TransportError:
    with pytest.raises(TransportError) as caught:
        transport.post(f"{server.base_url}/v2/token/", TOKEN_BODY.encode(), {})
    return caught.value


def test_no_client_certificate_is_a_tls_refusal_that_was_not_sent(
    certs: CertificateSet, mtls: tuple[MockServer, CountingApp]
) -> None:
    server, app = mtls

    error = refused(transport_for(certs, None), server)

    assert "no client certificate accepted" in str(error)
    assert server.base_url in str(error)
    assert (error.sent, error.retryable, error.status) == (False, False, None)
    assert app.paths == []


def test_a_client_certificate_from_another_ca_is_refused(
    certs: CertificateSet, mtls: tuple[MockServer, CountingApp], tmp_path: Path
) -> None:
    server, app = mtls
    cert, key = write_leaf(trustme.CA(), tmp_path, "CSPAPIUser1")

    error = refused(transport_for(certs, ClientCertificate(cert_file=cert, key_file=key)), server)

    assert "no client certificate accepted" in str(error)
    assert "UNKNOWN_CA" in str(error)
    assert not error.sent and app.paths == []


def test_an_expired_client_certificate_is_refused(certs: CertificateSet, tmp_path: Path) -> None:
    ca = trustme.CA()
    ca_file = tmp_path / "client-ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    cert, key = write_leaf(ca, tmp_path, "CSPAPIUser1", expired=True)
    fresh_cert, fresh_key = write_leaf(ca, tmp_path, "Fresh")

    with serve_mock(certs, client_ca=ca_file) as (server, app):
        error = refused(
            transport_for(certs, ClientCertificate(cert_file=cert, key_file=key)), server
        )
        fresh = ClientCertificate(cert_file=fresh_cert, key_file=fresh_key)
        with transport_for(certs, fresh).post(
            f"{server.base_url}/v2/token/", TOKEN_BODY.encode(), {}
        ) as response:
            assert response.status == 200  # the same CA's valid certificate is served

    assert "no client certificate accepted" in str(error)
    assert "expired" in str(error)
    assert not error.sent and app.paths == ["/v2/token/"]


def test_a_server_certificate_from_an_untrusted_ca_fails_verification(
    certs: CertificateSet, mtls: tuple[MockServer, CountingApp], tmp_path: Path
) -> None:
    server, app = mtls
    other_ca = tmp_path / "other-ca.pem"
    trustme.CA().cert_pem.write_to_path(str(other_ca))
    context = build_client_context(ca_file=other_ca, certificate=pem(certs))

    error = refused(HttpsTransport(context=context, timeouts=FAST), server)

    assert "certificate verify failed" in str(error)
    assert (error.sent, error.retryable) == (False, False)
    assert app.paths == []


def test_the_default_context_ignores_ssl_cert_file(
    certs: CertificateSet, mtls: tuple[MockServer, CountingApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    server, _ = mtls
    monkeypatch.setenv("SSL_CERT_FILE", str(certs.ca_cert))

    error = refused(HttpsTransport(context=None, timeouts=FAST), server)

    assert "certificate verify failed" in str(error)


def test_a_server_capped_at_tls_1_1_is_refused(certs: CertificateSet) -> None:
    ca = trustme.CA()
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # TLSv1 and TLSv1_1 themselves
        server.minimum_version = ssl.TLSVersion.TLSv1
        server.maximum_version = ssl.TLSVersion.TLSv1_1
    server.set_ciphers("DEFAULT:@SECLEVEL=0")  # OpenSSL 3 offers TLS 1.1 only at level 0
    ca.issue_cert(HOST).configure_cert(server)
    versions: list[str | None] = []

    def record_version(connection: socket.socket) -> None:
        assert isinstance(connection, ssl.SSLSocket)
        versions.append(connection.version())

    with serve_raw(record_version, tls=server) as port:
        # An old client proves the server really speaks TLS 1.1 ...
        old = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ca.configure_trust(old)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            old.minimum_version = ssl.TLSVersion.TLSv1
            old.maximum_version = ssl.TLSVersion.TLSv1_1
        old.set_ciphers("DEFAULT:@SECLEVEL=0")
        with old.wrap_socket(socket.create_connection((HOST, port)), server_hostname=HOST):
            pass
        # ... and ours refuses it.
        context = build_client_context()
        ca.configure_trust(context)
        with pytest.raises(TransportError) as caught:
            HttpsTransport(context=context, timeouts=FAST).post(f"https://{HOST}:{port}/", b"", {})

    assert context.minimum_version == ssl.TLSVersion.TLSv1_2
    assert "protocol version" in str(caught.value)
    assert (caught.value.sent, caught.value.retryable) == (False, False)
    assert versions[:1] == ["TLSv1.1"]


def test_plain_http_on_the_https_port_is_named(certs: CertificateSet) -> None:
    def answer_plain(connection: socket.socket) -> None:
        connection.recv(65536)
        connection.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")

    with serve_raw(answer_plain) as port, pytest.raises(TransportError) as caught:
        transport_for(certs, None).post(f"https://localhost:{port}/", b"", {})

    assert "did not answer in TLS" in str(caught.value)
    assert not caught.value.sent


def test_a_refused_connection_is_retryable_and_was_not_sent() -> None:
    with socket.create_server((HOST, 0)) as probe:
        port = probe.getsockname()[1]  # closed again: nobody listens there

    with pytest.raises(TransportError) as caught:
        HttpsTransport(context=None, timeouts=FAST).post(f"http://{HOST}:{port}/x", b"{}", {})

    error = caught.value
    assert "connection refused" in str(error) and f"{HOST}:{port}" in str(error)
    assert (error.retryable, error.sent, error.url) == (True, False, f"http://{HOST}:{port}/x")


def test_a_server_that_reads_the_request_and_hangs_up_means_it_was_sent() -> None:
    received: list[bytes] = []

    def hang_up(connection: socket.socket) -> None:
        received.append(read_request(connection))

    with serve_raw(hang_up) as port, pytest.raises(TransportError) as caught:
        HttpsTransport(context=None, timeouts=FAST).post(
            f"http://{HOST}:{port}/soap", b"<x/>", {"SOAPAction": '"a"'}
        )

    assert "closed the connection without answering" in str(caught.value)
    assert (caught.value.sent, caught.value.retryable) == (True, True)
    assert received and received[0].endswith(b"<x/>")


def test_no_answer_within_the_read_timeout_means_it_was_sent() -> None:
    release = threading.Event()

    def stay_silent(connection: socket.socket) -> None:
        read_request(connection)
        release.wait(5)

    try:
        with serve_raw(stay_silent) as port, pytest.raises(TransportError) as caught:
            HttpsTransport(context=None, timeouts=Timeouts(connect=5, read=0.3)).post(
                f"http://{HOST}:{port}/", b"{}", {}
            )
    finally:
        release.set()

    assert "no answer within 0.3 s" in str(caught.value)
    assert (caught.value.sent, caught.value.retryable) == (True, True)


def test_a_silent_tls_handshake_times_out_unsent() -> None:
    release = threading.Event()

    def stay_silent(_: socket.socket) -> None:
        release.wait(5)

    with serve_raw(stay_silent) as port, pytest.raises(TransportError) as caught:
        HttpsTransport(context=None, timeouts=Timeouts(connect=0.3, read=5)).post(
            f"https://{HOST}:{port}/", b"", {}
        )
    release.set()

    assert "timed out within 0.3 s" in str(caught.value)
    assert (caught.value.sent, caught.value.retryable) == (False, True)


def test_http_errors_are_returned_not_raised_and_bodies_are_capped() -> None:
    def answer(connection: socket.socket) -> None:
        read_request(connection)
        body = b"<html>Service Unavailable</html>"
        connection.sendall(
            b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/html\r\n"
            b"Content-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(body), body)
        )

    transport = HttpsTransport(context=None, timeouts=FAST)
    with serve_raw(answer) as port:
        url = f"http://{HOST}:{port}/"
        with transport.post(url, b"{}", {}) as response:
            assert (response.status, response.reason) == (503, "Service Unavailable")
            assert response.read() == b"<html>Service Unavailable</html>"
        with transport.post(url, b"{}", {}) as response, pytest.raises(TransportError) as big:
            response.read(max_bytes=10)
        with pytest.raises(TransportError) as not_json:
            transport.post_json(url, {"a": 1}, {})

    assert "larger than 10 bytes" in str(big.value) and big.value.status == 503
    assert not_json.value.status == 503 and not_json.value.retryable
    assert "not JSON (text/html)" in str(not_json.value)


def test_a_body_cut_short_is_a_transport_error() -> None:
    def cut(connection: socket.socket) -> None:
        read_request(connection)
        connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly part")

    with (
        serve_raw(cut) as port,
        HttpsTransport(context=None, timeouts=FAST).post(
            f"http://{HOST}:{port}/", b"", {}
        ) as response,
        pytest.raises(TransportError) as caught,
    ):
        response.read()

    assert "ended early" in str(caught.value) and caught.value.sent


def test_urls_and_headers_are_checked_before_connecting(certs: CertificateSet) -> None:
    plain = HttpsTransport(context=None, timeouts=FAST)
    tls = transport_for(certs, None)

    with pytest.raises(ConfigurationError, match="plain http"):
        tls.post("http://127.0.0.1:1/", b"", {})
    with pytest.raises(ConfigurationError, match="not an http"):
        plain.post("ftp://127.0.0.1/", b"", {})
    with pytest.raises(ConfigurationError, match="credentials") as caught:
        plain.post("https://user:hunter2@127.0.0.1/", b"", {})
    assert "hunter2" not in str(caught.value) + caught.value.value
    with pytest.raises(ConfigurationError, match="Authorization") as header:
        plain.post("http://127.0.0.1:1/", b"", {"Authorization": "Bearer x\r\nEvil: 1"})
    assert "Bearer" not in str(header.value)


@pytest.mark.parametrize(("connect", "read"), [(0, 1), (1, -1), (float("inf"), 1)])
def test_timeouts_must_be_positive(connect: float, read: float) -> None:
    with pytest.raises(ConfigurationError, match="above 0"):
        Timeouts(connect=connect, read=read)
