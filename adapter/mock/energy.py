"""EnergyData (3.2.1.1): 15-minute interval data, daily register reads and monthly
billing reads, answered synchronously or acknowledged for later delivery.

A request is answered synchronously when it names no deliveryMode and exactly one ESIID
that the requestor may see; otherwise it is acknowledged with a new correlation ID and
delivered (later) through the deliveryMode, which defaults as the guide says: FTP for
REP, CSP, TDSP and REG requesters, EML for RES and BUSINESS ones.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, timedelta

from lxml import etree

from adapter.mock.backend import NOT_VISIBLE, Call, MockBackend
from adapter.mock.dataset import ServicePoint
from adapter.mock.payloads import (
    Acknowledgement,
    add,
    build_acknowledgement,
    read_all,
    read_optional,
    read_required,
)
from adapter.mock.soap import SoapFault

__all__ = ["acknowledge", "answer_energy_data", "default_delivery_mode", "parse_smt_date"]

_MAX_DAYS = 366  # the mock's cap on one synchronous request, named in its fault


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


def answer_energy_data(call: Call, payload: etree._Element, backend: MockBackend) -> etree._Element:
    esiids = read_all(payload, "ESIIDList/ESIID")
    start, end = parse_smt_date(payload, "startDate"), parse_smt_date(payload, "endDate")
    if start > end:
        raise SoapFault(
            "Client",
            f"startDate {start:%m/%d/%Y} is after endDate {end:%m/%d/%Y}",
        )
    faults = [(e, NOT_VISIBLE) for e in esiids if backend.visible_point(call.account, e) is None]
    synchronous = read_optional(payload, "deliveryMode") is None and len(esiids) == 1
    if not synchronous or faults:
        ack = acknowledge(
            call, backend, payload, esiids=esiids, faults=faults, fault_word="faultESIIDs"
        )
        return build_acknowledgement("Acknowledgement", ack, fault_list="faultESIIDList")
    point = backend.visible_point(call.account, esiids[0])
    assert point is not None  # no faults: the one ESIID is visible
    last = min(end, backend.today() - timedelta(days=1))  # SMT has data up to yesterday
    if start > last:
        raise SoapFault(
            "Client",
            f"no {call.operation.name} data for ESIID {point.esiid} from {start:%m/%d/%Y}: "
            f"data is available up to {last:%m/%d/%Y}",
        )
    if (last - start).days >= _MAX_DAYS:
        raise SoapFault(
            "Client",
            f"startDate {start:%m/%d/%Y} to endDate {end:%m/%d/%Y} spans more than "
            f"{_MAX_DAYS} days; ask for a shorter range or use a deliveryMode",
        )
    build = _SYNC[call.operation.name]
    return build(point, payload, start, last, backend)


def _interval(
    point: ServicePoint, payload: etree._Element, start: date, end: date, backend: MockBackend
) -> etree._Element:
    reading_type = (read_optional(payload, "readingType") or "C").upper()
    root = _sync_root("IntervalEnergyDataSyncResponse", payload, point)
    rows = add(root, "energyDataList")
    for day in backend.data.interval_days(point.esiid, start, end, reading_type):
        row = add(rows, "energyData")
        add(row, "DT", day.dt_text)
        add(row, "RevTS", day.revision_text)
        add(row, "RT", day.reading_type)
        add(row, "RD", day.rd)
    if not len(rows):
        raise SoapFault("Client", f"ESIID {point.esiid} has no readingType {reading_type} data")
    return root


def _daily(
    point: ServicePoint, payload: etree._Element, start: date, end: date, backend: MockBackend
) -> etree._Element:
    root = _sync_root("DailyRegisteredReadSyncResponse", payload, point)
    rows = add(root, "registeredReadList")
    for read in backend.data.register_reads(point.esiid, start, end):
        row = add(rows, "registeredRead")
        add(row, "readDate", f"{read.read_date:%m/%d/%Y}")
        add(row, "revisionDate", f"{read.revision:%m/%d/%Y %H:%M:%S}")
        add(row, "startReading", str(read.start_reading))
        add(row, "endReading", str(read.end_reading))
        add(row, "energyDataKwh", str(read.kwh))
    return root


def _monthly(
    point: ServicePoint, payload: etree._Element, start: date, end: date, backend: MockBackend
) -> etree._Element:
    root = _sync_root("MonthlyBillingDataSyncResponse", payload, point)
    rows = add(root, "billingDataList")
    for period in backend.data.billing_periods(point.esiid, start, end):
        row = add(rows, "billingData")
        add(row, "startDate", f"{period.start:%m/%d/%Y}")
        add(row, "endDate", f"{period.end:%m/%d/%Y}")
        add(row, "revisionDate", f"{period.revision:%m/%d/%Y %H:%M:%S}")
        for name, value in (
            ("actualkWh", period.actual_kwh),
            ("meteredKW", period.metered_kw),
            ("billedKW", period.billed_kw),
            ("meteredKVA", period.metered_kva),
            ("billedKVA", period.billed_kva),
        ):
            add(row, name, str(value))
    if not len(rows):
        raise SoapFault(
            "Client",
            f"no billing period of ESIID {point.esiid} overlaps {start:%m/%d/%Y} to {end:%m/%d/%Y}",
        )
    return root


def _sync_root(name: str, payload: etree._Element, point: ServicePoint) -> etree._Element:
    root = etree.Element(name)
    add(root, "trans_id", read_required(payload, "trans_id"))
    add(root, "esiid", point.esiid)
    return root


_SYNC: dict[
    str,
    Callable[[ServicePoint, etree._Element, date, date, MockBackend], etree._Element],
] = {
    "processIntervalEnergyData": _interval,
    "processDailyRegisteredReads": _daily,
    "processMonthlyBillingInformation": _monthly,
}
