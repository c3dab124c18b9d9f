"""The REST functions that change or list what a requestor holds (3.1.1.10-3.1.1.17):
subscriptions and energy data sharing agreements.

Changes go through the SOAP side's handlers (the same rules, numbers and state); lists
are read from the state directly, since JSON, unlike the SOAP schemas, can carry an
empty list. Names follow the guide's REST examples, quirks included:
``AgreementESIIDLList``, ``startDate`` of a subscription as ``YYYY-MM-DD HH:MM:SS``,
``agreementNumber`` a string in the newAgreement answer and a number in the lists.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lxml import etree

from adapter.mock.agreements import (
    answer_agreement_esiids,
    answer_my_agreements,
    answer_new_agreement,
    answer_terminate_agreement,
)
from adapter.mock.rest_calls import (
    JsonAnswer,
    RestCall,
    RestError,
    build_payload,
    convert_record,
    read_list,
    read_text,
    read_texts,
)
from adapter.mock.soap import SoapFault
from adapter.mock.subscriptions import answer_new_subscription, answer_unsubscription

__all__ = ["ACCOUNT_FUNCTIONS"]


def _new_subscription(rest: RestCall) -> JsonAnswer:
    request = rest.request
    payload = build_payload(
        [("trans_id", rest.trans_id)]
        + [
            (name, read_text(request, name, required=name != "reportFrequency"))
            for name in (
                "subscriptionType",
                "reportFormat",
                "dataType",
                "deliveryMode",
                "reportFrequency",
            )
        ],
        [("ESIIDs", "esiid", read_texts(request, "ESIID") or read_texts(request, "esiid"))],
    )
    answer = answer_new_subscription(rest.with_operation("newSubscription"), payload, rest.backend)
    return 200, _flat(answer, {"customerESIIDFaultList": "CustomerESIIDFaultList"})


def _unsubscription(rest: RestCall) -> JsonAnswer:
    request = rest.request
    payload = build_payload(
        [
            ("trans_id", rest.trans_id),
            ("subscriptionNumber", read_text(request, "subscriptionNumber")),
        ],
        [("ESIIDs", "esiid", read_texts(request, "ESIID") or read_texts(request, "esiid"))],
    )
    answer = answer_unsubscription(rest.with_operation("unSubscription"), payload, rest.backend)
    return 200, _flat(answer, {})


def _my_subscriptions(rest: RestCall) -> JsonAnswer:
    listed = []
    for subscription in rest.backend.state.subscriptions_of(rest.account.service_id):
        last = subscription.last_report
        listed.append(
            {
                "subscriptionNumber": subscription.number,
                "startDate": subscription.started.strftime("%Y-%m-%d %H:%M:%S"),
                "reportformat": subscription.report_format,
                "deliveryType": subscription.delivery_mode,
                "dataType": subscription.data_type,
                "status": subscription.status,
                "lastSuccessfulReportDate": None if last is None else last.strftime("%m/%d/%Y"),
            }
        )
    return 200, {
        "trans_id": rest.trans_id,
        "statusCode": "0000",
        "statusReason": "Success",
        "subscriptionList": listed,
    }


def _new_agreement(rest: RestCall) -> JsonAnswer:
    request = rest.request
    meters = []
    for index, item in enumerate(read_list(request, "customerMeterList")):
        if not isinstance(item, dict):
            raise RestError("4002", f"customerMeterList[{index}] must be an object")
        meters.append(
            {name: read_text(item, name) for name in ("ESIID", "meterNumber", "PUCTRORNumber")}
        )
    if not meters:
        raise RestError("4001", "customerMeterList needs at least one customerMeter")
    payload = build_payload(
        [("trans_id", rest.trans_id)]
        + [
            (name, read_text(request, name, required=name != "customerLanguagePreference"))
            for name in ("retailCustomerEmail", "agreementDuration", "customerLanguagePreference")
        ],
        [("customerMeterList", "customerMeter", meters)],
    )
    if not read_text(request, "agreementDuration").isdigit():
        raise RestError("4002", "agreementDuration must be a whole number of months")
    answer = answer_new_agreement(rest.with_operation("newAgreement"), payload, rest.backend)
    return 200, _flat(answer, {})


def _agreement_esiids(rest: RestCall) -> JsonAnswer:
    payload = build_payload(
        [
            ("trans_id", rest.trans_id),
            ("agreementNumber", read_text(rest.request, "agreementNumber")),
        ]
    )
    call = rest.with_operation("agreementESIIDs")
    answer = answer_agreement_esiids(call, payload, rest.backend)
    return 200, _flat(answer, {"AgreementESIIDList": "AgreementESIIDLList"})


def _terminate_agreement(rest: RestCall) -> JsonAnswer:
    agreements = []
    for index, item in enumerate(read_list(rest.request, "agreementList")):
        if not isinstance(item, dict):
            raise RestError("4002", f"agreementList[{index}] must be an object")
        agreements.append(
            {name: read_text(item, name) for name in ("agreementNumber", "retailCustomerEmail")}
        )
    if not agreements:
        raise RestError("4001", "agreementList needs at least one agreement")
    payload = build_payload(
        [("trans_id", rest.trans_id)], [("agreementList", "agreement", agreements)]
    )
    call = rest.with_operation("terminateAgreement")
    answer = _flat(answer_terminate_agreement(call, payload, rest.backend), {})
    for name in ("terminateInitiatedList", "agreementFaultList"):
        for entry in answer.get(name, []):
            entry["agreementNumber"] = _number(entry["agreementNumber"])
            if "statusReason" in entry and name == "agreementFaultList":
                entry["reason"] = entry.pop("statusReason")  # AgreementFault's REST name
    return 200, answer


def _my_agreements(rest: RestCall) -> JsonAnswer:
    request = rest.request
    number = read_text(request, "agreementNumber", required=False)
    status = read_text(request, "statusReason", required=False).upper()
    if status and status not in ("PEN", "ACT", "COM", "NACOM"):
        raise RestError("4002", "statusReason must be PEN, ACT, COM or NACOM")
    payload = build_payload(
        [("trans_id", rest.trans_id), ("agreementNumber", number), ("statusReason", status)]
    )
    try:
        answer = answer_my_agreements(rest.with_operation("myAgreements"), payload, rest.backend)
    except SoapFault:  # no agreement matches: JSON can say so with an empty list
        return 200, {
            "trans_id": rest.trans_id,
            "statusCode": "0000",
            "statusReason": "Success",
            "agreementStatusList": [],
        }
    converted = _flat(answer, {})
    for entry in converted["agreementStatusList"]:
        entry["agreementNumber"] = _number(entry["agreementNumber"])
    return 200, converted


def _flat(root: etree._Element, rename: Mapping[str, str]) -> dict[str, Any]:
    """A SOAP answer as JSON: fields as strings, each list as an array of records."""
    answer: dict[str, Any] = {}
    for child in root.iterchildren("*"):
        tag = etree.QName(child).localname
        name = rename.get(tag, tag)
        if len(child):
            answer[name] = [convert_record(item) for item in child.iterchildren("*")]
        else:
            answer[name] = child.text
    return answer


def _number(text: Any) -> Any:
    return int(text) if isinstance(text, str) and text.isdigit() else text


ACCOUNT_FUNCTIONS = {
    "NewSubscription": _new_subscription,
    "UnSubscription": _unsubscription,
    "Mysubscriptions": _my_subscriptions,
    "NewAgreement": _new_agreement,
    "AgreementESIIDs": _agreement_esiids,
    "Terminateagreement": _terminate_agreement,
    "myagreements": _my_agreements,
}
STATEFUL = frozenset({"NewSubscription", "UnSubscription", "NewAgreement", "Terminateagreement"})
