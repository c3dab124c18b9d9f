"""The retry rule, counted on the wire: how many requests reach the server, how long the
client waits between them, and which failures are ambiguous. Real servers on 127.0.0.1
(the mock behind HTTPS, or a raw socket server that misbehaves on purpose)."""

from __future__ import annotations

import socket
import ssl
import threading
from dataclasses import replace
from pathlib import Path

import pytest
import trustme

from adapter.clients.exchange import backoff_delays
from adapter.clients.soap import SoapClient
from adapter.errors import AmbiguousOutcomeError, TransportError
from adapter.mock import MockSettings, ScenarioSettings, SecurityProfile
from adapter.mock.certs import CertificateSet
from adapter.records import Acknowledgement
from adapter.settings import AuthProfile, ClientSettings, RetryPolicy
from adapter.transport.http import Timeouts
from adapter.transport.tls import ClientCertificate
from adapter.transport.token import TokenSource
from tests.clients.test_soap_failures import INTERVAL, new_agreement
from tests.mock.conftest import GUIDE_DAY, PASSWORDS, TOKEN_SECRET
from tests.transport import read_request, serve_mock, serve_raw, write_leaf


def settings_at(
    base_url: str,
    certs: CertificateSet,
    security: AuthProfile = AuthProfile.CERTIFICATE,
    **changes: object,
) -> ClientSettings:
    values: dict[str, object] = {
        "base_url": base_url,
        "username": "CSPAPIUser1",
        "password": PASSWORDS["CSPAPIUser1"],
        "security": security,
        "certificate": ClientCertificate(cert_file=certs.client_cert, key_file=certs.client_key),
        "ca_file": certs.ca_cert,
        "timeouts": Timeouts(connect=5, read=10),
        "retries": RetryPolicy(attempts=3, base_delay=0),
    }
    return ClientSettings(**{**values, **changes})  # type: ignore[arg-type]


def test_backoff_doubles_up_to_the_cap_with_full_jitter() -> None:
    policy = RetryPolicy(attempts=5, base_delay=0.5, max_delay=1.5)

    assert list(backoff_delays(policy, rng=lambda: 1.0)) == [0.5, 1.0, 1.5, 1.5]
    assert list(backoff_delays(policy, rng=lambda: 0.0)) == [0.0] * 4
    assert list(backoff_delays(RetryPolicy(attempts=1))) == []


def test_a_read_that_keeps_failing_is_tried_attempts_times(certificates: CertificateSet) -> None:
    sleeps: list[float] = []
    with serve_mock(
        certificates,
        client_ca=certificates.ca_cert,
        settings=MockSettings(
            today=GUIDE_DAY, port=0, scenarios=ScenarioSettings(default="http-503")
        ),
    ) as (server, app):
        settings = settings_at(
            server.base_url,
            certificates,
            retries=RetryPolicy(attempts=4, base_delay=0.25, max_delay=1.0),
        )
        with pytest.raises(TransportError) as caught:
            SoapClient(settings, sleep=sleeps.append).interval_data(INTERVAL)

    assert caught.value.status == 503
    assert app.paths.count("/energydata/") == 4
    assert len(sleeps) == 3 and all(0 <= s <= 1.0 for s in sleeps)


@pytest.mark.parametrize(
    ("scenario", "error"),
    [("http-503", TransportError), ("drop", AmbiguousOutcomeError)],
)
def test_a_call_that_changes_state_is_posted_once(
    certificates: CertificateSet, scenario: str, error: type[TransportError]
) -> None:
    with serve_mock(
        certificates,
        client_ca=certificates.ca_cert,
        settings=MockSettings(
            today=GUIDE_DAY,
            port=0,
            scenarios=ScenarioSettings(operations={"newAgreement": scenario}),
        ),
    ) as (server, app):
        client = SoapClient(settings_at(server.base_url, certificates), sleep=lambda _: None)
        with pytest.raises(error) as caught:
            client.new_agreement(new_agreement())

    assert app.paths.count("/CSPAauthorization/") == 1
    assert not caught.value.retryable


