"""``/greenbutton/`` (3.1.1.4): one ESIID's interval (I), daily (D) or monthly (M) data as a
Green Button (NAESB ESPI) Atom feed, synchronously; with a deliveryMode, acknowledged
like the other asynchronous requests ("The report will be delivered through FTP").

The feed holds a UsagePoint, its LocalTimeParameters (US Central), a ReadingType and one
IntervalBlock per day (interval, daily) or one for the billing periods (monthly); values
are watt-hours. ``schemas/espi/espi-subset.xsd`` describes exactly what is emitted.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from typing import Any

from lxml import etree

from adapter.mock.backend import NOT_VISIBLE
from adapter.mock.energy import acknowledge
from adapter.mock.intervals import CHICAGO, list_slot_hours
from adapter.mock.records import parse_slot
from adapter.mock.rest_calls import JsonAnswer, RestCall, RestError, build_payload, read_text

__all__ = ["ATOM", "ESPI", "answer_green_button"]

ATOM = "http://www.w3.org/2005/Atom"
ESPI = "http://naesb.org/espi"
_A, _E = f"{{{ATOM}}}", f"{{{ESPI}}}"
_OPERATIONS = {
    "I": "processIntervalEnergyData",
    "D": "processDailyRegisteredReads",
    "M": "processMonthlyBillingInformation",
}


def answer_green_button(rest: RestCall) -> JsonAnswer | bytes:
    request = rest.request
    esiid = read_text(request, "ESIID")
    kind = read_text(request, "reportType").upper()[:1]
    if kind not in _OPERATIONS:
        raise RestError("4002", "reportType must be I (interval), D (daily) or M (monthly)")
    reading_type = read_text(request, "readingType").upper()
    if reading_type not in ("C", "G"):
        raise RestError("4002", "readingType must be C or G")
    start, end = _date(request, "startDate"), _date(request, "endDate")
    mode = read_text(request, "deliveryMode", required=False).upper()
    point = rest.backend.visible_point(rest.account, esiid)
    if mode or point is None:
        payload = build_payload([("trans_id", rest.trans_id), ("deliveryMode", mode or None)])
        ack = acknowledge(
            rest.with_operation(_OPERATIONS[kind]),
            rest.backend,
            payload,
            esiids=[esiid],
            faults=[] if point else [(esiid, NOT_VISIBLE)],
            fault_word="faultESIIDs",
        )
        answer: dict[str, Any] = {
            "trans_id": ack.trans_id,
            "correlationId": ack.correlation_id,
            "statusCode": ack.status_code,
            "statusReason": ack.status_reason.replace("The CSV report", "The report"),
        }
        if ack.faults:
            answer["faultESIIDs"] = [{"esiid": e, "reason": r} for e, r in ack.faults]
        return 200, answer
    last = min(end, rest.backend.today() - timedelta(days=1))
    if start > end or start > last:
        raise RestError("4005", f"no data from {start:%m/%d/%Y}: available up to {last:%m/%d/%Y}")
    if (last - start).days >= 400:
        raise RestError("4005", "a Green Button answer covers at most 400 days")
    return build_feed(rest, esiid, kind, reading_type, start, last)


def build_feed(
    rest: RestCall, esiid: str, kind: str, reading_type: str, start: date, end: date
) -> bytes:
    data = rest.backend.data
    updated = rest.call.now.astimezone().isoformat(timespec="seconds")
    feed = etree.Element(_A + "feed", nsmap={None: ATOM, "espi": ESPI})
    _add(feed, _A + "id", f"urn:smt-mock:{esiid}:{kind}:{start:%Y%m%d}:{end:%Y%m%d}")
    _add(feed, _A + "title", f"Green Button data of ESIID {esiid}")
    _add(feed, _A + "updated", updated)
    base = f"/espi/1_1/resource/Subscription/{esiid}/UsagePoint/1"
    usage_point = _entry(feed, base, f"ESIID {esiid}", updated)
    category = _add(_add(usage_point, _E + "UsagePoint"), _E + "ServiceCategory")
    _add(category, _E + "kind", "0")  # electricity
    local = _add(
        _entry(feed, "/espi/1_1/resource/LocalTimeParameters/1", "US Central", updated),
        _E + "LocalTimeParameters",
    )
    for name, text in (
        ("dstEndRule", "B40E2000"),
        ("dstOffset", "3600"),
        ("dstStartRule", "360E2000"),
        ("tzOffset", "-21600"),
    ):
        _add(local, _E + name, text)
    seconds = {"I": 900, "D": 86_400, "M": 0}[kind]
    reading = _add(
        _entry(
            feed,
            f"{base}/MeterReading/1/ReadingType/1",
            "Energy Delivered" if reading_type == "C" else "Energy Received",
            updated,
        ),
        _E + "ReadingType",
    )
    fields: tuple[tuple[str, str | None], ...] = (
        ("accumulationBehaviour", "4"),
        ("commodity", "1"),
        ("dataQualifier", "12"),
        ("flowDirection", "1" if reading_type == "C" else "19"),
        ("intervalLength", str(seconds) if seconds else None),
        ("kind", "12"),
        ("powerOfTenMultiplier", "0"),
        ("timeAttribute", "0"),
        ("uom", "72"),
    )
    for name, value in fields:
        if value is not None:
            _add(reading, _E + name, value)
    blocks: list[tuple[int, int, list[tuple[int, int, int, bool]]]] = []
    if kind == "I":
        for row in data.interval_days(esiid, start, end, reading_type):
            blocks.append(_day_block(row.day, row.slots))
    elif kind == "D":
        readings = [
            (_epoch(r.read_date), _day_seconds(r.read_date), int(r.kwh * 1000), True)
            for r in data.register_reads(esiid, start, end)
        ]
        blocks.append((readings[0][0], sum(r[1] for r in readings), readings))
    else:
        periods = data.billing_periods(esiid, start, end)
        readings = [
            (_epoch(p.start), _epoch(p.end) - _epoch(p.start), p.actual_kwh * 1000, True)
            for p in periods
        ]
        if readings:
            blocks.append((readings[0][0], sum(r[1] for r in readings), readings))
    for number, (block_start, duration, readings) in enumerate(blocks, 1):
        block = _add(
            _entry(
                feed,
                f"{base}/MeterReading/1/IntervalBlock/{number}",
                f"IntervalBlock {number}",
                updated,
            ),
            _E + "IntervalBlock",
        )
        _period(block, _E + "interval", duration, block_start)
        for begin, length, wh, actual in readings:
            item = _add(block, _E + "IntervalReading")
            _add(_add(item, _E + "ReadingQuality"), _E + "quality", "0" if actual else "14")
            _period(item, _E + "timePeriod", length, begin)
            _add(item, _E + "value", str(wh))
    return bytes(etree.tostring(feed, xml_declaration=True, encoding="UTF-8"))


def _day_block(
    day: date, slots: tuple[str, ...]
) -> tuple[int, int, list[tuple[int, int, int, bool]]]:
    """One day's slots as (start epoch, 900 s, Wh, actual), the repeated hour included."""
    readings: list[tuple[int, int, int, bool]] = []
    for hour, text in zip(list_slot_hours(day), slots, strict=True):
        parsed = parse_slot(text)
        if hour is None or parsed is None:
            continue
        wh, flag = parsed
        minutes = round(hour * 60)
        local = datetime.combine(day, time(minutes // 60, minutes % 60), CHICAGO)
        repeated = len(readings) >= 4 and readings[-4][0] == _instant(local)
        moment = _instant(local.replace(fold=1)) if repeated else _instant(local)
        readings.append((moment, 900, wh, flag == "A"))
    return _epoch(day), _day_seconds(day), readings


def _instant(local: datetime) -> int:
    return int(local.timestamp())


def _epoch(day: date) -> int:
    return _instant(datetime.combine(day, time(), CHICAGO))


def _day_seconds(day: date) -> int:
    return _epoch(day + timedelta(days=1)) - _epoch(day)


def _entry(feed: etree._Element, href: str, title: str, updated: str) -> etree._Element:
    entry = _add(feed, _A + "entry")
    _add(entry, _A + "id", f"urn:smt-mock{href.replace('/', ':')}")
    link = _add(entry, _A + "link")
    link.set("rel", "self")
    link.set("href", href)
    _add(entry, _A + "title", title)
    content = _add(entry, _A + "content")
    _add(entry, _A + "published", updated)
    _add(entry, _A + "updated", updated)
    return content


def _period(parent: etree._Element, tag: str, duration: int, start: int) -> None:
    period = _add(parent, tag)
    _add(period, _E + "duration", str(duration))
    _add(period, _E + "start", str(start))


def _add(parent: etree._Element, name: str, text: str | None = None) -> etree._Element:
    child = etree.SubElement(parent, name)
    if text is not None:
        child.text = text
    return child


def _date(request: Mapping[str, Any], name: str) -> date:
    text = read_text(request, name)
    month, _, rest = text.partition("/")
    day, _, year = rest.partition("/")
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        raise RestError("4002", f"{name}: {text!r} is not a date in MM/DD/YYYY") from None
