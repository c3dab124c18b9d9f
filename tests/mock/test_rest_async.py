"""REST functions with a lifecycle or another wire: on-demand reads (PEN -> COMPLETED,
FAILED by scenario, 5031), Green Button XML against the ESPI subset, callbacks to a real
loopback HTTPS server, and a REST call over mutual TLS."""

from __future__ import annotations

import http.client
import http.server
import json
import ssl
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlsplit

import pytest
from lxml import etree

from adapter.errors import ConfigurationError
from adapter.mock.app import MockApp
from adapter.mock.certs import CertificateSet
from adapter.mock.config import CallbackSettings, MockSettings, OdrSettings, settings_from_mapping
from adapter.mock.server import MockServer
from tests.conftest import ROOT
from tests.mock.conftest import GUIDE_DAY, PASSWORDS, basic, client_context
from tests.mock.test_rest import FIXTURES, INTERVAL, load, post

ESIID = "10443720008107413"
ODR = {
    "trans_id": "1",
    "requestorID": "CSPAPIUser1",
    "requesterType": "CSP",
    "deliveryMode": "EML",
    "ESIID": ESIID,
    "SMTTermsandConditions": "Y",
}


def odr_app(delay: float = 0.3, **settings: Any) -> MockApp:
    return MockApp(MockSettings(today=GUIDE_DAY, odr=OdrSettings(delay_seconds=delay), **settings))


def status_of(app: MockApp, correlation_id: str) -> dict[str, Any]:
    request = {
        "trans_id": "2",
        "requestorID": "CSPAPIUser1",
        "correlationId": correlation_id,
        "SMTTermsandConditions": "Y",
    }
    answer = post(app, "/odrstatus/", request)
    assert answer.status == 200, answer.body
    data: dict[str, Any] = json.loads(answer.body)
    return data


def test_odr_is_pending_then_completed_with_the_register_reading() -> None:
    app = odr_app()
    ack = json.loads(post(app, "/odr/", ODR).body)
    assert (ack["statusCode"], ack["statusReason"]) == (
        "0",
        "Request submitted successfully for further processing",
    )
    pending = status_of(app, ack["correlationId"])
    assert pending["statusCode"] == "PEN" and pending["odrRead"]["registeredRead"] is None
    time.sleep(0.4)
    done = status_of(app, ack["correlationId"])
    assert done["statusCode"] == "COMPLETED"
    reading = float(done["odrRead"]["registeredRead"])
    day = app.backend.data.register_reads(ESIID, GUIDE_DAY, GUIDE_DAY)[0]
    assert float(day.start_reading) <= reading <= float(day.end_reading)


@pytest.mark.parametrize(
    ("scenario", "status"), [("odr-failed", "FAILED"), ("odr-t-failed", "T-FAILED")]
)
def test_odr_fails_when_a_scenario_says_so(scenario: str, status: str) -> None:
    app = odr_app(delay=0)
    ack = json.loads(post(app, "/v2/odr", ODR, headers={"X-SMT-Mock-Scenario": scenario}).body)
    answer = status_of(app, ack["correlationId"])
    assert answer["statusCode"] == status and answer["odrRead"]["registeredRead"] is None


def test_third_odr_of_an_esiid_within_an_hour_gets_5031() -> None:
    app = odr_app()
    assert [post(app, "/odr/", ODR).status for _ in range(2)] == [200, 200]
    third = post(app, "/odr/", ODR)
    assert third.status == 400
    assert json.loads(third.body)["errorCode"] == "5031"
    limited = MockApp(MockSettings(today=GUIDE_DAY, odr=OdrSettings(max_per_hour=1)))
    assert [post(limited, "/odr/", ODR).status for _ in range(2)] == [200, 400]


ESPI_SCHEMA = etree.XMLSchema(etree.parse(str(ROOT / "schemas" / "espi" / "espi-subset.xsd")))


@pytest.mark.parametrize("kind", ["interval", "daily", "monthly"])
def test_green_button_answers_validate_against_the_espi_subset(kind: str) -> None:
    app = odr_app()
    request = load(FIXTURES / "greenbutton" / f"{kind}.sync.request.json")
    answer = post(app, "/greenbutton/", request)
    assert answer.status == 200, answer.body
    assert answer.headers["Content-Type"].startswith("application/xml")
    document = etree.fromstring(answer.body)
    ESPI_SCHEMA.assertValid(document)
    values = document.findall(".//{http://naesb.org/espi}IntervalReading")
    assert values, "no readings"
    if kind == "interval":  # 06/20/2018: one day of 96 quarter hours
        assert len(values) == 96


