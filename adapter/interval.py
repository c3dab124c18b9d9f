"""Decoding SMT 15-minute interval data into ``IntervalReading`` records (DST-aware).

SMT sends a day of one ESIID as an ``RD`` string of 100 comma-separated slots in
America/Chicago wall-clock time (DESIGN.md, "Interval data facts")::

    slots 0-7    00:00-02:00
    slots 8-11   the repeated 01:00-02:00 hour: filled only on the day DST ends
    slots 12-99  02:00-24:00; 12-15 (02:00-03:00) stay empty on the day DST starts

so a day has 96 readings, 92 when DST starts and 100 when it ends. Any other shape is an
error naming the ESIID and the date (``ReadingError``), never a silent drop: that includes
the guide's own SOAP example, whose RD has 99 slots (schemas/ERRATA.md, E-20).

The same days arrive as SOAP ``energyData`` (``adapter.soap.interval_stream``), as REST
JSON (``iter_rest_days``) and as SMT's interval CSV report (``iter_csv_days``); all three
become ``IntervalDay`` records and go through the one decoder here.
"""

from __future__ import annotations

import csv
import functools
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import cast
from zoneinfo import ZoneInfo

from adapter.errors import ReadingError
from adapter.records import IntervalDay

__all__ = [
    "CHICAGO",
    "IntervalReading",
    "decode_day",
    "decode_days",
    "decode_interval_csv",
    "decode_rest_rows",
    "iter_csv_days",
    "iter_rest_days",
    "parse_revision",
    "parse_smt_date",
]

CHICAGO = ZoneInfo("America/Chicago")
SLOT_COUNT = 100
_KWH = re.compile(r"(?:\d+(?:\.\d*)?|\.\d+)\Z")
# fmt: off
_CSV_COLUMNS = ("ESIID", "USAGE_DATE", "REVISION_DATE", "USAGE_START_TIME", "USAGE_END_TIME",
                "USAGE_KWH", "ESTIMATED_ACTUAL", "CONSUMPTION_SURPLUSGENERATION")
# fmt: on
_CSV_DIRECTIONS = {"consumption": "C", "c": "C", "surplus generation": "G", "g": "G"}


@dataclass(frozen=True, slots=True, kw_only=True)
class IntervalReading:
    """One 15-minute reading. ``start_utc`` is an aware UTC instant, ``start_local`` the
    same instant in America/Chicago (``fold=1`` for the second pass of the repeated hour);
    ``kwh`` is exactly SMT's text; ``quality`` A (actual) or E (estimated); ``direction``
    C (consumption) or G (surplus generation); ``revised`` SMT's revision time (aware,
    Central) or None when SMT gave none."""

    esiid: str
    start_utc: datetime
    start_local: datetime
    kwh: Decimal
    quality: str
    direction: str
    revised: datetime | None


@dataclass(frozen=True, slots=True)
class _DayTable:
    """Where a day's readings stand in its RD: which slot ranges must be filled and which
    empty, and the start instants of the filled slots (shared by every ESIID's day)."""

    kind: str  # "normal", "DST start", "DST end"
    filled: tuple[tuple[int, int], ...]
    empty: tuple[tuple[int, int], ...]
    starts_utc: tuple[datetime, ...]
    starts_local: tuple[datetime, ...]


def _utc_offset(day: date) -> timedelta:
    offset = datetime.combine(day, time(), CHICAGO).utcoffset()
    assert offset is not None  # a ZoneInfo always knows its offset
    return offset


# A DUNS answer repeats the same days for every ESIID: one table per day serves them all.
# 800 days (~9 MB of datetimes) cover the two years SMT keeps.
@functools.lru_cache(maxsize=800)
def _day_table(day: date) -> _DayTable:
    filled: tuple[tuple[int, int], ...]
    empty: tuple[tuple[int, int], ...]
    change = _utc_offset(day + timedelta(days=1)) - _utc_offset(day)
    if change > timedelta(0):
        kind, filled, empty = "DST start", ((0, 8), (16, 100)), ((8, 16),)
    elif change < timedelta(0):
        kind, filled, empty = "DST end", ((0, 100),), ()
    else:
        kind, filled, empty = "normal", ((0, 8), (12, 100)), ((8, 12),)
    local: list[datetime] = []
    for first, stop in filled:
        for slot in range(first, stop):
            if slot < 8:
                hour, quarter, fold = (*divmod(slot, 4), 0)
            elif slot < 12:  # the repeated 01:00 hour, second pass (standard time)
                hour, quarter, fold = 1, slot - 8, 1
            else:
                hour, quarter, fold = 2 + (slot - 12) // 4, slot % 4, 0
            local.append(datetime.combine(day, time(hour, quarter * 15, fold=fold), CHICAGO))
    return _DayTable(
        kind=kind,
        filled=filled,
        empty=empty,
        starts_utc=tuple(moment.astimezone(UTC) for moment in local),
        starts_local=tuple(local),
    )


