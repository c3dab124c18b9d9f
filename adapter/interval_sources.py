"""SMT's interval data in its other two shapes, REST JSON and the interval CSV report,
turned into the same ``IntervalDay`` records as SOAP ``energyData`` (whose days come from
``adapter.soap.interval_stream``), so that all three go through the one decoder in
``adapter.interval_columns``.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Mapping

from adapter.interval_columns import (
    SLOT_COUNT,
    IntervalReading,
    decode_days,
    parse_dt,
    parse_smt_date,
)
from adapter.interval_columns import reading_error as _error
from adapter.records import IntervalDay

__all__ = ["decode_interval_csv", "decode_rest_rows", "iter_csv_days", "iter_rest_days"]

# fmt: off
_CSV_COLUMNS = ("ESIID", "USAGE_DATE", "REVISION_DATE", "USAGE_START_TIME", "USAGE_END_TIME",
                "USAGE_KWH", "ESTIMATED_ACTUAL", "CONSUMPTION_SURPLUSGENERATION")
# fmt: on
_CSV_DIRECTIONS = {"consumption": "C", "c": "C", "surplus generation": "G", "g": "G"}


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
    day = parse_dt(esiid, str(fields["DT"]))
    revision = fields["RevTS"]
    return IntervalDay(
        esiid=esiid,
        day=day,
        reading_type=str(fields["RT"]),
        revision=revision if isinstance(revision, str) else None,
        rd=str(fields["RD"]),
    )


def decode_rest_rows(rows: Iterable[Mapping[str, object]]) -> Iterator[IntervalReading]:
    """The readings of REST answers (see ``iter_rest_days``; the decoder's checks are
    ``adapter.interval_columns.decode_day_columns``'s)."""
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
    quarter hour, a day's rows split apart, and for days the decoder rejects."""
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
    """The readings of SMT's interval CSV (see ``iter_csv_days``; the decoder's checks are
    ``adapter.interval_columns.decode_day_columns``'s)."""
    return decode_days(iter_csv_days(lines))