def test_green_button_over_a_dst_change_validates() -> None:
    app = odr_app()
    request = load(FIXTURES / "greenbutton" / "interval.sync.request.json")
    request["GreenButtonRequest"].update(startDate="11/03/2018", endDate="11/04/2018")
    answer = post(app, "/greenbutton/", request)
    document = etree.fromstring(answer.body)
    ESPI_SCHEMA.assertValid(document)
    starts = [
        int(e.text or "")
        for e in document.iterfind(
            ".//{http://naesb.org/espi}timePeriod/{http://naesb.org/espi}start"
        )
    ]
    assert len(starts) == 96 + 100 and len(set(starts)) == len(starts)


class _Receiver(http.server.BaseHTTPRequestHandler):
    received: ClassVar[list[bytes]] = []
    arrived: ClassVar[threading.Event] = threading.Event()

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append(body)
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()
        type(self).arrived.set()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def receiver(certificates: CertificateSet) -> Iterator[tuple[str, type[_Receiver]]]:
    handler = type("Receiver", (_Receiver,), {"received": [], "arrived": threading.Event()})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(str(certificates.server_cert), str(certificates.server_key))
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}/smt/callback", handler
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("path", ["/15minintervalreads/", "/odr/"])
def test_api_delivery_posts_the_report_to_the_callback_url_once(
    receiver: tuple[str, type[_Receiver]], certificates: CertificateSet, path: str
) -> None:
    url, handler = receiver
    callbacks = CallbackSettings(url=url, ca_file=certificates.ca_cert)
    app = odr_app(delay=0.1, callbacks=callbacks)
    request = {**(INTERVAL if path != "/odr/" else ODR), "deliveryMode": "API"}
    ack = json.loads(post(app, path, request).body)
    assert handler.arrived.wait(5), "no callback arrived"
    time.sleep(0.3)  # a second POST would have arrived by now
    assert len(handler.received) == 1
    report = json.loads(handler.received[0])
    assert report["correlationId"] == ack["correlationId"]
    if path == "/odr/":
        assert report["statusCode"] == "COMPLETED"
    else:
        assert len(report["energyData"][0]["RD"].split(",")) == 100


def test_a_failing_callback_is_logged_not_raised(caplog: pytest.LogCaptureFixture) -> None:
    callbacks = CallbackSettings(url="https://127.0.0.1:9/nothing-listens", timeout_seconds=1)
    app = odr_app(delay=0, callbacks=callbacks)
    answer = post(app, "/odr/", {**ODR, "deliveryMode": "API"})
    assert answer.status == 200
    deadline = time.monotonic() + 5
    while "failed" not in caplog.text and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "callback for odr" in caplog.text and "failed" in caplog.text


def test_rest_call_over_mutual_tls(
    mtls_mock: tuple[MockServer, MockApp], certificates: CertificateSet
) -> None:
    server, _ = mtls_mock
    url = urlsplit(server.base_url)
    context = client_context(certificates)
    connection = http.client.HTTPSConnection(
        url.hostname or "", url.port, context=context, timeout=10
    )
    headers = {
        "Content-Type": "application/json",
        "Authorization": basic("CSPAPIUser1", PASSWORDS["CSPAPIUser1"]),
    }
    connection.request("POST", "/v2/15minintervalreads/", json.dumps(INTERVAL), headers)
    answer = connection.getresponse()
    data = json.loads(answer.read())
    connection.close()
    assert answer.status == 200
    assert data["esiid"] == ESIID and data["energyData"][0]["DT"] == "04/20/2019"


def test_odr_and_callback_settings_are_read_and_checked(tmp_path: Path) -> None:
    assert replace(MockSettings()).odr == OdrSettings(delay_seconds=5.0, max_per_hour=2)
    (tmp_path / "ca.pem").write_text("-----BEGIN CERTIFICATE-----\n")
    table = {
        "odr": {"delay_seconds": 1, "max_per_hour": 3},
        "callbacks": {"url": "https://example.invalid/cb", "ca_file": "ca.pem"},
    }
    settings = settings_from_mapping(table, base_dir=tmp_path)
    assert settings.odr == OdrSettings(delay_seconds=1.0, max_per_hour=3)
    assert settings.callbacks == CallbackSettings(
        url="https://example.invalid/cb", ca_file=tmp_path / "ca.pem"
    )
    for bad, name in (
        ({"odr": {"delay_seconds": -1}}, "mock.odr.delay_seconds"),
        ({"odr": {"max_per_hour": 0}}, "mock.odr.max_per_hour"),
        ({"odr": {"delay": 1}}, "mock.odr.delay"),
        ({"callbacks": {"url": "ftp://x"}}, "mock.callbacks.url"),
        ({"callbacks": {}}, "mock.callbacks.url"),
    ):
        with pytest.raises(ConfigurationError) as caught:
            settings_from_mapping(bad, base_dir=tmp_path)
        assert caught.value.field == name
