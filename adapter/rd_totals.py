"""The exact kWh total of a day's RD text, and a worker process that computes such totals.

A filled RD slot is ``<kWh>-<A or E>``. SMT's values repeat endlessly (a few thousand
distinct texts in a DUNS-wide answer), so each text is proven well-formed once and kept
in a table with its kWh as a count of thousandths: a day's check and exact total are then
one split and one table lookup per slot (``day_units``). ``adapter.interval_columns``
shares the table and the rule, and names the ESIID, date and slot of anything wrong.

This module imports nothing from the adapter, only the standard library, so that it can
also run as a script in a fresh interpreter (``python -I rd_totals.py``): the worker that
``adapter.soap.interval_pipeline`` starts for a large answer, so that parsing and totals
run on two cores. The worker reads framed requests on stdin and answers on stdout:

    request   the number of days and the size of the text in bytes (two uint32), one
              stop byte per day (the end of its run of empty slots: 8, 12 or 16), then
              the days' RD texts joined by NUL (which XML text cannot hold), UTF-8;
              0 days ends the worker
    answer    one int64 per day: its total in thousandths of a kWh, or UNUSUAL when
              anything about it is unusual (a malformed or empty slot, a slot count
              other than 100, a value with more than three decimals): the caller decodes
              that day itself, with the errors that name what is wrong
Both ends run on one machine: the integers are in its native byte order. The worker
first writes one byte, ``R``, once it is ready.
"""

from __future__ import annotations

import re
import struct
import sys
from array import array
from typing import BinaryIO

__all__ = [
    "FRAME",
    "READY",
    "SCALE",
    "SLOT_COUNT",
    "THOUSANDTHS",
    "UNUSUAL",
    "day_units",
    "kwh_value",
    "remember",
    "scaled",
    "serve",
]

SLOT_COUNT = 100
SCALE = 3  # the table counts thousandths of a kWh: SMT writes at most three decimals
UNUSUAL = -1  # day_units: the caller must decode this day slot by slot
READY = b"R"
FRAME = struct.Struct("=II")  # days, text size in bytes
_KWH = re.compile(r"(?:\d+(?:\.\d*)?|\.\d+)\Z")  # digits with at most one point: never negative
_TABLE_LIMIT = 200_000  # texts in the table; a table that grows past it starts again

# Slot text -> kWh in thousandths, for well-formed texts of at most three decimals only.
THOUSANDTHS: dict[str, int] = {}


def kwh_value(text: str) -> str | None:
    """The kWh text of a well-formed slot (``.221`` of ``.221-A``), None for anything
    else (an empty slot included)."""
    value, dash, flag = text.rpartition("-")
    if not dash or flag not in ("A", "E") or not _KWH.match(value):
        return None
    return value


def scaled(value: str, scale: int) -> int:
    """A checked kWh text as a count of ``10**-scale`` kWh (it has at most ``scale``
    decimals)."""
    whole, _, fraction = value.partition(".")
    return int(whole + fraction.ljust(scale, "0"))


def remember(text: str, value: str) -> bool:
    """Put a well-formed slot text (``value`` its kWh text) in the table, unless it has
    more than three decimals; whether it is there."""
    if len(value.partition(".")[2]) > SCALE:
        return False
    if len(THOUSANDTHS) >= _TABLE_LIMIT:
        THOUSANDTHS.clear()
    THOUSANDTHS[text] = scaled(value, SCALE)
    return True


def day_units(rd: str, stop: int) -> int:
    """The exact total, in thousandths of a kWh, of a day's RD text (already stripped)
    whose run of empty slots (from slot 8) ends at ``stop``; ``UNUSUAL`` when the day is
    not 100 slots, holds a value where one must be empty or none where one must be
    filled, holds a malformed value or one with more than three decimals."""
    if stop not in (8, 12, 16):
        return UNUSUAL
    slots = rd.split(",")
    if len(slots) != SLOT_COUNT or any(slots[8:stop]):
        return UNUSUAL
    del slots[8:stop]  # the filled slots remain
    try:
        return sum(map(THOUSANDTHS.__getitem__, slots))
    except KeyError:
        pass
    for text in slots:
        if text not in THOUSANDTHS:
            value = kwh_value(text)
            if value is None or not remember(text, value):
                return UNUSUAL
    return sum(map(THOUSANDTHS.__getitem__, slots))


def serve(requests: BinaryIO, answers: BinaryIO) -> int:
    """Answer framed requests until asked to stop or the caller goes away; the exit
    status (0, or 2 for a request that breaks the framing)."""
    answers.write(READY)
    answers.flush()
    while True:
        head = requests.read(FRAME.size)
        if len(head) < FRAME.size:
            return 0  # the caller closed the pipe: nothing is waiting for an answer
        days, size = FRAME.unpack(head)
        if days == 0:
            return 0
        stops = requests.read(days)
        text = requests.read(size)
        rds = text.decode("utf-8").split("\0") if len(text) == size else []
        if len(stops) != days or len(rds) != days:
            print(f"rd_totals: a request of {days} days does not hold them", file=sys.stderr)
            return 2
        answers.write(array("q", map(day_units, rds, stops)).tobytes())
        answers.flush()


if __name__ == "__main__":
    raise SystemExit(serve(sys.stdin.buffer, sys.stdout.buffer))
