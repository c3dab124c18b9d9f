"""Independent clients over real HTTPS with mutual TLS on 127.0.0.1: zeep loading the
bundled WSDLs, and suds-community loading them from the mock's ``?wsdl``, each call every
operation successfully; the guide's example requests posted as raw bytes get valid
answers."""

from __future__ import annotations

import ssl
import urllib.request
from typing import Any
from urllib.parse import urljoin

import pytest
import requests
from lxml import etree
from suds.client import Client as SudsClient
from suds.plugin import DocumentPlugin, MessagePlugin
from suds.transport.http import HttpAuthenticated
from zeep import Client as ZeepClient
from zeep import Settings
from zeep.transports import Transport

from adapter.contract import load_services
from adapter.mock.app import MockApp
from adapter.mock.certs import CertificateSet
from adapter.mock.server import MockServer
from adapter.xml.names import XSD
from tests.mock.conftest import PASSWORDS, client_context

CSP = {"requestorID": "CSPAPIUser1", "SMTTermsandConditions": "Y"}
BOBBY = {"requestorID": "bobby@123", "SMTTermsandConditions": "Y"}
ENERGY = {
    **CSP, "trans_id": "Z1", "requesterType": "CSP", "startDate": "04/20/2019",
    "endDate": "04/20/2019", "version": "L", "readingType": "C",
    "ESIIDList": {"ESIID": ["10443720008107413"]},
}  # fmt: skip

# operation -> (wrapper child name, its content, who calls)
CALLS: dict[str, tuple[str, dict[str, Any], str]] = {
    "processIntervalEnergyData": ("EnergyDataRequest", ENERGY, "CSPAPIUser1"),
    "processDailyRegisteredReads": (
        "EnergyDataRequest",
        {**ENERGY, "deliveryMode": "FTP"},
        "CSPAPIUser1",
    ),
    "processMonthlyBillingInformation": (
        "EnergyDataRequest",
        {**ENERGY, "startDate": "01/01/2019", "endDate": "06/30/2019"},
        "CSPAPIUser1",
    ),
    "prosessMeterInformation": (
        "MeterSearchRequest",
        {
            "trans_id": "Z2",
            "requestorID": "CSPAPIUser1",
            "requesterType": "CSP",
            "version": "L",
            "ESIIDMeterList": {"ESIIDMeter": [{"esiid": "10443720008107413"}]},
            "SMTTermsandConditions": "Y",
        },
        "CSPAPIUser1",
    ),
    "processPremiseInformation": (
        "PremiseSearchRequest",
        {
            "trans_id": "Z3",
            "requestorID": "CSPAPIUser1",
            "requesterType": "CSP",
            "version": "L",
            "ESIIDList": {"ESIID": ["10443720008107413"]},
            "SMTTermsandConditions": "Y",
        },
        "CSPAPIUser1",
    ),
    "newSubscription": (
        "newSubscriptionRequest",
        {
            "trans_id": "Z4",
            "requestorID": "bobby@123",
            "requesterType": "RES",
            "subscriptionType": "SCHEDULE",
            "reportFormat": "CSV",
            "dataType": "INTERVAL",
            "deliveryMode": "EML",
            "reportFrequency": "DAILY",
            "SMTTermsandConditions": "Y",
        },
        "bobby@123",
    ),
    "subscription": ("subscriptionRequest", {"trans_id": "Z5", **BOBBY}, "bobby@123"),
    "unSubscription": (
        "unSubscriptionRequest",
        {
            "trans_id": "Z6",
            "requestorID": "bobby@123",
            "subscriptionNumber": "8F10E261E2E50046E0530A0403228C2E",
            "SMTTermsandConditions": "Y",
        },
        "bobby@123",
    ),
    "newAgreement": (
        "newAgreementRequest",
        {
            "trans_id": "Z7",
            "requestorID": "CSPAPIUser1",
            "requesterAuthenticationID": "19999999999",
            "retailCustomerEmail": "customer@example.com",
            "agreementDuration": "12",
            "customerMeterList": {
                "customerMeter": [
                    {
                        "ESIID": "10204049799602671",
                        "meterNumber": "148239922",
                        "PUCTRORNumber": "10004",
                    }
                ]
            },
            "SMTTermsandConditions": "Y",
        },
        "CSPAPIUser1",
    ),
    "myAgreements": ("myAgreementsRequest", {"trans_id": "Z8", **CSP}, "CSPAPIUser1"),
    "agreementESIIDs": (
        "agreementESIIDsRequest",
        {"trans_id": "Z9", "agreementNumber": "118518", **CSP},
        "CSPAPIUser1",
    ),
    "terminateAgreement": (
        "terminateAgreementRequest",
        {
            "trans_id": "Z10",
            "requestorID": "CSPAPIUser1",
            "agreementList": {
                "agreement": [
                    {"agreementNumber": "118518", "retailCustomerEmail": "donnytest@mailinator.com"}
                ]
            },
            "SMTTermsandConditions": "Y",
        },
        "CSPAPIUser1",
    ),
}


