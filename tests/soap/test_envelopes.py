"""Request envelopes built from records: schema-valid under the wire profile, and the
guide's example requests rebuilt from records are the guide's requests."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest
from lxml import etree

from adapter.contract import Operation, bundle_root
from adapter.errors import ConfigurationError, ContractError
from adapter.records import (
    AgreementEsiidsRequest,
    AgreementRef,
    CustomerMeter,
    EnergyDataRequest,
    EsiidMeter,
    MeterInformationRequest,
    MyAgreementsRequest,
    NewAgreementRequest,
    NewSubscriptionRequest,
    PremiseInformationRequest,
    SubscriptionListRequest,
    TerminateAgreementRequest,
    TokenRequest,
    UnsubscriptionRequest,
)
from adapter.soap import Request, build_request
from adapter.soap.envelopes import _BundleTransport
from adapter.xml.names import SOAP_ENVELOPE
from adapter.xml.validation import MessageValidator
from tests.conftest import SOAP_FIXTURES
from tests.mock.conftest import operation_of
from tests.mock.test_wire import canonical

VALIDATOR = MessageValidator()
ESIID = "10443720008107413"


def _energy(trans_id: str, end: date, mode: str | None, report: str | None) -> EnergyDataRequest:
    return EnergyDataRequest(
        trans_id=trans_id,
        requestor_id="CSPAPIUser1",
        requester_type="CSP",
        requester_authentication_id="199999999999",
        start_date=date(2019, 4, 20),
        end_date=end,
        delivery_mode=mode,
        report_format=report,
        reading_type="C",
        esiids=(ESIID,),
    )


# (fixture path under fixtures/soap, operation, the record the guide's example holds)
GUIDE_REQUESTS: list[tuple[str, str, Request]] = [
    ("energydata", "processIntervalEnergyData", _energy("A12", date(2019, 4, 20), None, None)),
    ("energydata", "processDailyRegisteredReads", _energy("A12", date(2019, 5, 20), "EML", "CSV")),
    (
        "energydata",
        "processMonthlyBillingInformation",
        _energy("A12", date(2019, 5, 20), "FTP", "CSV"),
    ),
    (
        "meterinformation",
        "prosessMeterInformation",
        MeterInformationRequest(
            trans_id="123",
            requestor_id="CSPAPIUser1",
            requester_type="CSP",
            requester_authentication_id="199999999999",
            delivery_mode="EML",
            report_format="csv",
            meters=(EsiidMeter(esiid=ESIID),),
            terms_and_conditions="y",
        ),
    ),
    (
        "premiseinformation",
        "processPremiseInformation",
        PremiseInformationRequest(
            trans_id="1234",
            requestor_id="CSPAPIUser1",
            requester_type="CSP",
            requester_authentication_id="19999999999",
            delivery_mode="EML",
            esiids=(ESIID,),
            terms_and_conditions="y",
        ),
    ),
    (
        "subscription",
        "newSubscription",
        NewSubscriptionRequest(
            trans_id="7292019324",
            requestor_id="bobby@123",
            requester_type="RES",
            subscription_type="SCHEDULE",
            report_format="CSV",
            data_type="INTERVAL",
            delivery_mode="EML",
            report_frequency="DAILY",
            esiids=("10443720002506579001",),
        ),
    ),
    (
        "subscription",
        "unSubscription",
        UnsubscriptionRequest(
            trans_id="862019",
            requestor_id="bobby@123",
            requester_authentication_id="?",  # soapUI's placeholder, as the guide printed it
            subscription_number="8F77A7E0277400D8E0530A040322F226",
            esiids=("10443720002506579001",),
        ),
    ),
    (
        "subscription",
        "subscription",
        SubscriptionListRequest(
            trans_id="862019", requestor_id="bobby@123", requester_authentication_id="?"
        ),
    ),
    (
        "cspauthorization",
        "newAgreement",
        NewAgreementRequest(
            trans_id="CSP123",
            requestor_id="CSPAPIUser1",
            requester_authentication_id="199999999999",
            retail_customer_email="rahulp24@gmail.com",
            agreement_duration=12,
            customer_language_preference="English",
            meters=(
                CustomerMeter(
                    esiid="10204049799602671", meter_number="148239922", puct_ror_number=10004
                ),
            ),
        ),
    ),
    (
        "cspauthorization",
        "myAgreements",
        MyAgreementsRequest(
            trans_id="MyA1234",
            requestor_id="CSPAPIUser1",
            requester_authentication_id="19999999999",
        ),
    ),
    (
        "cspauthorization",
        "agreementESIIDs",
        AgreementEsiidsRequest(
            trans_id="A123",
            requestor_id="CSPAPIUser1",
            requester_authentication_id="199999999999",
            agreement_number=118518,
        ),
    ),
    (
        "cspauthorization",
        "terminateAgreement",
        TerminateAgreementRequest(
            trans_id="T1234",
            requestor_id="CSPAPIUser1",
            requester_authentication_id="19999999999",
            agreements=(
                AgreementRef(agreement_number=119720, retail_customer_email="rahulp24@gmail.com"),
            ),
        ),
    ),
    (
        "token/generated",
        "processTokenGenerator",
        TokenRequest(username="CSPAPIUser1", password="example-password-not-a-secret"),
    ),
]
IDS = [operation for _, operation, _ in GUIDE_REQUESTS]


def _without_empty_header(document: bytes) -> bytes:
    """soapUI writes an empty <soapenv:Header/>, zeep none: both mean no header."""
    root = etree.fromstring(document)
    header = root.find(f"{{{SOAP_ENVELOPE}}}Header")
    if header is not None and len(header) == 0 and not (header.text or "").strip():
        root.remove(header)
    return etree.tostring(root)


def test_every_operation_of_the_contract_has_a_guide_request_here() -> None:
    from adapter.contract import load_services

    names = {op.name for service in load_services() for op in service.operations}
    assert names == set(IDS)


@pytest.mark.parametrize(("folder", "operation", "record"), GUIDE_REQUESTS, ids=IDS)
def test_built_request_is_valid_under_the_wire_profile(
    folder: str, operation: str, record: Request
) -> None:
    op: Operation = operation_of(operation)
    result = VALIDATOR.check(build_request(op, record))
    assert result.violations == ()
    assert result.operation == op


@pytest.mark.parametrize(("folder", "operation", "record"), GUIDE_REQUESTS, ids=IDS)
def test_guide_request_rebuilt_from_its_record_is_the_guide_request(
    folder: str, operation: str, record: Request
) -> None:
    built = build_request(operation_of(operation), record)
    guide = (SOAP_FIXTURES / folder / f"{operation}.request.xml").read_bytes()
    assert canonical(built, volatile=()) == canonical(_without_empty_header(guide), volatile=())


def test_envelope_is_utf8_with_a_declaration_and_a_fresh_trans_id() -> None:
    record = SubscriptionListRequest(requestor_id="bobby@123")
    built = build_request(operation_of("subscription"), record)
    assert built.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    trans_id = etree.fromstring(built).findtext(".//trans_id")
    assert trans_id == record.trans_id and re.fullmatch(r"[a-zA-Z0-9]{1,32}", trans_id)


def test_optional_lists_left_empty_are_left_out() -> None:
    built = build_request(
        operation_of("prosessMeterInformation"),
        MeterInformationRequest(requestor_id="CSPAPIUser1", requester_type="CSP"),
    )
    assert b"ESIIDMeterList" not in built
    assert VALIDATOR.check(built).valid


def test_a_meter_number_goes_into_its_esiid_item() -> None:
    record = MeterInformationRequest(
        requestor_id="CSPAPIUser1",
        requester_type="CSP",
        meters=(EsiidMeter(esiid=ESIID, meter_number="148239922"),),
    )
    built = build_request(operation_of("prosessMeterInformation"), record)
    item = etree.fromstring(built).find(".//ESIIDMeter")
    assert item is not None
    assert [(child.tag, child.text) for child in item] == [
        ("esiid", ESIID),
        ("meterNumber", "148239922"),
    ]


def test_the_record_must_be_the_one_the_operation_takes() -> None:
    with pytest.raises(ConfigurationError) as caught:
        build_request(operation_of("newAgreement"), SubscriptionListRequest(requestor_id="x"))
    assert caught.value.field == "request"
    assert caught.value.value == "SubscriptionListRequest"
    assert "NewAgreementRequest" in str(caught.value)


def test_clients_serve_many_threads() -> None:
    op = operation_of("processIntervalEnergyData")
    records = [_energy(f"T{i}", date(2019, 4, 20), None, None) for i in range(24)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        built = list(pool.map(lambda r: build_request(op, r), records))
    assert [etree.fromstring(b).findtext(".//trans_id") for b in built] == [
        f"T{i}" for i in range(24)
    ]


def test_the_transport_reads_only_the_bundle_and_never_sends() -> None:
    transport = _BundleTransport(bundle_root())
    assert transport.load(str(bundle_root() / "wsdl" / "token.wsdl")).startswith(b"<?xml")
    with pytest.raises(ContractError):
        transport.load("https://smt.example.invalid/energydata/?wsdl")
    with pytest.raises(ContractError):
        transport.load("/etc/hostname")
    with pytest.raises(ContractError):
        transport.post("https://smt.example.invalid/", b"", {})


def test_a_password_never_shows_in_a_token_requests_repr() -> None:
    record = TokenRequest(username="CSPAPIUser1", password="s3cret-value")
    assert "s3cret-value" not in repr(record)