# Slot text -> (kWh, flag). SMT's values repeat endlessly (a few thousand distinct texts),
# so each is parsed and checked once; Decimal(text) keeps the value exactly as sent.
_SLOTS: dict[str, tuple[Decimal, str]] = {}
_SLOT_CACHE_LIMIT = 200_000


def _parse_slot(text: str, esiid: str, day: date, slot: int) -> tuple[Decimal, str]:
    value, dash, flag = text.rpartition("-")
    if not dash or flag not in ("A", "E") or not _KWH.match(value):
        raise _error(
            esiid, day, f"slot {slot} holds {text!r}, not '<kWh>-<A or E>' (e.g. '.221-A')"
        )
    parsed = (Decimal(value), flag)
    if len(_SLOTS) >= _SLOT_CACHE_LIMIT:
        _SLOTS.clear()
    _SLOTS[text] = parsed
    return parsed


def _error(esiid: str, day: date | str, reason: str) -> ReadingError:
    iso = day.isoformat() if isinstance(day, date) else day
    where = " ".join(part for part in (f"ESIID {esiid}" if esiid else "", iso) if part)
    return ReadingError(
        f"{where or 'interval data'}: {reason}", esiid=esiid, day=iso, reason=reason
    )


_new = object.__new__
_set = tuple(
    IntervalReading.__dict__[name].__set__
    for name in ("esiid", "start_utc", "start_local", "kwh", "quality", "direction", "revised")
)


def decode_day(day: IntervalDay) -> list[IntervalReading]:
    """The readings of one ESIID-day, in time order: 96, 92 on the day DST starts, 100 on
    the day it ends.

    Raises ``ReadingError`` (naming the ESIID and the date) when the RD does not hold 100
    slots, when a slot that must be empty that day holds a value (the repeated hour on
    another day, 02:00-03:00 on the day DST starts) or one that must be filled is empty,
    when a value is not ``<kWh>-<A or E>``, when RT is not C or G, or when RevTS is not
    ``MM/DD/YYYY HH:MM:SS``."""
    esiid, when = day.esiid, day.day
    if day.reading_type not in ("C", "G"):
        raise _error(esiid, when, f"RT is {day.reading_type!r}; SMT sends C or G")
    revised = parse_revision(day.revision, esiid=esiid, day=when)
    slots = day.rd.strip().split(",")
    if len(slots) != SLOT_COUNT:
        raise _error(
            esiid, when, f"RD holds {len(slots)} slots; SMT's RD always holds {SLOT_COUNT}"
        )
    table = _day_table(when)
    for first, stop in table.empty:
        if any(slots[first:stop]):
            slot = next(i for i in range(first, stop) if slots[i])
            raise _error(
                esiid,
                when,
                f"slot {slot} holds {slots[slot]!r} but must be empty on a "
                f"{table.kind} day (96 readings normally, 92 when DST starts, 100 when it ends)",
            )
    texts = slots if len(table.filled) == 1 else [t for a, b in table.filled for t in slots[a:b]]
    parsed = list(map(_SLOTS.get, texts))
    if None in parsed:
        slot_of = [i for a, b in table.filled for i in range(a, b)]
        for n, text in enumerate(texts):
            if parsed[n] is None:
                if not text:
                    raise _error(
                        esiid,
                        when,
                        f"slot {slot_of[n]} is empty but must hold a value on a {table.kind} day",
                    )
                parsed[n] = _SLOTS.get(text) or _parse_slot(text, esiid, when, slot_of[n])
    # Readings are built through the slot descriptors: every field was checked above, and
    # the keyword __init__ of a frozen dataclass would double the cost of a day.
    s_esiid, s_utc, s_local, s_kwh, s_quality, s_direction, s_revised = _set
    direction, readings = day.reading_type, list[IntervalReading]()
    values = cast(list[tuple[Decimal, str]], parsed)
    for utc, local, (kwh, flag) in zip(table.starts_utc, table.starts_local, values, strict=True):
        reading = _new(IntervalReading)
        s_esiid(reading, esiid)
        s_utc(reading, utc)
        s_local(reading, local)
        s_kwh(reading, kwh)
        s_quality(reading, flag)
        s_direction(reading, direction)
        s_revised(reading, revised)
        readings.append(reading)
    return readings


