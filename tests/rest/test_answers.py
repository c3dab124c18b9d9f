"""REST answers: the guide's response examples become the SOAP side's records; refusals,
broken bodies and contract violations raise the errors their docstrings name."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from adapter.errors import MalformedResponseError, ServiceFaultError
from adapter.records import (
    Acknowledgement,
    Agreement,
    AgreementEsiid,
    AgreementReceipt,
    BillingPeriod,
    Confirmation,
    DailyReads,
    FaultEsiid,
    IntervalData,
    MonthlyBilling,
    RegisterRead,
    Subscription,
    SubscriptionReceipt,
    Termination,
)
from adapter.rest import ODR_HOURLY_LIMIT_CODE, find_function, parse_answer
from adapter.rest_records import (
    AdhocReportStatus,
    GreenButtonReport,
    OdrStatus,
    ReportStatus,
)
from tests.conftest import ROOT

FIXTURES = ROOT / "fixtures" / "rest"
JSON = "application/json"
ANSWERS = sorted(
    p for p in FIXTURES.glob("*/*.json") if "request" not in p.name and p.parent.name != "errors"
)


def _body(path: str) -> bytes:
    return (FIXTURES / path).read_bytes()


def _document(path: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(_body(path))
    return loaded


def _parse(function: str, body: bytes | dict[str, Any], status: int = 200) -> Any:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return parse_answer(function, status, raw, JSON)


def test_every_guide_response_example_has_an_expectation_below() -> None:
    named = {path for path, _ in EXPECTED}
    assert named == {str(p.relative_to(FIXTURES)) for p in ANSWERS}


SUBMITTED_EML = (
    "Request has been submitted successfully. The CSV report will be delivered through EML"
)
SUBMITTED_FTP = "Request has been submitted successfully. The report will be delivered through FTP"
INVISIBLE = (FaultEsiid(esiid="10443720007526004", reason="ESIID NOT VISIBLE TO THIS USER"),)


def _ack(trans_id: str, correlation_id: str, reason: str = SUBMITTED_EML) -> Acknowledgement:
    return Acknowledgement(
        trans_id=trans_id, correlation_id=correlation_id, status_code="0000", status_reason=reason
    )


def _period(start: date, end: date, revision: str, kwh: str) -> BillingPeriod:
    zero = Decimal("0")
    return BillingPeriod(
        start_date=start,
        end_date=end,
        revision=revision,
        actual_kwh=Decimal(kwh),
        metered_kw=zero,
        billed_kw=zero,
        metered_kva=zero,
        billed_kva=zero,
    )


def _subscription(number: str, started: datetime, fmt: str, delivery: str, data: str) -> Any:
    return Subscription(
        subscription_number=number,
        started=started,
        report_format=fmt,
        delivery_type=delivery,
        data_type=data,
        status="ACT",
        last_report=None,
    )


EXPECTED: list[tuple[str, Any]] = [
    ("15minintervalreads/async.ack.json", _ack("1234", "3d4dd55cabf211e9ac0c0a04")),
    ("dailyreads/async.ack.json", _ack("111", "ac80d2c2ad5411e9ac0c0a04")),
    ("monthlybillingInformation/async.ack.json", _ack("111", "34553b76ad5911e9ac0c0a04")),
    (
        "dailyreads/sync.response.json",
        (
            DailyReads(
                trans_id="111",
                esiid="1008901005102632580100",
                reads=(
                    RegisterRead(
                        read_date=date(2019, 7, 7),
                        revision="07/08/2019 04:09:46",
                        start_reading=Decimal("77357.514"),
                        end_reading=Decimal("77412.583"),
                        kwh=Decimal("55.069"),
                    ),
                ),
            ),
        ),
    ),
    (
        "monthlybillingInformation/sync.response.json",  # actualeWh (ERRATA J-04)
        (
            MonthlyBilling(
                trans_id="111",
                esiid="1008901005102632580100",
                periods=(
                    _period(date(2019, 4, 25), date(2019, 5, 24), "05/29/2019 01:22:52", "683"),
                    _period(date(2019, 5, 24), date(2019, 6, 25), "06/27/2019 01:33:05", "1048"),
                    _period(date(2019, 6, 25), date(2019, 7, 1), "07/02/2019 02:22:47", "211"),
                ),
            ),
        ),
    ),
    ("greenbutton/interval.async.ack.json", _ack("A1", "40f82f4eb7c411e99e090a04", SUBMITTED_FTP)),
    # the printed IDs start with a space (ERRATA J-07)
    ("greenbutton/daily.async.ack.json", _ack("A1", "d7c6ce40b7c811e9a3ad0a04", SUBMITTED_FTP)),
    ("greenbutton/monthly.async.ack.json", _ack("A1", "bcfbc278b7c811e9a3ad0a04", SUBMITTED_FTP)),
    (
        "meterInfo/response.json",  # 0001 "submitted successfully" with faults (ERRATA J-08)
        Acknowledgement(
            trans_id="123",
            correlation_id="4afcb1e8ad6711e984b60a04",
            status_code="0001",
            status_reason="Request submitted successfully for further processing with some "
            "faultESIIDMeters. The CSV report will be delivered through FTP",
            fault_esiids=INVISIBLE,
        ),
    ),
    (
        "premiseInfo/response.json",
        Acknowledgement(
            trans_id="123",
            correlation_id="0bfc96a8ad5c11e9bcc30a04",
            status_code="0001",
            status_reason="Request submitted successfully for further processing with some "
            "faultESIIDs. The CSV report will be delivered through EML",
            fault_esiids=INVISIBLE,
        ),
    ),
    (
        "odr/response.json",
        Acknowledgement(
            trans_id="123",
            correlation_id="441888",
            status_code="0",
            status_reason="Request submitted successfully for further processing",
        ),
    ),
    (
        "odrstatus/response.json",
        OdrStatus(
            trans_id="ABC123",
            correlation_id="442256",
            status_code="PEN",
            status_reason="Request Submitted by API",
            registered_read=None,
            read_at=datetime(2019, 8, 5, 22, 13, 3),
        ),
    ),
    (
        "reportrequeststatus/response.json",
        ReportStatus(
            trans_id="A12",
            adhoc=(
                AdhocReportStatus(
                    correlation_id="40f82f4eb7c411e99e090a04",
                    report_type="SMTMeterDataSearch",
                    requested=datetime(2019, 8, 5, 3, 9, 8),
                    status="SUBMITTED",
                ),
            ),
        ),
    ),
    (
        "NewSubscription/response.json",
        SubscriptionReceipt(
            trans_id="A1",
            subscription_number="8E5C4B6451F40096E0530A0403227FE4",
            status_code="0000",
            status_reason="Success",
        ),
    ),
    (
        "UnSubscription/response.json",
        Confirmation(trans_id="A1", status_code="0000", status_reason="Success"),
    ),
    (
        "Mysubscriptions/response.json",  # reportformat; the fourth has no dataType (J-10)
        (
            _subscription(
                "8DBE0A8D6B0D00F8E0530A040322C1D1",
                datetime(2019, 7, 16, 14, 12, 28),
                "CSV",
                "FTP",
                "DLY",
            ),
            _subscription(
                "8DB8E9D8C22A0094E0530A04032238C3",
                datetime(2019, 7, 16, 8, 5, 25),
                "JSON",
                "API",
                "INT",
            ),
            _subscription(
                "8DCE794681BF00BEE0530A0403223819",
                datetime(2019, 7, 17, 9, 48, 46),
                "LSE",
                "FTP",
                "HML",
            ),
            _subscription(
                "8E5C4B6451F40096E0530A0403227FE4",
                datetime(2019, 7, 24, 11, 0, 41),
                "LSE",
                "FTP",
                "",
            ),
        ),
    ),
    (
        "NewAgreement/response.json",  # "ACK", agreementNumber a string (J-08, J-14)
        AgreementReceipt(
            trans_id="64576457", agreement_number=119098, status_code="ACK", status_reason="Success"
        ),
    ),
    (
        "AgreementESIIDs/response.json",  # AgreementESIIDLList, PUCTRORNumber a string (J-12)
        (
            AgreementEsiid(
                esiid="10032789400250865",
                meter_number="144054330",
                puct_ror_number=10004,
                status="Pending - Customer Authorization",
                start_date=date(2019, 7, 23),
                end_date=date(2020, 4, 23),
            ),
        ),
    ),
    (
        "Terminateagreement/response.json",
        (Termination(agreement_number=119098, status_code="ACK", status_reason="Success"),),
    ),
    (
        "myagreements/response.json",
        (
            Agreement(
                agreement_number=119098,
                start_date=date(2019, 7, 23),
                end_date=date(2020, 4, 23),
                csp_name="DUNS3",
                requester_authentication_id="9678588888869",
                retail_customer_email="delluri281@gmail.com",
                status="Pending - Customer Authorization",
            ),
        ),
    ),
    ("15minintervalreads/sync.response.json", None),  # checked below: long RD strings
]


@pytest.mark.parametrize(("path", "expected"), [e for e in EXPECTED if e[1] is not None])
def test_a_guide_response_example_parses_into_the_expected_records(
    path: str, expected: Any
) -> None:
    assert _parse(path.split("/")[0], _body(path)) == expected


def test_the_interval_example_keeps_each_day_undecoded() -> None:
    (answer,) = _parse("15minintervalreads", _body("15minintervalreads/sync.response.json"))
    assert isinstance(answer, IntervalData)
    assert (answer.trans_id, answer.esiid) == ("123", "1008901012126195372100")
    assert [d.day for d in answer.days] == [date(2019, 7, d) for d in (1, 2, 3)]
    assert [d.revision for d in answer.days] == [
        "07/02/2019 00:20:05",
        "07/03/2019 02:39:13",
        "07/04/2019 04:21:07",
    ]
    first = answer.days[0]
    assert (first.esiid, first.reading_type) == ("1008901012126195372100", "C")
    assert first.rd.startswith(".198-A,.141-A,.183-A,.109-A,.176-A,.12-A,.148-A,.181-A,,,,,.156-A")
    assert first.rd.endswith(",.242-A,.292-A,.242-A,.23-A")
    assert "\n" not in first.rd and "- " not in first.rd  # rejoined (ERRATA J-19)


def test_monthly_reads_actual_kwh_under_the_table_name_too() -> None:
    document = _document("monthlybillingInformation/sync.response.json")
    for period in document["billingData"]:
        period["actualkWh"] = period.pop("actualeWh")
    (answer,) = _parse("monthlybillingInformation", document)
    assert [p.actual_kwh for p in answer.periods] == [Decimal(683), Decimal(1048), Decimal(211)]


def test_a_completed_odr_status_carries_its_registered_read() -> None:
    document = _document("odrstatus/response.json")
    document.update(statusCode="COMPLETED", statusReason="Read completed")
    document["odrRead"]["registeredRead"] = "41523.807"
    answer = _parse("odrstatus", document)
    assert answer.registered_read == Decimal("41523.807")
    assert answer.status_code == "COMPLETED"


def test_terminate_reads_the_tables_status_message_when_no_reason_is_sent() -> None:
    document = _document("Terminateagreement/response.json")
    document["statusCode"] = "0001"
    document["statusMessage"] = document.pop("statusReason")
    with pytest.raises(ServiceFaultError) as caught:
        _parse("Terminateagreement", document)
    assert caught.value.status_reason == "Agreement termination successful"


def test_fault_list_keys_are_read_in_any_case() -> None:
    document = _document("premiseInfo/response.json")
    document["faultESIIDs"] = [{"esiid": "10443720007526004", "Reason": "ESIID NOT FOUND"}]
    answer = _parse("premiseInfo", document)
    assert answer.fault_esiids == (FaultEsiid(esiid="10443720007526004", reason="ESIID NOT FOUND"),)


# failures


def test_an_error_body_raises_a_service_fault_with_its_code_and_key() -> None:
    body = {"errorCode": "3002", "errorKey": "INVALID_ESIID", "errorMessage": "ESIID is invalid"}
    with pytest.raises(ServiceFaultError) as caught:
        _parse("dailyreads", body, status=400)
    fault = caught.value
    assert (fault.status, fault.status_code, fault.fault_code) == (400, "3002", "INVALID_ESIID")
    assert fault.status_reason == "ESIID is invalid"
    assert fault.operation == "dailyreads"


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("errors/*.json")), ids=lambda p: p.name)
def test_a_table_4_error_body_raises_a_service_fault_with_the_http_status(path: Path) -> None:
    status = int(path.name.split(".")[0])
    with pytest.raises(ServiceFaultError) as caught:
        parse_answer("meterInfo", status, path.read_bytes(), JSON)
    assert caught.value.status == status
    assert caught.value.status_reason == json.loads(path.read_bytes())["error"]


def test_a_rejected_acknowledgement_raises_with_its_fault_esiids() -> None:
    document = _document("meterInfo/response.json")
    document["statusReason"] = "Request rejected: no visible ESIID"
    with pytest.raises(ServiceFaultError) as caught:
        _parse("meterInfo", document)
    fault = caught.value
    assert fault.status_code == "0001"
    assert fault.fault_esiids == (("10443720007526004", "ESIID NOT VISIBLE TO THIS USER"),)


def test_a_refused_subscription_raises_with_the_faulty_esiids_and_duns() -> None:
    document = {
        "trans_id": "A1",
        "statusCode": "0001",
        "statusReason": "Failure",
        "CustomerESIIDFaultList": [
            {"esiid": "10443720002506579", "reasonCode": "Subscription is already active"}
        ],
        "CustomerDUNSFaultList": [{"duns": "199999999999", "reasonCode": "DUNS not found"}],
    }
    with pytest.raises(ServiceFaultError) as caught:
        _parse("NewSubscription", document)
    assert caught.value.fault_esiids == (
        ("10443720002506579", "Subscription is already active"),
        ("199999999999", "DUNS not found"),
    )


def test_the_odr_hourly_limit_raises_with_code_5031() -> None:
    document = _document("odr/response.json")
    document.update(statusCode="5031", statusReason="ODR limit reached for this ESIID this hour")
    with pytest.raises(ServiceFaultError) as caught:
        _parse("odr", document)
    assert caught.value.status_code == ODR_HOURLY_LIMIT_CODE == "5031"


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"not json at all", JSON),
        (b"<html><body>502 Bad Gateway</body></html>", "text/html"),
        (b"<html><body>502 Bad Gateway</body></html>", JSON),
        (b"[1, 2, 3]", JSON),
        (b"[]", JSON),
        (b'"a string"', JSON),
        (b"\xff\xfe{", JSON),
    ],
    ids=["text", "html", "html-as-json", "list-of-numbers", "empty-list", "string", "bytes"],
)
def test_a_body_that_is_not_a_json_answer_is_malformed(body: bytes, content_type: str) -> None:
    with pytest.raises(MalformedResponseError) as caught:
        parse_answer("dailyreads", 200, body, content_type)
    assert caught.value.operation == "dailyreads"


def test_an_http_error_status_without_an_error_body_is_malformed() -> None:
    with pytest.raises(MalformedResponseError):
        parse_answer("dailyreads", 502, _body("dailyreads/sync.response.json"), JSON)


def test_an_acknowledgement_of_a_function_that_only_acknowledges_must_be_one() -> None:
    with pytest.raises(MalformedResponseError):
        _parse("odr", {"trans_id": "123", "statusCode": "0"})


@pytest.mark.parametrize(
    ("function", "path", "change", "pointer", "rule"),
    [
        (
            "dailyreads",
            "dailyreads/sync.response.json",
            ("registeredReads", "none"),
            "/registeredReads",
            "type",
        ),
        ("dailyreads", "dailyreads/sync.response.json", ("esiid", None), "/esiid", "required"),
        (
            "Mysubscriptions",
            "Mysubscriptions/response.json",
            ("statusCode", 0),
            "/statusCode",
            "type",
        ),
        (
            "15minintervalreads",
            "15minintervalreads/async.ack.json",
            ("correlationId", "x" * 65),
            "/correlationId",
            "maxLength",
        ),
    ],
    ids=["wrong-type", "missing", "number-for-string", "too-long"],
)
def test_an_answer_that_breaks_its_schema_is_malformed_with_violations(
    function: str, path: str, change: tuple[str, object], pointer: str, rule: str
) -> None:
    document = _document(path)
    key, value = change
    if value is None:
        del document[key]
    else:
        document[key] = value
    with pytest.raises(MalformedResponseError) as caught:
        _parse(function, document)
    assert (pointer, rule) in {(v.path, v.rule) for v in caught.value.violations}


def test_a_value_that_cannot_be_read_is_malformed() -> None:
    document = _document("dailyreads/sync.response.json")
    document["registeredReads"][0]["readDate"] = "07/32/2019"
    with pytest.raises(MalformedResponseError, match="readDate"):
        _parse("dailyreads", document)


ESPI = b"""<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:espi="http://naesb.org/espi">
  <id>urn:uuid:5762c9e8-4cf5-4da8-9c9c-a5d4e7a5d7a4</id>
  <title>Green Button Usage Feed</title>
  <entry><content><espi:IntervalBlock/></content></entry>
</feed>
"""


@pytest.mark.parametrize("content_type", ["application/atom+xml", "text/xml", None, JSON])
def test_a_green_button_xml_answer_is_kept_as_a_report(content_type: str | None) -> None:
    answer = parse_answer(find_function("greenbutton"), 200, ESPI, content_type)
    assert isinstance(answer, GreenButtonReport)
    assert answer.xml == ESPI
    assert answer.content_type == (
        content_type if content_type in ("application/atom+xml", "text/xml") else "application/xml"
    )


def test_a_green_button_answer_with_a_doctype_or_broken_xml_is_malformed() -> None:
    doctype = b'<?xml version="1.0"?><!DOCTYPE feed [<!ENTITY x "y">]><feed>&x;</feed>'
    for body in (doctype, b"<feed><entry></feed>"):
        with pytest.raises(MalformedResponseError):
            parse_answer("greenbutton", 200, body, "application/xml")
