"""Building the JSON body of a REST request from the same request records the SOAP
client uses, and checking a body against the function's bundled JSON Schema.

Field names are spelt as the guide's JSON examples spell them (``esiid`` list where SOAP
has ``ESIIDList/ESIID``, ``ESIIDMeterList``, ``customerMeterList``...). Dates go out as
``MM/DD/YYYY``. Pure: no transport.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

from adapter.agreement_records import (
    AgreementEsiidsRequest,
    MyAgreementsRequest,
    NewAgreementRequest,
    TerminateAgreementRequest,
)
from adapter.errors import ConfigurationError, SchemaViolationError
from adapter.records import EnergyDataRequest, MeterInformationRequest, PremiseInformationRequest
from adapter.rest.functions import RestFunction, find_function
from adapter.rest.schemas import iter_json_violations
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
from adapter.xml.violations import Violation

__all__ = ["build_body", "iter_body_violations", "validate_body"]

Body = dict[str, Any]


def _day(value: date) -> str:
    return value.strftime("%m/%d/%Y")


def _drop_none(body: Body) -> Body:
    return {key: value for key, value in body.items() if value is not None}


def _requester(record: Any) -> Body:
    return {
        "trans_id": record.trans_id,
        "requestorID": record.requestor_id,
        "requesterType": getattr(record, "requester_type", None),
        "requesterAuthenticationID": record.requester_authentication_id,
    }


def _energy(record: EnergyDataRequest) -> Body:
    return {
        **_requester(record),
        "startDate": _day(record.start_date),
        "endDate": _day(record.end_date),
        "deliveryMode": record.delivery_mode,
        "reportFormat": record.report_format,
        "version": record.version,
        "readingType": record.reading_type,
        "esiid": list(record.esiids),
        "SMTTermsandConditions": record.terms_and_conditions,
    }


def _green_button(record: GreenButtonRequest) -> Body:
    inner = {
        **_requester(record),
        "ESIID": record.esiid,
        "startDate": _day(record.start_date),
        "endDate": _day(record.end_date),
        "reportType": record.report_type,
        "readingType": record.reading_type,
        "deliveryMode": record.delivery_mode,
        "SMTTermsandConditions": record.terms_and_conditions,
    }
    return {"GreenButtonRequest": _drop_none(inner)}


def _meter(record: MeterInformationRequest) -> Body:
    meters = [_drop_none({"esiid": m.esiid, "meterNumber": m.meter_number}) for m in record.meters]
    return {
        **_requester(record),
        "deliveryMode": record.delivery_mode,
        "reportFormat": record.report_format,
        "version": record.version,
        "ESIIDMeterList": meters or None,
        "SMTTermsandConditions": record.terms_and_conditions,
    }


def _premise(record: PremiseInformationRequest) -> Body:
    return {
        **_requester(record),
        "deliveryMode": record.delivery_mode,
        "reportFormat": record.report_format,
        "version": record.version,
        "esiid": list(record.esiids) or None,
        "SMTTermsandConditions": record.terms_and_conditions,
    }


def _odr(record: OnDemandReadRequest) -> Body:
    return {
        **_requester(record),
        "deliveryMode": record.delivery_mode,
        "ESIID": record.esiid,
        "meterNumber": record.meter_number,
        "SMTTermsandConditions": record.terms_and_conditions,
    }


def _odr_status(record: OdrStatusRequest) -> Body:
    return {
        "trans_id": record.trans_id,
        "requestorID": record.requestor_id,
        "correlationId": record.correlation_id,
        "SMTTermsandConditions": record.terms_and_conditions,
    }


def _report_status(record: ReportStatusRequest) -> Body:
    return {
        "trans_id": record.trans_id,
        "requestorID": record.requestor_id,
        "serviceType": record.service_type,
        "correlationId": record.correlation_id,
        "SMTTermsandConditions": record.terms_and_conditions,
    }


def _new_subscription(record: NewSubscriptionRequest) -> Body:
    return {
        **_requester(record),
        "subscriptionType": record.subscription_type,
        "historicalSubscriptionDuration": record.historical_subscription_duration,
        "reportFormat": record.report_format,
        "dataType": record.data_type,
        "deliveryMode": record.delivery_mode,
        "reportFrequency": record.report_frequency,
        "ESIID": list(record.esiids) or None,
        "SMTTermsandConditions": record.terms_and_conditions,
    }


def _unsubscription(record: UnsubscriptionRequest) -> Body:
    if record.esiids:
        raise ConfigurationError(
            "esiids are not allowed: the REST UnSubscription ends the whole subscription "
            "(3.1.1.11); unsubscribe single ESIIDs through SOAP",
            field="esiids",
            value=",".join(record.esiids),
        )
    return {
        **_requester(record),
        "subscriptionNumber": record.subscription_number,
        "SMTTermsandConditions": record.terms_and_conditions,
    }


def _subscriptions(record: SubscriptionListRequest) -> Body:
    return {**_requester(record), "SMTTermsandConditions": record.terms_and_conditions}


def _new_agreement(record: NewAgreementRequest) -> Body:
    return {
        **_requester(record),
        "retailCustomerEmail": record.retail_customer_email,
        "agreementDuration": record.agreement_duration,
        "customerLanguagePreference": record.customer_language_preference,
        "customerMeterList": [
            {"ESIID": m.esiid, "meterNumber": m.meter_number, "PUCTRORNumber": m.puct_ror_number}
            for m in record.meters
        ],
        "SMTTermsandConditions": record.terms_and_conditions,
    }


def _agreement_esiids(record: AgreementEsiidsRequest) -> Body:
    return {
        **_requester(record),
        "agreementNumber": record.agreement_number,
        "SMTTermsandConditions": record.terms_and_conditions,
    }


def _terminate(record: TerminateAgreementRequest) -> Body:
    return {
        **_requester(record),
        "agreementList": [
            {"agreementNumber": a.agreement_number, "retailCustomerEmail": a.retail_customer_email}
            for a in record.agreements
        ],
        "SMTTermsandConditions": record.terms_and_conditions,
    }


def _my_agreements(record: MyAgreementsRequest) -> Body:
    return {
        **_requester(record),
        "agreementNumber": record.agreement_number,
        "statusReason": record.status_filter,
        "SMTTermsandConditions": record.terms_and_conditions,
    }


_BUILDERS: dict[type, Callable[[Any], Body]] = {
    EnergyDataRequest: _energy,
    GreenButtonRequest: _green_button,
    MeterInformationRequest: _meter,
    PremiseInformationRequest: _premise,
    OnDemandReadRequest: _odr,
    OdrStatusRequest: _odr_status,
    ReportStatusRequest: _report_status,
    NewSubscriptionRequest: _new_subscription,
    UnsubscriptionRequest: _unsubscription,
    SubscriptionListRequest: _subscriptions,
    NewAgreementRequest: _new_agreement,
    AgreementEsiidsRequest: _agreement_esiids,
    TerminateAgreementRequest: _terminate,
    MyAgreementsRequest: _my_agreements,
}


def _function(function: RestFunction | str) -> RestFunction:
    return function if isinstance(function, RestFunction) else find_function(function)


def build_body(function: RestFunction | str, record: object) -> Body:
    """The JSON body (a dict, fields left out when the record leaves them None) of
    ``function`` for ``record``. Raises ``ConfigurationError`` when the function is
    unknown, when ``record`` is not the function's request type, or when it holds what
    the REST function cannot carry (ESIIDs of a REST UnSubscription). It does not
    validate: call ``validate_body``."""
    found = _function(function)
    if type(record) is not found.request_type:
        raise ConfigurationError(
            f"{found.name} takes a {found.request_type.__name__}, not a {type(record).__name__}",
            field="record",
            value=type(record).__name__,
        )
    return _drop_none(_BUILDERS[found.request_type](record))


def iter_body_violations(function: RestFunction | str, body: object) -> Iterator[Violation]:
    """Every way ``body`` breaks ``function``'s request schema (see
    ``adapter.rest.schemas.iter_json_violations``); source is ``<name>.request``."""
    found = _function(function)
    name = f"{found.name}.request"
    yield from iter_json_violations(name, body, source=name)


def validate_body(function: RestFunction | str, body: object) -> None:
    """Raise ``SchemaViolationError`` (``source`` ``<function>.request``, ``violations``
    each with a JSON-pointer ``path``, the JSON Schema keyword as ``rule``, ``value`` and
    ``expected``) when ``body`` breaks ``function``'s request schema; ``ConfigurationError``
    when the function is unknown."""
    found = _function(function)
    violations = list(iter_body_violations(found, body))
    if violations:
        raise SchemaViolationError(f"{found.name}.request", violations)