def test_a_read_that_asks_for_a_report_is_not_sent_again(certificates: CertificateSet) -> None:
    with serve_mock(
        certificates,
        client_ca=certificates.ca_cert,
        settings=MockSettings(
            today=GUIDE_DAY, port=0, scenarios=ScenarioSettings(default="drop", times=2)
        ),
    ) as (server, app):
        client = SoapClient(settings_at(server.base_url, certificates))
        with pytest.raises(AmbiguousOutcomeError):
            client.interval_data(replace(INTERVAL, delivery_mode="FTP"))
        # the same read without a report to start: dropped once more, tried again, answered
        assert not isinstance(client.interval_data(INTERVAL), Acknowledgement)

    assert app.paths.count("/energydata/") == 3


def test_an_expired_token_is_refetched_once_and_the_call_sent_twice(
    certificates: CertificateSet,
) -> None:
    settings = MockSettings(
        security=SecurityProfile.TOKEN,
        today=GUIDE_DAY,
        port=0,
        token_secret=TOKEN_SECRET,
        token_lifetime_seconds=1,
    )
    with serve_mock(certificates, client_ca=None, settings=settings) as (server, app):
        client = SoapClient(settings_at(server.base_url, certificates, AuthProfile.TOKEN))
        client.exchange.tokens = TokenSource(  # a clock that never moves: never stale here
            url=client.settings.token_endpoint,
            username="CSPAPIUser1",
            password=PASSWORDS["CSPAPIUser1"],
            transport=client.exchange.transport,
            clock=lambda: 0.0,
        )
        client.interval_data(INTERVAL)
        threading.Event().wait(2.1)  # past the JWT's exp, which counts whole seconds
        client.interval_data(INTERVAL)

    assert app.paths.count("/v2/token/") == 2
    assert app.paths.count("/energydata/") == 3  # one, then a 401 and the same again


def _truncating_server(tmp_path: Path) -> tuple[ssl.SSLContext, Path]:
    ca = trustme.CA()
    ca_file = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    return context, ca_file


@pytest.mark.parametrize("operation", ["read", "newAgreement"])
def test_an_answer_cut_off_after_its_status_line(tmp_path: Path, operation: str) -> None:
    context, ca_file = _truncating_server(tmp_path)
    requests: list[bytes] = []

    def answer_half(connection: socket.socket) -> None:
        requests.append(read_request(connection))
        connection.sendall(
            b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: 5000\r\n\r\n<soapenv:"
        )

    cert, key = write_leaf(trustme.CA(), tmp_path, "CSPAPIUser1")
    with serve_raw(answer_half, tls=context) as port:
        client = SoapClient(
            ClientSettings(
                base_url=f"https://127.0.0.1:{port}",
                username="CSPAPIUser1",
                password=PASSWORDS["CSPAPIUser1"],
                certificate=ClientCertificate(cert_file=cert, key_file=key),
                ca_file=ca_file,
                timeouts=Timeouts(connect=5, read=5),
                retries=RetryPolicy(attempts=2, base_delay=0),
            )
        )
        if operation == "read":
            with pytest.raises(TransportError) as caught:
                client.interval_data(INTERVAL)
            assert len(requests) == 2 and caught.value.sent
        else:
            with pytest.raises(AmbiguousOutcomeError):
                client.new_agreement(new_agreement())
            assert len(requests) == 1


def test_a_token_that_cannot_be_had_is_not_an_ambiguous_call(tmp_path: Path) -> None:
    context, ca_file = _truncating_server(tmp_path)

    def hang_up(connection: socket.socket) -> None:
        read_request(connection)  # the token request, then nothing

    with serve_raw(hang_up, tls=context) as port:
        client = SoapClient(
            ClientSettings(
                base_url=f"https://127.0.0.1:{port}",
                username="bobby@123",
                password=PASSWORDS["bobby@123"],
                security=AuthProfile.TOKEN,
                ca_file=ca_file,
                timeouts=Timeouts(connect=5, read=5),
            )
        )
        with pytest.raises(TransportError) as caught:
            client.new_agreement(replace(new_agreement(), requestor_id="bobby@123"))

    assert not isinstance(caught.value, AmbiguousOutcomeError)
    assert not caught.value.sent and "/v2/token/" in caught.value.url
