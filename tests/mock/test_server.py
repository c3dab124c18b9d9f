"""The mock's HTTP(S) server over real loopback sockets: mutual TLS, refusals that leave the
server serving, fault injection, and the WSGI environ the app sees."""

from __future__ import annotations

import http.client
import logging
import socket
import ssl
import time
import urllib.request
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
import trustme
from cryptography import x509

from adapter.errors import ConfigurationError
from adapter.mock.certs import CertificateSet, write_certificate_set
from adapter.mock.server import DropConnection, MockServer, TlsFiles, build_server_context

HOST = "127.0.0.1"
StartResponse = Callable[[str, list[tuple[str, str]]], Any]


class RecordingApp:
    """A tiny WSGI app that remembers every environ it was called with."""

    def __init__(self) -> None:
        self.environs: list[dict[str, Any]] = []

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        self.environs.append(dict(environ))
        path = environ["PATH_INFO"]
        if path == "/drop":
            raise DropConnection
        if path == "/drop-in-body":
            return self._drop_before_first_chunk(start_response)
        if path == "/boom":
            raise RuntimeError("the app broke")
        if path == "/slow":
            time.sleep(0.2)
        body = environ["wsgi.input"].read() if path == "/echo" else b"ok"
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [body]

    @staticmethod
    def _drop_before_first_chunk(start_response: StartResponse) -> Iterator[bytes]:
        start_response("200 OK", [("Content-Type", "text/plain")])
        raise DropConnection
        yield b"never sent"


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> CertificateSet:
    return write_certificate_set(tmp_path_factory.mktemp("pki"))


@pytest.fixture
def app() -> RecordingApp:
    return RecordingApp()


@pytest.fixture
def mtls_server(certs: CertificateSet, app: RecordingApp) -> Iterator[MockServer]:
    files = TlsFiles(
        cert_file=certs.server_cert, key_file=certs.server_key, client_ca_file=certs.ca_cert
    )
    with MockServer(app, tls=build_server_context(files)) as server:
        yield server


@pytest.fixture
def plain_server(app: RecordingApp) -> Iterator[MockServer]:
    with MockServer(app) as server:
        yield server


def client_context(certs: CertificateSet, *, with_certificate: bool = True) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=certs.ca_cert)
    if with_certificate:
        context.load_cert_chain(certs.client_cert, certs.client_key)
    return context


def request(
    server: MockServer,
    path: str = "/",
    *,
    context: ssl.SSLContext | None = None,
    method: str = "GET",
    body: Any = None,
) -> tuple[int, dict[str, str], bytes]:
    connection = (
        http.client.HTTPSConnection(HOST, server.port, context=context, timeout=5)
        if context is not None
        else http.client.HTTPConnection(HOST, server.port, timeout=5)
    )
    with closing(connection):
        connection.request(method, path, body=body)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()


def wait_for_log(caplog: pytest.LogCaptureFixture, text: str) -> None:
    """Server threads log after the client has seen the outcome; give them a moment."""
    deadline = time.monotonic() + 2
    while not any(text in record.getMessage() for record in caplog.records):
        assert time.monotonic() < deadline, f"no log line with {text!r}"
        time.sleep(0.01)


def assert_still_serves(server: MockServer, certs: CertificateSet) -> None:
    assert request(server, context=client_context(certs))[0] == 200


def test_client_with_its_certificate_is_served_and_the_app_sees_who_it_is(
    mtls_server: MockServer, app: RecordingApp, certs: CertificateSet
) -> None:
    status, headers, body = request(mtls_server, context=client_context(certs))

    assert (status, body, headers["Connection"]) == (200, b"ok", "close")
    assert mtls_server.base_url == f"https://127.0.0.1:{mtls_server.port}" != "0"
    (environ,) = app.environs
    leaf = x509.load_pem_x509_certificates(certs.client_cert.read_bytes())[0]
    assert environ["SSL_CLIENT_VERIFY"] == "SUCCESS"
    assert environ["SSL_CLIENT_S_DN_CN"] == "CSPAPIUser1"
    assert environ["SSL_CLIENT_S_DN"] == leaf.subject.rfc4514_string()
    assert environ["SSL_PROTOCOL"] == "TLSv1.3"
    assert (environ["HTTPS"], environ["wsgi.url_scheme"]) == ("on", "https")
    assert environ["REMOTE_ADDR"] == HOST


