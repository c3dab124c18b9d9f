"""Decoding a large interval answer on two cores: this process parses and validates, a
worker process computes the days' exact totals.

The worker is ``adapter/rd_totals.py`` run as a script in a fresh interpreter (``-I``): it
imports only the standard library, so it starts in tens of milliseconds and stays small.
Days go to it in batches of consecutive days (across ESIIDs); at most ``_DEPTH`` batches
are in flight, so while it sums one batch this process parses the next payload and hands
out the days of the batch before. When the worker is that far behind, this process
decodes the next batch itself instead of waiting.

Every day still gets all of its checks. The worker answers a total only for a day whose
slots are all well-formed values (through the same table and rule as
``adapter.interval_columns``); for anything unusual it answers ``UNUSUAL`` and the day is
decoded here, which raises the ``ReadingError`` that names the ESIID, the date and the
slot. DT, RT and RevTS are checked here for every day.

The worker only speeds things up: until it is ready, and if it stops, days are decoded in
this process (a stop is logged), in the same order and with the same results. Days are
handed out in document order, and an error only once the days before it are out.
"""

from __future__ import annotations

import logging
import os
import select
import subprocess
import sys
from array import array
from collections import deque
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date
from itertools import repeat

from adapter import rd_totals
from adapter.errors import AdapterError, ReadingError
from adapter.interval_calendar import day_stop
from adapter.interval_columns import (
    DayReadings,
    check_day_fields,
    day_columns,
    decode_fields,
    parse_dt,
    parse_smt_date,
)

__all__ = ["Payload", "TotalsWorker", "decode_payloads", "usable_cpus"]

Payload = tuple[str, list[str]]
"""One ESIID's payload as read: the ESIID and the texts of its days, four per day in the
schema's order (DT, RevTS, RT, RD)."""

_LOG = logging.getLogger("adapter.soap")
_BATCH_DAYS = 384  # about 250 KB of RD text; its answer (3 KB) fits any pipe's buffer
_DEPTH = 4  # batches in flight: the worker sums one while the next ones wait in the pipe
_PIPE_BYTES = 1 << 20  # Linux's default maximum: a waiting batch never blocks the writer
_SCRIPT = rd_totals.__file__


def usable_cpus() -> int:
    """The CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class TotalsWorker:
    """The worker process (``adapter.rd_totals`` as a script): ``submit`` a batch of days,
    ``receive`` the totals of the oldest one. Any failure marks it ``stopped`` and is
    logged; whoever holds a batch then decodes it in this process."""

    def __init__(self) -> None:
        if os.name != "posix":
            raise OSError("the worker's pipes are polled with select(), which needs POSIX")
        if not sys.executable or getattr(sys, "frozen", False):
            # a frozen application's executable is the application, not a Python
            raise OSError(f"no Python interpreter to run the worker ({sys.executable!r})")
        self.stopped = False
        self._ready = False
        self._waiting: deque[int] = deque()  # days of each batch in flight
        self._process = subprocess.Popen(
            [sys.executable, "-I", _SCRIPT],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        assert self._process.stdin is not None
        assert self._process.stdout is not None
        _widen(self._process.stdin.fileno())
        self._answers = self._process.stdout.fileno()

    @property
    def pid(self) -> int:
        return self._process.pid

    def accepts(self) -> bool:
        """Whether a batch sent now would be worked on (ready, alive, not too far ahead)."""
        return not self.stopped and len(self._waiting) < _DEPTH and self._is_ready()

    def submit(self, rds: list[str], stops: bytes) -> bool:
        """Send a batch (each day's stripped RD and its stop); whether it was taken."""
        text = "\0".join(rds).encode("utf-8")
        try:
            assert self._process.stdin is not None
            stdin = self._process.stdin
            stdin.write(rd_totals.FRAME.pack(len(rds), len(text)))
            stdin.write(stops)
            stdin.write(text)
            stdin.flush()
        except OSError as exc:
            self._stop(f"it could not be sent a batch: {exc}")
            return False
        self._waiting.append(len(rds))
        return True

    def answered(self) -> bool:
        """Whether ``receive`` would not wait (an answer has begun to arrive, or the worker
        stopped)."""
        return self.stopped or bool(select.select([self._answers], [], [], 0)[0])

    def receive(self) -> array[int] | None:
        """The totals of the oldest batch in flight, None if the worker stopped."""
        days = self._waiting.popleft()
        if self.stopped:
            return None
        data = self._read(8 * days)
        if len(data) != 8 * days:
            self._stop("it ended before answering a batch")
            return None
        return array("q", data)

    def _read(self, size: int) -> bytes:
        # straight from the pipe, never through a buffer, so that select() tells the truth
        chunks, left = [], size
        while left:
            chunk = os.read(self._answers, left)
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)

    def close(self) -> None:
        """Ask the worker to end and wait for it (killing it after a second)."""
        process = self._process
        assert process.stdin is not None
        with suppress(OSError):  # it has ended already: wait() below collects it
            process.stdin.write(rd_totals.FRAME.pack(0, 0))
            process.stdin.flush()
        with suppress(OSError):  # the same; the pipe is closed all the same
            process.stdin.close()
        try:
            process.wait(timeout=1)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()

    def _is_ready(self) -> bool:
        if not self._ready:
            if not select.select([self._answers], [], [], 0)[0]:
                return False  # still starting: the caller decodes meanwhile
            if self._read(1) != rd_totals.READY:
                self._stop("it did not start")
                return False
            self._ready = True
        return True

    def _stop(self, why: str) -> None:
        self.stopped = True
        error = b""
        if self._process.poll() is not None and self._process.stderr is not None:
            error = self._process.stderr.read()[-500:]
        _LOG.warning(
            "the RD totals worker stopped (%s)%s; decoding in this process",
            why,
            f": {error.decode(errors='replace').strip()}" if error else "",
        )


