"""How ``SoapClient`` fails, over real HTTPS on 127.0.0.1: refused credentials and
certificates, lost answers, SMT's error pages and broken answers. Each failure is one
exception of the adapter's tree, with the fields a caller needs."""

from __future__ import annotations

import socket
import ssl
import time
import warnings
from datetime import date
from pathlib import Path

import pytest
import trustme

from adapter.clients.soap import SoapClient
from adapter.errors import (
    AmbiguousOutcomeError,
    AuthenticationError,
    MalformedResponseError,
    ServiceFaultError,
    TransportError,
)
from adapter.mock import ScenarioSettings, write_certificate_set
from adapter.records import (
    Acknowledgement,
    CustomerMeter,
    EnergyDataRequest,
    MyAgreementsRequest,
    NewAgreementRequest,
)
from adapter.settings import AuthProfile
from adapter.transport.http import HttpsTransport, Timeouts
from adapter.transport.tls import ClientCertificate, build_client_context
from adapter.transport.token import TokenSource
from tests.clients.conftest import Era
from tests.transport import serve_mock, serve_raw, write_leaf

ESIID = "10443720008107413"
INTERVAL = EnergyDataRequest(
    requestor_id="CSPAPIUser1",
    requester_type="CSP",
    start_date=date(2019, 4, 20),
    end_date=date(2019, 4, 20),
    esiids=(ESIID,),
)


def new_agreement() -> NewAgreementRequest:
    return NewAgreementRequest(
        requestor_id="CSPAPIUser1",
        requester_authentication_id="199999999999",
        retail_customer_email="customer@example.com",
        agreement_duration=12,
        meters=(CustomerMeter(esiid=ESIID, meter_number="148239922", puct_ror_number=10004),),
    )


def agreement_numbers(client: SoapClient) -> set[int]:
    listed = client.list_agreements(MyAgreementsRequest(requestor_id="CSPAPIUser1"))
    return {a.agreement_number for a in listed}


def test_a_wrong_password_is_an_authentication_error_with_table_4s_body(era: Era) -> None:
    client = era.client(password="not-the-password")

    with pytest.raises(AuthenticationError) as caught:
        client.interval_data(INTERVAL)

    assert caught.value.status in (400, 401) and caught.value.body
    assert "not-the-password" not in str(caught.value)


def test_an_expired_token_is_fetched_again_once(serve: object) -> None:
    era: Era = serve(AuthProfile.TOKEN, token_lifetime_seconds=1)  # type: ignore[operator]
    client = era.client()
    settings = client.settings
    # a clock that never moves: the client keeps a token the server sees expire
    client.exchange.tokens = TokenSource(
        url=settings.token_endpoint,
        username=settings.username,
        password=settings.password,
        transport=client.exchange.transport,
        clock=lambda: 0.0,
    )
    assert not isinstance(client.interval_data(INTERVAL), Acknowledgement)
    first = client.exchange.tokens.bearer()
    time.sleep(2.1)  # past the JWT's exp, which counts whole seconds

    assert not isinstance(client.interval_data(INTERVAL), Acknowledgement)
    assert client.exchange.tokens.bearer() != first


def test_no_client_certificate_is_refused_in_the_handshake(serve: object) -> None:
    era: Era = serve(AuthProfile.CERTIFICATE)  # type: ignore[operator]
    context = build_client_context(ca_file=era.certs.ca_cert)  # no certificate
    client = SoapClient(
        era.settings(), transport=HttpsTransport(context=context, timeouts=Timeouts(read=5))
    )

    with pytest.raises(TransportError) as caught:
        client.interval_data(INTERVAL)

    assert not caught.value.sent and not caught.value.retryable


def test_a_certificate_from_another_ca_is_refused(serve: object, tmp_path: Path) -> None:
    era: Era = serve(AuthProfile.CERTIFICATE)  # type: ignore[operator]
    other = write_certificate_set(tmp_path / "other")
    certificate = ClientCertificate(cert_file=other.client_cert, key_file=other.client_key)

    with pytest.raises(TransportError) as caught:
        era.client(certificate=certificate).interval_data(INTERVAL)

    assert not caught.value.sent


def test_an_expired_client_certificate_is_refused(era: Era, tmp_path: Path) -> None:
    ca = trustme.CA()
    ca_file = tmp_path / "client-ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    cert, key = write_leaf(ca, tmp_path, "CSPAPIUser1", expired=True)

    with serve_mock(era.certs, client_ca=ca_file) as (server, app):
        client = era.client(
            base_url=server.base_url,
            security=AuthProfile.CERTIFICATE,
            certificate=ClientCertificate(cert_file=cert, key_file=key),
        )
        with pytest.raises(TransportError) as caught:
            client.interval_data(INTERVAL)

    assert "expired" in str(caught.value) and app.paths == []


