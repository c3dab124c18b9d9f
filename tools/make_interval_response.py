"""Write a DUNS-scale processIntervalEnergyData response (about 57 MB by default).

Many ESIIDs x days of realistic RD strings in SMT's 100-slot layout: a residential load
shape by hour, values written as SMT writes them (``.221-A``, ``1.177-A``, ``0-A``), runs of
estimated (``E``) slots now and then, surplus generation (``G``) days for every tenth
ESIID, and the DST days with 92 and 100 values (two of each in the default two years).
Deterministic for a seed; written as it goes, never built as a tree in memory.

    python tools/make_interval_response.py OUT.xml [--esiids 95] [--days 730]
        [--start 2023-01-01] [--seed 20240310]
"""

from __future__ import annotations

import argparse
import math
import random
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo

__all__ = ["main", "write_response"]

SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
ENERGY = "http://schemas.esb.ams.com/meterusagesource"
CHICAGO = ZoneInfo("America/Chicago")
# Relative residential load by wall-clock hour (a mild-season Texas day).
# fmt: off
_SHAPE = (.5, .46, .44, .43, .44, .5, .66, .82, .75, .64, .6, .62,
          .66, .7, .74, .8, .9, 1.05, 1.2, 1.22, 1.1, .95, .76, .58)
# fmt: on
_POOL = 256  # distinct values per hour and ESIID: enough variety, cheap to draw from


def format_kwh(wh: int) -> str:
    """SMT's kWh text: at most 3 decimals, no trailing zeros, no leading zero."""
    whole, milli = divmod(wh, 1000)
    text = f"{whole}.{milli:03d}".rstrip("0").rstrip(".")
    return text[1:] if text.startswith("0.") else text


def _slot_hours(day: date) -> list[int | None]:
    """The wall-clock hour of each of the 100 slots, None where the slot stays empty."""
    change = (
        datetime.combine(day + timedelta(days=1), time(), CHICAGO).utcoffset() or timedelta(0)
    ) - (datetime.combine(day, time(), CHICAGO).utcoffset() or timedelta(0))
    hours: list[int | None] = [q // 4 for q in range(8)]
    hours += [1] * 4 if change < timedelta(0) else [None] * 4
    hours += [2 + q // 4 for q in range(88)]
    if change > timedelta(0):
        hours[12:16] = [None] * 4  # 02:00-03:00 does not happen
    return hours


def _pools(rng: random.Random, scale: float, generation: bool) -> list[list[str]]:
    pools = []
    for hour, shape in enumerate(_SHAPE):
        if generation:
            sun = max(0.0, math.sin(math.pi * (hour - 6.5) / 13))
            draws = [
                0 if rng.random() > sun else int(900 * sun * rng.random()) for _ in range(_POOL)
            ]
        else:
            draws = [int(250 * scale * shape * rng.lognormvariate(0, 0.35)) for _ in range(_POOL)]
        pools.append([format_kwh(wh) for wh in draws])
    return pools


def _rd(rng: random.Random, pools: Sequence[Sequence[str]], hours: list[int | None]) -> str:
    flags = ["A"] * 100
    if rng.random() < 0.04:  # a communication gap: SMT estimates a run of slots
        first = rng.randrange(100)
        run = flags[first : first + rng.randint(4, 20)]
        flags[first : first + len(run)] = ["E"] * len(run)
    return ",".join(
        "" if hour is None else f"{rng.choice(pools[hour])}-{flags[n]}"
        for n, hour in enumerate(hours)
    )


def write_response(
    out: TextIO, *, esiids: int, days: int, start: date, seed: int = 20240310
) -> int:
    """Write the response to ``out``; return the number of energyData days written."""
    layouts: dict[date, list[int | None]] = {}
    written = 0
    out.write(f'<soapenv:Envelope xmlns:soapenv="{SOAP}"><soapenv:Body>\n')
    out.write(f'<NS1:processIntervalEnergyDataResponse xmlns:NS1="{ENERGY}">\n')
    for e in range(esiids):
        rng = random.Random(f"{seed}:{e}")
        esiid = f"1044372000{e:07d}"
        channels = {"C": _pools(rng, 0.7 + 0.8 * rng.random(), generation=False)}
        if e % 10 == 9:
            channels["G"] = _pools(rng, 1.0, generation=True)
        out.write(
            f"<IntervalEnergyDataSyncResponse><trans_id>DUNS{seed}</trans_id>"
            f"<esiid>{esiid}</esiid><energyDataList>\n"
        )
        for d in range(days):
            day = start + timedelta(days=d)
            hours = layouts.get(day) or layouts.setdefault(day, _slot_hours(day))
            revised = day + timedelta(days=1)
            stamp = f"{revised:%m/%d/%Y} {rng.randrange(1, 10):02d}:{rng.randrange(60):02d}:17"
            for reading_type, pools in channels.items():
                out.write(
                    f"<energyData><DT>{day:%m/%d/%Y}</DT><RevTS>{stamp}</RevTS>"
                    f"<RT>{reading_type}</RT><RD>{_rd(rng, pools, hours)}</RD></energyData>\n"
                )
                written += 1
        out.write("</energyDataList></IntervalEnergyDataSyncResponse>\n")
    out.write("</NS1:processIntervalEnergyDataResponse></soapenv:Body></soapenv:Envelope>\n")
    return written


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("output", type=Path)
    parser.add_argument("--esiids", type=int, default=95)
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--start", type=date.fromisoformat, default=date(2023, 1, 1))
    parser.add_argument("--seed", type=int, default=20240310)
    args = parser.parse_args(argv)
    with args.output.open("w", encoding="utf-8", newline="\n") as out:
        days = write_response(
            out, esiids=args.esiids, days=args.days, start=args.start, seed=args.seed
        )
    size = args.output.stat().st_size / 1e6
    print(f"{args.output}: {size:.1f} MB, {args.esiids} ESIIDs, {days} ESIID-days")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
