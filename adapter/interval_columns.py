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
are looked up together in the table of slot texts already proven well-formed
(``adapter.rd_totals``), which makes the day's exact total one ``sum``. A day with a text
not yet in the table, or with anything wrong, goes through the slot-by-slot check, which
adds its good texts to the table or names the first bad slot.

Instants and ``Decimal`` values are built only when readings are materialised; the
instants of a date are built once and shared by every ESIID's day.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import MAX_PREC, Context, Decimal, Inexact

from adapter.errors import ReadingError
from adapter.interval_calendar import CHICAGO, SHAPES_BY_DAY, day_shape, day_starts
from adapter.rd_totals import SCALE, SLOT_COUNT, THOUSANDTHS, kwh_value, remember, scaled
from adapter.records import IntervalDay

__all__ = [
    "CHICAGO",
    "SLOT_COUNT",
    "DayReadings",
    "IntervalReading",
    "check_day_fields",
    "day_columns",
    "decode_day",
    "decode_day_columns",
    "decode_days",
    "decode_fields",
    "iter_day_readings",
    "parse_dt",
    "parse_revision",
    "parse_smt_date",
]

_TABLE_LIMIT = 200_000  # Decimals kept for materialised readings; past it they start again
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
        return SLOT_COUNT + 8 - (SHAPES_BY_DAY.get(self.day) or day_shape(self.day))[1]

    def __iter__(self) -> Iterator[IntervalReading]:
        return self.readings()

    def total_kwh(self) -> Decimal:
        """The day's kWh total, exact (with ``scale`` decimals)."""
        return Decimal(self.total_units).scaleb(-self.scale, _EXACT)

    @property
    def kind(self) -> str:
        """``normal``, ``DST start`` or ``DST end``."""
        return day_shape(self.day)[0]

    @property
    def slots(self) -> tuple[str, ...]:
        """The filled slot texts as sent (``.221-A``), in time order."""
        texts = self.rd.split(",")
        del texts[8 : day_shape(self.day)[1]]
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
        return day_starts(self.day)[0]

    @property
    def starts_local(self) -> tuple[datetime, ...]:
        """The start of each reading in America/Chicago wall-clock time (``fold=1`` for
        the second pass of the repeated hour)."""
        return day_starts(self.day)[1]

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

# Slot text -> Decimal (exactly the text) for materialised readings. The table of slot
# texts proven well-formed, with their kWh in thousandths, is adapter.rd_totals.THOUSANDTHS.
_DECIMALS: dict[str, Decimal] = {}


def _decimal(text: str) -> Decimal:
    if len(_DECIMALS) >= _TABLE_LIMIT:
        _DECIMALS.clear()
    value = _DECIMALS[text] = Decimal(text[:-2])
    return value


def _build_readings(day: DayReadings) -> list[IntervalReading]:
    starts_utc, starts_local = day_starts(day.day)
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
    revision = check_day_fields(esiid, when, direction, revision)
    rd = rd.strip()
    slots = rd.split(",")
    if len(slots) != SLOT_COUNT:
        raise reading_error(
            esiid, when, f"RD holds {len(slots)} slots; SMT's RD always holds {SLOT_COUNT}"
        )
    kind, stop, empty = SHAPES_BY_DAY.get(when) or day_shape(when)
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
        units, scale = sum(map(THOUSANDTHS.__getitem__, slots)), SCALE
    except KeyError:
        units, scale = _check_slots(slots, stop, kind, esiid, when)
    return day_columns(esiid, when, direction, revision, rd, units, scale)


def check_day_fields(esiid: str, when: date, direction: str, revision: str | None) -> str | None:
    """The checks of a day's RT and RevTS (``ReadingError`` when either is wrong); the
    revision text stripped, None when SMT gave none."""
    if direction not in ("C", "G"):
        raise reading_error(esiid, when, f"RT is {direction!r}; SMT sends C or G")
    return None if revision is None else _check_revision(revision, esiid, when)


def day_columns(
    esiid: str,
    when: date,
    direction: str,
    revision: str | None,
    rd: str,
    units: int,
    scale: int = SCALE,
) -> DayReadings:
    """The ``DayReadings`` of fields already checked (``check_day_fields``, and the RD
    with its total by ``decode_fields`` or ``adapter.rd_totals.day_units``)."""
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
    finer = False  # a value with more than three decimals: the total needs more
    for n, text in enumerate(texts):
        if text in THOUSANDTHS:
            continue
        slot = n if n < 8 else n + stop - 8
        if not text:
            raise reading_error(
                esiid, when, f"slot {slot} is empty but must hold a value on a {kind} day"
            )
        value = kwh_value(text)
        if value is None:
            raise reading_error(
                esiid, when, f"slot {slot} holds {text!r}, not '<kWh>-<A or E>' (e.g. '.221-A')"
            )
        if not remember(text, value):
            finer = True
    if not finer:
        return sum(map(THOUSANDTHS.__getitem__, texts)), SCALE
    values = [text[:-2] for text in texts]
    scale = max(len(value.partition(".")[2]) for value in values)
    return sum(scaled(value, scale) for value in values), scale


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


def parse_dt(esiid: str, text: str) -> date:
    """A day's DT (``MM/DD/YYYY``); ``ReadingError`` naming the ESIID and the text when it
    is not a date."""
    try:
        return parse_smt_date(text)
    except ValueError:
        raise reading_error(esiid, text, f"DT {text!r} is not MM/DD/YYYY") from None


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
