"""Requests are checked as SMT checks them: method, SOAPAction, the bundled XSDs (not
spyne's), SMTTermsandConditions, and requestorID against the authenticated service ID."""

from __future__ import annotations

import json

import pytest
from lxml import etree

from adapter.mock.app import MockApp
from tests.mock.conftest import basic, call_app, call_operation, guide_request, operation_of

INTERVAL = guide_request("energydata", "processIntervalEnergyData")
AUTH = {"Authorization": basic("CSPAPIUser1", "smt-mock-CSPAPIUser1")}


def faultstring(body: bytes) -> str:
    root = etree.fromstring(body)
    assert root.find(".//{http://schemas.xmlsoap.org/soap/envelope/}Fault") is not None
    return root.findtext(".//faultstring") or ""


def test_invalid_request_gets_a_fault_naming_path_rule_and_value(app: MockApp) -> None:
    body = INTERVAL.replace(b"<version>L</version>", b"<version>Q</version>")
    answer = call_operation(app, "processIntervalEnergyData", body)
    assert answer.status == 500
    text = faultstring(answer.body)
    assert "EnergyDataRequest/version" in text
    assert "[enumeration]" in text and "'Q'" in text


def test_request_valid_for_spyne_but_not_for_smt_schema_is_refused(app: MockApp) -> None:
    body = INTERVAL.replace(b"<trans_id>A12</trans_id>", b"<trans_id>A-12</trans_id>")
    text = faultstring(call_operation(app, "processIntervalEnergyData", body).body)
    assert "trans_id" in text and "[pattern]" in text and "A-12" in text


def test_missing_soapaction_is_refused(app: MockApp) -> None:
    answer = call_app(app, "/energydata/", INTERVAL, headers=AUTH)
    assert answer.status == 500
    assert "SOAPAction header is missing" in faultstring(answer.body)


def test_soapaction_of_another_operation_is_refused(app: MockApp) -> None:
    action = operation_of("processDailyRegisteredReads").soap_action
    answer = call_app(app, "/energydata/", INTERVAL, headers={**AUTH, "SOAPAction": action})
    assert "does not match" in faultstring(answer.body)


def test_soapaction_unknown_to_the_service_is_refused(app: MockApp) -> None:
    answer = call_app(app, "/energydata/", INTERVAL, headers={**AUTH, "SOAPAction": '"x"'})
    assert "is not an operation of /energydata/" in faultstring(answer.body)


def test_operation_posted_to_another_service_path_is_refused(app: MockApp) -> None:
    action = operation_of("processIntervalEnergyData").soap_action
    answer = call_app(app, "/Subscription/", INTERVAL, headers={**AUTH, "SOAPAction": action})
    assert answer.status == 500


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_wrong_http_method_is_refused_with_405(app: MockApp, method: str) -> None:
    answer = call_app(app, "/energydata/", method=method, headers=AUTH)
    assert answer.status == 405
    assert "POST" in answer.headers["Allow"]


def test_non_xml_body_is_refused(app: MockApp) -> None:
    answer = call_operation(app, "processIntervalEnergyData", b"trans_id=A12&esiid=1", headers=AUTH)
    assert answer.status == 500
    assert "[not-well-formed]" in faultstring(answer.body)


def test_doctype_is_refused(app: MockApp) -> None:
    body = (
        b'<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY e "boom">]>\n' + INTERVAL.split(b"-->", 1)[1]
    )
    answer = call_operation(app, "processIntervalEnergyData", body)
    assert answer.status == 500
    assert "[doctype]" in faultstring(answer.body)


@pytest.mark.parametrize("terms", [b"N", b"n"])
def test_terms_not_accepted_are_refused(app: MockApp, terms: bytes) -> None:
    body = INTERVAL.replace(b"<SMTTermsandConditions>Y<", b"<SMTTermsandConditions>" + terms + b"<")
    text = faultstring(call_operation(app, "processIntervalEnergyData", body).body)
    assert "SMTTermsandConditions" in text and repr(terms.decode()) in text


def test_lower_case_y_accepts_the_terms(app: MockApp) -> None:
    body = INTERVAL.replace(b"<SMTTermsandConditions>Y<", b"<SMTTermsandConditions>y<")
    assert call_operation(app, "processIntervalEnergyData", body).status == 200


def test_requestor_id_other_than_the_authenticated_one_is_refused(app: MockApp) -> None:
    answer = call_operation(
        app, "processIntervalEnergyData", INTERVAL,
        headers={"Authorization": basic("bobby@123", "smt-mock-bobby")},
    )  # fmt: skip
    assert (answer.status, json.loads(answer.body)) == (401, {"error": "Authorization failure"})


def test_body_without_content_length_is_refused_with_411(app: MockApp) -> None:
    answer = call_app(app, "/energydata/", INTERVAL, headers={**AUTH, "Content-Length": ""})
    assert answer.status == 411


def test_body_over_the_size_cap_is_refused_before_it_is_read(app: MockApp) -> None:
    answer = call_app(
        app, "/energydata/", b"", headers={**AUTH, "Content-Length": str(50 * 1024 * 1024)}
    )
    assert answer.status == 413


def test_wsdl_is_served_unchanged_but_for_the_address(app: MockApp) -> None:
    from adapter.contract import bundle_root

    answer = call_app(app, "/energydata/", method="GET", query="wsdl")
    original = (bundle_root() / "wsdl" / "energydata.wsdl").read_bytes()
    assert answer.status == 200
    assert answer.body == original.replace(
        b"https://smt.example.invalid/energydata/", b"https://127.0.0.1:8443/energydata/"
    )


def test_xsds_are_served_where_the_wsdl_imports_resolve(app: MockApp) -> None:
    from adapter.contract import bundle_root

    answer = call_app(app, "/schemas/energydata/meterusagesource.xsd", method="GET")
    assert answer.body == (bundle_root() / "schemas/energydata/meterusagesource.xsd").read_bytes()
    token = call_app(app, "/v2/access/schemas/token/bim-tokengenerator.xsd", method="GET")
    assert token.status == 200


def test_paths_outside_the_schemas_are_not_served(app: MockApp) -> None:
    for path in (
        "/schemas/../pyproject.toml",
        "/schemas/x/../../README.md",
        "/schemas/errata.toml",
    ):
        assert call_app(app, path, method="GET").status == 404