def test_client_without_certificate_is_refused_and_server_keeps_serving(
    mtls_server: MockServer,
    app: RecordingApp,
    certs: CertificateSet,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="adapter.mock.server")
    with pytest.raises((ssl.SSLError, ConnectionError)):
        request(mtls_server, context=client_context(certs, with_certificate=False))

    wait_for_log(caplog, "TLS handshake with 127.0.0.1 failed")
    assert app.environs == []
    assert_still_serves(mtls_server, certs)


def test_client_certificate_from_another_ca_is_refused(
    mtls_server: MockServer, app: RecordingApp, certs: CertificateSet
) -> None:
    context = client_context(certs, with_certificate=False)
    trustme.CA().issue_cert("x").configure_cert(context)

    with pytest.raises((ssl.SSLError, ConnectionError)):
        request(mtls_server, context=context)

    assert app.environs == []
    assert_still_serves(mtls_server, certs)


@pytest.mark.filterwarnings("ignore:ssl.TLSVersion.TLSv1:DeprecationWarning")
def test_tls_1_1_client_is_refused(
    mtls_server: MockServer, certs: CertificateSet, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="adapter.mock.server")
    context = client_context(certs)
    context.minimum_version = ssl.TLSVersion.TLSv1
    context.maximum_version = ssl.TLSVersion.TLSv1_1
    context.set_ciphers("DEFAULT:@SECLEVEL=0")  # let the client offer TLS 1.1 at all

    with pytest.raises(ssl.SSLError):
        request(mtls_server, context=context)

    wait_for_log(caplog, "TLS handshake with 127.0.0.1 failed")
    assert_still_serves(mtls_server, certs)


def test_plain_http_to_the_https_port_is_refused_and_server_keeps_serving(
    mtls_server: MockServer, app: RecordingApp, certs: CertificateSet
) -> None:
    with pytest.raises((ConnectionError, http.client.HTTPException)):
        request(mtls_server)

    assert app.environs == []
    assert_still_serves(mtls_server, certs)


def test_a_silent_client_does_not_block_other_clients(
    mtls_server: MockServer, certs: CertificateSet
) -> None:
    with socket.create_connection((HOST, mtls_server.port), timeout=5):
        started = time.monotonic()
        assert_still_serves(mtls_server, certs)
        assert time.monotonic() - started < 2