def decode_days(days: Iterable[IntervalDay]) -> Iterator[IntervalReading]:
    """The readings of every day, day by day (see ``decode_day`` for when it raises)."""
    return (reading for day in days for reading in decode_day(day))


@functools.lru_cache(maxsize=4096)
def parse_smt_date(text: str) -> date:
    """A date from SMT's ``MM/DD/YYYY`` (one-digit month and day allowed, as the REST
    pattern does). Raises ``ValueError`` for anything else."""
    month, day, year = text.strip().split("/")
    if len(year) != 4 or not (0 < len(month) <= 2 and 0 < len(day) <= 2):
        raise ValueError(f"{text!r} is not MM/DD/YYYY")
    return date(int(year), int(month), int(day))


def parse_revision(text: str | None, *, esiid: str = "", day: date | str = "") -> datetime | None:
    """SMT's revision time ``MM/DD/YYYY HH:MM:SS`` (Central time) as an aware datetime; None
    when SMT left it empty. Raises ``ReadingError`` naming ``esiid`` and ``day`` otherwise."""
    if text is None or not text.strip():
        return None
    try:
        return _parse_revision(text.strip())
    except ValueError:
        raise _error(esiid, day, f"revision time {text!r} is not MM/DD/YYYY HH:MM:SS") from None


@functools.lru_cache(maxsize=4096)
def _parse_revision(text: str) -> datetime:
    when, _, clock = text.partition(" ")
    hour, minute, second = clock.split(":")
    moment = time(int(hour), int(minute), int(second))
    # In the repeated hour of a DST-end night the first pass (fold=0) is taken.
    return datetime.combine(parse_smt_date(when), moment, CHICAGO)


def iter_rest_days(rows: Iterable[Mapping[str, object]]) -> Iterator[IntervalDay]:
    """The days of REST ``/15minintervalreads/`` answers (guide 3.1.1.1). Each row is either
    an answer ``{"trans_id", "esiid", "energyData": [{"DT", "RevTS", "RT", "RD"}, ...]}``
    or one energyData entry that also carries ``esiid``.

    Raises ``ReadingError`` when a field is missing or not text, or DT is not a date."""
    for row in rows:
        esiid = row.get("esiid")
        if not isinstance(esiid, str) or not esiid:
            raise _error("", "", f"a REST row has no esiid text: keys {sorted(row)}")
        entries = row.get("energyData", [row])
        if not isinstance(entries, list):
            raise _error(esiid, "", "energyData is not a list")
        for entry in entries:
            if not isinstance(entry, Mapping):
                raise _error(esiid, "", f"an energyData entry is not an object: {entry!r}")
            yield _rest_day(esiid, entry)


def _rest_day(esiid: str, entry: Mapping[str, object]) -> IntervalDay:
    fields = {}
    for name in ("DT", "RevTS", "RT", "RD"):
        value = entry.get(name)
        if not isinstance(value, str) and not (name == "RevTS" and value is None):
            raise _error(
                esiid, str(entry.get("DT", "")), f"energyData {name} is missing or not text"
            )
        fields[name] = value
    dt = str(fields["DT"])
    try:
        day = parse_smt_date(dt)
    except ValueError:
        raise _error(esiid, dt, f"DT {dt!r} is not MM/DD/YYYY") from None
    revision = fields["RevTS"]
    return IntervalDay(
        esiid=esiid,
        day=day,
        reading_type=str(fields["RT"]),
        revision=revision if isinstance(revision, str) else None,
        rd=str(fields["RD"]),
    )


def decode_rest_rows(rows: Iterable[Mapping[str, object]]) -> Iterator[IntervalReading]:
    """The readings of REST answers (see ``iter_rest_days`` and ``decode_day``)."""
    return decode_days(iter_rest_days(rows))


