"""REST bodies: the guide's request examples validate and are rebuilt from records."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from adapter.agreement_records import (
    AgreementEsiidsRequest,
    AgreementRef,
    CustomerMeter,
    MyAgreementsRequest,
)
from adapter.errors import SchemaViolationError
from adapter.records import (
    EnergyDataRequest,
    EsiidMeter,
    MeterInformationRequest,
    NewAgreementRequest,
    PremiseInformationRequest,
    TerminateAgreementRequest,
)
from adapter.rest import FUNCTIONS, build_body, validate_body
from adapter.rest_records import (
    GreenButtonRequest,
    OdrStatusRequest,
    OnDemandReadRequest,
    ReportStatusRequest,
)
from adapter.subscription_records import (
    NewSubscriptionRequest,
    SubscriptionListRequest,
    UnsubscriptionRequest,
)
from tests.conftest import ROOT

FIXTURES = ROOT / "fixtures" / "rest"
REQUESTS = sorted(FIXTURES.glob("*/*request.json"))


def _fixture(path: str) -> dict[str, object]:
    loaded: dict[str, object] = json.loads((FIXTURES / path).read_text())
    return loaded


@pytest.mark.parametrize("path", REQUESTS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_guide_request_example_validates(path: object) -> None:
    validate_body(path.parent.name, json.loads(path.read_text()))  # type: ignore[attr-defined]


REBUILT = [
    (
        "15minintervalreads/sync.request.json",
        EnergyDataRequest(
            trans_id="123",
            requestor_id="smtfirstresidentialuser",
            requester_type="RES",
            start_date=date(2019, 7, 1),
            end_date=date(2019, 7, 3),
            report_format="JSON",
            version="L",
            reading_type="C",
            esiids=("1008901012126195372100",),
        ),
    ),
    (
        "dailyreads/async.request.json",
        EnergyDataRequest(
            trans_id="111",
            requestor_id="UATRES123",
            requester_type="RES",
            start_date=date(2019, 5, 7),
            end_date=date(2019, 7, 7),
            delivery_mode="EML",
            report_format="CSV",
            version="L",
            reading_type="c",
            esiids=("1008901005102632580100",),
        ),
    ),
    (
        "greenbutton/interval.async.request.json",
        GreenButtonRequest(
            trans_id="A1",
            requestor_id="CSPAPIUser1",
            requester_type="CSP",
            requester_authentication_id="199999999999",
            esiid="10443720008107413",
            start_date=date(2019, 4, 20),
            end_date=date(2019, 5, 20),
            report_type="I",
            reading_type="C",
            delivery_mode="FTP",
        ),
    ),
    (
        "meterInfo/request.json",
        MeterInformationRequest(
            trans_id="123",
            requestor_id="SUMANTH_CSP",
            requester_type="CSP",
            requester_authentication_id="199999999999",
            report_format="CSV",
            meters=(EsiidMeter(esiid="10443720008107413"), EsiidMeter(esiid="10443720007526004")),
            terms_and_conditions="y",
        ),
    ),
    (
        "odr/request.json",
        OnDemandReadRequest(
            trans_id="123",
            requester_type="CSP",
            requester_authentication_id="199999999999",
            requestor_id="SUMANTH_CSP",
            delivery_mode="eml",
            esiid="10443720008107413",
        ),
    ),
    (
        "odrstatus/request.json",
        OdrStatusRequest(trans_id="ABC123", requestor_id="NEWTDSPUSER1", correlation_id="442256"),
    ),
    (
        "NewAgreement/request.json",
        NewAgreementRequest(
            trans_id="64576457",
            requestor_id="UATCSPAPIDee6",
            requester_authentication_id="9678588888869",
            retail_customer_email="delluri281@gmail.com",
            agreement_duration=9,
            customer_language_preference="ENGLISH",
            meters=(
                CustomerMeter(
                    esiid="10032789400250865", meter_number="144054330", puct_ror_number=10004
                ),
            ),
        ),
    ),
    (
        "Terminateagreement/request.json",
        TerminateAgreementRequest(
            trans_id="6827364j87987",
            requestor_id="UATCSPAPIDee6",
            requester_authentication_id="9678588888869",
            agreements=(
                AgreementRef(agreement_number=119098, retail_customer_email="delluri281@gmail.com"),
            ),
        ),
    ),
]


@pytest.mark.parametrize(("path", "record"), REBUILT, ids=[p for p, _ in REBUILT])
def test_a_record_rebuilds_the_guide_example(path: str, record: object) -> None:
    function = path.split("/")[0]
    body = build_body(function, record)
    assert body == _fixture(path)
    validate_body(function, body)


def test_a_violation_names_the_json_pointer_the_keyword_and_the_value() -> None:
    body = _fixture("15minintervalreads/sync.request.json")
    body["esiid"] = ["12AB"]
    body["startDate"] = "2019-07-01"
    with pytest.raises(SchemaViolationError) as caught:
        validate_body("15minintervalreads", body)
    found = {(v.path, v.rule, v.value) for v in caught.value.violations}
    assert ("/startDate", "pattern", "2019-07-01") in found
    assert ("/esiid/0", "minLength", "12AB") in found


def test_a_missing_required_field_is_named_by_its_pointer() -> None:
    body = _fixture("AgreementESIIDs/request.json")
    del body["requesterAuthenticationID"]
    with pytest.raises(SchemaViolationError) as caught:
        validate_body("AgreementESIIDs", body)
    (violation,) = caught.value.violations
    assert (violation.path, violation.rule) == ("/requesterAuthenticationID", "required")


def _energy(delivery_mode: str | None, report_format: str) -> EnergyDataRequest:
    return EnergyDataRequest(
        trans_id="A77",
        requestor_id="UATRES123",
        requester_type="RES",
        start_date=date(2019, 7, 1),
        end_date=date(2019, 7, 3),
        delivery_mode=delivery_mode,
        report_format=report_format,
        version="L",
        reading_type="C",
        esiids=("1008901012126195372100", "1008901005102632580100"),
    )


CSP = {"requestor_id": "CSPAPIUser1", "requester_authentication_id": "199999999999"}
AGREEMENT_CSP = {"requestor_id": "UATCSPAPIDee6", "requester_authentication_id": "9678588888869"}

FROM_RECORDS: dict[str, Any] = {
    "15minintervalreads": _energy(None, "JSON"),
    "dailyreads": _energy("EML", "CSV"),
    "monthlybillingInformation": _energy("FTP", "CSV"),
    "greenbutton": GreenButtonRequest(
        trans_id="A1",
        requester_type="CSP",
        esiid="10443720008107413",
        start_date=date(2019, 4, 20),
        end_date=date(2019, 5, 20),
        report_type="M",
        **CSP,
    ),
    "meterInfo": MeterInformationRequest(
        trans_id="123",
        requester_type="CSP",
        delivery_mode="FTP",
        report_format="CSV",
        meters=(
            EsiidMeter(esiid="10443720008107413", meter_number="148239922"),
            EsiidMeter(esiid="10443720007526004"),
        ),
        **CSP,
    ),
    "premiseInfo": PremiseInformationRequest(
        trans_id="123",
        requester_type="CSP",
        esiids=("10443720008107413", "10443720007526004"),
        delivery_mode="EML",
        report_format="CSV",
        **CSP,
    ),
    "odr": OnDemandReadRequest(
        trans_id="123",
        requester_type="CSP",
        esiid="10443720008107413",
        meter_number="148239922",
        **CSP,
    ),
    "odrstatus": OdrStatusRequest(
        trans_id="ABC123", requestor_id="NEWTDSPUSER1", correlation_id="442256"
    ),
    "reportrequeststatus": ReportStatusRequest(
        trans_id="A12", requestor_id="NEWTDSPUSER1", correlation_id="6dce368cb7cc11e9a3ad0a04"
    ),
    "NewSubscription": NewSubscriptionRequest(
        trans_id="A1",
        requestor_id="CSP-ADMIN",
        requester_type="CSP",
        requester_authentication_id="079696342",
        subscription_type="CSPENROLL",
        historical_subscription_duration=3,
        report_format="LSE",
        data_type="INTERVAL",
        delivery_mode="FTP",
        esiids=("10443720008107413",),
    ),
    "UnSubscription": UnsubscriptionRequest(
        trans_id="A1",
        requestor_id="CSP-ADMIN",
        requester_authentication_id="079696342",
        subscription_number="8E5C4B6451F40096E0530A0403227FE4",
    ),
    "Mysubscriptions": SubscriptionListRequest(
        trans_id="A123", requestor_id="CSP-ADMIN", requester_authentication_id="079696342"
    ),
    "NewAgreement": NewAgreementRequest(
        trans_id="64576457",
        retail_customer_email="delluri281@gmail.com",
        agreement_duration=12,
        customer_language_preference="SPANISH",
        meters=(
            CustomerMeter(
                esiid="10032789400250865", meter_number="144054330", puct_ror_number=10004
            ),
            CustomerMeter(
                esiid="10443720008107413", meter_number="148239922", puct_ror_number=10004
            ),
        ),
        **AGREEMENT_CSP,
    ),
    "AgreementESIIDs": AgreementEsiidsRequest(
        trans_id="76876876u8787", agreement_number=119098, **AGREEMENT_CSP
    ),
    "Terminateagreement": TerminateAgreementRequest(
        trans_id="6827364j87987",
        agreements=(
            AgreementRef(agreement_number=119098, retail_customer_email="delluri281@gmail.com"),
            AgreementRef(agreement_number=119720, retail_customer_email="rahulp24@gmail.com"),
        ),
        **AGREEMENT_CSP,
    ),
    "myagreements": MyAgreementsRequest(
        trans_id="45674657f7376893hjh", agreement_number=119098, **AGREEMENT_CSP
    ),
}


def test_every_function_has_a_record_below() -> None:
    assert set(FROM_RECORDS) == {f.name for f in FUNCTIONS}


@pytest.mark.parametrize("function", list(FROM_RECORDS))
def test_a_body_built_from_a_record_validates_against_its_schema(function: str) -> None:
    record = FROM_RECORDS[function]
    body = build_body(function, record)
    validate_body(function, body)
    fields = body["GreenButtonRequest"] if function == "greenbutton" else body
    assert fields["trans_id"] == record.trans_id
