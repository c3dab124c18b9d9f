"""Reading any SMT report file: the parser is chosen by what its name says.

``iter_report_records`` takes the report's name (or an already parsed ``ReportName``)
and its text or binary stream (already unwrapped: no ``.asc``, no ``.zip``), and yields
the records of its kind: ``IntervalDay`` (interval CSV, LSE, daily LSE),
``DailyReads``, ``MonthlyBilling``, ``MeterAttributes``, ``PremiseAttributes``, or
``GreenButtonReading`` (XML). CSV records carry the report id as their ``trans_id``.
Bad rows go to ``dead_letters`` named after the file, and so do lines that are not UTF-8
or longer than ``MAX_LINE`` bytes (read no further than that: a binary file with no line
breaks is never held whole).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any, cast

from adapter.records import (
    DailyReads,
    IntervalDay,
    MeterAttributes,
    MonthlyBilling,
    PremiseAttributes,
)
from adapter.reports.csv_reports import (
    iter_daily_csv,
    iter_interval_csv,
    iter_meter_csv,
    iter_monthly_csv,
    iter_premise_csv,
)
from adapter.reports.dead_letters import DeadLetters
from adapter.reports.green_button import GreenButtonReading, iter_green_button_readings
from adapter.reports.lse import iter_lse_days
from adapter.reports.names import ReportName, format_report_name, parse_report_name

__all__ = ["MAX_LINE", "ReportRecord", "iter_report_records"]

MAX_LINE = 1024 * 1024

ReportRecord = (
    IntervalDay | DailyReads | MonthlyBilling | MeterAttributes | PremiseAttributes
    | GreenButtonReading
)  # fmt: skip


def iter_report_records(
    name: str | ReportName,
    stream: IO[str] | IO[bytes] | Iterable[str],
    dead_letters: DeadLetters,
) -> Iterator[ReportRecord]:
    """The records of one report file, one at a time.

    Raises ``ConfigurationError`` (before reading) when ``name`` is not an SMT report
    name; never for bad rows, which go to ``dead_letters``. A binary stream is read as
    UTF-8 (with or without a BOM) for CSV and LSE; XML is read as bytes."""
    report = parse_report_name(name) if isinstance(name, str) else name
    source = format_report_name(report, wrapped=False)
    if report.format == "XML":
        yield from iter_green_button_readings(
            _binary(stream), dead_letters=dead_letters, source=source
        )
        return
    lines = _text_lines(stream, dead_letters, source)
    if report.format == "LSE":
        yield from iter_lse_days(lines, dead_letters=dead_letters, source=source)
    elif report.kind == "interval":
        yield from iter_interval_csv(lines, dead_letters=dead_letters, source=source)
    else:
        parser = _RECORD_PARSERS[report.kind]
        trans_id = report.report_id
        yield from parser(lines, dead_letters=dead_letters, source=source, trans_id=trans_id)


_RECORD_PARSERS: dict[str, Callable[..., Iterator[ReportRecord]]] = {
    "daily": iter_daily_csv,
    "monthly": iter_monthly_csv,
    "meter": iter_meter_csv,
    "premise": iter_premise_csv,
}


def _text_lines(
    stream: IO[str] | IO[bytes] | Iterable[str], dead_letters: DeadLetters, source: str
) -> Iterator[str]:
    """The lines as text; one that cannot be is a dead letter and read as a blank line,
    so that the parsers' line numbers stay right."""
    for number, (line, whole) in enumerate(_bounded_lines(stream), start=1):
        reason = None if whole else f"the line is longer than {MAX_LINE} bytes"
        if isinstance(line, bytes) and reason is None:
            try:
                line = line.decode("utf-8-sig")
            except UnicodeDecodeError:
                reason = "not UTF-8"
        if reason is None and isinstance(line, str):
            yield line
            continue
        raw = line[:200].decode("utf-8", "backslashreplace") if isinstance(line, bytes) else line
        dead_letters.add(source=source, line=number, reason=reason or "", raw=raw[:200])
        yield "\n"


def _bounded_lines(
    stream: IO[str] | IO[bytes] | Iterable[str],
) -> Iterator[tuple[str | bytes, bool]]:
    """Each line with whether it is whole (at most ``MAX_LINE`` long); of a longer one,
    only its start is kept and the rest is read past."""
    readline = getattr(stream, "readline", None)
    if readline is None:
        for line in cast(Iterable[str], stream):
            yield line, len(line) <= MAX_LINE
        return
    while line := readline(MAX_LINE + 1):
        if len(line) <= MAX_LINE:
            yield line, True
            continue
        rest = line
        while rest and not rest.endswith(b"\n" if isinstance(rest, bytes) else "\n"):
            rest = readline(MAX_LINE + 1)
        yield line[:MAX_LINE], False


def _binary(stream: IO[str] | IO[bytes] | Iterable[str]) -> IO[bytes]:
    if isinstance(stream, io.BufferedIOBase | io.RawIOBase):
        return cast(IO[bytes], stream)
    return cast(IO[bytes], io.BufferedReader(_EncodedLines(stream)))


class _EncodedLines(io.RawIOBase):
    """Text lines read as UTF-8 bytes, a line at a time (for lxml's ``read``)."""

    def __init__(self, lines: Iterable[str | bytes]) -> None:
        self._lines = iter(lines)
        self._rest = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._rest:
            line = next(self._lines, None)
            if line is None:
                return 0
            self._rest = line.encode() if isinstance(line, str) else line
        size = min(len(buffer), len(self._rest))
        buffer[:size] = self._rest[:size]
        self._rest = self._rest[size:]
        return size
