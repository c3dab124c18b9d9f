"""Fault injection over a real (plain HTTP, --insecure) server on 127.0.0.1: each
scenario, chosen by the request header or by the config file."""

from __future__ import annotations

import http.client
import json
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from lxml import etree

from adapter.mock.config import MockSettings, SecurityProfile
from adapter.mock.scenarios import ScenarioSettings
from adapter.mock.server import MockServer
from tests.mock.conftest import GUIDE_DAY, guide_request, operation_of

INTERVAL = guide_request("energydata", "processIntervalEnergyData")
HEADERS = {
    "Content-Type": "text/xml; charset=utf-8",
    "SOAPAction": f'"{operation_of("processIntervalEnergyData").soap_action}"',
}


def serve(scenarios: ScenarioSettings | None = None) -> MockServer:
    from adapter.mock.app import MockApp

    settings = MockSettings(
        security=SecurityProfile.INSECURE,
        today=GUIDE_DAY,
        port=0,
        scenarios=scenarios or ScenarioSettings(delay_seconds=0.2),
    )
    return MockServer(MockApp(settings), port=0).start()


@pytest.fixture
def server() -> Iterator[MockServer]:
    running = serve()
    yield running
    running.shutdown()


def post(server: MockServer, **extra: str) -> tuple[int, bytes, dict[str, str]]:
    url = urlsplit(server.base_url)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    try:
        connection.request("POST", "/energydata/", body=INTERVAL, headers={**HEADERS, **extra})
        response = connection.getresponse()
        return response.status, response.read(), dict(response.getheaders())
    finally:
        connection.close()


def test_without_scenario_the_answer_is_normal(server: MockServer) -> None:
    status, body, _ = post(server)
    assert status == 200 and b"IntervalEnergyDataSyncResponse" in body


def test_slow_answers_normally_after_the_delay(server: MockServer) -> None:
    started = time.monotonic()
    status, body, _ = post(server, **{"X-SMT-Mock-Scenario": "slow:0.3"})
    assert time.monotonic() - started >= 0.3
    assert status == 200 and b"IntervalEnergyDataSyncResponse" in body


def test_http_500_answers_with_smt_json_body(server: MockServer) -> None:
    status, body, headers = post(server, **{"X-SMT-Mock-Scenario": "http-500"})
    assert status == 500
    assert headers["Content-Type"] == "application/json"
    assert json.loads(body) == {"error": "Something went wrong. Please try again later."}


def test_http_503_answers_with_an_html_page(server: MockServer) -> None:
    status, body, headers = post(server, **{"X-SMT-Mock-Scenario": "http-503"})
    assert status == 503
    assert headers["Content-Type"].startswith("text/html")
    assert b"Service Unavailable" in body


def test_malformed_xml_is_the_real_answer_cut_off_halfway(server: MockServer) -> None:
    _, whole, _ = post(server)
    status, body, _ = post(server, **{"X-SMT-Mock-Scenario": "malformed-xml"})
    assert status == 200 and body == whole[: len(whole) // 2]
    with pytest.raises(etree.XMLSyntaxError):
        etree.fromstring(body)


def test_soap_fault_scenario_answers_with_a_server_fault(server: MockServer) -> None:
    status, body, _ = post(server, **{"X-SMT-Mock-Scenario": "soap-fault"})
    assert status == 500
    assert etree.fromstring(body).findtext(".//faultcode") == "soapenv:Server"


def test_drop_closes_the_connection_without_an_answer_and_the_server_lives_on(
    server: MockServer,
) -> None:
    with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
        post(server, **{"X-SMT-Mock-Scenario": "drop"})
    assert post(server)[0] == 200


def test_unknown_scenario_in_header_is_refused_with_the_list(server: MockServer) -> None:
    status, body, _ = post(server, **{"X-SMT-Mock-Scenario": "meteor"})
    assert status == 400
    assert b"meteor" in body and b"http-503" in body


def test_config_file_scenario_applies_to_the_chosen_operation_only() -> None:
    running = serve(ScenarioSettings(operations={"processIntervalEnergyData": "http-503"}))
    try:
        assert post(running)[0] == 503
        daily = guide_request("energydata", "processDailyRegisteredReads")
        url = urlsplit(running.base_url)
        connection = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
        action = f'"{operation_of("processDailyRegisteredReads").soap_action}"'
        connection.request(
            "POST", "/energydata/", body=daily, headers={**HEADERS, "SOAPAction": action}
        )
        assert connection.getresponse().status == 200
        connection.close()
    finally:
        running.shutdown()


def test_config_scenario_with_times_acts_out_only_the_first_calls() -> None:
    running = serve(ScenarioSettings(default="http-500", times=2))
    try:
        assert [post(running)[0] for _ in range(4)] == [500, 500, 200, 200]
    finally:
        running.shutdown()
