"""The calendar of interval data: the shape of a day in America/Chicago wall-clock time
(which of SMT's 100 RD slots it fills) and the start instants of its readings.

SMT's RD layout (DESIGN.md, "Interval data facts"): slots 0-7 are 00:00-02:00, slots
8-11 the repeated 01:00-02:00 hour (filled only on the day DST ends), slots 12-99
02:00-24:00, of which 12-15 (02:00-03:00) stay empty on the day DST starts. So the empty
slots of a day are always one run from slot 8, ending at slot 12 normally, 16 when DST
starts and 8 (none) when it ends.
"""

from __future__ import annotations

import functools
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from adapter.rd_totals import SLOT_COUNT

__all__ = ["CHICAGO", "SHAPES_BY_DAY", "day_shape", "day_starts", "day_stop"]

CHICAGO = ZoneInfo("America/Chicago")


def _utc_offset(day: date) -> timedelta:
    offset = datetime.combine(day, time(), CHICAGO).utcoffset()
    assert offset is not None  # a ZoneInfo always knows its offset
    return offset


SHAPES_BY_DAY: dict[date, tuple[str, int, list[str]]] = {}


def day_shape(day: date) -> tuple[str, int, list[str]]:
    """The day's kind, and the end of its run of empty slots (from slot 8) with that run."""
    shape = SHAPES_BY_DAY.get(day)
    if shape is None:
        change = _utc_offset(day + timedelta(days=1)) - _utc_offset(day)
        if change > timedelta(0):
            shape = "DST start", 16, [""] * 8
        elif change < timedelta(0):
            shape = "DST end", 8, []
        else:
            shape = "normal", 12, [""] * 4
        if len(SHAPES_BY_DAY) >= 4096:
            SHAPES_BY_DAY.clear()
        SHAPES_BY_DAY[day] = shape
    return shape


# A DUNS answer repeats the same days for every ESIID: one pair of columns per day serves
# them all. 800 days (~9 MB of datetimes) cover the two years SMT keeps.
@functools.lru_cache(maxsize=800)
def day_starts(day: date) -> tuple[tuple[datetime, ...], tuple[datetime, ...]]:
    stop = day_shape(day)[1]
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


def day_stop(when: date) -> int:
    """The end of the day's run of empty slots, from slot 8: 12 normally, 16 when DST
    starts, 8 when it ends."""
    return (SHAPES_BY_DAY.get(when) or day_shape(when))[1]
