"""Subscription (3.2.1.4): new subscriptions, unsubscribing ESIIDs or whole
subscriptions, and the requestor's list. Subscriptions live for the life of the mock (or
of its SQLite file).

A new subscription is all or nothing: if any ESIID is refused, none is subscribed and the
answer lists why, as in the guide's example ("Subscription is already active:<esiid>").
"""

from __future__ import annotations

from lxml import etree

from adapter.mock.backend import NOT_VISIBLE, Call, MockBackend
from adapter.mock.payloads import add, add_fault_list, read_all, read_optional, read_required
from adapter.mock.records import format_date
from adapter.mock.soap import SoapFault

__all__ = ["answer_list_subscriptions", "answer_new_subscription", "answer_unsubscription"]


def answer_new_subscription(
    call: Call, payload: etree._Element, backend: MockBackend
) -> etree._Element:
    account = call.account
    esiids = read_all(payload, "ESIIDs/esiid") or [p.esiid for p in backend.points_of(account)]
    active = {
        esiid
        for subscription in backend.state.subscriptions_of(account.service_id)
        if subscription.status == "ACT"
        for esiid in subscription.esiids
    }
    faults = []
    for esiid in esiids:
        if backend.visible_point(account, esiid) is None:
            faults.append((esiid, NOT_VISIBLE))
        elif esiid in active:
            faults.append((esiid, f"Subscription is already active:{esiid}"))
    root = etree.Element("newSubscriptionResponse")
    add(root, "trans_id", read_required(payload, "trans_id"))
    if faults or not esiids:
        add(root, "statusCode", "0001")
        add(root, "statusReason", "Failure")
        add_fault_list(
            root, "customerESIIDFaultList", "customerESIIDFault", faults, reason_name="reasonCode"
        )
        return root
    number = backend.state.add_subscription(
        owner=account.service_id,
        started=call.now.replace(tzinfo=None, microsecond=0),
        subscription_type=read_required(payload, "subscriptionType"),
        report_format=read_required(payload, "reportFormat").upper(),
        delivery_mode=read_required(payload, "deliveryMode").upper(),
        data_type=read_required(payload, "dataType").upper(),
        frequency=read_optional(payload, "reportFrequency"),
        status="ACT",
        last_report=None,
        esiids=tuple(esiids),
    )
    root.insert(1, _element("subscriptionNumber", number))
    add(root, "statusCode", "0000")
    add(root, "statusReason", "Success")
    return root


def answer_unsubscription(
    call: Call, payload: etree._Element, backend: MockBackend
) -> etree._Element:
    number = read_required(payload, "subscriptionNumber")
    esiids = read_all(payload, "ESIIDs/esiid")
    subscription = backend.state.subscription(call.account.service_id, number)
    root = etree.Element("unSubscriptionResponse")
    add(root, "trans_id", read_required(payload, "trans_id"))
    if subscription is not None and subscription.status != "ACT":
        add(root, "statusCode", "0001")
        add(root, "statusReason", f"Subscription is not active:{number}")
        return root
    # An unknown number answers like the guide's example: none of its ESIIDs belongs.
    held = () if subscription is None else subscription.esiids
    faults = [
        (e, f"ESIID does not belong to this Subscription:{e}:{number}")
        for e in esiids
        if e not in held
    ]
    if subscription is None or faults:
        add(root, "statusCode", "0001")
        add(root, "statusReason", "Failure" if faults else f"No such subscription:{number}")
        add_fault_list(
            root,
            "unsubscriptionESIIDsFaultList",
            "unSubscriptionESIIDsFault",
            faults,
            reason_name="reasonCode",
        )
        return root
    remaining = tuple(e for e in subscription.esiids if e not in esiids) if esiids else ()
    backend.state.update_subscription(
        number, esiids=remaining or subscription.esiids, status="ACT" if remaining else "CAN"
    )
    add(root, "statusCode", "0000")
    add(root, "statusReason", "Success")
    return root


def answer_list_subscriptions(
    call: Call, payload: etree._Element, backend: MockBackend
) -> etree._Element:
    subscriptions = backend.state.subscriptions_of(call.account.service_id)
    if not subscriptions:
        # subscriptionList must hold at least one subscription (3.2.1.4): SMT cannot send
        # an empty list, so the mock says so in a fault.
        raise SoapFault("Client", f"requestorID {call.account.service_id} has no subscriptions")
    root = etree.Element("subscriptionResponse")
    add(root, "trans_id", read_required(payload, "trans_id"))
    add(root, "statusCode", "0000")
    add(root, "statusReason", "Success")
    listed = add(root, "subscriptionList")
    for subscription in subscriptions:
        item = add(listed, "subscription")
        add(item, "subscriptionNumber", subscription.number)
        add(item, "startDate", subscription.started.isoformat(timespec="seconds"))
        add(item, "reportformat", subscription.report_format)
        add(item, "deliveryType", subscription.delivery_mode)
        add(item, "dataType", subscription.data_type)
        add(item, "status", subscription.status)
        last = subscription.last_report
        add(item, "lastSuccessfulReportDate", None if last is None else format_date(last))
    return root


def _element(name: str, text: str) -> etree._Element:
    element = etree.Element(name)
    element.text = text
    return element
