"""Building SOAP 1.1 request envelopes from request records, with zeep and the bundled
WSDLs.

zeep reads the WSDL (and the XSDs it imports, wire profile) once per process and puts the
record's values into the wire's element names, order and qualification. It never touches
the network: its transport reads only files inside the bundle and refuses to send. This is
the only module that imports zeep. Building does not validate: the caller checks the
envelope (``MessageValidator``) before sending it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from lxml import etree
from zeep import Client, Settings
from zeep.transports import Transport

from adapter.contract import Operation, Service, bundle_root, load_services
from adapter.errors import ConfigurationError, ContractError
from adapter.records import (
    AgreementEsiidsRequest,
    EnergyDataRequest,
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

__all__ = ["Request", "build_request"]

Request = (
    EnergyDataRequest
    | MeterInformationRequest
    | PremiseInformationRequest
    | NewSubscriptionRequest
    | UnsubscriptionRequest
    | SubscriptionListRequest
    | NewAgreementRequest
    | MyAgreementsRequest
    | AgreementEsiidsRequest
    | TerminateAgreementRequest
    | TokenRequest
)
"""Every request record ``build_request`` accepts."""

_lock = threading.Lock()
_clients: dict[Path, Any] = {}


def build_request(operation: Operation, request: Request) -> bytes:
    """The SOAP 1.1 envelope (UTF-8, with an XML declaration) that sends ``request`` to
    ``operation``.

    Raises ``ConfigurationError`` when the record is not the one the operation takes
    (e.g. a ``TokenRequest`` for ``newAgreement``), and ``ContractError`` when the bundled
    WSDL cannot be read or zeep refuses the values (a bundle that disagrees with the
    records)."""
    service = _service_of(operation)
    wrapper_child, convert, kind = _PAYLOADS.get(operation.name, (None, None, None))
    if wrapper_child is None or convert is None or kind is None:
        raise ContractError(f"no envelope builder for operation {operation.name}")
    if not isinstance(request, kind):
        raise ConfigurationError(
            f"operation {operation.name} takes a {kind.__name__}, not a {type(request).__name__}",
            field="request",
            value=type(request).__name__,
        )
    client = _client(service)
    try:
        envelope = client.create_message(
            client.service, operation.name, **{wrapper_child: convert(request)}
        )
    except Exception as exc:  # zeep raises TypeError, ValueError and its own errors
        # zeep's message may quote the values: never a password
        why = type(exc).__name__ if isinstance(request, TokenRequest) else f"{exc}"
        raise ContractError(
            f"zeep could not build {operation.name} from the bundled {service.wsdl.name}: {why}",
            path=str(service.wsdl),
        ) from exc
    if not isinstance(envelope, etree._Element):
        raise ContractError(f"zeep built no envelope for {operation.name}")
    return bytes(etree.tostring(envelope, xml_declaration=True, encoding="UTF-8"))


class _BundleTransport(Transport):
    """zeep's transport, cut down to reading the bundle: any other URL and any attempt to
    send raise, so building a message can never reach the network."""

    def __init__(self, root: Path) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._root = root.resolve()

    def load(self, url: str) -> bytes:
        path = Path(url.removeprefix("file://"))
        # zeep hands over absolute paths; anything else (a URL, a relative name) is foreign
        if not path.is_absolute() or not path.resolve().is_relative_to(self._root):
            raise ContractError(f"the bundled WSDL refers to {url}, outside the bundle")
        try:
            return path.read_bytes()
        except OSError as exc:
            raise ContractError(f"cannot read {path}: {exc}", path=str(path)) from exc

    def get(self, address: str, params: object, headers: object) -> None:
        raise ContractError(f"envelope building does not send: refused GET {address}")

    def post(self, address: str, message: object, headers: object) -> None:
        raise ContractError(f"envelope building does not send: refused POST {address}")


def _client(service: Service) -> Any:
    """One zeep client per WSDL per process, built under a lock (zeep's WSDL loading is
    not thread-safe; using a loaded client to create messages is)."""
    with _lock:
        client = _clients.get(service.wsdl)
        if client is None:
            settings = Settings(
                strict=True, forbid_dtd=True, forbid_entities=True, forbid_external=True
            )
            try:
                client = Client(  # type: ignore[no-untyped-call]
                    wsdl=str(service.wsdl),
                    settings=settings,
                    transport=_BundleTransport(bundle_root()),
                )
            except ContractError:
                raise
            except Exception as exc:
                raise ContractError(
                    f"zeep cannot read the bundled {service.wsdl}: {exc}", path=str(service.wsdl)
                ) from exc
            _clients[service.wsdl] = client
        return client


def _service_of(operation: Operation) -> Service:
    for service in load_services():
        if operation in service.operations:
            return service
    raise ConfigurationError(
        f"operation {operation.name} is not in the bundled contract",
        field="operation",
        value=operation.name,
    )


def _smt_date(value: date) -> str:
    return f"{value:%m/%d/%Y}"


def _common(r: Any) -> dict[str, Any]:
    """The fields every request shares; zeep places each by name, in the XSD's order."""
    fields = {
        "trans_id": r.trans_id,
        "requestorID": r.requestor_id,
        "requesterAuthenticationID": r.requester_authentication_id,
        "SMTTermsandConditions": r.terms_and_conditions,
    }
    if hasattr(r, "requester_type"):
        fields["requesterType"] = r.requester_type
    return fields


