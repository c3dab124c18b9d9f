"""Records only the REST functions need (section 3.1): Green Button requests and answers,
on-demand reads (ODR) and their status, and the report-status poll.

Request records raise ``ConfigurationError`` on construction when a field breaks the
guide's field tables (section 3.1.1.4, 3.1.1.7 to 3.1.1.9), naming the field and value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from adapter.record_rules import (
    DELIVERY_MODES,
    FLAGS,
    REQUESTER_TYPES,
    check_choice,
    check_date_order,
    check_esiid,
    check_requester,
    check_text,
    new_trans_id,
)

__all__ = [
    "GREEN_BUTTON_READING_TYPES",
    "GREEN_BUTTON_REPORT_TYPES",
    "ODR_HOURLY_LIMIT_CODE",
    "ODR_STATUSES",
    "REPORT_SERVICE_TYPES",
    "AdhocReportStatus",
    "GreenButtonReport",
    "GreenButtonRequest",
    "OdrStatus",
    "OdrStatusRequest",
    "OnDemandReadRequest",
    "ReportStatus",
    "ReportStatusRequest",
    "SubscriptionReportStatus",
]

GREEN_BUTTON_REPORT_TYPES = frozenset({"I", "D", "M", "i", "d", "m"})
"""Green Button ``reportType``: I interval, D daily, M monthly (the examples' letters)."""
GREEN_BUTTON_READING_TYPES = frozenset({"C", "G", "c", "g"})
ODR_STATUSES = frozenset({"PEN", "COMPLETED", "FAILED", "T-FAILED"})
"""The ``statusCode`` values of an on-demand read's status (3.1.1.8): pending, read,
failed, failed at the TDU."""
ODR_HOURLY_LIMIT_CODE = "5031"
"""SMT's code for "too many on-demand reads for this ESIID this hour"."""
REPORT_SERVICE_TYPES = frozenset({"ADHOC", "SUBSCRIPTION"})
"""``serviceType`` of a report-status poll: only ADHOC is printed (ERRATA J-13)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class GreenButtonRequest:
    """Green Button data for one ESIID (``/greenbutton/``): ``report_type`` I, D or M.
    Without ``delivery_mode`` SMT answers with the Green Button XML at once."""

    requestor_id: str
    requester_type: str
    esiid: str
    start_date: date
    end_date: date
    report_type: str
    reading_type: str = "C"
    delivery_mode: str | None = None
    requester_authentication_id: str | None = None
    terms_and_conditions: str = "Y"
    trans_id: str = field(default_factory=new_trans_id)

    def __post_init__(self) -> None:
        check_requester(
            requestor_id=self.requestor_id,
            requestor_max=100,
            authentication_id=self.requester_authentication_id,
            trans_id=self.trans_id,
        )
        check_choice("requester_type", self.requester_type, REQUESTER_TYPES)
        check_esiid("esiid", self.esiid)
        check_date_order(self.start_date, self.end_date)
        check_choice("report_type", self.report_type, GREEN_BUTTON_REPORT_TYPES)
        check_choice("reading_type", self.reading_type, GREEN_BUTTON_READING_TYPES)
        if self.delivery_mode is not None:
            check_choice("delivery_mode", self.delivery_mode, DELIVERY_MODES)
        check_choice("terms_and_conditions", self.terms_and_conditions, FLAGS)


@dataclass(frozen=True, slots=True, kw_only=True)
class GreenButtonReport:
    """A synchronous Green Button answer: the ESPI XML document as SMT sent it (parsing
    it is the report parsers' job)."""

    trans_id: str | None
    content_type: str
    xml: bytes = field(repr=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class OnDemandReadRequest:
    """Ask the TDU to read one meter now (``/odr/``); never re-sent blindly (quota)."""

    requestor_id: str
    requester_type: str
    esiid: str
    delivery_mode: str = "API"
    meter_number: str | None = None
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
        check_esiid("esiid", self.esiid)
        check_choice("delivery_mode", self.delivery_mode, DELIVERY_MODES)
        if self.meter_number is not None:
            check_text("meter_number", self.meter_number, max_length=30)
        check_choice("terms_and_conditions", self.terms_and_conditions, FLAGS)


@dataclass(frozen=True, slots=True, kw_only=True)
class OdrStatusRequest:
    """Poll the status of an on-demand read by the ``correlation_id`` SMT acknowledged."""

    requestor_id: str
    correlation_id: str
    terms_and_conditions: str = "Y"
    trans_id: str = field(default_factory=new_trans_id)

    def __post_init__(self) -> None:
        check_requester(
            requestor_id=self.requestor_id,
            requestor_max=32,
            authentication_id=None,
            trans_id=self.trans_id,
        )
        check_text("correlation_id", self.correlation_id, max_length=64)
        check_choice("terms_and_conditions", self.terms_and_conditions, FLAGS)


@dataclass(frozen=True, slots=True, kw_only=True)
class OdrStatus:
    """Where an on-demand read stands: ``status_code`` one of ``ODR_STATUSES`` (as SMT
    sent it); ``registered_read`` (kWh) is None until the read is COMPLETED."""

    trans_id: str | None
    correlation_id: str
    status_code: str
    status_reason: str | None
    registered_read: Decimal | None
    read_at: datetime | None


@dataclass(frozen=True, slots=True, kw_only=True)
class ReportStatusRequest:
    """Poll the status of an ad-hoc report (or a subscription) by ``correlation_id``."""

    requestor_id: str
    correlation_id: str
    service_type: str | None = "ADHOC"
    terms_and_conditions: str = "Y"
    trans_id: str = field(default_factory=new_trans_id)

    def __post_init__(self) -> None:
        check_requester(
            requestor_id=self.requestor_id,
            requestor_max=100,
            authentication_id=None,
            trans_id=self.trans_id,
        )
        check_text("correlation_id", self.correlation_id, max_length=64)
        if self.service_type is not None:
            check_choice("service_type", self.service_type, REPORT_SERVICE_TYPES)
        check_choice("terms_and_conditions", self.terms_and_conditions, FLAGS)


@dataclass(frozen=True, slots=True, kw_only=True)
class AdhocReportStatus:
    """One ad-hoc report's status (``status`` as SMT wrote it, e.g. ``SUBMITTED``)."""

    correlation_id: str
    report_type: str | None
    requested: datetime | None
    status: str
    status_code: str | None = None
    status_reason: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class SubscriptionReportStatus:
    """One subscription's report status; ``last_report`` is SMT's text as sent."""

    subscription_id: str
    report_type: str | None
    frequency: str | None
    subscription_type: str | None
    status: str
    last_report: str | None = None
    status_code: str | None = None
    status_reason: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ReportStatus:
    """The answer of ``/reportrequeststatus/``: ad-hoc and subscription statuses."""

    trans_id: str | None
    adhoc: tuple[AdhocReportStatus, ...] = ()
    subscriptions: tuple[SubscriptionReportStatus, ...] = ()
