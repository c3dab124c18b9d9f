"""Turning SMT's REST answers into the same records the SOAP side returns.

One entry point, ``parse_answer``, in the order data flows: the body must be JSON (or,
for a synchronous Green Button answer, XML); an ``{errorCode, errorMessage}`` or Table 4
``{"error": ...}`` body raises ``ServiceFaultError``; the answer is checked against the
bundled response schema (``MalformedResponseError`` with ``violations``); a failing
``statusCode`` raises ``ServiceFaultError``; then the records are built. SMT's quirks are
read both ways (ERRATA J-..). Pure: no transport.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from lxml import etree

from adapter.errors import MalformedResponseError, ServiceFaultError
from adapter.field_reader import build_billing_period, build_register_read
from adapter.records import (
    Acknowledgement,
    BillingPeriod,
    DailyReads,
    FaultEsiid,
    IntervalData,
    IntervalDay,
    MeterAttributes,
    MonthlyBilling,
    PremiseAttributes,
)
from adapter.rest.attributes import parse_meter_attributes, parse_premise_attributes
from adapter.rest.fields import JsonReader, check_status, fault_pairs, item_readers
from adapter.rest.functions import AnswerKind, RestFunction, find_function
from adapter.rest.receipts import (
    parse_agreement_esiids,
    parse_agreement_receipt,
    parse_agreements,
    parse_confirmation,
    parse_new_subscription,
    parse_subscriptions,
    parse_terminations,
)
from adapter.rest.schemas import iter_json_violations
from adapter.rest_records import (
    AdhocReportStatus,
    GreenButtonReport,
    OdrStatus,
    ReportStatus,
    SubscriptionReportStatus,
)
from adapter.xml.parsing import safe_parser

__all__ = ["RestAnswer", "parse_answer"]

RestAnswer = Any
"""What ``parse_answer`` returns: the SOAP side's ``Answer`` shapes (a tuple of
``IntervalData``/``DailyReads``/... per ESIID, an ``Acknowledgement``, a receipt, a tuple
of list items) plus ``GreenButtonReport``, ``OdrStatus`` and ``ReportStatus``."""

_JSON_TYPES = ("application/json", "text/json", "text/plain")
_XML_TYPES = ("text/xml", "application/xml", "application/atom+xml")
_MAX_BYTES = 64 * 1024 * 1024


def parse_answer(
    function: RestFunction | str, status: int, body: bytes, content_type: str | None
) -> RestAnswer:
    """The records in SMT's answer to ``function`` (HTTP ``status``, raw ``body``).

    Raises ``ServiceFaultError`` (``status``; ``status_code`` = SMT's errorCode or
    statusCode, ``status_reason``, ``fault_code`` = errorKey, ``fault_esiids`` as (esiid,
    reason) pairs) when SMT refused: an error body, or a statusCode outside
    ``SUCCESS_CODES`` (a 0001 acknowledgement that says "submitted successfully" is a
    partial success, ERRATA N-07; ``ODR_HOURLY_LIMIT_CODE`` 5031 comes this way too).
    Raises ``MalformedResponseError`` when the body is not JSON (nor the Green Button's
    XML), is too large, breaks the response schema (``violations``), holds a value that
    cannot be read, or comes with an HTTP error status without an error body."""
    found = function if isinstance(function, RestFunction) else find_function(function)
    name = found.name
    media = (content_type or "").partition(";")[0].strip().lower()
    if len(body) > _MAX_BYTES:
        raise MalformedResponseError(f"{name}: the answer is {len(body)} bytes", operation=name)
    if found.answer is AnswerKind.GREEN_BUTTON and (
        media in _XML_TYPES or body.lstrip().startswith(b"<")
    ):
        return _green_button(name, status, body, media)
    if media and media not in _JSON_TYPES and not media.endswith("+json"):
        raise MalformedResponseError(
            f"{name}: the answer is {media}, not JSON (HTTP {status})", operation=name
        )
    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise MalformedResponseError(
            f"{name}: the answer is not JSON (HTTP {status}): {exc}", operation=name
        ) from exc
    if isinstance(document, dict):
        _raise_error_body(name, status, document)
    if not 200 <= status < 300:
        raise MalformedResponseError(
            f"{name}: HTTP {status} came with an answer instead of an error body", operation=name
        )
    items = document if isinstance(document, list) else [document]
    if not items or not all(isinstance(item, dict) for item in items):
        raise MalformedResponseError(f"{name}: the answer is not a JSON object", operation=name)
    if found.asynchronous and "correlationId" in items[0] and not _has_data(items[0]):
        return _acknowledgement(name, _checked(name, "acknowledgement", items[0]))
    parse = _PARSERS.get(found.answer)
    if parse is None:  # odr, greenbutton: only an acknowledgement is JSON
        check_status(JsonReader(name, items[0]))
        raise MalformedResponseError(
            f"{name}: the answer is neither an acknowledgement nor an error", operation=name
        )
    return parse([_checked(name, name, item) for item in items])


def _checked(name: str, schema: str, document: dict[str, Any]) -> JsonReader:
    violations = list(iter_json_violations(f"{schema}.response", document, source=name))
    if violations:
        raise MalformedResponseError(
            f"{name}: the answer breaks the SMT contract: {violations[0].format()}",
            operation=name,
            violations=violations,
        )
    return JsonReader(name, document)


def _has_data(item: dict[str, Any]) -> bool:
    # meterInfo's synchronous answer carries a correlationId beside its MeterData
    return any(key in item for key in ("MeterData", "PremiseData", "energyData"))


def _raise_error_body(name: str, status: int, document: dict[str, Any]) -> None:
    if "errorCode" in document:
        _checked(name, "error", document)
        code, key = str(document["errorCode"]), document.get("errorKey")
        message = document.get("errorMessage")
        raise ServiceFaultError(
            f"{name}: SMT answered error {code} ({key or 'no key'}): {message or 'no message'}",
            operation=name,
            status=status,
            fault_code=key,
            fault_string=message,
            status_code=code,
            status_reason=message,
        )
    if set(document) == {"error"}:  # Table 4: authentication and server errors
        message = str(document["error"])
        raise ServiceFaultError(
            f"{name}: SMT answered HTTP {status}: {message}",
            operation=name,
            status=status,
            fault_string=message,
            status_reason=message,
        )


def _acknowledgement(name: str, reader: JsonReader) -> Acknowledgement:
    # faultESIIDs (premise, energy), faultESIIDMeters (meterInfo); keys in any case
    faults = fault_pairs(reader, "faultESIIDs", "esiid", "reason")
    faults += fault_pairs(reader, "faultESIIDMeters", "esiid", "reason")
    code, reason = reader.optional("statusCode"), reader.optional("statusReason")
    partial = code == "0001" and bool(faults) and "submitted successfully" in (reason or "").lower()
    if not partial:
        check_status(reader, faults)
    return Acknowledgement(
        trans_id=reader.text("trans_id"),
        correlation_id=reader.text("correlationId"),
        status_code=code,
        status_reason=reason,
        fault_esiids=tuple(FaultEsiid(esiid=e, reason=r) for e, r in faults),
    )


def _green_button(name: str, status: int, body: bytes, media: str) -> GreenButtonReport:
    if not 200 <= status < 300:
        raise MalformedResponseError(f"{name}: HTTP {status} came with XML", operation=name)
    try:
        root = etree.fromstring(body, safe_parser())
    except etree.XMLSyntaxError as exc:
        raise MalformedResponseError(
            f"{name}: the XML answer is not well-formed: {exc}", operation=name
        ) from exc
    if root.getroottree().docinfo.doctype:
        raise MalformedResponseError(f"{name}: the answer declares a DOCTYPE", operation=name)
    xml_type = media if media in _XML_TYPES else "application/xml"  # even if mislabelled
    return GreenButtonReport(trans_id=None, content_type=xml_type, xml=body)


def _interval(readers: list[JsonReader]) -> tuple[IntervalData, ...]:
    def one(r: JsonReader) -> IntervalData:
        esiid = r.text("esiid")
        days = tuple(
            IntervalDay(
                esiid=esiid,
                day=row.required_date("DT"),
                reading_type=row.text("RT"),
                revision=row.optional("RevTS"),
                rd=(row.optional("RD") or ""),
            )
            for row in item_readers(r, "energyData")
        )
        return IntervalData(trans_id=r.text("trans_id"), esiid=esiid, days=days)

    return tuple(one(r) for r in readers)


def _daily(readers: list[JsonReader]) -> tuple[DailyReads, ...]:
    return tuple(
        DailyReads(
            trans_id=r.text("trans_id"),
            esiid=r.text("esiid"),
            reads=tuple(build_register_read(row) for row in item_readers(r, "registeredReads")),
        )
        for r in readers
    )


def _monthly(readers: list[JsonReader]) -> tuple[MonthlyBilling, ...]:
    def period(row: JsonReader) -> BillingPeriod:
        kwh = "actualkWh" if row.optional("actualkWh") is not None else "actualeWh"  # J-04
        return build_billing_period(row, kwh_field=kwh)

    return tuple(
        MonthlyBilling(
            trans_id=r.text("trans_id"),
            esiid=r.text("esiid"),
            periods=tuple(period(row) for row in item_readers(r, "billingData")),
        )
        for r in readers
    )


def _meters(readers: list[JsonReader]) -> tuple[MeterAttributes, ...]:
    return tuple(
        parse_meter_attributes(r, d) for r in readers for d in item_readers(r, "MeterData")
    )


def _premises(readers: list[JsonReader]) -> tuple[PremiseAttributes, ...]:
    return tuple(
        parse_premise_attributes(r, d) for r in readers for d in item_readers(r, "PremiseData")
    )


def _odr_status(readers: list[JsonReader]) -> OdrStatus:
    r = readers[0]
    read = r.child("odrRead")
    value = None if read is None else read.raw("registeredRead")
    try:
        kwh = None if value in (None, "") else Decimal(str(value))
    except InvalidOperation:
        raise r.bad("odrRead/registeredRead", f"{value!r} is not a number") from None
    return OdrStatus(
        trans_id=r.optional("trans_id"),
        correlation_id=r.text("correlationId"),
        status_code=r.text("statusCode"),
        status_reason=r.optional("statusReason"),
        registered_read=kwh,
        read_at=None if read is None else read.optional_timestamp("readDate"),
    )


def _report_status(readers: list[JsonReader]) -> ReportStatus:
    r = readers[0]
    return ReportStatus(
        trans_id=r.optional("trans_id"),
        adhoc=tuple(
            AdhocReportStatus(
                correlation_id=i.text("correlationId"),
                report_type=i.optional("reportType"),
                requested=i.optional_timestamp("requestDate"),
                status=i.text("status"),
                status_code=i.optional("statusCode"),
                status_reason=i.optional("statusReason"),
            )
            for i in item_readers(r, "AdhocStatusResponse")
        ),
        subscriptions=tuple(
            SubscriptionReportStatus(
                subscription_id=i.text("subscriptionId"),
                report_type=i.optional("reportType"),
                frequency=i.optional("subscriptionFrequency"),
                subscription_type=i.optional("subscriptionType"),
                status=i.text("status"),
                last_report=i.optional("lastReportGenerationDate"),
                status_code=i.optional("statusCode"),
                status_reason=i.optional("statusReason"),
            )
            for i in item_readers(r, "SubscriptionStatusResponse")
        ),
    )


_PARSERS: dict[AnswerKind, Callable[[list[JsonReader]], RestAnswer]] = {
    AnswerKind.INTERVAL: _interval,
    AnswerKind.DAILY: _daily,
    AnswerKind.MONTHLY: _monthly,
    AnswerKind.METER: _meters,
    AnswerKind.PREMISE: _premises,
    AnswerKind.ODR_STATUS: _odr_status,
    AnswerKind.REPORT_STATUS: _report_status,
    AnswerKind.SUBSCRIPTION_RECEIPT: parse_new_subscription,
    AnswerKind.CONFIRMATION: parse_confirmation,
    AnswerKind.SUBSCRIPTIONS: parse_subscriptions,
    AnswerKind.AGREEMENT_RECEIPT: parse_agreement_receipt,
    AnswerKind.AGREEMENT_ESIIDS: parse_agreement_esiids,
    AnswerKind.TERMINATIONS: parse_terminations,
    AnswerKind.AGREEMENTS: parse_agreements,
}