def iter_csv_days(lines: Iterable[str]) -> Iterator[IntervalDay]:
    """The days of SMT's interval CSV report (a text stream or lines), columns ``ESIID,
    USAGE_DATE, REVISION_DATE, USAGE_START_TIME, USAGE_END_TIME, USAGE_KWH,
    ESTIMATED_ACTUAL, CONSUMPTION_SURPLUSGENERATION``, one row per 15 minutes.

    Each ESIID-day is rebuilt as a 100-slot RD and checked like any other: the repeated
    01:00 hour of the DST-end day (100 rows) goes to slots 8-11 on its second pass; rows
    without a kWh value (the 02:00-03:00 rows of the DST-start day) and blank lines are
    skipped. SMT writes the ESIID behind an apostrophe (a spreadsheet guard), dropped here.
    Rows of one day must come together; C and G rows may interleave. Raises
    ``ReadingError`` for a missing column, an unknown direction, a time that is not a
    quarter hour, a day's rows split apart, and for days ``decode_day`` rejects."""
    reader = csv.reader(lines)
    columns: dict[str, int] | None = None
    open_days: dict[tuple[str, str, str], _CsvDay] = {}
    done: set[tuple[str, str, str]] = set()  # the finished days of the current ESIID
    current = ""
    for row in reader:
        cells = [cell.strip() for cell in row]
        if not any(cells):
            continue
        if columns is None:
            columns = _csv_columns(cells)
            continue
        esiid, usage_date, revision, start, _end, kwh, flag, kind = (
            cells[columns[name]] if columns[name] < len(cells) else "" for name in _CSV_COLUMNS
        )
        esiid = esiid.lstrip("'")
        if not kwh and not start:
            continue  # a placeholder row for a wall-clock time that did not happen
        direction = _CSV_DIRECTIONS.get(kind.lower())
        if direction is None:
            raise _error(esiid, usage_date, f"CONSUMPTION_SURPLUSGENERATION {kind!r} is unknown")
        key = (esiid, usage_date, direction)
        if key not in open_days:
            if key in done:
                raise _error(esiid, usage_date, "the rows of this day are not together")
            # A new day of this direction ends its previous day; a new ESIID ends them all.
            for other in [k for k in open_days if k[0] != esiid or k[2] == direction]:
                done.add(other)
                yield open_days.pop(other).finish()
            if esiid != current:
                done.clear()
                current = esiid
            open_days[key] = _CsvDay(esiid, usage_date, direction, revision)
        open_days[key].add(start, f"{kwh}-{flag}" if kwh else "")
    if columns is None:
        raise _error("", "", "the CSV is empty: no header row")
    for day in open_days.values():
        yield day.finish()


def _csv_columns(header: list[str]) -> dict[str, int]:
    names = {name.upper(): n for n, name in enumerate(header)}
    missing = [name for name in _CSV_COLUMNS if name not in names]
    if missing:
        raise _error("", "", f"the CSV header lacks {', '.join(missing)}; got {header}")
    return {name: names[name] for name in _CSV_COLUMNS}


class _CsvDay:
    """The rows of one ESIID-day and direction, placed in RD slots."""

    def __init__(self, esiid: str, usage_date: str, direction: str, revision: str) -> None:
        self.esiid, self.usage_date, self.direction = esiid, usage_date, direction
        self.revision = revision or None
        self.slots = [""] * SLOT_COUNT
        self.seen: set[int] = set()

    def add(self, start: str, text: str) -> None:
        try:
            hour, minute = (int(part) for part in start.split(":"))
        except ValueError:
            raise _error(self.esiid, self.usage_date, f"USAGE_START_TIME {start!r}") from None
        if minute % 15 or not 0 <= minute < 60 or not 0 <= hour < 24:
            raise _error(self.esiid, self.usage_date, f"{start} is not a quarter hour")
        slot = hour * 4 + minute // 15 if hour < 2 else 12 + (hour - 2) * 4 + minute // 15
        if hour == 1 and slot in self.seen:
            slot += 4  # the second pass of the repeated 01:00 hour
        if slot in self.seen:
            raise _error(self.esiid, self.usage_date, f"a second row for {start}")
        self.seen.add(slot)
        self.slots[slot] = text

    def finish(self) -> IntervalDay:
        try:
            day = parse_smt_date(self.usage_date)
        except ValueError:
            raise _error(self.esiid, self.usage_date, "USAGE_DATE is not MM/DD/YYYY") from None
        return IntervalDay(
            esiid=self.esiid,
            day=day,
            reading_type=self.direction,
            revision=self.revision,
            rd=",".join(self.slots),
        )


def decode_interval_csv(lines: Iterable[str]) -> Iterator[IntervalReading]:
    """The readings of SMT's interval CSV (see ``iter_csv_days`` and ``decode_day``)."""
    return decode_days(iter_csv_days(lines))