def _widen(pipe: int) -> None:
    """Make a pipe hold a whole waiting batch where the system allows (Linux)."""
    import fcntl  # POSIX only, like the worker

    if hasattr(fcntl, "F_SETPIPE_SZ"):
        with suppress(OSError):  # a smaller pipe only makes the writer wait sometimes
            fcntl.fcntl(pipe, fcntl.F_SETPIPE_SZ, _PIPE_BYTES)


@dataclass(slots=True)
class _Batch:
    rows: list[tuple[str, str, str, str, str]] = field(default_factory=list)  # esiid + 4 texts
    sent: bool = False  # to the worker, which answers the totals in order
    days: list[DayReadings] | None = None  # decoded here ahead of its turn
    error: ReadingError | None = None  # what stopped that decoding, raised in its turn


# DT text -> (date, stop): a DUNS answer repeats its dates for every ESIID. Cleared when it
# grows past _CACHED.
_DAYS: dict[str, tuple[date, int]] = {}
_CACHED = 4096


def decode_payloads(payloads: Iterator[Payload], worker: TotalsWorker) -> Iterator[DayReadings]:
    """The checked days of the payloads, in order, their totals summed by ``worker`` when
    it can (see the module). Raises what the payloads raise, after handing out the days
    read before, and ``ReadingError`` for the first bad day."""
    waiting: deque[_Batch] = deque()
    batch = _Batch()
    while True:
        try:
            esiid, texts = next(payloads)
        except StopIteration:
            break
        except AdapterError:
            # A broken payload or envelope, or a SOAP Fault: the days read before it are
            # handed out first, in order, as when decoding in one process.
            yield from _flush(waiting, batch, worker)
            raise
        fields = iter(texts)
        batch.rows.extend(zip(repeat(esiid), fields, fields, fields, fields))
        while len(batch.rows) >= _BATCH_DAYS:
            rest = batch.rows[_BATCH_DAYS:]
            del batch.rows[_BATCH_DAYS:]
            # Hand out what is done. When the worker is a full _DEPTH ahead and still
            # summing, this process decodes the batch itself rather than wait.
            while waiting and (not waiting[0].sent or (not worker.accepts() and worker.answered())):
                yield from _finish(waiting.popleft(), worker)
            waiting.append(_send(batch, worker))
            batch = _Batch(rest)
    yield from _flush(waiting, batch, worker)


def _flush(waiting: deque[_Batch], last: _Batch, worker: TotalsWorker) -> Iterator[DayReadings]:
    if last.rows:
        waiting.append(last)
    while waiting:
        yield from _finish(waiting.popleft(), worker)


def _send(batch: _Batch, worker: TotalsWorker) -> _Batch:
    """The batch, sent to the worker if it takes it, else decoded here."""
    if worker.accepts():
        stops = bytes(_day_of(row[1])[1] for row in batch.rows)
        batch.sent = worker.submit([row[4].strip() for row in batch.rows], stops)
    if not batch.sent:
        days: list[DayReadings] = []
        try:
            days.extend(_decode(*row) for row in batch.rows)
        except ReadingError as exc:
            batch.error = exc  # raised when the batch's turn comes, after the days before
        batch.days = days
    return batch


def _day_of(dt: str) -> tuple[date, int]:
    """A DT's date and stop; stop 0 when it is not a date (the worker answers UNUSUAL,
    and the day decoded here raises the error naming it)."""
    known = _DAYS.get(dt)
    if known is None:
        try:
            when = parse_smt_date(dt)
        except ValueError:
            return _NOT_A_DAY
        if len(_DAYS) >= _CACHED:
            _DAYS.clear()
        known = _DAYS[dt] = when, day_stop(when)
    return known


_NOT_A_DAY = (date.min, 0)


def _finish(batch: _Batch, worker: TotalsWorker) -> Iterator[DayReadings]:
    if batch.days is not None:
        yield from batch.days
        if batch.error is not None:
            raise batch.error
        return
    totals = worker.receive() if batch.sent else None
    if totals is None:
        for esiid, dt, revision, reading_type, rd in batch.rows:
            yield _decode(esiid, dt, revision, reading_type, rd)
        return
    unusual, days = rd_totals.UNUSUAL, _DAYS
    for (esiid, dt, revision, reading_type, rd), units in zip(batch.rows, totals, strict=True):
        known = days.get(dt)
        if units == unusual or known is None:
            yield _decode(esiid, dt, revision, reading_type, rd)
        else:
            when, direction = known[0], reading_type.strip()
            checked = check_day_fields(esiid, when, direction, revision.strip() or None)
            yield day_columns(esiid, when, direction, checked, rd.strip(), units)


def _decode(esiid: str, dt: str, revision: str, reading_type: str, rd: str) -> DayReadings:
    """A day decoded here, with every check: the error of the first that fails."""
    day = parse_dt(esiid, dt)
    return decode_fields(esiid, day, reading_type.strip(), revision.strip() or None, rd)