def test_the_table_covers_every_operation_but_the_token_service() -> None:
    every = {op.name for s in load_services() for op in s.operations}
    assert set(CALLS) == every - {"processTokenGenerator"}


def zeep_client(service: Any, base_url: str, certs: CertificateSet, who: str) -> Any:
    session = requests.Session()
    session.trust_env = False  # REQUESTS_CA_BUNDLE would otherwise replace our CA
    session.verify = str(certs.ca_cert)
    session.cert = (str(certs.client_cert), str(certs.client_key))
    session.auth = (who, PASSWORDS[who])
    settings = Settings(strict=True, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    client = ZeepClient(
        str(service.wsdl), transport=Transport(session=session, operation_timeout=10),
        settings=settings,
    )  # fmt: skip
    binding = next(iter(client.wsdl.bindings))
    return client.create_service(binding, f"{base_url}{service.path}")


def service_of(operation: str) -> Any:
    return next(s for s in load_services() if operation in {o.name for o in s.operations})


@pytest.mark.parametrize("operation", sorted(CALLS))
def test_zeep_with_the_bundled_wsdl_calls_every_operation_over_mutual_tls(
    mtls_mock: tuple[MockServer, MockApp], certificates: CertificateSet, operation: str
) -> None:
    server, _ = mtls_mock
    child, content, who = CALLS[operation]
    proxy = zeep_client(service_of(operation), server.base_url, certificates, who)
    answer = getattr(proxy, operation)(**{child: content})
    assert answer is not None
    status = getattr(answer, "statusCode", None)
    assert status in (None, "0000", "0001", "ACK")


class InlineLayers(DocumentPlugin):  # type: ignore[misc]
    """suds resolves a type named inside an ``xsd:include``d document only among that
    document's own types, so a profile layer (``wire/*.xsd``) that uses a type of the
    schema including it fails with TypeNotFound when a response is read. Splice each
    layer into its includer as suds loads it; the mock still serves both files as they
    are (libxml2, xmlschema and zeep need no such help)."""

    def __init__(self, context: ssl.SSLContext) -> None:
        self._context = context

    def loaded(self, context: Any) -> None:
        if b"<xsd:include" not in context.document:
            return
        root = etree.fromstring(context.document)
        for include in root.findall(f"{{{XSD}}}include"):
            url = urljoin(context.url, include.get("schemaLocation"))
            with urllib.request.urlopen(url, context=self._context, timeout=10) as answer:
                layer = etree.fromstring(answer.read())
            for reference in layer.iter(f"{{{XSD}}}import", f"{{{XSD}}}include"):
                if reference.get("schemaLocation"):  # keep it pointing where it did
                    reference.set("schemaLocation", urljoin(url, reference.get("schemaLocation")))
            position = root.index(include)
            root.remove(include)
            for offset, component in enumerate(layer):
                root.insert(position + offset, component)
        context.document = etree.tostring(root)


class UnqualifyPayload(MessagePlugin):  # type: ignore[misc]
    """suds writes the EnergyData wrapper with a default namespace declaration, so the
    unqualified payload below it (EnergyDataRequest, whose type comes from another
    schema) lands in the wrapper's namespace: move that payload back out of it."""

    def sending(self, context: Any) -> None:
        root = etree.fromstring(context.envelope)
        body = root.find("{http://schemas.xmlsoap.org/soap/envelope/}Body")
        for wrapper in [] if body is None else list(body):
            namespace = etree.QName(wrapper).namespace
            payload = wrapper.find(f"{{{namespace}}}EnergyDataRequest")
            if payload is None:
                continue
            for element in payload.iter(f"{{{namespace}}}*"):
                element.tag = etree.QName(element).localname
            # a prefixed wrapper, so that no default namespace reaches the payload
            prefixed = etree.Element(wrapper.tag, nsmap={"met": namespace})
            prefixed.extend(list(wrapper))
            body.replace(wrapper, prefixed)
        etree.cleanup_namespaces(root)
        context.envelope = etree.tostring(root)


class MutualTlsTransport(HttpAuthenticated):  # type: ignore[misc]
    """suds' urllib transport, with our client certificate and CA."""

    def __init__(self, context: ssl.SSLContext, **kwargs: Any) -> None:
        self._context = context
        super().__init__(**kwargs)

    def u2handlers(self) -> list[Any]:
        return [*super().u2handlers(), urllib.request.HTTPSHandler(context=self._context)]


@pytest.mark.parametrize("operation", sorted(CALLS))
def test_suds_from_the_mocks_wsdl_calls_every_operation_over_mutual_tls(
    mtls_mock: tuple[MockServer, MockApp], certificates: CertificateSet, operation: str
) -> None:
    server, _ = mtls_mock
    _, content, who = CALLS[operation]
    service = service_of(operation)
    transport = MutualTlsTransport(
        client_context(certificates), username=who, password=PASSWORDS[who]
    )
    client = SudsClient(
        f"{server.base_url}{service.path}?wsdl",
        transport=transport,
        cache=None,
        plugins=[InlineLayers(client_context(certificates)), UnqualifyPayload()],
    )
    answer = getattr(client.service, operation)(content)
    assert answer is not None
