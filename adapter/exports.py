"""Writing interval readings to CSV, JSON Lines or SQLite, all or nothing.

Readings are written as they come (never held in memory) into a temporary file beside
the target, which is renamed into place only once everything was written and flushed to
disk: a failure half-way (a ``ReadingError`` from the decoder, a full disk) leaves the
target as it was and no temporary file behind.

Readings come either as ``IntervalReading`` records (``write_readings``) or as decoded
days (``write_day_readings``), whose rows are written straight from the day's columns
without building a record per reading; both write the same bytes for the same readings.

Every format carries the same seven fields. Instants are ISO 8601 with their offset
(``start_utc`` in UTC, so its text sorts in time order; ``start_local`` and ``revised`` in
Central time); ``kwh`` is the exact decimal text (``0.221``), never a float; ``revised``
is empty (CSV, SQLite) or null (JSON Lines) when SMT gave no revision time.

SQLite: table ``interval_readings``, primary key (esiid, start_utc, direction, revised).
``revised`` belongs to the key because an answer for all versions (``version`` A) holds
several revisions of the same interval, each worth keeping; the latest is a
``MAX(revised)`` away. It is stored as '' rather than NULL when unknown, because SQLite
lets NULLs repeat in a primary key. The same key twice in one export raises
``ReadingError``: SMT never sends one interval twice in one revision.
"""

from __future__ import annotations

import csv
import json
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import IO

from adapter.atomic import replacing
from adapter.errors import ConfigurationError, ReadingError
from adapter.interval_columns import CHICAGO, DayReadings, IntervalReading

__all__ = ["FORMATS", "iter_exported", "write_day_readings", "write_readings"]