def test_a_server_that_speaks_only_tls_1_1_is_refused(tmp_path: Path) -> None:
    ca = trustme.CA()
    ca_file = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        server.minimum_version = ssl.TLSVersion.TLSv1
        server.maximum_version = ssl.TLSVersion.TLSv1_1
    server.set_ciphers("DEFAULT:@SECLEVEL=0")  # OpenSSL 3 offers TLS 1.1 only at level 0
    ca.issue_cert("127.0.0.1").configure_cert(server)

    def answer_nothing(connection: socket.socket) -> None:
        connection.recv(1)

    with serve_raw(answer_nothing, tls=server) as port:
        cert, key = write_leaf(ca, tmp_path, "CSPAPIUser1")
        client = SoapClient(
            _settings(f"https://127.0.0.1:{port}", ca_file, cert, key),
        )
        with pytest.raises(TransportError) as caught:
            client.interval_data(INTERVAL)

    assert "protocol version" in str(caught.value)


def _settings(base_url: str, ca_file: Path, cert: Path, key: Path) -> object:
    from adapter.settings import ClientSettings

    return ClientSettings(
        base_url=base_url,
        username="CSPAPIUser1",
        password="p",
        ca_file=ca_file,
        certificate=ClientCertificate(cert_file=cert, key_file=key),
        timeouts=Timeouts(connect=5, read=5),
    )


def test_a_500_then_success_is_retried_for_a_read(serve: object) -> None:
    era: Era = serve(  # type: ignore[operator]
        AuthProfile.CERTIFICATE, scenarios=ScenarioSettings(default="http-500", times=1)
    )

    answer = era.client().interval_data(INTERVAL)

    assert not isinstance(answer, Acknowledgement) and answer[0].esiid == ESIID


def test_a_500_on_new_agreement_is_not_sent_again(serve: object) -> None:
    era: Era = serve(  # type: ignore[operator]
        AuthProfile.CERTIFICATE,
        scenarios=ScenarioSettings(operations={"newAgreement": "http-500"}, times=1),
    )
    client = era.client()
    before = agreement_numbers(client)

    with pytest.raises(TransportError) as caught:
        client.new_agreement(new_agreement())

    assert caught.value.status == 500 and not isinstance(caught.value, AmbiguousOutcomeError)
    assert agreement_numbers(client) == before  # a second try would have made one


def test_a_dropped_connection_on_new_agreement_is_an_ambiguous_outcome(serve: object) -> None:
    era: Era = serve(  # type: ignore[operator]
        AuthProfile.CERTIFICATE,
        scenarios=ScenarioSettings(operations={"newAgreement": "drop"}, times=1),
    )
    client = era.client()
    before = agreement_numbers(client)

    with pytest.raises(AmbiguousOutcomeError) as caught:
        client.new_agreement(new_agreement())

    assert caught.value.operation == "newAgreement" and caught.value.sent
    assert "list subscriptions or agreements" in str(caught.value)
    assert agreement_numbers(client) == before  # not sent again


def test_a_dropped_connection_on_a_read_is_retried(serve: object) -> None:
    era: Era = serve(  # type: ignore[operator]
        AuthProfile.CERTIFICATE, scenarios=ScenarioSettings(default="drop", times=1)
    )

    assert not isinstance(era.client().interval_data(INTERVAL), Acknowledgement)


def test_malformed_xml_is_a_malformed_response(serve: object) -> None:
    era: Era = serve(  # type: ignore[operator]
        AuthProfile.CERTIFICATE, scenarios=ScenarioSettings(default="malformed-xml")
    )

    with pytest.raises(MalformedResponseError) as caught:
        era.client().interval_data(INTERVAL)

    assert caught.value.operation == "processIntervalEnergyData"


def test_a_503_html_page_is_a_transport_error_after_the_retries(serve: object) -> None:
    era: Era = serve(  # type: ignore[operator]
        AuthProfile.CERTIFICATE, scenarios=ScenarioSettings(default="http-503")
    )

    with pytest.raises(TransportError) as caught:
        era.client().interval_data(INTERVAL)

    assert caught.value.status == 503 and caught.value.retryable
    assert "text/html" in str(caught.value)


def test_a_soap_fault_is_a_service_fault_with_its_code(serve: object) -> None:
    era: Era = serve(  # type: ignore[operator]
        AuthProfile.CERTIFICATE, scenarios=ScenarioSettings(default="soap-fault")
    )

    with pytest.raises(ServiceFaultError) as caught:
        era.client().interval_data(INTERVAL)

    assert caught.value.fault_code == "Server" and caught.value.status == 500
