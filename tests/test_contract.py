"""The services and operations read from the bundled WSDLs."""

from __future__ import annotations

import pytest

from adapter import ConfigurationError, Direction, Profile, bundle_root, find_operation
from adapter.contract import load_services

GUIDE_OPERATIONS = {
    "EnergyData": [
        "processIntervalEnergyData",
        "processDailyRegisteredReads",
        "processMonthlyBillingInformation",
    ],
    "MeterInformation": ["prosessMeterInformation"],
    "PremiseInformation": ["processPremiseInformation"],
    "Subscription": ["newSubscription", "unSubscription", "subscription"],
    "CSPAuthorization": ["newAgreement", "myAgreements", "agreementESIIDs", "terminateAgreement"],
}
PATHS = {
    "EnergyData": "/energydata/",
    "MeterInformation": "/MeterInformation/",
    "PremiseInformation": "/PremiseInformation/",
    "Subscription": "/Subscription/",
    "CSPAuthorization": "/CSPAauthorization/",
    "TokenGenerator": "/v2/access/token/",
}


def test_bundle_root_holds_the_schemas_and_the_wsdls() -> None:
    root = bundle_root()
    assert (root / "schemas" / "ERRATA.md").is_file()
    assert len(list((root / "wsdl").glob("*.wsdl"))) == 6


def test_the_twelve_operations_of_section_3_2_are_defined_with_their_services() -> None:
    services = {s.name: [op.name for op in s.operations] for s in load_services()}
    for service, operations in GUIDE_OPERATIONS.items():
        assert services[service] == operations
    assert sum(len(ops) for ops in GUIDE_OPERATIONS.values()) == 12


def test_the_token_service_is_defined_beside_the_guide_services() -> None:
    token = next(s for s in load_services() if s.name == "TokenGenerator")
    assert token.namespace == "http://BIM_TokenGeneratorSOAP"
    assert [op.name for op in token.operations] == ["processTokenGenerator"]


@pytest.mark.parametrize(("service", "path"), sorted(PATHS.items()))
def test_each_service_is_served_at_the_guides_endpoint_path(service: str, path: str) -> None:
    assert next(s for s in load_services() if s.name == service).path == path


def test_wrapper_elements_map_back_to_their_operation_and_direction() -> None:
    request = find_operation("{http://BIM_MeterInformationSOAP}prosessMeterInformation")
    response = find_operation("{http://BIM_MeterInformationSOAP}prosessMeterInformationResponse")
    assert request is not None and response is not None
    assert request[0] is response[0]
    assert (request[1], response[1]) == (Direction.REQUEST, Direction.RESPONSE)
    assert find_operation("{http://BIM_MeterInformationSOAP}processMeterInformation") is None


def test_the_csp_wrappers_use_the_namespace_of_the_examples() -> None:
    csp = next(s for s in load_services() if s.name == "CSPAuthorization")
    assert csp.namespace == "http://BIM_CSPAAuthorizationSOAP"
    assert all(
        op.request_element.startswith("{http://BIM_CSPAAuthorizationSOAP}") for op in csp.operations
    )


def test_soap_actions_are_the_namespace_and_the_operation_name() -> None:
    for service in load_services():
        for op in service.operations:
            assert op.soap_action == f"{service.namespace.rstrip('/')}/{op.name}"


def test_an_unknown_profile_is_refused_with_field_and_value() -> None:
    with pytest.raises(ConfigurationError) as caught:
        Profile.parse("strict")
    assert (caught.value.field, caught.value.value) == ("profile", "strict")
    assert "wire, guide" in str(caught.value)
