"""The layouts of SMT's report files, as data, and the writers that follow them.

The guide prints the columns of the interval CSV only (``INTERVAL``). The other CSV
layouts are inferred: one column per field of the record, in the record's order, named
in SMT's upper snake case after the REST/SOAP field (``readDate`` -> ``READ_DATE``). All
dates are ``MM/DD/YYYY``; revision texts are written as SMT sent them; numbers are exact
fixed-point decimal text. Every CSV starts with its header row; rows end with CRLF.

A CSV report carries no ``trans_id``: readers give the records the report's id instead.

LSE (LodeStar Enhanced) is a subset written down here, also inferred (``LSE_*``)::

    00000000,<DUNS>,LSE-SUBSET,1                    file header
    00000001,<ESIID>,<channel>,<start>,<stop>,15,KWH,<count>,<revision>
    00000004,<kWh>,<A|E>                            one per interval, in time order

one ``00000001`` record per ESIID-day and channel (1 consumption, 4 surplus
generation), ``start``/``stop`` the local midnights that bound the day
(``YYYYMMDDHHMM``), ``count`` the intervals that follow: 96, 92 on the day DST starts,
100 on the day it ends (the repeated hour in the order it happened). ``revision`` is
SMT's RevTS text, empty when none.

Cells are escaped against formula injection (``adapter.reports.cells``).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import IO, Any

from adapter.interval_columns import decode_day_columns
from adapter.records import (
    DailyReads,
    IntervalDay,
    MeterAttributes,
    MonthlyBilling,
    PremiseAttributes,
)
from adapter.reports.cells import escape_cell, format_date, format_decimal

__all__ = [
    "DAILY",
    "DIRECTION_WORDS",
    "INTERVAL",
    "LSE_CHANNELS",
    "LSE_DATA",
    "LSE_DAY",
    "LSE_FILE",
    "LSE_INTERVAL_MINUTES",
    "LSE_TIME_FORMAT",
    "LSE_UNITS",
    "LSE_VERSION",
    "METER",
    "MONTHLY",
    "PREMISE",
    "Column",
    "CsvLayout",
    "slot_start_minutes",
    "write_daily_csv",
    "write_interval_csv",
    "write_lse",
    "write_meter_csv",
    "write_monthly_csv",
    "write_premise_csv",
]


@dataclass(frozen=True, slots=True)
class Column:
    """One CSV column: its header ``name``, the record ``field`` it holds and its
    ``codec``: ``text``, ``optional`` (empty cell = None), ``date``, ``optional date``,
    ``decimal`` or ``esiid`` (text behind SMT's apostrophe)."""

    name: str
    codec: str = "text"
    field: str = ""

    @property
    def attribute(self) -> str:
        """The record attribute: ``field``, or the header in lower case."""
        return self.field or self.name.lower()


@dataclass(frozen=True, slots=True)
class CsvLayout:
    """A CSV report's ``kind`` (as in ``adapter.reports.names.KINDS``) and ``columns``."""

    kind: str
    columns: tuple[Column, ...]

    @property
    def header(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns)


_ESIID = Column("ESIID", "esiid")
_REVISION = Column("REVISION_DATE", "optional", "revision")
# The guide's own columns (interval CSV); written from IntervalDay by write_interval_csv.
INTERVAL = CsvLayout(
    "interval",
    (
        _ESIID,
        Column("USAGE_DATE", "date", "day"),
        _REVISION,
        Column("USAGE_START_TIME"),
        Column("USAGE_END_TIME"),
        Column("USAGE_KWH"),
        Column("ESTIMATED_ACTUAL"),
        Column("CONSUMPTION_SURPLUSGENERATION"),
    ),
)
DIRECTION_WORDS = {"C": "Consumption", "G": "Surplus Generation"}
DAILY = CsvLayout(  # ESIID from DailyReads, the rest from each RegisterRead
    "daily",
    (
        _ESIID,
        Column("READ_DATE", "date"),
        _REVISION,
        Column("START_READING", "decimal"),
        Column("END_READING", "decimal"),
        Column("USAGE_KWH", "decimal", "kwh"),
    ),
)
MONTHLY = CsvLayout(  # ESIID from MonthlyBilling, the rest from each BillingPeriod
    "monthly",
    (
        _ESIID,
        Column("START_DATE", "date"),
        Column("END_DATE", "date"),
        _REVISION,
        Column("ACTUAL_KWH", "decimal"),
        Column("METERED_KW", "decimal"),
        Column("BILLED_KW", "decimal"),
        Column("METERED_KVA", "decimal"),
        Column("BILLED_KVA", "decimal"),
    ),
)


def _flat(kind: str, *specs: str) -> CsvLayout:
    """A layout from ``NAME:codec`` specs (codec ``text`` when left out)."""
    columns = [_ESIID]
    for spec in specs:
        name, _, codec = spec.partition(":")
        columns.append(Column(name, codec or "text"))
    return CsvLayout(kind, tuple(columns))


_O, _D, _OD = "optional", "decimal", "optional date"
METER = _flat(
    "meter",
    f"UTILITY_COMPANY_ID:{_O}", "METER_SERIAL_NUMBER", "UTILITY_METER_ID",
    f"KWH_METER_MULTIPLIER:{_D}", "CONFIGURED_CHANNELS", "MANUFACTURER_NAME",
    f"TEST_DATE:{_OD}", "METER_CLASS", f"INSTALLATION_DATE:{_OD}",
    f"INITIAL_PROVISION_DATE:{_OD}", "COMMUNICATION_INDICATOR", "INSTRUMENT_RATED",
    f"CURRENT_TRANSFORMERS_RATIO:{_O}", f"POTENTIAL_TRANSFORMERS_RATIO:{_O}",
    "ESI_FIRMWARE_VERSION", f"HAN_PROTOCOL:{_O}", "SMART_ENERGY_PROFILE", "INTERVAL_SETTING",
    "REVERSE_FLOW_HANDLING", f"DG_CHANNEL:{_O}", "DISCONNECT", f"METER_STATUS:{_O}",
    f"METER_PHASES:{_O}", f"METER_MODEL:{_O}",
)  # fmt: skip
PREMISE = _flat(
    "premise",
    f"UTILITY_COMPANY_ID:{_O}", "SERVICE_VOLTAGE", "PREMISE_STATUS", "TIME_ZONE",
    f"FRACTIONAL_HOUSE_ADDRESS:{_O}", f"LEADING_DIRECTIONAL:{_O}", "STREET_NAME",
    f"STREET_TYPE:{_O}", f"TRAILING_DIRECTIONAL:{_O}", f"HOUSE_NUMBER:{_O}",
    f"UNIT_DESIGNATION:{_O}", "LOCALITY", "STATE", "ZIPCODE", "ZIPCODE_PLUS4",
    "METER_READ_CYCLE", "LOAD_PROFILE", f"RATE_CLASS_CODE:{_O}",
    f"AMS_PROFILE_EFFECTIVE_DATE:{_OD}",
)  # fmt: skip

LSE_FILE, LSE_DAY, LSE_DATA = "00000000", "00000001", "00000004"
LSE_VERSION = ("LSE-SUBSET", "1")
LSE_CHANNELS = {"C": "1", "G": "4"}
LSE_INTERVAL_MINUTES = 15
LSE_UNITS = "KWH"
LSE_TIME_FORMAT = "%Y%m%d%H%M"


def slot_start_minutes(slot: int) -> int:
    """Minutes after local midnight at which RD ``slot`` starts (8-11 are the repeated
    01:00 hour, so they start at 60-105 again)."""
    if slot < 8:
        return slot * 15
    if slot < 12:
        return 60 + (slot - 8) * 15
    return 120 + (slot - 12) * 15


def _clock(minutes: int) -> str:
    minutes %= 24 * 60
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _cell(column: Column, value: Any) -> str:
    if column.codec == "esiid":
        return "'" + str(value)
    if value is None:
        return ""
    if column.codec in ("date", "optional date"):
        return format_date(value)
    if column.codec == "decimal":
        return escape_cell(format_decimal(value))
    return escape_cell(str(value))


def _writer(stream: IO[str], layout: CsvLayout) -> Any:
    writer = csv.writer(stream, lineterminator="\r\n")
    writer.writerow(layout.header)
    return writer


def write_interval_csv(days: Iterable[IntervalDay], stream: IO[str]) -> int:
    """Write ``days`` as SMT's interval CSV (``INTERVAL``) to ``stream``, one row per
    reading: 96 a day, 100 on the day DST ends (the repeated 01:00 hour twice) and, on
    the day it starts, 92 plus four blank rows for the hour that did not happen. Return
    the days written.

    Each day is checked by the decoder first: raises ``ReadingError`` for a day it
    rejects, before any of that day's rows are written (earlier days stay written)."""
    writer = _writer(stream, INTERVAL)
    count = 0
    for day in days:
        kind = decode_day_columns(day).kind
        head = ["'" + day.esiid, format_date(day.day), escape_cell(day.revision or "")]
        word = DIRECTION_WORDS.get(day.reading_type, day.reading_type)
        rows = []
        for slot, text in enumerate(day.rd.split(",")):
            if 8 <= slot < 12 and kind != "DST end":
                continue
            if 12 <= slot < 16 and kind == "DST start":
                rows.append([*head, "", "", "", "", word])
                continue
            kwh, _, flag = text.rpartition("-")
            start = slot_start_minutes(slot)
            rows.append([*head, _clock(start), _clock(start + 15), kwh, flag, word])
        writer.writerows(rows)
        count += 1
    return count


def _write_rows(stream: IO[str], layout: CsvLayout, rows: Iterable[tuple[str, Any]]) -> int:
    writer = _writer(stream, layout)
    count = 0
    for esiid, item in rows:
        writer.writerow(
            _cell(c, esiid if c.codec == "esiid" else getattr(item, c.attribute))
            for c in layout.columns
        )
        count += 1
    return count


def write_daily_csv(reads: Iterable[DailyReads], stream: IO[str]) -> int:
    """Write daily register reads as the ``DAILY`` CSV; return the rows written."""
    rows = ((answer.esiid, read) for answer in reads for read in answer.reads)
    return _write_rows(stream, DAILY, rows)


def write_monthly_csv(billing: Iterable[MonthlyBilling], stream: IO[str]) -> int:
    """Write monthly billing periods as the ``MONTHLY`` CSV; return the rows written."""
    rows = ((answer.esiid, period) for answer in billing for period in answer.periods)
    return _write_rows(stream, MONTHLY, rows)


def write_meter_csv(meters: Iterable[MeterAttributes], stream: IO[str]) -> int:
    """Write meter attributes as the ``METER`` CSV, one row per meter; return the rows."""
    return _write_rows(stream, METER, ((meter.esiid, meter) for meter in meters))


def write_premise_csv(premises: Iterable[PremiseAttributes], stream: IO[str]) -> int:
    """Write premise attributes as the ``PREMISE`` CSV, one row per premise; return the
    rows written."""
    return _write_rows(stream, PREMISE, ((premise.esiid, premise) for premise in premises))


def write_lse(days: Iterable[IntervalDay], stream: IO[str], *, duns: str) -> int:
    """Write ``days`` in the LSE subset (see the module docstring) for ``duns``; return
    the days written.

    Raises ``ReadingError`` for a day the decoder rejects (before any of its records are
    written), ``ValueError`` for a reading type other than C or G."""
    writer = csv.writer(stream, lineterminator="\r\n")
    writer.writerow((LSE_FILE, duns, *LSE_VERSION))
    count = 0
    for day in days:
        checked = decode_day_columns(day)
        channel = LSE_CHANNELS.get(day.reading_type)
        if channel is None:
            raise ValueError(f"reading type {day.reading_type!r} has no LSE channel")
        start = day.day.strftime("%Y%m%d") + "0000"
        stop = (day.day + timedelta(days=1)).strftime("%Y%m%d") + "0000"
        records: list[tuple[str, ...]] = [
            (
                LSE_DAY,
                day.esiid,
                channel,
                start,
                stop,
                str(LSE_INTERVAL_MINUTES),
                LSE_UNITS,
                str(len(checked)),
                escape_cell(day.revision or ""),
            )
        ]
        records += [(LSE_DATA, *text.rsplit("-", 1)) for text in checked.slots]
        writer.writerows(records)
        count += 1
    return count
