"""Decoding SMT 15-minute interval data into readings (DST-aware): the public face.

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
become ``IntervalDay`` records and go through the one decoder:

- ``decode_day_columns`` / ``iter_day_readings`` check each day whole and give it as
  columns (``DayReadings``: the slot texts, an exact kWh total, instants shared per date),
  building no per-reading object (``adapter.interval_columns``);
- ``decode_day`` / ``decode_days`` give ``IntervalReading`` records, built from those
  columns day by day.

REST and CSV parsing live in ``adapter.interval_sources``.
"""

from __future__ import annotations

from adapter.interval_columns import (
    CHICAGO,
    SLOT_COUNT,
    DayReadings,
    IntervalReading,
    decode_day,
    decode_day_columns,
    decode_days,
    decode_fields,
    iter_day_readings,
    parse_revision,
    parse_smt_date,
)
from adapter.interval_sources import (
    decode_interval_csv,
    decode_rest_rows,
    iter_csv_days,
    iter_rest_days,
)

__all__ = [
    "CHICAGO",
    "SLOT_COUNT",
    "DayReadings",
    "IntervalReading",
    "decode_day",
    "decode_day_columns",
    "decode_days",
    "decode_fields",
    "decode_interval_csv",
    "decode_rest_rows",
    "iter_csv_days",
    "iter_day_readings",
    "iter_rest_days",
    "parse_revision",
    "parse_smt_date",
]
