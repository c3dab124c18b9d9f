"""Independent consumers of the bundled WSDLs: zeep loads them offline and round-trips
every fixture through the bundled schemas."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import zeep
import zeep.helpers
from lxml import etree
from zeep import Settings

from adapter.contract import bundle_root, load_services
from tests.conftest import all_soap_fixtures, fixture_id

SETTINGS = Settings(strict=True, forbid_dtd=True, forbid_entities=True, forbid_external=True)
SOAP = "http://schemas.xmlsoap.org/soap/envelope/"


def _client(path: Path) -> zeep.Client:
    return zeep.Client(str(path), settings=SETTINGS)


@pytest.mark.parametrize("service", load_services(), ids=lambda s: s.name)
def test_zeep_loads_each_wsdl_offline_and_lists_its_operations(service: Any) -> None:
    client = _client(service.wsdl)
    (wsdl_service,) = client.wsdl.services.values()
    (port,) = wsdl_service.ports.values()
    assert sorted(port.binding._operations) == sorted(op.name for op in service.operations)
    assert port.binding_options["address"] == f"https://smt.example.invalid{service.path}"
    for op in service.operations:
        assert port.binding._operations[op.name].soapaction == op.soap_action


def _structure(element: etree._Element) -> tuple[Any, ...]:
    """Names, text and children, without prefixes, comments or layout whitespace."""
    children = [c for c in element if isinstance(c.tag, str)]
    text = (element.text or "").strip() if not children else ""
    return (etree.QName(element).text, text, tuple(_structure(c) for c in children))


def _wrapper(path: Path) -> tuple[etree._Element, zeep.Client]:
    tree = etree.parse(str(path), etree.XMLParser(remove_comments=True))
    body = tree.getroot().find(f"{{{SOAP}}}Body")
    assert body is not None
    wrapper = body[0]
    namespace = etree.QName(wrapper).namespace
    service = next(s for s in load_services() if s.namespace == namespace)
    return wrapper, _client(service.wsdl)


REQUESTS = [p for p in all_soap_fixtures() if p.name.endswith("request.xml")]
RESPONSES = [p for p in all_soap_fixtures() if p.name.endswith("response.xml")]


@pytest.mark.parametrize("path", REQUESTS, ids=fixture_id)
def test_zeep_renders_every_request_fixture_back_unchanged(path: Path) -> None:
    wrapper, client = _wrapper(path)
    element = client.get_element(wrapper.tag)
    rendered = etree.Element("holder")
    element.render(rendered, element.parse(wrapper, client.wsdl.types))
    assert _structure(rendered[0]) == _structure(wrapper)


@pytest.mark.parametrize("path", RESPONSES, ids=fixture_id)
def test_zeep_parses_every_response_fixture_and_keeps_status_codes_as_sent(path: Path) -> None:
    wrapper, client = _wrapper(path)
    parsed = zeep.helpers.serialize_object(
        client.get_element(wrapper.tag).parse(wrapper, client.wsdl.types), dict
    )
    sent = [e.text for e in wrapper.iter("statusCode")]
    assert _values(parsed, "statusCode") == sent


def _values(tree: Any, key: str) -> list[Any]:
    if isinstance(tree, dict):
        found = [tree[key]] if key in tree else []
        return found + [v for value in tree.values() for v in _values(value, key)]
    if isinstance(tree, list):
        return [v for item in tree for v in _values(item, key)]
    return []


def test_zeep_builds_a_schema_valid_interval_request_offline() -> None:
    from adapter import MessageValidator

    client = _client(bundle_root() / "wsdl" / "energydata.wsdl")
    message = client.create_message(
        client.service,
        "processIntervalEnergyData",
        EnergyDataRequest={
            "trans_id": "A12",
            "requestorID": "CSPAPIUser1",
            "requesterType": "CSP",
            "startDate": "04/20/2019",
            "endDate": "04/20/2019",
            "version": "L",
            "readingType": "C",
            "ESIIDList": {"ESIID": ["10443720008107413"]},
            "SMTTermsandConditions": "Y",
        },
    )
    result = MessageValidator().check(etree.tostring(message))
    assert result.valid, [v.format() for v in result.violations]
    assert result.operation is not None and result.operation.name == "processIntervalEnergyData"
