"""EnergyData (3.2.1.1): 15-minute interval data, daily register reads and monthly
billing reads, answered synchronously or acknowledged for later delivery.

A request without a deliveryMode is answered synchronously: one payload per ESIID, the
wrapper repeating it (ERRATA I-06). A request with a deliveryMode is acknowledged with a
new correlation ID, for delivery later. So is a synchronous request naming an ESIID the
requestor may not see, since only the acknowledgement can list faults; its report goes
by the guide's default deliveryMode: FTP for REP, CSP, TDSP and REG, EML for RES and
BUSINESS requesters.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, timedelta

from lxml import etree

from adapter.contract import Operation
from adapter.mock.backend import NOT_VISIBLE, Call, MockBackend
from adapter.mock.dataset import MAX_INTERVAL_DAYS, ServicePoint
from adapter.mock.payloads import (
    Acknowledgement,
    add,
    add_fields,
    build_acknowledgement,
    build_sync_root,
    read_all,
    read_optional,
    read_required,
)
from adapter.mock.soap import Payloads, SoapFault

__all__ = [
    "MAX_SYNC_ESIIDS",
    "acknowledge",
    "answer_energy_data",
    "builds_large_answer",
    "default_delivery_mode",
    "parse_smt_date",
    "synchronous_points",
]

MAX_SYNC_ESIIDS = 100  # the mock's caps on one synchronous answer, named in its faults
_MAX_SYNC_ESIID_DAYS = 10_000


def parse_smt_date(payload: etree._Element, name: str) -> date:
    text = read_required(payload, name)
    month, _, rest = text.partition("/")
    day, _, year = rest.partition("/")
    try:  # faster than strptime, which the mock would pay on every request
        return date(int(year), int(month), int(day))
    except ValueError:
        raise SoapFault(
            "Client", f"{name}: {text!r} is not a calendar date in MM/DD/YYYY"
        ) from None


def default_delivery_mode(requester_type: str) -> str:
    return "EML" if requester_type.upper() in ("RES", "BUSINESS") else "FTP"


def acknowledge(
    call: Call,
    backend: MockBackend,
    payload: etree._Element,
    *,
    esiids: Sequence[str],
    faults: Sequence[tuple[str, str]],
    fault_word: str,
) -> Acknowledgement:
    """Record an asynchronous request and say so, as SMT words it (3.2.1.1-3.2.1.3 and
    the REST acknowledgements of 3.1.1.5/3.1.1.6)."""
    trans_id = read_required(payload, "trans_id")
    mode = (
        read_optional(payload, "deliveryMode") or default_delivery_mode(call.account.requester_type)
    ).upper()
    report = (read_optional(payload, "reportFormat") or "CSV").upper()
    accepted = [e for e in esiids if e not in {f for f, _ in faults}]
    correlation_id = backend.state.record_request(
        owner=call.account.service_id,
        operation=call.operation.name,
        trans_id=trans_id,
        received=call.now,
        delivery_mode=mode,
        report_format=report,
        esiids=accepted,
        faults=[f for f, _ in faults],
    )
    if mode == "FTP" and backend.reports is not None:  # the report file, for SFTP/FTPS
        backend.reports.deliver_request(
            call, payload, correlation_id=correlation_id, esiids=accepted, report_format=report
        )
    delivery = f"The {report} report will be delivered through {mode}"
    if not faults:
        code, reason = "0000", f"Request has been submitted successfully. {delivery}"
    elif accepted:
        code = "0001"
        reason = (
            "Request submitted successfully for further processing with some "
            f"{fault_word}. {delivery}"
        )
    else:
        code, reason = (
            "0001",
            f"Request rejected: no ESIID of the request is visible ({fault_word})",
        )
    return Acknowledgement(
        trans_id=trans_id,
        correlation_id=correlation_id,
        status_code=code,
        status_reason=reason,
        faults=faults,
    )


def answer_energy_data(call: Call, payload: etree._Element, backend: MockBackend) -> Payloads:
    esiids = read_all(payload, "ESIIDList/ESIID")
    start, end = parse_smt_date(payload, "startDate"), parse_smt_date(payload, "endDate")
    if start > end:
        raise SoapFault(
            "Client",
            f"startDate {start:%m/%d/%Y} is after endDate {end:%m/%d/%Y}",
        )
    faults = [(e, NOT_VISIBLE) for e in esiids if backend.visible_point(call.account, e) is None]
    if read_optional(payload, "deliveryMode") is not None or faults:
        ack = acknowledge(
            call, backend, payload, esiids=esiids, faults=faults, fault_word="faultESIIDs"
        )
        return build_acknowledgement("Acknowledgement", ack, fault_list="faultESIIDList")
    points = synchronous_points(call, backend, esiids)
    last = min(end, backend.today() - timedelta(days=1))  # SMT has data up to yesterday
    if start > last:
        raise SoapFault(
            "Client",
            f"no {call.operation.name} data from {start:%m/%d/%Y}: data is available up to "
            f"{last:%m/%d/%Y}",
        )
    days = (last - start).days + 1
    if days > MAX_INTERVAL_DAYS or days * len(points) > _MAX_SYNC_ESIID_DAYS:
        raise SoapFault(
            "Client",
            f"{len(points)} ESIID(s) from startDate {start:%m/%d/%Y} to endDate {end:%m/%d/%Y}"
            f" is more than a synchronous answer carries (at most {MAX_INTERVAL_DAYS} days, "
            f"{_MAX_SYNC_ESIID_DAYS} ESIID-days); ask for less or use a deliveryMode",
        )
    build = _SYNC[call.operation.name]
    return [build(point, payload, start, last, backend) for point in points]


_LARGE_ANSWER_ROWS = 31  # ESIID-days: a month of one meter


def builds_large_answer(operation: Operation, payload: etree._Element) -> bool:
    """Whether answering takes long enough that other calls should not wait for it: a
    synchronous EnergyData request for more than a month of rows."""
    if operation.service != "EnergyData" or read_optional(payload, "deliveryMode"):
        return False
    try:
        days = (parse_smt_date(payload, "endDate") - parse_smt_date(payload, "startDate")).days
    except SoapFault:
        return False  # the handler says what is wrong, quickly
    return (days + 1) * len(read_all(payload, "ESIIDList/ESIID")) > _LARGE_ANSWER_ROWS


def synchronous_points(
    call: Call, backend: MockBackend, esiids: Sequence[str]
) -> list[ServicePoint]:
    """The visible service points a synchronous answer covers, in request order."""
    if len(esiids) > MAX_SYNC_ESIIDS:
        raise SoapFault(
            "Client",
            f"{len(esiids)} ESIIDs: a synchronous answer covers at most {MAX_SYNC_ESIIDS}; "
            "use a deliveryMode for more",
        )
    points = [backend.visible_point(call.account, esiid) for esiid in esiids]
    visible = [point for point in points if point is not None]
    if not visible:  # e.g. only blank ESIIDs: a wrapper needs at least one payload
        raise SoapFault("Client", "the request names no ESIID with a value")
    return visible


def _interval(
    point: ServicePoint, payload: etree._Element, start: date, end: date, backend: MockBackend
) -> etree._Element:
    reading_type = (read_optional(payload, "readingType") or "C").upper()
    root = build_sync_root("IntervalEnergyDataSyncResponse", payload, point.esiid)
    rows = add(root, "energyDataList")
    for day in backend.data.interval_days(point.esiid, start, end, reading_type):
        add_fields(
            rows,
            "energyData",
            (("DT", day.dt_text), ("RevTS", day.revision_text), ("RT", day.reading_type),
             ("RD", day.rd)),
        )  # fmt: skip
    if not len(rows):
        raise SoapFault("Client", f"ESIID {point.esiid} has no readingType {reading_type} data")
    return root


def _daily(
    point: ServicePoint, payload: etree._Element, start: date, end: date, backend: MockBackend
) -> etree._Element:
    root = build_sync_root("DailyRegisteredReadSyncResponse", payload, point.esiid)
    rows = add(root, "registeredReadList")
    for read in backend.data.register_reads(point.esiid, start, end):
        add_fields(
            rows,
            "registeredRead",
            (("readDate", read.read_date_text), ("revisionDate", read.revision_text),
             ("startReading", str(read.start_reading)), ("endReading", str(read.end_reading)),
             ("energyDataKwh", str(read.kwh))),
        )  # fmt: skip
    return root


def _monthly(
    point: ServicePoint, payload: etree._Element, start: date, end: date, backend: MockBackend
) -> etree._Element:
    root = build_sync_root("MonthlyBillingDataSyncResponse", payload, point.esiid)
    rows = add(root, "billingDataList")
    for period in backend.data.billing_periods(point.esiid, start, end):
        add_fields(
            rows,
            "billingData",
            (("startDate", period.start_text), ("endDate", period.end_text),
             ("revisionDate", period.revision_text), ("actualkWh", str(period.actual_kwh)),
             ("meteredKW", str(period.metered_kw)), ("billedKW", str(period.billed_kw)),
             ("meteredKVA", str(period.metered_kva)), ("billedKVA", str(period.billed_kva))),
        )  # fmt: skip
    if not len(rows):
        raise SoapFault(
            "Client",
            f"no billing period of ESIID {point.esiid} overlaps {start:%m/%d/%Y} to {end:%m/%d/%Y}",
        )
    return root


_SYNC: dict[
    str,
    Callable[[ServicePoint, etree._Element, date, date, MockBackend], etree._Element],
] = {
    "processIntervalEnergyData": _interval,
    "processDailyRegisteredReads": _daily,
    "processMonthlyBillingInformation": _monthly,
}