FORMATS = ("csv", "jsonl", "sqlite")
COLUMNS = ("esiid", "start_utc", "start_local", "kwh", "quality", "direction", "revised")
# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection);
# tab and carriage return are on OWASP's list too.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_SCHEMA = """
CREATE TABLE interval_readings (
    esiid       TEXT NOT NULL,
    start_utc   TEXT NOT NULL,  -- ISO 8601, UTC: sorts in time order
    start_local TEXT NOT NULL,  -- ISO 8601, America/Chicago
    kwh         TEXT NOT NULL,  -- exact decimal text, never a float
    quality     TEXT NOT NULL CHECK (quality IN ('A', 'E')),
    direction   TEXT NOT NULL CHECK (direction IN ('C', 'G')),
    revised     TEXT NOT NULL,  -- ISO 8601, Central time; '' when SMT gave none
    PRIMARY KEY (esiid, start_utc, direction, revised)
) WITHOUT ROWID
"""
# Fixed texts: the column names are constants, values always go through placeholders.
_INSERT = f"INSERT INTO interval_readings VALUES ({', '.join('?' * len(COLUMNS))})"  # noqa: S608
_SELECT = f"SELECT {', '.join(COLUMNS)} FROM interval_readings"  # noqa: S608 - constants


_Row = tuple[str, str, str, str, str, str, str]


def write_readings(readings: Iterable[IntervalReading], path: Path, format: str) -> int:
    """Write ``readings`` to ``path`` in ``format`` (csv, jsonl or sqlite), replacing the
    file atomically; return how many were written.

    Raises ``ConfigurationError`` (field ``format``) for an unknown format, before any
    file is touched; ``ReadingError`` for a reading that appears twice in SQLite; any
    error raised while the readings are produced passes through, and in every case the
    target is left as it was and the temporary file removed."""
    return _write(map(_fields, readings), path, format)


def write_day_readings(days: Iterable[DayReadings], path: Path, format: str) -> int:
    """Write the readings of decoded ``days`` (``adapter.interval.iter_day_readings``) from
    their columns, exactly as ``write_readings`` writes the same readings; return how many
    readings were written. Raises as ``write_readings`` does."""
    return _write((row for day in days for row in _day_rows(day)), path, format)


def _write(rows: Iterable[_Row], path: Path, format: str) -> int:
    writers: dict[str, Callable[[Iterable[_Row], Path], int]] = {
        "csv": _write_csv,
        "jsonl": _write_jsonl,
        "sqlite": _write_sqlite,
    }
    writer = writers.get(format)
    if writer is None:
        raise ConfigurationError(
            f"export format {format!r} does not exist; choose one of {', '.join(FORMATS)}",
            field="format",
            value=format,
        )
    with replacing(Path(path)) as temporary:
        return writer(rows, temporary)


def _text(moment: datetime | None) -> str:
    return "" if moment is None else moment.isoformat()


def _fields(reading: IntervalReading) -> _Row:
    return (
        reading.esiid,
        reading.start_utc.isoformat(),
        reading.start_local.isoformat(),
        str(reading.kwh),
        reading.quality,
        reading.direction,
        _text(reading.revised),
    )


def _day_rows(day: DayReadings) -> Iterator[_Row]:
    esiid, direction, revised = day.esiid, day.direction, _text(day.revised)
    starts_utc, starts_local = _START_TEXTS.get(day.day) or _start_texts(day)
    for utc, local, slot in zip(starts_utc, starts_local, day.slots, strict=True):
        kwh = _KWH_TEXTS.get(slot) or _kwh_text(slot)
        yield (esiid, utc, local, kwh, slot[-1], direction, revised)


# The instants of a date are the same for every ESIID: their texts are made once.
_START_TEXTS: dict[date, tuple[tuple[str, ...], tuple[str, ...]]] = {}


def _start_texts(day: DayReadings) -> tuple[tuple[str, ...], tuple[str, ...]]:
    if len(_START_TEXTS) >= 64:
        _START_TEXTS.clear()
    texts = _START_TEXTS[day.day] = (
        tuple(moment.isoformat() for moment in day.starts_utc),
        tuple(moment.isoformat() for moment in day.starts_local),
    )
    return texts


# Slot text -> the kWh text a reading's Decimal prints (``.221-A`` -> ``0.221``).
_KWH_TEXTS: dict[str, str] = {}


def _kwh_text(slot: str) -> str:
    if len(_KWH_TEXTS) >= 200_000:
        _KWH_TEXTS.clear()
    text = _KWH_TEXTS[slot] = str(Decimal(slot[:-2]))
    return text


def _escape(cell: str) -> str:
    return "'" + cell if cell.startswith(_FORMULA_STARTS) else cell


def _synced(stream: IO[str]) -> None:
    stream.flush()
    os.fsync(stream.fileno())  # on disk before the rename makes it the target


def _write_csv(rows: Iterable[_Row], path: Path) -> int:
    count = 0
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(COLUMNS)
        for row in rows:
            writer.writerow([_escape(cell) for cell in row])
            count += 1
        _synced(stream)
    return count


def _write_jsonl(rows: Iterable[_Row], path: Path) -> int:
    count = 0
    with path.open("w", encoding="utf-8", newline="\n") as stream:
        for row in rows:
            fields = dict(zip(COLUMNS, row, strict=True))
            stream.write(json.dumps({**fields, "revised": fields["revised"] or None}) + "\n")
            count += 1
        _synced(stream)
    return count


def _write_sqlite(rows: Iterable[_Row], path: Path) -> int:
    counted = [0]

    def counting() -> Iterator[_Row]:
        for row in rows:
            counted[0] += 1
            yield row

    connection = sqlite3.connect(path)
    try:
        with connection:  # one transaction: commits at the end, rolls back on error
            connection.execute(_SCHEMA)
            connection.executemany(_INSERT, counting())
    except sqlite3.IntegrityError as exc:
        raise ReadingError(
            f"reading {counted[0]} repeats an earlier one (esiid, start_utc, direction, "
            f"revised): {exc}",
            esiid="",
            day="",
            reason="a reading appears twice",
        ) from exc
    finally:
        connection.close()
    return counted[0]


def iter_exported(path: Path, format: str) -> Iterator[IntervalReading]:
    """Read back what ``write_readings`` wrote (for checks and for tools that load an
    export). Raises ``ConfigurationError`` for an unknown format."""
    if format == "csv":
        with Path(path).open(encoding="utf-8", newline="") as stream:
            reader = csv.reader(stream)
            next(reader)  # the header
            for row in reader:
                yield _reading([cell[1:] if cell.startswith("'") else cell for cell in row])
    elif format == "jsonl":
        with Path(path).open(encoding="utf-8") as stream:
            for line in stream:
                row = json.loads(line)
                yield _reading([row[name] or "" for name in COLUMNS])
    elif format == "sqlite":
        connection = sqlite3.connect(path)
        try:
            yield from (_reading(list(row)) for row in connection.execute(_SELECT))
        finally:
            connection.close()
    else:
        raise ConfigurationError(
            f"export format {format!r} does not exist; choose one of {', '.join(FORMATS)}",
            field="format",
            value=format,
        )


def _reading(row: list[str]) -> IntervalReading:
    esiid, start_utc, _local, kwh, quality, direction, revised = row
    start = datetime.fromisoformat(start_utc)
    return IntervalReading(
        esiid=esiid,
        start_utc=start,
        start_local=start.astimezone(CHICAGO),  # recomputed: carries the right fold
        kwh=Decimal(kwh),
        quality=quality,
        direction=direction,
        revised=datetime.fromisoformat(revised).astimezone(CHICAGO) if revised else None,
    )