def _energy(r: EnergyDataRequest) -> dict[str, Any]:
    return {
        **_common(r),
        "startDate": _smt_date(r.start_date),
        "endDate": _smt_date(r.end_date),
        "deliveryMode": r.delivery_mode,
        "reportFormat": r.report_format,
        "version": r.version,
        "readingType": r.reading_type,
        "ESIIDList": {"ESIID": list(r.esiids)},
    }


def _meter(r: MeterInformationRequest) -> dict[str, Any]:
    meters = [{"esiid": m.esiid, "meterNumber": m.meter_number} for m in r.meters]
    return {
        **_common(r),
        "deliveryMode": r.delivery_mode,
        "reportFormat": r.report_format,
        "version": r.version,
        "ESIIDMeterList": {"ESIIDMeter": meters} if meters else None,
    }


def _premise(r: PremiseInformationRequest) -> dict[str, Any]:
    return {
        **_common(r),
        "deliveryMode": r.delivery_mode,
        "reportFormat": r.report_format,
        "version": r.version,
        "ESIIDList": {"ESIID": list(r.esiids)} if r.esiids else None,
    }


def _new_subscription(r: NewSubscriptionRequest) -> dict[str, Any]:
    duration = r.historical_subscription_duration
    return {
        **_common(r),
        "subscriptionType": r.subscription_type,
        "historicalSubscriptionDuration": None if duration is None else str(duration),
        "reportFormat": r.report_format,
        "dataType": r.data_type,
        "deliveryMode": r.delivery_mode,
        "reportFrequency": r.report_frequency,
        "ESIIDs": {"esiid": list(r.esiids)} if r.esiids else None,
    }


def _unsubscription(r: UnsubscriptionRequest) -> dict[str, Any]:
    return {
        **_common(r),
        "subscriptionNumber": r.subscription_number,
        "ESIIDs": {"esiid": list(r.esiids)} if r.esiids else None,
    }


def _subscriptions(r: SubscriptionListRequest) -> dict[str, Any]:
    return {
        **_common(r),
    }


def _new_agreement(r: NewAgreementRequest) -> dict[str, Any]:
    meters = [
        {"ESIID": m.esiid, "meterNumber": m.meter_number, "PUCTRORNumber": m.puct_ror_number}
        for m in r.meters
    ]
    return {
        **_common(r),
        "retailCustomerEmail": r.retail_customer_email,
        "agreementDuration": str(r.agreement_duration),
        "customerLanguagePreference": r.customer_language_preference,
        "customerMeterList": {"customerMeter": meters},
    }


def _my_agreements(r: MyAgreementsRequest) -> dict[str, Any]:
    return {
        **_common(r),
        "agreementNumber": r.agreement_number,
        "statusReason": r.status_filter,
    }


def _agreement_esiids(r: AgreementEsiidsRequest) -> dict[str, Any]:
    return {
        **_common(r),
        "agreementNumber": r.agreement_number,
    }


def _terminate_agreement(r: TerminateAgreementRequest) -> dict[str, Any]:
    agreements = [
        {"agreementNumber": a.agreement_number, "retailCustomerEmail": a.retail_customer_email}
        for a in r.agreements
    ]
    return {
        **_common(r),
        "agreementList": {"agreement": agreements},
    }


def _token(r: TokenRequest) -> dict[str, Any]:
    return {"username": r.username, "password": r.password}


# operation -> (the wrapper's child element, the record's values in wire names, record type)
_PAYLOADS: dict[str, tuple[str, Callable[[Any], dict[str, Any]], type]] = {
    "processIntervalEnergyData": ("EnergyDataRequest", _energy, EnergyDataRequest),
    "processDailyRegisteredReads": ("EnergyDataRequest", _energy, EnergyDataRequest),
    "processMonthlyBillingInformation": ("EnergyDataRequest", _energy, EnergyDataRequest),
    "prosessMeterInformation": ("MeterSearchRequest", _meter, MeterInformationRequest),
    "processPremiseInformation": ("PremiseSearchRequest", _premise, PremiseInformationRequest),
    "newSubscription": ("newSubscriptionRequest", _new_subscription, NewSubscriptionRequest),
    "unSubscription": ("unSubscriptionRequest", _unsubscription, UnsubscriptionRequest),
    "subscription": ("subscriptionRequest", _subscriptions, SubscriptionListRequest),
    "newAgreement": ("newAgreementRequest", _new_agreement, NewAgreementRequest),
    "myAgreements": ("myAgreementsRequest", _my_agreements, MyAgreementsRequest),
    "agreementESIIDs": ("agreementESIIDsRequest", _agreement_esiids, AgreementEsiidsRequest),
    "terminateAgreement": (
        "terminateAgreementRequest",
        _terminate_agreement,
        TerminateAgreementRequest,
    ),
    "processTokenGenerator": ("TokenGeneratorRequest", _token, TokenRequest),
}
