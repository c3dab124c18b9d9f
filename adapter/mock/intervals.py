"""The synthetic readings of one meter: 15-minute interval days (RD rows), daily register
reads and monthly billing periods, consistent with each other.

Every value is a pure function of the seed, the ESIID, the day and the pinned records. A
day's consumption total is drawn first, from one hash per day, so that cumulative register
readings over years stay cheap; the total is then spread over the day's slots. An RD row has
100 slots in America/Chicago wall-clock time:

    slots 0-7    00:00-02:00
    slots 8-11   the repeated 01:00-02:00 hour: filled only on the day DST ends
    slots 12-99  02:00-24:00; 12-15 (02:00-03:00) stay empty on the day DST starts

Amounts are integer watt-hours throughout, so that slot values, daily totals, register
readings and billed kWh add up exactly.
"""

from __future__ import annotations

import hashlib
import itertools
import math
import random
import threading
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import cache, lru_cache
from zoneinfo import ZoneInfo

from adapter.mock.records import (
    SLOT_COUNT,
    BillingPeriod,
    IntervalDay,
    RegisterRead,
    format_slot,
    parse_slot,
)

__all__ = [
    "ANCHOR",
    "CHICAGO",
    "ReadingHistory",
    "find_dst_change",
    "find_read_cycle",
    "list_slot_hours",
]

CHICAGO = ZoneInfo("America/Chicago")
ANCHOR = date(2015, 1, 1)  # register readings are counted from a per-ESIID base on this day
_HOUR = timedelta(hours=1)

# Relative residential load by hour: a Texas summer (air conditioning all afternoon and
# evening) and a mild/winter day (morning and evening bumps); a day mixes the two.
# fmt: off
_SUMMER = (.55, .5, .47, .45, .45, .48, .55, .62, .62, .65, .72, .82,
           .92, 1.02, 1.12, 1.2, 1.28, 1.35, 1.38, 1.32, 1.2, 1.05, .85, .68)
_WINTER = (.45, .42, .4, .4, .42, .5, .72, .9, .78, .62, .55, .55,
           .55, .55, .55, .6, .72, .95, 1.15, 1.2, 1.1, .95, .75, .55)
# fmt: on


def _offset(day: date) -> timedelta:
    offset = datetime.combine(day, time(), CHICAGO).utcoffset()
    assert offset is not None  # a ZoneInfo always knows its offset
    return offset


def find_dst_change(day: date) -> int:
    """+1 on the day daylight saving time starts in Chicago, -1 on the day it ends, else 0."""
    return (_offset(day + timedelta(days=1)) - _offset(day)) // _HOUR


@cache
def _layout(change: int) -> tuple[float | None, ...]:
    hours: list[float | None] = [q / 4 for q in range(8)]
    hours += [1 + q / 4 for q in range(4)] if change < 0 else [None] * 4
    hours += [2 + q / 4 for q in range(88)]
    if change > 0:
        hours[12:16] = [None] * 4  # 02:00-03:00 does not happen
    return tuple(hours)


def list_slot_hours(day: date) -> tuple[float | None, ...]:
    """The wall-clock start hour (0.0-23.75) of each of the day's 100 slots, None where the
    slot stays empty: 96 hours on a normal day, 92 when DST starts, 100 when it ends."""
    return _layout(find_dst_change(day))


def _cycle_day(cycle: int) -> int:
    """The nominal read day of a meter read cycle (1-20): the 3rd to the 24th, leaving
    room for a day of jitter and a weekend in February."""
    return 3 + (cycle - 1) * 21 // 19


