"""What the mock's report files hold: the mock's own synchronous answers (the payloads a
SOAP or REST call without a deliveryMode gets, ESIID by ESIID), read back into records by
the client's SOAP parsers and written in SMT's file layouts (``adapter.reports.layouts``).

Formats: CSV (the default) for every kind; LSE for interval data; XML for interval,
daily and monthly data: the SOAP payloads themselves, inside
``<SMTReport operation=".." reportId="..">`` (inferred: the guide shows no XML report).
An ESIID whose answer is a fault (e.g. no data yet for the period) is left out.
"""

from __future__ import annotations

import copy
import io
import logging
from collections.abc import Callable, Sequence
from datetime import date, timedelta

from lxml import etree

from adapter.mock.attributes import answer_meter_information, answer_premise_information
from adapter.mock.backend import Call, MockBackend
from adapter.mock.config import Account
from adapter.mock.energy import answer_energy_data
from adapter.mock.payloads import add
from adapter.mock.records import format_date
from adapter.mock.soap import Payloads, SoapFault
from adapter.records import IntervalDay
from adapter.reports.layouts import (
    write_daily_csv,
    write_interval_csv,
    write_lse,
    write_meter_csv,
    write_monthly_csv,
    write_premise_csv,
)
from adapter.soap.payloads import (
    PayloadReader,
    parse_daily_reads,
    parse_interval_data,
    parse_meter_attributes,
    parse_monthly_billing,
    parse_premise_attributes,
)

__all__ = ["REPORT_KINDS", "build_lse_day", "build_report", "build_request"]

log = logging.getLogger("adapter.mock.reports")

# operation -> the report kind of adapter.reports.names
REPORT_KINDS = {
    "processIntervalEnergyData": "interval",
    "processDailyRegisteredReads": "daily",
    "processMonthlyBillingInformation": "monthly",
    "prosessMeterInformation": "meter",
    "processPremiseInformation": "premise",
}
_HANDLERS: dict[str, Callable[[Call, etree._Element, MockBackend], Payloads]] = {
    "processIntervalEnergyData": answer_energy_data,
    "processDailyRegisteredReads": answer_energy_data,
    "processMonthlyBillingInformation": answer_energy_data,
    "prosessMeterInformation": answer_meter_information,
    "processPremiseInformation": answer_premise_information,
}
_DROPPED = ("deliveryMode", "reportFormat", "ESIIDList", "ESIIDMeterList")


def build_request(
    account: Account, esiids: Sequence[str], start: date, end: date, *, reading_type: str = "C"
) -> etree._Element:
    """An EnergyData request payload (for a subscription's run)."""
    payload = etree.Element("EnergyDataRequest")
    for name, text in (
        ("trans_id", "subscription"),
        ("requestorID", account.service_id),
        ("requesterType", account.requester_type),
        ("startDate", format_date(start)),
        ("endDate", format_date(end)),
        ("readingType", reading_type),
    ):
        add(payload, name, text)
    listed = add(payload, "ESIIDList")
    for esiid in esiids:
        add(listed, "ESIID", esiid)
    return payload


def build_report(
    call: Call,
    backend: MockBackend,
    request: etree._Element,
    esiids: Sequence[str],
    *,
    report_format: str,
    report_id: str,
) -> bytes:
    """The report of ``request`` (an asynchronous request's payload) for ``esiids``, in
    ``report_format`` (CSV, LSE or XML, one the kind comes in).

    Raises ``MalformedResponseError`` or ``ReadingError`` if the mock's own answer cannot
    be written (a bug of the mock, never the caller's)."""
    operation = call.operation.name
    answers = _answers(call, backend, request, esiids)
    if report_format == "XML":
        root = etree.Element("SMTReport", operation=operation, reportId=report_id)
        root.extend(answers)
        return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
    readers = [PayloadReader(operation, answer) for answer in answers]
    text = io.StringIO(newline="")
    kind = REPORT_KINDS[operation]
    if kind == "interval":
        days = [day for reader in readers for day in parse_interval_data(reader).days]
        if report_format == "LSE":
            write_lse(days, text, duns=call.account.duns)
        else:
            write_interval_csv(days, text)
    elif kind == "daily":
        write_daily_csv([parse_daily_reads(r) for r in readers], text)
    elif kind == "monthly":
        write_monthly_csv([parse_monthly_billing(r) for r in readers], text)
    elif kind == "meter":
        write_meter_csv([parse_meter_attributes(r) for r in readers], text)
    else:
        write_premise_csv([parse_premise_attributes(r) for r in readers], text)
    return text.getvalue().encode("utf-8")


def build_lse_day(backend: MockBackend, account: Account, day: date) -> bytes:
    """The day's LSE file of a REP of record: every ESIID of ``account``, consumption and
    surplus generation, as the interval answers carry them."""
    days: list[IntervalDay] = []
    for point in backend.points_of(account):
        for row in backend.data.interval_days(point.esiid, day, day, "A"):
            days.append(
                IntervalDay(
                    esiid=row.esiid,
                    day=row.day,
                    reading_type=row.reading_type,
                    revision=row.revision_text,
                    rd=row.rd,
                )
            )
    text = io.StringIO(newline="")
    write_lse(days, text, duns=account.duns)
    return text.getvalue().encode("utf-8")


def _answers(
    call: Call, backend: MockBackend, request: etree._Element, esiids: Sequence[str]
) -> list[etree._Element]:
    operation = call.operation.name
    handler = _HANDLERS[operation]
    answers: list[etree._Element] = []
    for esiid in esiids:  # one at a time: a synchronous answer covers at most 100 ESIIDs
        payload = copy.deepcopy(request)
        for element in [e for e in payload if e.tag in _DROPPED]:
            payload.remove(element)
        if operation == "prosessMeterInformation":
            add(add(add(payload, "ESIIDMeterList"), "ESIIDMeter"), "esiid", esiid)
        else:
            add(add(payload, "ESIIDList"), "ESIID", esiid)
        if (
            REPORT_KINDS[operation] not in ("meter", "premise")
            and payload.find("startDate") is None
        ):
            yesterday = format_date(backend.today() - timedelta(days=1))  # Green Button's
            add(payload, "startDate", yesterday)
            add(payload, "endDate", yesterday)
        try:
            answer = handler(call, payload, backend)
        except SoapFault as fault:
            log.info("report of %s: ESIID %s left out: %s", operation, esiid, fault.text)
            continue
        answers.extend(answer if isinstance(answer, list) else [answer])
    return answers
