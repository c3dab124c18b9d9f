"""What a shared local SMT must survive: concurrent callers, resets during traffic, large
bodies, its own failures, and hostile headers; and the refusals that go with them."""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import jwt
import pytest
from lxml import etree

from adapter.errors import ConfigurationError
from adapter.mock.app import MockApp
from adapter.mock.config import MockSettings, SecurityProfile
from tests.mock.conftest import (
    GUIDE_DAY,
    TOKEN_SECRET,
    basic,
    call_app,
    call_operation,
    guide_request,
    operation_of,
)

AUTH = {"Authorization": basic("CSPAPIUser1", "smt-mock-CSPAPIUser1")}
INTERVAL = guide_request("energydata", "processIntervalEnergyData")


def test_concurrent_new_subscriptions_of_one_esiid_create_exactly_one(app: MockApp) -> None:
    fresh = app.backend.points_of(app.settings.accounts[1])[-1].esiid
    body = guide_request("subscription", "newSubscription").replace(
        b"10443720002506579001", fresh.encode()
    )
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _: call_operation(app, "newSubscription", body), range(16)))
    refused = [a.body.decode()[-600:] for a in answers if a.status != 200]
    assert refused == []
    codes = [etree.fromstring(a.body).findtext(".//statusCode") for a in answers]
    assert sorted(codes) == ["0000"] + ["0001"] * 15


def test_resets_during_traffic_never_fail_a_call(app: MockApp) -> None:
    new_agreement = guide_request("cspauthorization", "newAgreement")
    listing = guide_request("cspauthorization", "myAgreements")

    def traffic(n: int) -> int:
        if n % 5 == 0:
            return call_app(app, "/_mock/reset", headers=AUTH).status
        operation, body = ("newAgreement", new_agreement) if n % 2 else ("myAgreements", listing)
        return call_operation(app, operation, body).status

    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(traffic, range(200)))
    assert set(statuses) == {200}


def test_body_of_several_megabytes_within_the_cap_reaches_the_service(app: MockApp) -> None:
    ids = b"<ESIID>10443720008107413</ESIID>" * 80_000  # 2.6 MB, above spyne's default 2 MB
    body = INTERVAL.replace(b"<ESIID>10443720008107413</ESIID>", ids).replace(
        b"<version>", b"<deliveryMode>FTP</deliveryMode><version>"
    )
    assert len(body) > 2_500_000
    answer = call_operation(app, "processIntervalEnergyData", body)
    assert answer.status == 200, answer.body[:300]
    assert etree.fromstring(answer.body).findtext(".//statusCode") == "0000"


def test_a_failure_of_the_mock_outside_a_service_answers_with_table_4s_500(app: MockApp) -> None:
    app.backend.state.close()  # the store is gone: the next use of it fails for real
    answer = call_app(app, "/_mock/state", method="GET", headers=AUTH)
    assert (answer.status, json.loads(answer.body)) == (
        500,
        {"error": "Something went wrong. Please try again later."},
    )


def test_a_failure_inside_a_service_answers_with_a_server_fault(app: MockApp) -> None:
    app.backend.state.close()
    answer = call_operation(app, "subscription", guide_request("subscription", "subscription"))
    assert answer.status == 500
    root = etree.fromstring(answer.body)
    assert root.findtext(".//faultcode") == "soap11env:Server"
    assert root.findtext(".//faultstring") == "Internal Error"


def test_admin_endpoint_refuses_clients_off_this_machine(app: MockApp) -> None:
    answer = call_app(app, "/_mock/state", method="GET", headers={**AUTH, "Remote-Addr": "x"})
    assert answer.status == 200  # a header is not the peer address
    environ_peer = call_app(app, "/_mock/state", method="GET", headers=AUTH, peer="10.1.2.3")
    assert environ_peer.status == 403


def test_soap_call_with_another_content_type_is_refused_with_415(app: MockApp) -> None:
    answer = call_operation(
        app, "processIntervalEnergyData", INTERVAL, headers={"Content-Type": "application/json"}
    )
    assert answer.status == 415 and b"text/xml" in answer.body


def test_hostile_host_header_never_reaches_the_wsdl(app: MockApp) -> None:
    answer = call_app(app, "/energydata/", method="GET", query="wsdl", headers={"Host": 'a"b'})
    root = etree.fromstring(answer.body)
    (address,) = root.iter("{http://schemas.xmlsoap.org/wsdl/soap/}address")
    assert address.get("location") == "https://127.0.0.1:8443/energydata/"


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
@pytest.mark.parametrize("algorithm", ["none", "HS512"])
def test_token_with_another_algorithm_is_refused(algorithm: str) -> None:
    app = MockApp(
        MockSettings(security=SecurityProfile.TOKEN, today=GUIDE_DAY, token_secret=TOKEN_SECRET)
    )
    claims = {"sub": "CSPAPIUser1", "iss": "smt-mock", "iat": 1, "exp": 4_102_444_800}
    key = None if algorithm == "none" else TOKEN_SECRET
    token = jwt.encode(claims, key, algorithm=algorithm)
    answer = call_operation(
        app, "processIntervalEnergyData", INTERVAL, headers={"Authorization": f"Bearer {token}"}
    )
    assert (answer.status, json.loads(answer.body)) == (401, {"error": "Authentication failure"})


