"""Decoding SMT's RD strings: one checked ``DayReadings`` (columns) per ESIID-day, and
``IntervalReading`` records built from it only when asked for.

SMT sends a day of one ESIID as an ``RD`` string of 100 comma-separated slots in
America/Chicago wall-clock time (DESIGN.md, "Interval data facts")::

    slots 0-7    00:00-02:00
    slots 8-11   the repeated 01:00-02:00 hour: filled only on the day DST ends
    slots 12-99  02:00-24:00; 12-15 (02:00-03:00) stay empty on the day DST starts

so a day has 96 readings, 92 when DST starts and 100 when it ends. Any other shape is an
error naming the ESIID and the date (``ReadingError``), never a silent drop.

A day is checked whole, not value by value: its RD is split once, the slots that must be
empty that day (always a run from slot 8) are compared as one slice, and the filled slots
are looked up together in a table of slot texts already proven well-formed, which also
holds each one's kWh as an integer count of thousandths, so the day's exact total is one
``sum``. SMT's values repeat endlessly (a few thousand distinct texts), so the table is
small. A day with a text not yet in the table, or with anything wrong, goes through the
slot-by-slot check, which adds its good texts to the table or names the first bad slot.
Instants and ``Decimal`` values are built only when readings are materialised; the
instants of a date are built once and shared by every ESIID's day.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import MAX_PREC, Context, Decimal, Inexact
from zoneinfo import ZoneInfo

from adapter.errors import ReadingError
from adapter.records import IntervalDay

__all__ = [
    "CHICAGO",
    "SLOT_COUNT",
    "DayReadings",
    "IntervalReading",
    "decode_day",
    "decode_day_columns",
    "decode_days",
    "decode_fields",
    "iter_day_readings",
    "parse_revision",
    "parse_smt_date",
]

CHICAGO = ZoneInfo("America/Chicago")
SLOT_COUNT = 100
_KWH = re.compile(r"(?:\d+(?:\.\d*)?|\.\d+)\Z")
_SCALE = 3  # the table counts thousandths of a kWh: SMT writes at most three decimals
_TABLE_LIMIT = 200_000  # texts per table; a table that grows past it starts again
_SHAPES = "(96 readings normally, 92 when DST starts, 100 when it ends)"
_EXACT = Context(prec=MAX_PREC, traps=[Inexact])  # scaling a total never rounds


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


@dataclass(frozen=True, slots=True, kw_only=True)
class DayReadings:
    """The checked readings of one ESIID-day, as columns; made by ``decode_day_columns``.

    ``rd`` is the day's RD text as SMT sent it (already checked); ``slots`` its filled slot
    texts (``.221-A``) in time order: 96, 92 on the day DST starts, 100 on the day it ends.
    ``total_units`` is the day's exact kWh total in units of ``10**-scale`` kWh. Iterating
    (or ``readings()``) builds the ``IntervalReading`` records one by one; ``len()`` is
    their count."""

    esiid: str
    day: date
    direction: str  # C consumption, G surplus generation
    revision: str | None  # SMT's RevTS text (checked), None when SMT gave none
    rd: str
    total_units: int
    scale: int

    @property
    def revised(self) -> datetime | None:
        """SMT's revision time (aware, Central) or None when SMT gave none."""
        return parse_revision(self.revision)

    def __len__(self) -> int:
        return SLOT_COUNT + 8 - (_SHAPES_BY_DAY.get(self.day) or _day_shape(self.day))[1]

    def __iter__(self) -> Iterator[IntervalReading]:
        return self.readings()

    def total_kwh(self) -> Decimal:
        """The day's kWh total, exact (with ``scale`` decimals)."""
        return Decimal(self.total_units).scaleb(-self.scale, _EXACT)

    @property
    def kind(self) -> str:
        """``normal``, ``DST start`` or ``DST end``."""
        return _day_shape(self.day)[0]

    @property
    def slots(self) -> tuple[str, ...]:
        """The filled slot texts as sent (``.221-A``), in time order."""
        texts = self.rd.split(",")
        del texts[8 : _day_shape(self.day)[1]]
        return tuple(texts)

    @property
    def kwh_texts(self) -> tuple[str, ...]:
        """The kWh value texts as sent (``.221``), in time order."""
        return tuple(text[:-2] for text in self.slots)

    @property
    def flags(self) -> str:
        """One A (actual) or E (estimated) per reading, in time order."""
        return "".join(text[-1] for text in self.slots)

    @property
    def starts_utc(self) -> tuple[datetime, ...]:
        """The start of each reading, aware UTC (shared by every ESIID's day)."""
        return _day_starts(self.day)[0]

    @property
    def starts_local(self) -> tuple[datetime, ...]:
        """The start of each reading in America/Chicago wall-clock time (``fold=1`` for
        the second pass of the repeated hour)."""
        return _day_starts(self.day)[1]

    def readings(self) -> Iterator[IntervalReading]:
        """The ``IntervalReading`` records of the day, built when iteration starts (one
        day's worth at a time, never kept by the record)."""
        yield from _build_readings(self)


