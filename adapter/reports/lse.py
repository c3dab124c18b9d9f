"""Streaming parser of the LSE subset (layout in ``adapter.reports.layouts``).

Each ``00000001`` record opens an ESIID-day of one channel; its ``00000004`` records are
placed in a 100-slot RD by their count (96: the repeated-hour slots stay empty; 92: the
02:00 hour too; 100: every slot) and the day is checked by the decoder, so the days come
out exactly as SOAP's would. Memory holds one day at a time.

Bad lines never stop a file: a record of an unknown type, a value outside a day, or a
day whose header is malformed, whose count is wrong or which the decoder rejects goes to
``dead_letters`` (a day with all its lines).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta

from adapter.errors import ReadingError
from adapter.interval_columns import SLOT_COUNT, decode_day_columns
from adapter.records import IntervalDay
from adapter.reports.cells import iter_numbered_rows, unescape_cell
from adapter.reports.dead_letters import DeadLetters
from adapter.reports.layouts import (
    LSE_CHANNELS,
    LSE_DATA,
    LSE_DAY,
    LSE_FILE,
    LSE_INTERVAL_MINUTES,
    LSE_TIME_FORMAT,
    LSE_UNITS,
)

__all__ = ["iter_lse_days"]

_DIRECTIONS = {channel: direction for direction, channel in LSE_CHANNELS.items()}
_EMPTY_FROM = {96: (8, 12), 92: (8, 16), 100: (8, 8)}  # count -> empty slot run


class _Day:
    """An open ``00000001`` record and the lines that belong to it."""

    def __init__(self, number: int, raw: str, cells: list[str]) -> None:
        self.lines = [(number, raw)]
        self.header = cells
        self.values: list[str] = []

    def build(self) -> IntervalDay:
        """Raises ``ValueError`` for a malformed header, ``ReadingError`` for a day the
        decoder rejects."""
        if len(self.header) != 9:
            raise ValueError(f"a day record has 9 fields, this one {len(self.header)}")
        _, esiid, channel, start, stop, minutes, units, count, revision = self.header
        direction = _DIRECTIONS.get(channel)
        if direction is None:
            raise ValueError(f"channel {channel!r} is not one of {sorted(_DIRECTIONS)}")
        if minutes != str(LSE_INTERVAL_MINUTES) or units != LSE_UNITS:
            raise ValueError(f"interval {minutes!r} {units!r} is not 15 {LSE_UNITS}")
        try:
            begin = datetime.strptime(start, LSE_TIME_FORMAT)
            end = datetime.strptime(stop, LSE_TIME_FORMAT)
        except ValueError:
            raise ValueError(f"start {start!r} or stop {stop!r} is not YYYYMMDDHHMM") from None
        if begin.time() != datetime.min.time() or end - begin != timedelta(days=1):
            raise ValueError(f"{start}-{stop} is not one whole day")
        if not count.isdigit() or int(count) != len(self.values):
            raise ValueError(f"the day record says {count} intervals, {len(self.values)} follow")
        gap = _EMPTY_FROM.get(len(self.values))
        if gap is None:
            raise ReadingError(
                f"{esiid} {begin.date()}: {len(self.values)} intervals",
                esiid=esiid,
                day=begin.date().isoformat(),
                reason=f"{len(self.values)} intervals: a day has 92, 96 or 100",
            )
        slots = [*self.values[: gap[0]], *[""] * (gap[1] - gap[0]), *self.values[gap[0] :]]
        assert len(slots) == SLOT_COUNT
        day = IntervalDay(
            esiid=esiid,
            day=begin.date(),
            reading_type=direction,
            revision=unescape_cell(revision) or None,
            rd=",".join(slots),
        )
        decode_day_columns(day)
        return day


def iter_lse_days(
    lines: Iterable[str], *, dead_letters: DeadLetters, source: str = "<stream>"
) -> Iterator[IntervalDay]:
    """The checked ``IntervalDay`` records of an LSE-subset file, in file order. Never
    raises for bad lines: they go to ``dead_letters``."""
    day: _Day | None = None
    for number, raw, cells in iter_numbered_rows(lines):
        if not any(cells):
            continue
        record = cells[0]
        if record == LSE_DATA and day is not None:
            day.lines.append((number, raw))
            day.values.append("-".join(cells[1:3]) if len(cells) == 3 else "?")
            continue
        if record in (LSE_DAY, LSE_FILE) and day is not None:
            yield from _finish(day, source, dead_letters)
            day = None
        if record == LSE_DAY:
            day = _Day(number, raw, cells)
        elif record == LSE_DATA:
            reason = "an interval record outside a day (no 00000001 record before it)"
            dead_letters.add(source=source, line=number, reason=reason, raw=raw)
        elif record != LSE_FILE:
            reason = f"record type {record!r} is not one of {LSE_FILE}, {LSE_DAY}, {LSE_DATA}"
            dead_letters.add(source=source, line=number, reason=reason, raw=raw)
    if day is not None:
        yield from _finish(day, source, dead_letters)


def _finish(day: _Day, source: str, dead_letters: DeadLetters) -> Iterator[IntervalDay]:
    try:
        built = day.build()
    except (ValueError, ReadingError) as exc:
        for number, raw in day.lines:
            dead_letters.add(source=source, line=number, reason=str(exc), raw=raw)
        return
    yield built
