"""Records of the Subscription service (3.2.1.4): subscribing ESIIDs to scheduled
reports, unsubscribing them, and listing subscriptions. Re-exported by ``adapter.records``.

Request records raise ``ConfigurationError`` on construction when a field breaks the XSD.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from adapter.record_rules import (
    DATA_TYPES,
    DELIVERY_MODES,
    FLAGS,
    HISTORICAL_DURATIONS,
    REPORT_FREQUENCIES,
    REQUESTER_TYPES,
    SUBSCRIPTION_REPORT_FORMATS,
    SUBSCRIPTION_TYPES,
    check_choice,
    check_esiids,
    check_requester,
    check_text,
    new_trans_id,
)

__all__ = [
    "Confirmation",
    "NewSubscriptionRequest",
    "Subscription",
    "SubscriptionListRequest",
    "SubscriptionReceipt",
    "UnsubscriptionRequest",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class NewSubscriptionRequest:
    """Subscribe ESIIDs (none: every ESIID of the requestor) to a scheduled report."""

    requestor_id: str
    requester_type: str
    subscription_type: str
    report_format: str
    data_type: str
    delivery_mode: str
    report_frequency: str | None = None
    historical_subscription_duration: int | None = None  # months
    esiids: tuple[str, ...] = ()
    requester_authentication_id: str | None = None
    terms_and_conditions: str = "Y"
    trans_id: str = field(default_factory=new_trans_id)

    def __post_init__(self) -> None:
        check_requester(
            requestor_id=self.requestor_id,
            requestor_max=32,
            authentication_id=self.requester_authentication_id,
            trans_id=self.trans_id,
        )
        check_choice("requester_type", self.requester_type, REQUESTER_TYPES)
        check_choice("subscription_type", self.subscription_type, SUBSCRIPTION_TYPES)
        if self.historical_subscription_duration is not None:
            check_choice(
                "historical_subscription_duration",
                self.historical_subscription_duration,
                HISTORICAL_DURATIONS,
            )
        check_choice("report_format", self.report_format, SUBSCRIPTION_REPORT_FORMATS)
        check_choice("data_type", self.data_type, DATA_TYPES)
        check_choice("delivery_mode", self.delivery_mode, DELIVERY_MODES)
        if self.report_frequency is not None:
            check_choice("report_frequency", self.report_frequency, REPORT_FREQUENCIES)
        check_esiids("esiids", self.esiids, required=False)
        check_choice("terms_and_conditions", self.terms_and_conditions, FLAGS)


@dataclass(frozen=True, slots=True, kw_only=True)
class UnsubscriptionRequest:
    """Unsubscribe ESIIDs from a subscription (no ESIIDs: end the whole subscription)."""

    requestor_id: str
    subscription_number: str
    esiids: tuple[str, ...] = ()
    requester_authentication_id: str | None = None
    terms_and_conditions: str = "Y"
    trans_id: str = field(default_factory=new_trans_id)

    def __post_init__(self) -> None:
        check_requester(
            requestor_id=self.requestor_id,
            requestor_max=32,
            authentication_id=self.requester_authentication_id,
            trans_id=self.trans_id,
        )
        check_text("subscription_number", self.subscription_number, max_length=32)
        check_esiids("esiids", self.esiids, required=False)
        check_choice("terms_and_conditions", self.terms_and_conditions, FLAGS)


@dataclass(frozen=True, slots=True, kw_only=True)
class SubscriptionListRequest:
    """List the requestor's subscriptions."""

    requestor_id: str
    requester_authentication_id: str | None = None
    terms_and_conditions: str = "Y"
    trans_id: str = field(default_factory=new_trans_id)

    def __post_init__(self) -> None:
        check_requester(
            requestor_id=self.requestor_id,
            requestor_max=32,
            authentication_id=self.requester_authentication_id,
            trans_id=self.trans_id,
        )
        check_choice("terms_and_conditions", self.terms_and_conditions, FLAGS)


@dataclass(frozen=True, slots=True, kw_only=True)
class SubscriptionReceipt:
    """SMT created a subscription: its number (None if SMT left it out)."""

    trans_id: str | None
    subscription_number: str | None
    status_code: str
    status_reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Confirmation:
    """A successful answer that carries only its status (e.g. unSubscription)."""

    trans_id: str | None
    status_code: str
    status_reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Subscription:
    """One subscription of the list. ``report_format``, ``delivery_type``, ``data_type``
    and ``status`` are SMT's codes as sent (e.g. ``MON``, ``ACT``); ``started`` is SMT's
    ``startDate`` timestamp (no zone), ``last_report`` None until a report went out."""

    subscription_number: str | None
    started: datetime | None
    report_format: str
    delivery_type: str
    data_type: str
    status: str
    last_report: date | None
