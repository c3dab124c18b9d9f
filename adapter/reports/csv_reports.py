"""Streaming parsers of SMT's CSV reports (layouts in ``adapter.reports.layouts``).

Each reads one line at a time, so memory does not grow with the file (daily and monthly
reads are held for one ESIID at a time, the interval rows for one ESIID-day). A bad row
never stops a file: it goes to ``dead_letters`` with the ``source`` name, its line
number, the raw line and the reason, and the rest is still read. A file whose header
lacks a column sends every line there (nothing can be read without it).

Interval CSV rows are read by ``adapter.interval_sources.iter_csv_days`` (SMT's own
parser), one ESIID-day and direction at a time, and each day is checked by the decoder;
a day it rejects goes to the dead letters with all its lines.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from adapter.errors import ReadingError
from adapter.interval_columns import decode_day_columns
from adapter.interval_sources import iter_csv_days
from adapter.records import (
    BillingPeriod,
    DailyReads,
    IntervalDay,
    MeterAttributes,
    MonthlyBilling,
    PremiseAttributes,
    RegisterRead,
)
from adapter.reports.cells import iter_numbered_rows, parse_date, parse_decimal, unescape_cell
from adapter.reports.dead_letters import DeadLetters
from adapter.reports.layouts import DAILY, INTERVAL, METER, MONTHLY, PREMISE, Column, CsvLayout

__all__ = [
    "iter_daily_csv",
    "iter_interval_csv",
    "iter_meter_csv",
    "iter_monthly_csv",
    "iter_premise_csv",
]

_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class _Row:
    line: int
    raw: str
    values: dict[str, Any]


class _BadCellError(ValueError):
    pass


def _value(column: Column, text: str) -> Any:
    text = unescape_cell(text)
    try:
        if column.codec in ("optional", "optional date") and not text:
            return None
        if column.codec in ("date", "optional date"):
            return parse_date(text)
        if column.codec == "decimal":
            return parse_decimal(text)
    except ValueError:
        kind = "a date (MM/DD/YYYY)" if "date" in column.codec else "a number"
        raise _BadCellError(f"{column.name} {text!r} is not {kind}") from None
    if column.codec in ("text", "esiid") and not text and column.name == "ESIID":
        raise _BadCellError("ESIID is empty")
    return text


def _at(cells: list[str], position: int) -> str:
    return cells[position] if position < len(cells) else ""


def _header(cells: list[str], layout: CsvLayout) -> dict[str, int] | str:
    names = {unescape_cell(cell).upper(): n for n, cell in enumerate(cells)}
    missing = [name for name in layout.header if name not in names]
    if missing:
        return f"the header lacks {', '.join(missing)}"
    return {name: names[name] for name in layout.header}


def _iter_rows(
    lines: Iterable[str], layout: CsvLayout, source: str, dead_letters: DeadLetters
) -> Iterator[_Row]:
    columns: dict[str, int] | None = None
    broken = ""
    for number, raw, cells in iter_numbered_rows(lines):
        if not any(cells):
            continue
        if broken:
            dead_letters.add(source=source, line=number, reason=broken, raw=raw)
            continue
        if columns is None:
            found = _header(cells, layout)
            if isinstance(found, str):
                broken = f"no usable header: {found}"
                dead_letters.add(source=source, line=number, reason=found, raw=raw)
            else:
                columns = found
            continue
        try:
            values = {
                c.attribute: _value(
                    c, cells[columns[c.name]] if columns[c.name] < len(cells) else ""
                )
                for c in layout.columns
            }
        except _BadCellError as exc:
            dead_letters.add(source=source, line=number, reason=str(exc), raw=raw)
            continue
        yield _Row(number, raw, values)
    if columns is None and not broken:
        dead_letters.add(source=source, line=0, reason="the CSV is empty: no header row", raw="")


def _grouped(
    rows: Iterator[_Row], build: Callable[[dict[str, Any]], _T]
) -> Iterator[tuple[str, tuple[_T, ...]]]:
    """Consecutive rows of one ESIID, built into items."""
    esiid, items = "", list[_T]()
    for row in rows:
        if row.values["esiid"] != esiid and items:
            yield esiid, tuple(items)
            items = []
        esiid = row.values["esiid"]
        items.append(build({k: v for k, v in row.values.items() if k != "esiid"}))
    if items:
        yield esiid, tuple(items)


def iter_daily_csv(
    lines: Iterable[str], *, dead_letters: DeadLetters, source: str = "<stream>", trans_id: str = ""
) -> Iterator[DailyReads]:
    """The ``DailyReads`` of a daily CSV, one per run of rows of one ESIID, with
    ``trans_id`` (the report's id: the file carries none). Never raises for bad rows:
    they go to ``dead_letters``."""
    rows = _iter_rows(lines, DAILY, source, dead_letters)
    for esiid, reads in _grouped(rows, lambda values: RegisterRead(**values)):
        yield DailyReads(trans_id=trans_id, esiid=esiid, reads=reads)


def iter_monthly_csv(
    lines: Iterable[str], *, dead_letters: DeadLetters, source: str = "<stream>", trans_id: str = ""
) -> Iterator[MonthlyBilling]:
    """The ``MonthlyBilling`` of a monthly CSV, one per run of rows of one ESIID (see
    ``iter_daily_csv``)."""
    rows = _iter_rows(lines, MONTHLY, source, dead_letters)
    for esiid, periods in _grouped(rows, lambda values: BillingPeriod(**values)):
        yield MonthlyBilling(trans_id=trans_id, esiid=esiid, periods=periods)


def iter_meter_csv(
    lines: Iterable[str], *, dead_letters: DeadLetters, source: str = "<stream>", trans_id: str = ""
) -> Iterator[MeterAttributes]:
    """One ``MeterAttributes`` per row of a meter CSV (see ``iter_daily_csv``)."""
    for row in _iter_rows(lines, METER, source, dead_letters):
        yield MeterAttributes(trans_id=trans_id, **row.values)


def iter_premise_csv(
    lines: Iterable[str], *, dead_letters: DeadLetters, source: str = "<stream>", trans_id: str = ""
) -> Iterator[PremiseAttributes]:
    """One ``PremiseAttributes`` per row of a premise CSV (see ``iter_daily_csv``)."""
    for row in _iter_rows(lines, PREMISE, source, dead_letters):
        yield PremiseAttributes(trans_id=trans_id, **row.values)


def iter_interval_csv(
    lines: Iterable[str], *, dead_letters: DeadLetters, source: str = "<stream>"
) -> Iterator[IntervalDay]:
    """The checked ``IntervalDay`` records of SMT's interval CSV, in file order. A row
    without an ESIID and date, or an ESIID-day (one direction) that ``iter_csv_days`` or
    the decoder rejects, goes to ``dead_letters`` (the day with all its lines)."""
    header: str | None = None
    broken = ""
    block: tuple[str, ...] | None = None
    groups: dict[str, list[tuple[int, str]]] = {}
    positions: dict[str, int] = {}
    for number, raw, cells in iter_numbered_rows(lines):
        if not any(cells):
            continue
        if broken:
            dead_letters.add(source=source, line=number, reason=broken, raw=raw)
            continue
        if header is None:
            found = _header(cells, INTERVAL)
            if isinstance(found, str):
                broken = f"no usable header: {found}"
                dead_letters.add(source=source, line=number, reason=found, raw=raw)
            else:
                header, positions = raw, {name: found[name] for name in INTERVAL.header}
            continue

        key = tuple(unescape_cell(_at(cells, positions[n])) for n in ("ESIID", "USAGE_DATE"))
        if not all(key):
            reason = "the row has no ESIID or USAGE_DATE"
            dead_letters.add(source=source, line=number, reason=reason, raw=raw)
            continue
        if key != block:
            yield from _finish_block(header, groups, source, dead_letters)
            block, groups = key, {}
        direction = _at(cells, positions["CONSUMPTION_SURPLUSGENERATION"]).lower()
        groups.setdefault(direction, []).append((number, raw))
    if header is not None:
        yield from _finish_block(header, groups, source, dead_letters)
    elif not broken:
        dead_letters.add(source=source, line=0, reason="the CSV is empty: no header row", raw="")


def _finish_block(
    header: str,
    groups: dict[str, list[tuple[int, str]]],
    source: str,
    dead_letters: DeadLetters,
) -> Iterator[IntervalDay]:
    for rows in groups.values():
        try:
            days = list(iter_csv_days([header, *(raw for _, raw in rows)]))
            for day in days:
                decode_day_columns(day)
        except ReadingError as exc:
            for number, raw in rows:
                dead_letters.add(source=source, line=number, reason=str(exc), raw=raw)
            continue
        yield from days
