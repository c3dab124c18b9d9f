"""SMT's REST answers of the Subscription and CSP-agreement functions (3.1.1.10 to
3.1.1.17), into the records the SOAP side returns. Each parser takes the schema-checked
answer; raises ``ServiceFaultError`` when its statusCode is not a success and
``MalformedResponseError`` when a value cannot be read. Pure: no transport.
"""

from __future__ import annotations

from adapter.field_reader import build_agreement, build_agreement_esiid
from adapter.records import (
    Agreement,
    AgreementEsiid,
    AgreementReceipt,
    Confirmation,
    Subscription,
    SubscriptionReceipt,
    Termination,
)
from adapter.rest.fields import JsonReader, check_status, fault_pairs, item_readers

__all__ = [
    "parse_agreement_esiids",
    "parse_agreement_receipt",
    "parse_agreements",
    "parse_confirmation",
    "parse_new_subscription",
    "parse_subscriptions",
    "parse_terminations",
]


def parse_new_subscription(readers: list[JsonReader]) -> SubscriptionReceipt:
    r = readers[0]
    faults = fault_pairs(r, "CustomerESIIDFaultList", "esiid", "reasonCode")
    faults += fault_pairs(r, "CustomerDUNSFaultList", "duns", "reasonCode")
    code, reason = check_status(r, faults)
    return SubscriptionReceipt(
        trans_id=r.optional("trans_id"),
        subscription_number=r.optional("subscriptionNumber"),
        status_code=code or "",
        status_reason=reason or "",
    )


def parse_confirmation(readers: list[JsonReader]) -> Confirmation:
    code, reason = check_status(readers[0])
    return Confirmation(
        trans_id=readers[0].optional("trans_id"), status_code=code or "", status_reason=reason or ""
    )


def parse_subscriptions(readers: list[JsonReader]) -> tuple[Subscription, ...]:
    r = readers[0]
    check_status(r)
    return tuple(
        Subscription(
            subscription_number=i.optional("subscriptionNumber"),
            started=i.optional_timestamp("startDate"),
            report_format=i.optional("reportformat") or i.text("reportFormat"),  # J-10
            delivery_type=i.text("deliveryType"),
            data_type=i.optional("dataType") or "",
            status=i.text("status"),
            last_report=i.optional_date("lastSuccessfulReportDate"),
        )
        for i in item_readers(r, "subscriptionList")
    )


def parse_agreement_receipt(readers: list[JsonReader]) -> AgreementReceipt:
    r = readers[0]
    code, reason = check_status(r)
    return AgreementReceipt(
        trans_id=r.text("trans_id"),
        agreement_number=r.integer("agreementNumber"),
        status_code=code or "",
        status_reason=reason or "",
    )


def parse_agreement_esiids(readers: list[JsonReader]) -> tuple[AgreementEsiid, ...]:
    r = readers[0]
    check_status(r)
    key = (
        "AgreementESIIDLList" if r.raw("AgreementESIIDLList") is not None else "AgreementESIIDList"
    )
    return tuple(build_agreement_esiid(i) for i in item_readers(r, key))


def parse_terminations(readers: list[JsonReader]) -> tuple[Termination, ...]:
    r = readers[0]
    faults = fault_pairs(r, "agreementFaultList", "agreementNumber", "reason")
    reason_key = "statusReason" if r.optional("statusReason") is not None else "statusMessage"
    check_status(r, faults, key=reason_key)  # J-11: statusMessage in the table
    return tuple(
        Termination(
            agreement_number=i.integer("agreementNumber"),
            status_code=i.text("statusCode"),
            status_reason=i.optional("statusReason") or "",
        )
        for i in item_readers(r, "terminateInitiatedList")
    )


def parse_agreements(readers: list[JsonReader]) -> tuple[Agreement, ...]:
    r = readers[0]
    check_status(r)
    return tuple(build_agreement(i) for i in item_readers(r, "agreementStatusList"))