def test_plain_http_mode_serves_without_tls_keys(
    plain_server: MockServer, app: RecordingApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    # wsgiref copies the process environment into each request unless told otherwise.
    monkeypatch.setenv("SSL_CLIENT_VERIFY", "SUCCESS")
    monkeypatch.setenv("HTTPS", "on")

    assert request(plain_server)[::2] == (200, b"ok")

    (environ,) = app.environs
    assert plain_server.base_url == f"http://127.0.0.1:{plain_server.port}"
    assert environ["wsgi.url_scheme"] == "http"
    assert not [key for key in environ if key.startswith("SSL_") or key == "HTTPS"]


@pytest.mark.parametrize("path", ["/drop", "/drop-in-body"])
def test_drop_connection_closes_without_an_answer_and_server_keeps_serving(
    mtls_server: MockServer, certs: CertificateSet, path: str
) -> None:
    with pytest.raises(http.client.RemoteDisconnected):
        request(mtls_server, path, context=client_context(certs), method="POST", body=b"x" * 10)

    assert_still_serves(mtls_server, certs)


def test_an_app_error_is_a_500_with_one_log_line_and_nothing_on_stderr(
    plain_server: MockServer,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, _, _ = request(plain_server, "/boom")

    assert status == 500
    failures = [r for r in caplog.records if r.name == "adapter.mock.server"]
    assert [r.getMessage() for r in failures] == [
        "the app failed on GET /boom: RuntimeError('the app broke')"
    ]
    assert failures[0].exc_info is None
    assert capsys.readouterr().err == ""
    assert request(plain_server)[0] == 200


def test_chunked_request_is_answered_411_without_calling_the_app(
    plain_server: MockServer, app: RecordingApp
) -> None:
    status, headers, _ = request(plain_server, method="POST", body=iter([b"abc", b"def"]))

    assert (status, headers["Connection"]) == (411, "close")
    assert app.environs == []


def test_the_app_reads_exactly_the_declared_body(plain_server: MockServer) -> None:
    status, _, body = request(plain_server, "/echo", method="POST", body=b"<soap/>")

    assert (status, body) == (200, b"<soap/>")


def test_a_body_the_app_does_not_read_does_not_cost_the_client_its_answer(
    plain_server: MockServer,
) -> None:
    status, _, body = request(plain_server, "/", method="POST", body=b"x" * (2 * 1024 * 1024))

    assert (status, body) == (200, b"ok")


def test_an_overlong_request_line_is_answered_414(app: RecordingApp) -> None:
    with MockServer(app, max_request_line=100) as server:
        assert request(server, "/" + "a" * 200)[0] == 414
        assert request(server, "/short")[0] == 200


def test_twenty_concurrent_clients_are_served_in_parallel(
    mtls_server: MockServer, certs: CertificateSet
) -> None:
    context = client_context(certs)
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(
            pool.map(lambda _: request(mtls_server, "/slow", context=context), range(20))
        )

    assert [status for status, _, _ in answers] == [200] * 20
    assert time.monotonic() - started < 2  # one at a time would take 4 seconds


def test_urllib_and_requests_clients_work_over_mutual_tls(
    mtls_server: MockServer, certs: CertificateSet
) -> None:
    opener = urllib.request.build_opener(
        urllib.request.ProxyHandler({}),
        urllib.request.HTTPSHandler(context=client_context(certs)),
    )
    with opener.open(mtls_server.base_url + "/", timeout=5) as answer:
        assert (answer.status, answer.read()) == (200, b"ok")

    requests = pytest.importorskip("requests")
    with requests.Session() as session:
        session.trust_env = False  # no proxies from the environment
        answer = session.get(
            mtls_server.base_url + "/",
            cert=(str(certs.client_cert), str(certs.client_key)),
            verify=str(certs.ca_cert),
            timeout=5,
        )
    assert (answer.status_code, answer.content) == (200, b"ok")


def test_shutdown_closes_the_port_and_may_be_called_twice(app: RecordingApp) -> None:
    server = MockServer(app).start()
    assert request(server)[0] == 200

    server.shutdown()
    server.shutdown()

    with pytest.raises(ConnectionRefusedError):
        socket.create_connection((HOST, server.port), timeout=5).close()
    with pytest.raises(RuntimeError):
        server.start()


def test_a_server_that_never_served_shuts_down_at_once(app: RecordingApp) -> None:
    MockServer(app).shutdown()


def test_missing_tls_files_are_a_configuration_error(tmp_path: Path) -> None:
    files = TlsFiles(cert_file=tmp_path / "none.pem", key_file=tmp_path / "none-key.pem")
    with pytest.raises(ConfigurationError) as caught:
        build_server_context(files)
    assert (caught.value.field, caught.value.value) == ("cert_file", str(files.cert_file))


def test_the_server_context_requires_tls_1_2_and_a_client_certificate(
    certs: CertificateSet,
) -> None:
    files = TlsFiles(
        cert_file=certs.server_cert, key_file=certs.server_key, client_ca_file=certs.ca_cert
    )
    context = build_server_context(files)
    assert context.minimum_version == ssl.TLSVersion.TLSv1_2
    assert context.verify_mode == ssl.CERT_REQUIRED
    ca = x509.load_pem_x509_certificate(certs.ca_cert.read_bytes())
    (trusted,) = context.get_ca_certs()  # only our CA, never the system's
    assert ("commonName", ca.subject.rfc4514_string().split(",")[0][3:]) in [
        pair for rdn in trusted["subject"] for pair in rdn
    ]


def test_a_connection_beyond_the_limit_is_closed_and_the_others_are_served(
    app: RecordingApp,
) -> None:
    with MockServer(app, port=0, max_connections=2) as server:
        address = (server.base_url.split("//")[1].split(":")[0], server.port)
        held = [socket.create_connection(address) for _ in range(2)]
        time.sleep(0.2)  # both are taken up by a thread each
        with closing(socket.create_connection(address)) as extra:
            extra.settimeout(5)
            assert extra.recv(1) == b""  # closed at once, without an answer
        for sock in held:
            sock.close()
        time.sleep(0.2)
        connection = http.client.HTTPConnection(*address, timeout=5)
        connection.request("GET", "/")
        assert connection.getresponse().status == 200


def test_threads_are_reused_across_connections(app: RecordingApp) -> None:
    import threading

    with MockServer(app, port=0) as server:
        address = (server.base_url.split("//")[1].split(":")[0], server.port)
        before = threading.active_count()
        for _ in range(20):
            connection = http.client.HTTPConnection(*address, timeout=5)
            connection.request("GET", "/")
            assert connection.getresponse().status == 200
            connection.close()
        assert threading.active_count() - before <= 5  # not one per connection