def find_read_cycle(read_days: Sequence[date]) -> int:
    """The read cycle whose nominal day is nearest the median of ``read_days``."""
    middle = sorted(day.day for day in read_days)[len(read_days) // 2]
    return min(range(1, 21), key=lambda cycle: abs(_cycle_day(cycle) - middle))


def _draw(seed: int, esiid: str, key: str) -> tuple[float, ...]:
    """Four uniforms in [0, 1) fixed by (seed, ESIID, key): far cheaper than a seeded
    Random, which matters for the one draw per day behind years of register readings."""
    digest = hashlib.sha256(f"{seed}:{esiid}:{key}".encode()).digest()
    return tuple(int.from_bytes(digest[i : i + 8], "big") / 2**64 for i in range(0, 32, 8))


def _spread(total: int, weights: Sequence[float]) -> list[int]:
    """Split ``total`` Wh in proportion to ``weights``; the rounding remainder goes to the
    largest part, so the parts add up exactly."""
    if not weights:
        return []
    weight_sum = sum(weights)
    if weight_sum <= 0:
        weights, weight_sum = [1.0] * len(weights), float(len(weights))
    parts = [int(total * w / weight_sum) for w in weights]
    largest = max(range(len(parts)), key=parts.__getitem__)
    parts[largest] += total - sum(parts)
    return parts


def _cooling(day: date) -> float:
    """0 in winter, 1 in late July: how much of the day is air-conditioning season."""
    return float(max(0.0, math.cos(2 * math.pi * (day.timetuple().tm_yday - 205) / 365.25)) ** 1.5)


def _daylight(day: date) -> tuple[float, float]:
    """Approximate wall-clock sunrise and sunset hours for Texas."""
    summer = math.cos(2 * math.pi * (day.timetuple().tm_yday - 172) / 365.25)
    noon = 12.4 + _offset(day) / _HOUR + 6  # solar noon moves to 13:24 under DST
    half = (12 + 2.1 * summer) / 2
    return noon - half, noon + half


def _to_wh(value: Decimal, what: str) -> int:
    wh = value * 1000
    if wh != int(wh):
        raise ValueError(f"{what} = {value}: more than 3 decimals")
    return int(wh)


class ReadingHistory:
    """Every reading of one meter. Daily totals come from the seed unless pinned; a pinned
    billing period, or a gap between pinned register reads, rescales the synthetic totals of
    its free days so that the pinned figures and the daily data agree. Register readings
    are prefix sums of the daily totals, cached and grown on demand; one instance may serve
    many threads."""

    def __init__(
        self,
        *,
        seed: int,
        esiid: str,
        generation: bool,
        read_cycle: int,
        pinned_days: Iterable[IntervalDay] = (),
        pinned_reads: Iterable[RegisterRead] = (),
        pinned_periods: Iterable[BillingPeriod] = (),
    ) -> None:
        self.seed, self.esiid, self.generation = seed, esiid, generation
        self.read_cycle = min(max(read_cycle, 1), 20)
        u = _draw(seed, esiid, "meter")
        self._scale = 0.7 + 0.8 * u[0]  # house size and habits
        self._solar_kw = 4.0 + 5.0 * u[1]
        self._days = {(d.day, d.reading_type): d for d in pinned_days}
        # A day's rows are a pure function of the day: keep the recent ones (the mock
        # answers the same days again and again, and synthesis costs ~0.2 ms a day).
        self.interval_rows = lru_cache(maxsize=1024)(self._synthesize_rows)
        self._reads = {r.read_date: r for r in pinned_reads}
        self._periods = {p.start: p for p in pinned_periods}
        self._revisions = {r.read_date: r.revision for r in self._reads.values()}
        self._revisions.update({d: row.revision for (d, _), row in self._days.items()})
        self._read_days: dict[tuple[int, int], date] = {}
        for period in self._periods.values():
            for moment in (period.start, period.end):
                self._read_days[moment.year, moment.month] = moment
        self._fixed: dict[date, int] = {}
        self._pin_totals()
        self._lock = threading.RLock()
        self._forward, self._backward = [0], [0]
        self._base: int | None = None

    def _pin_totals(self) -> None:
        for (day, reading_type), row in self._days.items():
            if reading_type == "C":
                self._fixed[day] = sum(s[0] for s in map(parse_slot, row.slots) if s)
        for day, read in self._reads.items():
            wh = _to_wh(read.kwh, f"{self.esiid} {day} kwh")
            if self._fixed.setdefault(day, wh) != wh:
                raise ValueError(
                    f"{self.esiid} {day}: pinned read {read.kwh} kWh is not the "
                    f"sum of the pinned interval day, {self._fixed[day] / 1000}"
                )
        for period in sorted(self._periods.values(), key=lambda p: p.start):
            self._fit(period.start, period.end, period.actual_kwh * 1000, "billing period")
        reads = sorted(self._reads.values(), key=lambda r: r.read_date)
        for before, after in itertools.pairwise(reads):
            gap = _to_wh(after.start_reading - before.end_reading, f"{self.esiid} readings")
            self._fit(before.read_date + timedelta(days=1), after.read_date, gap, "read gap")

    def _fit(self, first: date, stop: date, target: int, what: str) -> None:
        days = [first + timedelta(days=n) for n in range((stop - first).days)]
        free = [d for d in days if d not in self._fixed]
        rest = target - sum(self._fixed[d] for d in days if d in self._fixed)
        if rest < 0 or (rest and not free):
            raise ValueError(
                f"{self.esiid}: pinned {what} {first}..{stop} needs "
                f"{target / 1000} kWh; the other pinned values make that impossible"
            )
        drawn = [self._draw_totals(d)[0] for d in free]
        self._fixed.update(zip(free, _spread(rest, drawn), strict=True))

    def _draw_totals(self, day: date) -> tuple[int, int]:
        """The synthetic (net consumption, surplus generation) of a day, in Wh."""
        u = _draw(self.seed, self.esiid, day.isoformat())
        cooling = _cooling(day)
        heating = max(0.0, math.cos(2 * math.pi * (day.timetuple().tm_yday - 20) / 365.25)) ** 2
        weekend = 1.08 if day.weekday() >= 5 else 1.0
        gross = self._scale * (16 + 34 * cooling + 9 * heating) * weekend * (0.78 + 0.44 * u[0])
        if not self.generation:
            return round(gross * 1000), 0
        summer = math.cos(2 * math.pi * (day.timetuple().tm_yday - 172) / 365.25)
        solar = self._solar_kw * (4.8 + 1.6 * summer) * (0.25 + 0.75 * u[1])
        used = min(solar, 0.4 * gross)  # what the house consumes of its own generation
        return round((gross - used) * 1000), round((solar - used) * 1000)

    def day_total(self, day: date) -> int:
        """Net consumption of the day in Wh: the sum of its C slots."""
        fixed = self._fixed.get(day)
        return self._draw_totals(day)[0] if fixed is None else fixed

    def revision(self, day: date) -> datetime:
        pinned = self._revisions.get(day)
        if pinned is not None:
            return pinned
        seconds = int(_draw(self.seed, self.esiid, f"{day}:rev")[0] * 9 * 3600)
        return datetime.combine(day + timedelta(days=1), time(1)) + timedelta(seconds=seconds)

    def _synthesize_rows(self, day: date) -> dict[str, IntervalDay]:
        """The day's RD rows by reading type: C, and G for a generation point."""
        hours = list_slot_hours(day)
        filled = [i for i, hour in enumerate(hours) if hour is not None]
        seeded = hashlib.sha256(f"{self.seed}:{self.esiid}:{day}:slots".encode()).digest()
        rng = random.Random(seeded)  # noqa: S311 - reproducible test data, not security
        cooling = _cooling(day)
        load = []
        for i in filled:
            hour = int(hours[i] or 0)
            shape = cooling * _SUMMER[hour] + (1 - cooling) * _WINTER[hour]
            spike = rng.uniform(2.5, 4.0) if rng.random() < 0.04 else 1.0  # an appliance
            load.append(shape * rng.uniform(0.7, 1.3) * spike)
        surplus = [0.0] * len(filled)
        if self.generation:
            sunrise, sunset = _daylight(day)
            for n, i in enumerate(filled):
                middle = (hours[i] or 0) + 0.125
                sun = math.sin(math.pi * (middle - sunrise) / (sunset - sunrise))
                surplus[n] = max(0.0, sun - 0.3) * rng.uniform(0.8, 1.2) if sun > 0 else 0.0
                if surplus[n] > 0:  # the panels cover the house: imports only now and then
                    load[n] *= 0.0 if rng.random() < 0.6 else 0.05
        flags = ["A"] * len(filled)
        if rng.random() < 0.04:  # a communication gap: SMT estimates a run of slots
            start = rng.randrange(len(filled))
            run = rng.randint(4, 20)
            flags[start : start + run] = ["E"] * len(flags[start : start + run])
        rows = {"C": _spread(self.day_total(day), load)}
        if self.generation:
            rows["G"] = _spread(self._draw_totals(day)[1], surplus)
        result: dict[str, IntervalDay] = {}
        for reading_type, values in rows.items():
            pinned = self._days.get((day, reading_type))
            if pinned is not None:
                result[reading_type] = pinned
                continue
            slots = [""] * SLOT_COUNT
            for n, i in enumerate(filled):
                slots[i] = format_slot(values[n], flags[n])
            result[reading_type] = IntervalDay(
                esiid=self.esiid,
                day=day,
                reading_type=reading_type,
                revision=self.revision(day),
                slots=tuple(slots),
            )
        return result

    def _relative(self, day: date) -> int:
        """Wh consumed from the anchor to the start of ``day`` (negative before it)."""
        k = (day - ANCHOR).days
        with self._lock:
            if k >= 0:
                while len(self._forward) <= k:
                    day_after = ANCHOR + timedelta(days=len(self._forward) - 1)
                    self._forward.append(self._forward[-1] + self.day_total(day_after))
                return self._forward[k]
            while len(self._backward) <= -k:
                day_before = ANCHOR - timedelta(days=len(self._backward))
                self._backward.append(self._backward[-1] + self.day_total(day_before))
            return -self._backward[-k]

    def reading(self, day: date) -> int:
        """The register (Wh) at the start of ``day``."""
        with self._lock:
            if self._base is None:
                first = min(self._reads.values(), key=lambda r: r.read_date, default=None)
                if first is None:  # big enough to stay positive back to 2008, before AMS
                    u = _draw(self.seed, self.esiid, "base")
                    self._base = int((100_000 + 100_000 * u[0]) * 1000)
                else:
                    start = _to_wh(first.start_reading, f"{self.esiid} start reading")
                    self._base = start - self._relative(first.read_date)
            return self._base + self._relative(day)

    def register_read(self, day: date) -> RegisterRead:
        pinned = self._reads.get(day)
        if pinned is not None:
            return pinned
        start = Decimal(self.reading(day)).scaleb(-3)
        end = Decimal(self.reading(day + timedelta(days=1))).scaleb(-3)
        return RegisterRead(
            esiid=self.esiid,
            read_date=day,
            revision=self.revision(day),
            start_reading=start,
            end_reading=end,
            kwh=end - start,
        )

    def _read_day(self, year: int, month: int) -> date:
        """The meter read (billing cycle) day of a month: near the cycle's day, on a weekday."""
        pinned = self._read_days.get((year, month))
        if pinned is not None:
            return pinned
        jitter = int(_draw(self.seed, self.esiid, f"{year}-{month:02d}:cycle")[0] * 3) - 1
        day = date(year, month, _cycle_day(self.read_cycle) + jitter)
        return day + timedelta(days=7 - day.weekday() if day.weekday() >= 5 else 0)

    def billing_periods(self, start: date, end: date) -> list[BillingPeriod]:
        """The billing periods whose consumption days overlap ``start``..``end``."""
        periods: list[BillingPeriod] = []
        if end < start:
            return periods
        year, month = divmod(start.year * 12 + start.month - 1 - 2, 12)
        month += 1
        first = self._read_day(year, month)
        while first <= end:
            year, month = (year, month + 1) if month < 12 else (year + 1, 1)
            stop = self._read_day(year, month)
            if stop > start:
                periods.append(self._period(first, stop))
            first = stop
        return periods

    def _period(self, start: date, end: date) -> BillingPeriod:
        pinned = self._periods.get(start)
        if pinned is not None:
            return pinned
        wh = self.reading(end) - self.reading(start)
        u = _draw(self.seed, self.esiid, f"{end}:billed")
        revision = datetime.combine(end + timedelta(days=2 + int(u[0] * 4)), time(1))
        return BillingPeriod(
            esiid=self.esiid,
            start=start,
            end=end,
            revision=revision + timedelta(seconds=int(u[1] * 3 * 3600)),
            actual_kwh=(wh + 500) // 1000,
        )