@pytest.mark.parametrize("written", ["0118518", "+118518"])
def test_agreement_numbers_are_integers_whatever_their_spelling(app: MockApp, written: str) -> None:
    body = guide_request("cspauthorization", "agreementESIIDs").replace(b"118518", written.encode())
    answer = call_operation(app, "agreementESIIDs", body)
    assert answer.status == 200
    assert etree.fromstring(answer.body).findtext(".//ESIID") == "10204049799602671"


def test_unsubscribing_a_cancelled_subscription_says_it_is_not_active(app: MockApp) -> None:
    body = guide_request("subscription", "unSubscription").replace(
        b"8F77A7E0277400D8E0530A040322F226", b"8F10E261E2E50046E0530A0403228C2E"
    )
    whole = body.split(b"<ESIIDs>")[0] + body.split(b"</ESIIDs>")[1]
    assert (
        etree.fromstring(call_operation(app, "unSubscription", whole).body).findtext(
            ".//statusCode"
        )
        == "0000"
    )
    again = etree.fromstring(call_operation(app, "unSubscription", whole).body)
    assert again.findtext(".//statusReason") == (
        "Subscription is not active:8F10E261E2E50046E0530A0403228C2E"
    )


def test_state_file_of_another_seed_is_refused(tmp_path: Path) -> None:
    MockApp(MockSettings(state_file=tmp_path / "s.sqlite", seed=1)).backend.state.close()
    with pytest.raises(ConfigurationError) as caught:
        MockApp(MockSettings(state_file=tmp_path / "s.sqlite", seed=2))
    assert caught.value.field == "mock.state_file"
    assert "seed 1" in str(caught.value)


def test_state_file_that_cannot_be_opened_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError) as caught:
        MockApp(MockSettings(state_file=tmp_path / "missing" / "s.sqlite"))
    assert caught.value.field == "mock.state_file"


def test_soapaction_header_names_the_operation_for_every_thread(app: MockApp) -> None:
    action = operation_of("processIntervalEnergyData").soap_action
    barrier = threading.Barrier(4)

    def call(_: int) -> int:
        barrier.wait()
        return call_app(
            app, "/energydata/", INTERVAL, headers={**AUTH, "SOAPAction": f'"{action}"'}
        ).status

    with ThreadPoolExecutor(4) as pool:
        assert set(pool.map(call, range(4))) == {200}


def test_blank_esiids_get_a_client_fault_never_an_empty_answer(app: MockApp) -> None:
    body = INTERVAL.replace(b"<ESIID>10443720008107413</ESIID>", b"<ESIID>            </ESIID>")
    answer = call_operation(app, "processIntervalEnergyData", body)
    assert answer.status == 500
    assert b"names no ESIID with a value" in answer.body


def test_a_response_posted_as_a_request_gets_a_client_fault(app: MockApp) -> None:
    from tests.conftest import SOAP_FIXTURES

    response = (SOAP_FIXTURES / "energydata/processIntervalEnergyData.response.xml").read_bytes()
    answer = call_operation(app, "processIntervalEnergyData", response, headers=AUTH)
    assert answer.status == 500
    assert b"holds the response of processIntervalEnergyData" in answer.body


def test_idle_connections_do_not_hold_up_other_clients() -> None:
    import http.client
    import socket
    from urllib.parse import urlsplit

    from adapter.mock.server import MockServer

    settings = MockSettings(security=SecurityProfile.INSECURE, today=GUIDE_DAY)
    with MockServer(MockApp(settings), port=0, timeout=30) as server:
        url = urlsplit(server.base_url)
        idle = [socket.create_connection((url.hostname, url.port)) for _ in range(20)]
        try:
            connection = http.client.HTTPConnection(url.hostname, url.port, timeout=5)
            connection.request("GET", "/energydata/?wsdl")
            assert connection.getresponse().status == 200
        finally:
            for sock in idle:
                sock.close()


@pytest.mark.parametrize(
    ("start", "end", "esiids", "large"),
    [("04/01/2019", "04/30/2019", 1, False), ("04/01/2019", "05/02/2019", 1, True),
     ("04/20/2019", "04/20/2019", 40, True)],
)  # fmt: skip
def test_only_answers_of_more_than_a_month_of_rows_run_beside_the_others(
    start: str, end: str, esiids: int, large: bool
) -> None:
    from adapter.mock.energy import builds_large_answer

    body = INTERVAL.replace(b"04/20/2019</startDate>", start.encode() + b"</startDate>")
    body = body.replace(b"04/20/2019</endDate>", end.encode() + b"</endDate>")
    ids = b"".join(b"<ESIID>%017d</ESIID>" % n for n in range(esiids))
    body = body.replace(b"<ESIID>10443720008107413</ESIID>", ids)
    payload = etree.fromstring(body).find(".//EnergyDataRequest")
    assert payload is not None
    assert builds_large_answer(operation_of("processIntervalEnergyData"), payload) is large


def test_peers_on_this_machine_are_recognised_on_dual_stack_sockets() -> None:
    from adapter.mock.inbound import from_loopback, read_base_url

    assert from_loopback({"REMOTE_ADDR": "::ffff:127.0.0.1"})
    assert not from_loopback({"REMOTE_ADDR": "::ffff:10.0.0.1"})
    environ = {"wsgi.url_scheme": "https", "HTTP_HOST": "smt_mock:8443"}
    assert read_base_url(environ) == "https://smt_mock:8443"
