"""SMT's answers checked and parsed into records: the guide's responses, the mock's real
answers, SOAP Faults, failing status codes and malformed answers."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from adapter.errors import MalformedResponseError, ServiceFaultError
from adapter.mock.app import MockApp
from adapter.mock.config import MockSettings, SecurityProfile
from adapter.records import (
    Acknowledgement,
    AgreementEsiidsRequest,
    AgreementRef,
    CustomerMeter,
    EnergyDataRequest,
    IntervalData,
    MyAgreementsRequest,
    NewAgreementRequest,
    TerminateAgreementRequest,
)
from adapter.soap import Request, build_request, check_answer, parse_answer
from tests.conftest import SOAP_FIXTURES
from tests.mock.conftest import GUIDE_DAY, call_operation, operation_of

XML = "text/xml; charset=utf-8"


def _fixture(path: str) -> bytes:
    return (SOAP_FIXTURES / path).read_bytes()


def _parse(
    operation: str, body: bytes, status: int = 200
) -> Any:  # an Answer, narrowed by the test
    op = operation_of(operation)
    return parse_answer(op, check_answer(op, status, XML, body))


def _operation_of(path: str) -> str:
    return Path(path).name.split(".")[0]


def test_interval_answer_holds_the_days_undecoded() -> None:
    answer = _parse(
        "processIntervalEnergyData",
        _fixture("energydata/processIntervalEnergyData.response.xml"),
    )
    assert isinstance(answer, tuple) and len(answer) == 1
    data = answer[0]
    assert isinstance(data, IntervalData)
    assert (data.trans_id, data.esiid) == ("A12", "10443720008107413")
    (day,) = data.days
    assert day.esiid == "10443720008107413"
    assert day.day == date(2019, 4, 20)
    assert day.reading_type == "C"
    assert day.revision == "04/21/2019 09:49:58"
    assert day.rd.startswith(".2-A,.24-A,.221-A,") and day.rd.endswith(",.714-A,.329-A")
    assert len(day.rd.split(",")) == 99  # as the guide printed it: not repaired here


def test_daily_register_reads() -> None:
    path = "energydata/generated/processDailyRegisteredReads.sync-response.xml"
    (reads,) = _parse("processDailyRegisteredReads", _fixture(path))
    assert reads.esiid == "1008901005102632580100"
    first, second = reads.reads
    assert first.read_date == date(2019, 7, 6)
    assert first.revision == "07/07/2019 04:11:02"
    assert (first.start_reading, first.end_reading, first.kwh) == (
        Decimal("77302.861"),
        Decimal("77357.514"),
        Decimal("54.653"),
    )
    assert second.kwh == Decimal("55.069")


def test_monthly_billing() -> None:
    path = "energydata/generated/processMonthlyBillingInformation.sync-response.xml"
    (billing,) = _parse("processMonthlyBillingInformation", _fixture(path))
    first, second = billing.periods
    assert (first.start_date, first.end_date) == (date(2019, 4, 25), date(2019, 5, 24))
    assert first.actual_kwh == Decimal("683") and first.billed_kva == Decimal("0")
    assert second.revision == "06/27/2019 01:33:05" and second.actual_kwh == Decimal("1048")


def test_meter_attributes() -> None:
    path = "meterinformation/generated/prosessMeterInformation.sync-response.xml"
    (meter,) = _parse("prosessMeterInformation", _fixture(path))
    assert meter.esiid == "10443720008107413"
    assert meter.utility_company_id == "ONCOR"
    assert meter.kwh_meter_multiplier == Decimal("1")
    assert meter.manufacturer_name == "Landis+Gyr"
    assert meter.test_date == date(2016, 3, 15)
    assert meter.installation_date == date(2016, 4, 2)
    assert meter.han_protocol == "ZigBee SEP 1.1"
    assert (meter.disconnect, meter.meter_status, meter.meter_model) == ("Y", "E", "FOCUS AXR-SD")
    assert meter.current_transformers_ratio is None


def test_premise_attributes() -> None:
    path = "premiseinformation/generated/processPremiseInformation.sync-response.xml"
    (premise,) = _parse("processPremiseInformation", _fixture(path))
    assert (premise.house_number, premise.street_name, premise.street_type) == (
        "2101",
        "ELM",
        "ST",
    )
    assert (premise.locality, premise.state, premise.zipcode) == ("DALLAS", "TX", "75201")
    assert premise.meter_read_cycle == "05"  # a code: its leading zero survives
    assert premise.ams_profile_effective_date == date(2016, 4, 5)
    assert premise.unit_designation is None


@pytest.mark.parametrize(
    ("path", "correlation_id", "status_reason_end"),
    [
        ("energydata/processDailyRegisteredReads.response.xml", "9dd195a0b86b11e9ac0c0a04", "EML"),
        (
            "energydata/processMonthlyBillingInformation.response.xml",
            "1fbe0a94b86c11e9ac0c0a04",
            "FTP",
        ),
        (
            "meterinformation/prosessMeterInformation.response.xml",
            "2a0d6de6b87611e9bcc30a04",
            "EML",
        ),
        (
            "premiseinformation/processPremiseInformation.response.xml",
            "dba1daccb87811e9bcc30a04",
            "EML",
        ),
    ],
    ids=["daily", "monthly", "meter", "premise"],
)
def test_acknowledgements(path: str, correlation_id: str, status_reason_end: str) -> None:
    ack = _parse(_operation_of(path), _fixture(path))
    assert isinstance(ack, Acknowledgement)
    assert ack.correlation_id == correlation_id
    assert ack.status_code == "0000"  # a string: the leading zeros survive
    assert ack.status_reason is not None and ack.status_reason.endswith(status_reason_end)
    assert ack.fault_esiids == ()


def test_list_subscriptions() -> None:
    subscriptions = _parse("subscription", _fixture("subscription/subscription.response.xml"))
    assert isinstance(subscriptions, tuple) and len(subscriptions) == 2
    first = subscriptions[0]
    assert first.subscription_number == "8F10E261E2E50046E0530A0403228C2E"
    assert first.started == datetime(2019, 8, 2, 10, 27, 48)
    assert (first.report_format, first.data_type, first.status) == ("CSV", "MON", "ACT")
    assert first.last_report is None


def test_new_agreement_receipt() -> None:
    receipt = _parse("newAgreement", _fixture("cspauthorization/newAgreement.response.xml"))
    assert receipt == _receipt(119720)


def _receipt(number: int) -> object:
    from adapter.records import AgreementReceipt

    return AgreementReceipt(
        trans_id="CSP123", agreement_number=number, status_code="ACK", status_reason="Success"
    )


def test_my_agreements() -> None:
    agreements = _parse("myAgreements", _fixture("cspauthorization/myAgreements.response.xml"))
    assert isinstance(agreements, tuple)
    assert [a.agreement_number for a in agreements] == [118360, 118518, 119720]
    middle = agreements[1]
    assert middle.status == "Active - Authorization Confirmed"
    assert (middle.start_date, middle.end_date) == (date(2019, 7, 15), date(2019, 10, 15))
    assert middle.retail_customer_email == "donnytest@mailinator.com"


def test_agreement_esiids() -> None:
    path = "cspauthorization/agreementESIIDs.response.xml"
    (esiid,) = _parse("agreementESIIDs", _fixture(path))
    assert (esiid.esiid, esiid.meter_number, esiid.puct_ror_number) == (
        "10204049799602671",
        "148239922",
        10004,
    )
    assert (esiid.status, esiid.start_date) == ("Active", date(2019, 7, 15))


def test_token() -> None:
    token = _parse(
        "processTokenGenerator", _fixture("token/generated/processTokenGenerator.response.xml")
    )
    assert token.token_type == "Bearer" and token.expires_in == 3600
    assert token.expires_at == datetime(2026, 11, 22, 9, 0)
    assert token.access_token.startswith("eyJhbGciOiJIUzI1NiIs")
    assert "eyJhbGci" not in repr(token)


@pytest.mark.parametrize(
    ("path", "status_code", "status_reason", "faults"),
    [
        (
            "cspauthorization/terminateAgreement.response.xml",
            "0001",
            "Agreement termination failed",
            (("119720", "Agreement cannot be terminated: This Agreement is not ACTIVE:119720"),),
        ),
        (
            "subscription/newSubscription.response.xml",
            "0001",
            "Failure",
            (("10443720002506579001", "Subscription is already active:10443720002506579001"),),
        ),
        (
            "subscription/unSubscription.response.xml",
            "0001",
            "Failure",
            (
                (
                    "10443720002506579001",
                    "ESIID does not belong to this Subscription:10443720002506579001:"
                    "8F77A7E0277400D8E0530A040322F226",
                ),
            ),
        ),
    ],
    ids=["terminateAgreement", "newSubscription", "unSubscription"],
)
def test_failing_status_codes_raise_with_their_faults(
    path: str, status_code: str, status_reason: str, faults: tuple[tuple[str, str], ...]
) -> None:
    with pytest.raises(ServiceFaultError) as caught:
        _parse(_operation_of(path), _fixture(path))
    error = caught.value
    assert error.operation == _operation_of(path)
    assert (error.status_code, error.status_reason) == (status_code, status_reason)
    assert error.fault_esiids == faults
    assert error.fault_code is None


def test_partly_accepted_acknowledgement_keeps_its_correlation_id_and_faults() -> None:
    path = "energydata/generated/processIntervalEnergyData.ack-response.xml"
    ack = _parse(_operation_of(path), _fixture(path))
    assert isinstance(ack, Acknowledgement)
    assert ack.correlation_id and ack.status_code == "0001"
    assert ack.status_reason is not None and "submitted successfully" in ack.status_reason
    assert [(f.esiid, f.reason) for f in ack.fault_esiids] == [
        ("10443720007526004", "ESIID NOT VISIBLE TO THIS USER")
    ]


def test_rejected_acknowledgement_raises_with_its_faults() -> None:
    path = "energydata/generated/processIntervalEnergyData.ack-response.xml"
    rejected = _fixture(path).replace(
        b"Request submitted successfully for further processing with some faultESIIDs. "
        b"The CSV report will be delivered through FTP",
        b"Request rejected: no ESIID of the request is visible (faultESIIDs)",
    )
    assert rejected != _fixture(path)
    with pytest.raises(ServiceFaultError) as caught:
        _parse(_operation_of(path), rejected)
    assert caught.value.status_code == "0001"
    assert caught.value.fault_esiids == (("10443720007526004", "ESIID NOT VISIBLE TO THIS USER"),)


FAULT = b"""<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">
  <soapenv:Body><soapenv:Fault>
    <faultcode>soapenv:Client</faultcode>
    <faultstring>startDate 05/20/2019 is after endDate 04/20/2019</faultstring>
  </soapenv:Fault></soapenv:Body></soapenv:Envelope>"""


@pytest.mark.parametrize("status", [500, 200])
def test_a_soap_fault_raises_a_service_fault_at_any_http_status(status: int) -> None:
    op = operation_of("processIntervalEnergyData")
    with pytest.raises(ServiceFaultError) as caught:
        check_answer(op, status, XML, FAULT)
    error = caught.value
    assert (error.operation, error.status, error.fault_code) == (op.name, status, "Client")
    assert error.fault_string == "startDate 05/20/2019 is after endDate 04/20/2019"


GOOD = "cspauthorization/newAgreement.response.xml"


@pytest.mark.parametrize(
    ("content_type", "body", "words"),
    [
        ("text/html", b"<html><body>Service Unavailable</body></html>", "not XML"),
        (XML, b"Service Unavailable", "not XML"),
        (XML, b"", "not XML"),
        (XML, b"<answer/>", "not a SOAP 1.1 Envelope"),
        (
            XML,
            b'<!DOCTYPE x [<!ENTITY e "x">]><soapenv:Envelope xmlns:soapenv='
            b'"http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body/></soapenv:Envelope>',
            "DOCTYPE",
        ),
        (
            XML,
            b'<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">'
            b"<soapenv:Body/></soapenv:Envelope>",
            "missing or empty",
        ),
        (XML, _fixture("cspauthorization/myAgreements.response.xml"), "myAgreementsResponse"),
    ],
    ids=["html", "text", "empty", "not-envelope", "doctype", "empty-body", "wrong-payload"],
)
def test_malformed_answers(content_type: str, body: bytes, words: str) -> None:
    with pytest.raises(MalformedResponseError) as caught:
        check_answer(operation_of("newAgreement"), 200, content_type, body)
    assert words in str(caught.value)
    assert caught.value.operation == "newAgreement"


def test_an_http_error_with_a_payload_is_malformed() -> None:
    with pytest.raises(MalformedResponseError, match="HTTP 500"):
        check_answer(operation_of("newAgreement"), 500, XML, _fixture(GOOD))


def test_schema_violations_are_listed() -> None:
    body = _fixture(GOOD).replace(
        b"<statusCode>ACK</statusCode>", b"<statusCode>ACKED</statusCode>"
    )
    body = body.replace(b"<agreementNumber>119720</agreementNumber>", b"")
    with pytest.raises(MalformedResponseError) as caught:
        check_answer(operation_of("newAgreement"), 200, XML, body)
    assert caught.value.violations
    assert {v.rule for v in caught.value.violations} & {"missing-element", "unexpected-element"}


def test_an_unreadable_value_is_malformed() -> None:
    path = "energydata/generated/processDailyRegisteredReads.sync-response.xml"
    body = _fixture(path).replace(
        b"<readDate>07/06/2019</readDate>", b"<readDate>7th July</readDate>"
    )
    with pytest.raises(MalformedResponseError, match="readDate"):
        _parse("processDailyRegisteredReads", body)


# The mock in process: real answers to envelopes built from records.


@pytest.fixture
def mock() -> MockApp:
    return MockApp(MockSettings(security=SecurityProfile.CERTIFICATE, today=GUIDE_DAY))


def _ask(mock: MockApp, operation: str, record: Request) -> Any:
    op = operation_of(operation)
    answer = call_operation(mock, operation, build_request(op, record))
    envelope = check_answer(op, answer.status, answer.headers.get("Content-Type"), answer.body)
    return parse_answer(op, envelope)


def test_mock_interval_answer(mock: MockApp) -> None:
    record = EnergyDataRequest(
        requestor_id="CSPAPIUser1",
        requester_type="CSP",
        start_date=date(2019, 4, 20),
        end_date=date(2019, 4, 21),
        esiids=("10443720008107413",),
    )
    (data,) = _ask(mock, "processIntervalEnergyData", record)
    assert data.trans_id == record.trans_id
    assert [d.day for d in data.days] == [date(2019, 4, 20), date(2019, 4, 21)]
    assert all(len(d.rd.split(",")) == 100 for d in data.days)


def test_mock_acknowledges_a_delivery_mode(mock: MockApp) -> None:
    record = EnergyDataRequest(
        requestor_id="CSPAPIUser1",
        requester_type="CSP",
        start_date=date(2019, 4, 20),
        end_date=date(2019, 5, 20),
        delivery_mode="FTP",
        esiids=("10443720008107413",),
    )
    ack = _ask(mock, "processDailyRegisteredReads", record)
    assert isinstance(ack, Acknowledgement)
    assert ack.status_code == "0000" and ack.correlation_id


def test_mock_fault_for_an_invisible_esiid(mock: MockApp) -> None:
    record = EnergyDataRequest(
        requestor_id="CSPAPIUser1",
        requester_type="CSP",
        start_date=date(2019, 4, 20),
        end_date=date(2019, 4, 20),
        esiids=("99999999999999999",),
    )
    with pytest.raises(ServiceFaultError) as caught:
        _ask(mock, "processIntervalEnergyData", record)
    assert caught.value.status_code == "0001"
    assert [esiid for esiid, _ in caught.value.fault_esiids] == ["99999999999999999"]


def test_mock_soap_fault(mock: MockApp) -> None:
    with pytest.raises(ServiceFaultError) as caught:
        _ask(
            mock,
            "agreementESIIDs",
            AgreementEsiidsRequest(requestor_id="CSPAPIUser1", agreement_number=1),
        )
    assert caught.value.fault_code == "Client"
    assert caught.value.status == 500
    assert caught.value.fault_string == "agreementNumber 1 is not one of yours"


def test_mock_agreement_lifecycle(mock: MockApp) -> None:
    receipt = _ask(
        mock,
        "newAgreement",
        NewAgreementRequest(
            requestor_id="CSPAPIUser1",
            requester_authentication_id="199999999999",
            retail_customer_email="rahulp24@gmail.com",
            agreement_duration=12,
            meters=(
                CustomerMeter(
                    esiid="10204049799602671", meter_number="148239922", puct_ror_number=10004
                ),
            ),
        ),
    )
    number = receipt.agreement_number
    (listed,) = _ask(
        mock, "myAgreements", MyAgreementsRequest(requestor_id="CSPAPIUser1", status_filter="PEN")
    )
    assert (listed.agreement_number, listed.status) == (number, "Pending - Customer Authorization")
    (meter,) = _ask(
        mock,
        "agreementESIIDs",
        AgreementEsiidsRequest(requestor_id="CSPAPIUser1", agreement_number=number),
    )
    assert meter.esiid == "10204049799602671"
    with pytest.raises(ServiceFaultError) as caught:
        _ask(
            mock,
            "terminateAgreement",
            TerminateAgreementRequest(
                requestor_id="CSPAPIUser1",
                agreements=(
                    AgreementRef(
                        agreement_number=number, retail_customer_email="rahulp24@gmail.com"
                    ),
                ),
            ),
        )
    assert caught.value.fault_esiids[0][0] == str(number)