# Records are built through their slot descriptors: every field was checked when the day
# was decoded, and the keyword __init__ of a frozen dataclass would double the cost.
_new = object.__new__
_SET = tuple(
    IntervalReading.__dict__[name].__set__
    for name in ("esiid", "start_utc", "start_local", "kwh", "quality", "direction", "revised")
)
_SET_DAY = tuple(
    DayReadings.__dict__[name].__set__
    for name in ("esiid", "day", "direction", "revision", "rd", "total_units", "scale")
)

# Slot text -> kWh in thousandths, for well-formed texts of at most three decimals only;
# slot text -> Decimal (exactly the text) for materialised readings.
_THOUSANDTHS: dict[str, int] = {}
_DECIMALS: dict[str, Decimal] = {}


def _decimal(text: str) -> Decimal:
    if len(_DECIMALS) >= _TABLE_LIMIT:
        _DECIMALS.clear()
    value = _DECIMALS[text] = Decimal(text[:-2])
    return value


def _build_readings(day: DayReadings) -> list[IntervalReading]:
    starts_utc, starts_local = _day_starts(day.day)
    esiid, direction, revised = day.esiid, day.direction, day.revised
    kwh_of = _DECIMALS.get
    set_esiid, set_utc, set_local, set_kwh, set_quality, set_direction, set_revised = _SET
    readings = []
    for utc, local, text in zip(starts_utc, starts_local, day.slots, strict=True):
        reading = _new(IntervalReading)
        set_esiid(reading, esiid)
        set_utc(reading, utc)
        set_local(reading, local)
        set_kwh(reading, kwh_of(text) or _decimal(text))
        set_quality(reading, text[-1])
        set_direction(reading, direction)
        set_revised(reading, revised)
        readings.append(reading)
    return readings


def _utc_offset(day: date) -> timedelta:
    offset = datetime.combine(day, time(), CHICAGO).utcoffset()
    assert offset is not None  # a ZoneInfo always knows its offset
    return offset


_SHAPES_BY_DAY: dict[date, tuple[str, int, list[str]]] = {}


def _day_shape(day: date) -> tuple[str, int, list[str]]:
    """The day's kind, and the end of its run of empty slots (from slot 8) with that run."""
    shape = _SHAPES_BY_DAY.get(day)
    if shape is None:
        change = _utc_offset(day + timedelta(days=1)) - _utc_offset(day)
        if change > timedelta(0):
            shape = "DST start", 16, [""] * 8
        elif change < timedelta(0):
            shape = "DST end", 8, []
        else:
            shape = "normal", 12, [""] * 4
        if len(_SHAPES_BY_DAY) >= 4096:
            _SHAPES_BY_DAY.clear()
        _SHAPES_BY_DAY[day] = shape
    return shape


# A DUNS answer repeats the same days for every ESIID: one pair of columns per day serves
# them all. 800 days (~9 MB of datetimes) cover the two years SMT keeps.
@functools.lru_cache(maxsize=800)
def _day_starts(day: date) -> tuple[tuple[datetime, ...], tuple[datetime, ...]]:
    stop = _day_shape(day)[1]
    local: list[datetime] = []
    for slot in [*range(8), *range(stop, SLOT_COUNT)]:
        if slot < 8:
            hour, quarter, fold = slot // 4, slot % 4, 0
        elif slot < 12:  # the repeated 01:00 hour, second pass (standard time)
            hour, quarter, fold = 1, slot - 8, 1
        else:
            hour, quarter, fold = 2 + (slot - 12) // 4, slot % 4, 0
        local.append(datetime.combine(day, time(hour, quarter * 15, fold=fold), CHICAGO))
    return tuple(moment.astimezone(UTC) for moment in local), tuple(local)


def reading_error(esiid: str, day: date | str, reason: str) -> ReadingError:
    """A ``ReadingError`` naming the ESIID and the day (either may be unknown: '')."""
    iso = day.isoformat() if isinstance(day, date) else day
    where = " ".join(part for part in (f"ESIID {esiid}" if esiid else "", iso) if part)
    return ReadingError(
        f"{where or 'interval data'}: {reason}", esiid=esiid, day=iso, reason=reason
    )


def decode_day_columns(day: IntervalDay) -> DayReadings:
    """Check one ESIID-day whole and return its readings as columns (see
    ``decode_fields``, which raises the same errors)."""
    return decode_fields(day.esiid, day.day, day.reading_type, day.revision, day.rd)


