"""Decoding a streamed interval answer with the totals worker: the same days, checks and
errors as decoding in one process, whatever happens to the worker."""

from __future__ import annotations

import io
import logging
import os
import signal
import sys
from datetime import date
from pathlib import Path

import pytest

from adapter.errors import MalformedResponseError, ReadingError
from adapter.interval import DayReadings
from adapter.soap.interval_pipeline import TotalsWorker, decode_payloads
from adapter.soap.interval_stream import iter_interval_day_readings, iter_payloads
from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "tools"))
from make_interval_response import write_response  # a sibling tool, not a package

pytestmark = pytest.mark.skipif(os.name != "posix", reason="the worker needs POSIX pipes")


def response(esiids: int, days: int, start: date = date(2023, 3, 1)) -> bytes:
    out = io.StringIO()
    write_response(out, esiids=esiids, days=days, start=start)
    return out.getvalue().encode()


# 10 ESIIDs (the tenth with G days too) over 260 days from March 2023, both DST days of 2023
# among them: 2,860 days, several batches of 512.
DOCUMENT = response(esiids=10, days=260)


def decoded(document: bytes, *, worker: bool) -> list[DayReadings]:
    return list(iter_interval_day_readings(io.BytesIO(document), worker=worker))


def replace_nth(document: bytes, old: bytes, new: bytes, n: int) -> bytes:
    """``document`` with the n-th (0-based) occurrence of ``old`` replaced."""
    at = -1
    for _ in range(n + 1):
        at = document.index(old, at + 1)
    return document[:at] + new + document[at + len(old) :]


def outcome(document: bytes, *, worker: bool) -> tuple[list[DayReadings], str]:
    """The days handed out before the error, and the error's text ('' if none)."""
    days: list[DayReadings] = []
    try:
        days.extend(iter_interval_day_readings(io.BytesIO(document), worker=worker))
    except (ReadingError, MalformedResponseError) as exc:
        return days, f"{type(exc).__name__}: {exc}"
    return days, ""


def children() -> list[int]:
    """This process's child processes (Linux)."""
    found: list[int] = []
    for task in Path(f"/proc/{os.getpid()}/task").iterdir():
        found += [int(pid) for pid in (task / "children").read_text().split()]
    return found


def test_the_worker_gives_the_same_days_as_decoding_in_one_process() -> None:
    with_worker = decoded(DOCUMENT, worker=True)

    assert with_worker == decoded(DOCUMENT, worker=False)
    assert len(with_worker) == 10 * 260 + 260
    assert {len(day) for day in with_worker} == {92, 96, 100}
    assert sum(day.total_units for day in with_worker) > 0


@pytest.mark.parametrize(
    ("where", "old", "new", "n"),
    [
        ("a value in the empty run", b",,,,", b",.1-A,,,", 1_500),
        ("a malformed value", b"-A,", b"-X,", 80_000),
        ("a slot too many", b"</RD>", b",</RD>", 1_300),
        ("a DT that is no date", b"<DT>0", b"<DT>1", 900),
        ("an RT that is neither C nor G", b"<RT>C</RT>", b"<RT>X</RT>", 1_100),
        ("a revision time that is no time", b"<RevTS>0", b"<RevTS>1", 650),
    ],
)
def test_a_bad_day_deep_in_the_answer_fails_as_in_one_process_after_the_same_days(
    where: str, old: bytes, new: bytes, n: int
) -> None:
    document = replace_nth(DOCUMENT, old, new, n)

    days, error = outcome(document, worker=True)

    assert error.startswith("ReadingError: ESIID ")
    assert (days, error) == outcome(document, worker=False)
    assert len(days) > 512  # past the first batch: the worker had the day


def test_values_with_more_than_three_decimals_are_summed_exactly() -> None:
    document = replace_nth(DOCUMENT, b"-A,", b"1-A,", 30_000)  # one value gains a decimal

    days = decoded(document, worker=True)

    assert days == decoded(document, worker=False)
    assert {day.scale for day in days} == {3, 4}


def test_a_broken_later_payload_fails_after_the_days_before_it() -> None:
    last = DOCUMENT.rindex(b"<esiid>")
    document = DOCUMENT[:last] + DOCUMENT[last:].replace(b"<esiid>", b"<esiidx>", 1).replace(
        b"</esiid>", b"</esiidx>", 1
    )

    days, error = outcome(document, worker=True)

    assert error.startswith("MalformedResponseError: ")
    assert (days, error) == outcome(document, worker=False)
    assert len(days) == 9 * 260  # all but the last payload (the tenth ESIID: C and G days)


def test_a_worker_killed_midway_leaves_the_days_to_this_process(
    caplog: pytest.LogCaptureFixture,
) -> None:
    payloads = list(iter_payloads(io.BytesIO(DOCUMENT)))
    worker = TotalsWorker()
    try:
        days: list[DayReadings] = []
        stream = decode_payloads(iter(payloads), worker)
        days.extend(next(stream) for _ in range(600))  # the worker has answered a batch
        os.kill(worker.pid, signal.SIGKILL)
        with caplog.at_level(logging.WARNING, logger="adapter.soap"):
            days.extend(stream)
    finally:
        worker.close()

    assert days == decoded(DOCUMENT, worker=False)
    assert worker.stopped
    assert "the RD totals worker stopped" in caplog.text


def test_without_a_worker_every_batch_is_decoded_here_and_errors_keep_their_turn(
    caplog: pytest.LogCaptureFixture,
) -> None:
    document = replace_nth(DOCUMENT, b"-A,", b"-X,", 100_000)  # day 1,000 or so
    worker = TotalsWorker()
    os.kill(worker.pid, signal.SIGKILL)  # before it could ever answer
    days: list[DayReadings] = []
    try:
        with caplog.at_level(logging.WARNING, logger="adapter.soap"):
            stream = decode_payloads(iter_payloads(io.BytesIO(document)), worker)
            with pytest.raises(ReadingError) as caught:
                days.extend(stream)
    finally:
        worker.close()

    assert worker.stopped
    assert (days, f"ReadingError: {caught.value}") == outcome(document, worker=False)


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads children from /proc")
def test_closing_the_stream_early_ends_the_worker() -> None:
    before = set(children())
    stream = iter_interval_day_readings(io.BytesIO(DOCUMENT), worker=True)
    next(stream)
    assert set(children()) - before  # the worker runs

    stream.close()  # type: ignore[attr-defined]

    assert set(children()) - before == set()


def test_a_small_file_or_a_stream_is_decoded_without_a_worker_by_default(
    tmp_path: Path,
) -> None:
    target = tmp_path / "answer.xml"
    target.write_bytes(DOCUMENT)
    before = set(children()) if Path("/proc/self/task").exists() else set()

    stream = iter_interval_day_readings(target)
    first = next(stream)

    if Path("/proc/self/task").exists():
        assert set(children()) == before
    assert [first, *stream] == decoded(DOCUMENT, worker=False)


def test_a_frozen_application_decodes_in_process_with_a_warning(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(sys, "frozen", True, raising=False)  # its executable is no Python

    with caplog.at_level(logging.WARNING, logger="adapter.soap"):
        days = decoded(DOCUMENT, worker=True)

    assert days == decoded(DOCUMENT, worker=False)
    assert "no RD totals worker (no Python interpreter to run the worker" in caplog.text
