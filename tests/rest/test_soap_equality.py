"""The same data answered through SOAP and through REST gives equal records.

Each test parses a SOAP fixture with ``adapter.soap``, writes the REST answer carrying the
same values in the REST shape (the field names of fixtures/rest), parses it with
``adapter.rest.parse_answer`` and compares the records, trans_id included.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from lxml import etree

from adapter.errors import ServiceFaultError
from adapter.rest import parse_answer as parse_rest
from adapter.soap import check_answer, parse_answer
from tests.conftest import SOAP_FIXTURES
from tests.mock.conftest import operation_of

Element = etree._Element


def _soap(path: str) -> tuple[Any, Element]:
    """The records of SOAP fixture ``path`` and its payload (the wrapper's first child)."""
    operation = operation_of(path.rsplit("/", 1)[-1].split(".")[0])
    body = (SOAP_FIXTURES / path).read_bytes()
    envelope = check_answer(operation, 200, "text/xml", body)
    payload = envelope.find("{*}Body/{*}*/{*}*")
    assert payload is not None
    return parse_answer(operation, envelope), payload


def _rest(function: str, document: object) -> Any:
    return parse_rest(function, 200, json.dumps(document).encode(), "application/json")


def _text(node: Element, path: str) -> str:
    found = node.find(path)
    assert found is not None, path
    return (found.text or "").strip()


def _fields(node: Element) -> dict[str, Any]:
    """A flat element's children by local name (the REST names are the SOAP names)."""
    return {etree.QName(c).localname: (c.text or "").strip() for c in node.iterchildren("*")}


def test_interval_data() -> None:
    records, payload = _soap("energydata/processIntervalEnergyData.response.xml")
    document = {
        "trans_id": _text(payload, "trans_id"),
        "esiid": _text(payload, "esiid"),
        "energyData": [
            {
                "DT": _text(d, "DT"),
                "RevTS": _text(d, "RevTS"),
                "RT": _text(d, "RT"),
                "RD": _text(d, "RD"),
            }
            for d in payload.iter("energyData")
        ],
    }
    assert document["energyData"] and _rest("15minintervalreads", document) == records


def test_daily_register_reads() -> None:
    records, payload = _soap("energydata/generated/processDailyRegisteredReads.sync-response.xml")
    document = {
        "trans_id": _text(payload, "trans_id"),
        "esiid": _text(payload, "esiid"),
        "registeredReads": [_fields(r) for r in payload.iter("registeredRead")],
    }
    assert len(document["registeredReads"]) == 2
    assert _rest("dailyreads", document) == records


@pytest.mark.parametrize("energy", ["actualkWh", "actualeWh"])  # ERRATA J-04
def test_monthly_billing(energy: str) -> None:
    path = "energydata/generated/processMonthlyBillingInformation.sync-response.xml"
    records, payload = _soap(path)
    periods = []
    for item in payload.iter("billingData"):
        fields = _fields(item)
        fields[energy] = fields.pop("actualkWh")
        periods.append(fields)
    document = {
        "trans_id": _text(payload, "trans_id"),
        "esiid": _text(payload, "esiid"),
        "billingData": periods,
    }
    assert len(periods) == 2 and _rest("monthlybillingInformation", document) == records


def test_meter_attributes() -> None:
    records, payload = _soap("meterinformation/generated/prosessMeterInformation.sync-response.xml")
    data = payload.find("MeterData")
    assert data is not None
    document: dict[str, Any] = {
        "trans_id": _text(payload, "trans_id"),
        "MeterData": [_fields(data)],
    }
    assert document["MeterData"][0]["manufacturerName"] == "Landis+Gyr"
    assert _rest("meterInfo", document) == records


def test_premise_attributes() -> None:
    path = "premiseinformation/generated/processPremiseInformation.sync-response.xml"
    records, payload = _soap(path)
    data = payload.find("PremiseData")
    assert data is not None
    document: dict[str, Any] = {
        "trans_id": _text(payload, "trans_id"),
        "PremiseData": [_fields(data)],
    }
    assert document["PremiseData"][0]["loadProfile"] == "RESLOWR_NCENT_NIDR_NOTOU_NWS"
    assert _rest("premiseInfo", document) == records


def test_my_agreements() -> None:
    records, payload = _soap("cspauthorization/myAgreements.response.xml")
    items = [_fields(a) for a in payload.iter("agreementStatus")]
    for item in items:  # REST sends the number as a number (fixtures/rest/myagreements)
        item["agreementNumber"] = int(item["agreementNumber"])
    document = {
        "trans_id": _text(payload, "trans_id"),
        "statusCode": _text(payload, "statusCode"),
        "statusReason": _text(payload, "statusReason"),
        "agreementStatusList": items,
    }
    assert len(items) == 3 and _rest("myagreements", document) == records


@pytest.mark.parametrize("name", ["AgreementESIIDLList", "AgreementESIIDList"])  # ERRATA J-12
def test_agreement_esiids(name: str) -> None:
    records, payload = _soap("cspauthorization/agreementESIIDs.response.xml")
    document = {
        "trans_id": _text(payload, "trans_id"),
        "statusCode": _text(payload, "statusCode"),
        "statusReason": _text(payload, "statusReason"),
        name: [_fields(e) for e in payload.iter("agreementESIID")],
    }
    assert document[name] and _rest("AgreementESIIDs", document) == records


def test_new_agreement_receipt() -> None:
    records, payload = _soap("cspauthorization/newAgreement.response.xml")
    document = _fields(payload)  # agreementNumber a string, as REST prints it (J-14)
    assert _rest("NewAgreement", document) == records


def test_list_subscriptions() -> None:
    records, payload = _soap("subscription/subscription.response.xml")
    document = {
        "trans_id": _text(payload, "trans_id"),
        "statusCode": _text(payload, "statusCode"),
        "statusReason": _text(payload, "statusReason"),
        "subscriptionList": [_fields(s) for s in payload.iter("subscription")],
    }
    for item in document["subscriptionList"]:
        assert isinstance(item, dict)
        item["startDate"] = item["startDate"].replace("T", " ")  # REST: 2019-07-16 14:12:28
        item["lastSuccessfulReportDate"] = None
    assert len(records) == 2 and _rest("Mysubscriptions", document) == records


@pytest.mark.parametrize(
    ("soap_path", "function", "fault_list"),
    [
        (
            "energydata/generated/processIntervalEnergyData.ack-response.xml",
            "15minintervalreads",
            "faultESIIDs",
        ),
        (
            "energydata/generated/processIntervalEnergyData.ack-response.xml",
            "meterInfo",
            "faultESIIDMeters",  # ERRATA J-09
        ),
    ],
)
def test_an_acknowledgement_with_faults(soap_path: str, function: str, fault_list: str) -> None:
    records, payload = _soap(soap_path)
    document = {
        "trans_id": _text(payload, "trans_id"),
        "correlationId": _text(payload, "correlationId"),
        "statusCode": _text(payload, "statusCode"),
        "statusReason": _text(payload, "statusReason"),
        fault_list: [
            {"esiid": _text(f, "esiid"), "REASON": _text(f, "reason")}  # ERRATA J-05
            for f in payload.iter("faultESIID")
        ],
    }
    assert records.fault_esiids and _rest(function, document) == records


@pytest.mark.parametrize(
    "path",
    [
        "energydata/processDailyRegisteredReads.response.xml",
        "energydata/processMonthlyBillingInformation.response.xml",
        "meterinformation/prosessMeterInformation.response.xml",
        "premiseinformation/processPremiseInformation.response.xml",
    ],
)
def test_an_acknowledgement_without_faults(path: str) -> None:
    records, payload = _soap(path)
    function = {"energydata": "dailyreads", "meterinformation": "meterInfo"}.get(
        path.split("/")[0], "premiseInfo"
    )
    assert _rest(function, _fields(payload)) == records


def _refusal(call: Any) -> ServiceFaultError:
    with pytest.raises(ServiceFaultError) as caught:
        call()
    return caught.value


def test_a_refused_termination_raises_the_same_fault() -> None:
    path = SOAP_FIXTURES / "cspauthorization/terminateAgreement.response.xml"
    operation = operation_of("terminateAgreement")
    soap = _refusal(
        lambda: parse_answer(operation, check_answer(operation, 200, None, path.read_bytes()))
    )
    envelope = etree.fromstring(path.read_bytes())
    payload = envelope.find("{*}Body/{*}*/{*}*")
    assert payload is not None
    document = {
        "trans_id": _text(payload, "trans_id"),
        "statusCode": _text(payload, "statusCode"),
        "statusReason": _text(payload, "statusReason"),
        "agreementFaultList": [  # the REST table names the reason `reason`
            {
                "agreementNumber": int(_text(a, "agreementNumber")),
                "retailCustomerEmail": _text(a, "retailCustomerEmail"),
                "reason": _text(a, "statusReason"),
            }
            for a in payload.iter("agreement")
        ],
    }
    rest = _refusal(lambda: _rest("Terminateagreement", document))
    assert (rest.status_code, rest.status_reason, rest.fault_esiids) == (
        soap.status_code,
        soap.status_reason,
        soap.fault_esiids,
    )
    assert rest.fault_esiids == (
        ("119720", "Agreement cannot be terminated: This Agreement is not ACTIVE:119720"),
    )