def decode_fields(
    esiid: str, when: date, direction: str, revision: str | None, rd: str
) -> DayReadings:
    """``decode_day_columns`` for a day's fields as read (a streamed answer skips the
    ``IntervalDay``). Raises ``ReadingError`` (naming the ESIID and the date) when the RD
    does not hold 100 slots, when a slot that must be empty that day holds a value (the
    repeated hour on another day, 02:00-03:00 on the day DST starts) or one that must be
    filled is empty, when a value is not ``<kWh>-<A or E>`` (kWh digits with at most one
    point, so never negative), when RT is not C or G, or RevTS not ``MM/DD/YYYY HH:MM:SS``."""
    if direction not in ("C", "G"):
        raise reading_error(esiid, when, f"RT is {direction!r}; SMT sends C or G")
    if revision is not None:
        revision = _check_revision(revision, esiid, when)
    rd = rd.strip()
    slots = rd.split(",")
    if len(slots) != SLOT_COUNT:
        raise reading_error(
            esiid, when, f"RD holds {len(slots)} slots; SMT's RD always holds {SLOT_COUNT}"
        )
    kind, stop, empty = _SHAPES_BY_DAY.get(when) or _day_shape(when)
    if slots[8:stop] != empty:
        slot = next(n for n in range(8, stop) if slots[n])
        raise reading_error(
            esiid,
            when,
            f"slot {slot} holds {slots[slot]!r} but must be empty on a {kind} day {_SHAPES}",
        )
    del slots[8:stop]  # the filled slots remain, in time order
    try:
        # One lookup per slot, all in C: an empty or unknown text raises KeyError.
        units, scale = sum(map(_THOUSANDTHS.__getitem__, slots)), _SCALE
    except KeyError:
        units, scale = _check_slots(slots, stop, kind, esiid, when)
    record = _new(DayReadings)
    set_esiid, set_day, set_direction, set_revision, set_rd, set_units, set_scale = _SET_DAY
    set_esiid(record, esiid)
    set_day(record, when)
    set_direction(record, direction)
    set_revision(record, revision)
    set_rd(record, rd)
    set_units(record, units)
    set_scale(record, scale)
    return record


def _check_slots(texts: list[str], stop: int, kind: str, esiid: str, when: date) -> tuple[int, int]:
    """The exact total (units, scale) of a day's filled slot texts, the ones not yet in the
    table checked one by one (and added to it); raises ``ReadingError`` for the first empty
    or malformed slot."""
    table = _THOUSANDTHS
    if len(table) >= _TABLE_LIMIT:
        table.clear()
    finer = False  # a value with more than three decimals: the total needs more
    for n, text in enumerate(texts):
        if text in table:
            continue
        slot = n if n < 8 else n + stop - 8
        if not text:
            raise reading_error(
                esiid, when, f"slot {slot} is empty but must hold a value on a {kind} day"
            )
        value, dash, flag = text.rpartition("-")
        if not dash or flag not in ("A", "E") or not _KWH.match(value):
            raise reading_error(
                esiid, when, f"slot {slot} holds {text!r}, not '<kWh>-<A or E>' (e.g. '.221-A')"
            )
        if len(value.partition(".")[2]) > _SCALE:
            finer = True
        else:
            table[text] = _scaled(value, _SCALE)
    if not finer:
        return sum(map(table.__getitem__, texts)), _SCALE
    values = [text[:-2] for text in texts]
    scale = max(len(value.partition(".")[2]) for value in values)
    return sum(_scaled(value, scale) for value in values), scale


def _scaled(value: str, scale: int) -> int:
    """A checked kWh text as a count of ``10**-scale`` kWh (it has at most ``scale``
    decimals)."""
    whole, _, fraction = value.partition(".")
    return int(whole + fraction.ljust(scale, "0"))


def iter_day_readings(days: Iterable[IntervalDay]) -> Iterator[DayReadings]:
    """``decode_day_columns`` of every day, day by day."""
    return map(decode_day_columns, days)


def decode_day(day: IntervalDay) -> list[IntervalReading]:
    """The readings of one ESIID-day, in time order (see ``decode_day_columns`` for the
    checks and when it raises)."""
    return _build_readings(decode_day_columns(day))


def decode_days(days: Iterable[IntervalDay]) -> Iterator[IntervalReading]:
    """The readings of every day, day by day (see ``decode_day_columns`` for when it
    raises)."""
    return (reading for day in days for reading in _build_readings(decode_day_columns(day)))


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
    # Revision times rarely repeat, their dates and clock times do: each half is cached.
    when, _, clock = text.strip().partition(" ")
    try:
        # In the repeated hour of a DST-end night the first pass (fold=0) is taken.
        return datetime.combine(parse_smt_date(when), _parse_clock(clock), CHICAGO)
    except ValueError:
        raise reading_error(
            esiid, day, f"revision time {text!r} is not MM/DD/YYYY HH:MM:SS"
        ) from None


def _check_revision(text: str, esiid: str, day: date) -> str | None:
    """``text`` stripped (None when empty) once it is known to be a revision time; the
    datetime itself is built only when asked for (``DayReadings.revised``)."""
    stripped = text.strip()
    if not stripped:
        return None
    when, _, clock = stripped.partition(" ")
    try:
        parse_smt_date(when)
        _parse_clock(clock)
    except ValueError:
        raise reading_error(
            esiid, day, f"revision time {text!r} is not MM/DD/YYYY HH:MM:SS"
        ) from None
    return stripped


@functools.lru_cache(maxsize=4096)
def _parse_clock(text: str) -> time:
    hour, minute, second = text.split(":")
    return time(int(hour), int(minute), int(second))
