"""Cell-level rules shared by every report writer, parser and the dead-letter file.

Formula injection: a spreadsheet runs a cell that starts with ``=``, ``+``, ``-``, ``@``,
tab or carriage return as a formula. Writers put an apostrophe before such a cell, and
before a cell that itself starts with an apostrophe, so that readers can always remove
exactly one leading apostrophe and get the text back. SMT's own kWh values are never
negative, so real data is untouched; a negative number (``-1.5``) is written ``'-1.5``
and still reads back as ``-1.5``. SMT writes the ESIID behind an apostrophe in every
report (its own spreadsheet guard): writers always do the same.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

__all__ = [
    "FORMULA_STARTS",
    "escape_cell",
    "format_date",
    "format_decimal",
    "iter_numbered_rows",
    "parse_date",
    "parse_decimal",
    "unescape_cell",
]

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
DATE_FORMAT = "%m/%d/%Y"  # SMT's dates everywhere: MM/DD/YYYY


def escape_cell(text: str) -> str:
    """``text`` safe for a spreadsheet: behind an apostrophe when it starts like a
    formula or with an apostrophe, otherwise unchanged."""
    return "'" + text if text.startswith((*FORMULA_STARTS, "'")) else text


def unescape_cell(text: str) -> str:
    """The text ``escape_cell`` (or SMT's ESIID guard) was given: one leading apostrophe
    removed, if there is one."""
    return text[1:] if text.startswith("'") else text


def format_date(value: date) -> str:
    return value.strftime(DATE_FORMAT)


def parse_date(text: str) -> date:
    """Raises ``ValueError`` when ``text`` is not MM/DD/YYYY."""
    return datetime.strptime(text, DATE_FORMAT).date()


def format_decimal(value: Decimal) -> str:
    """Fixed-point text, never an exponent (``1E+3`` is written ``1000``)."""
    return format(value, "f")


def parse_decimal(text: str) -> Decimal:
    """Raises ``ValueError`` when ``text`` is not a finite decimal number."""
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"{text!r} is not a number") from None
    if not value.is_finite():
        raise ValueError(f"{text!r} is not a finite number")
    return value


def iter_numbered_rows(lines: Iterable[str]) -> Iterator[tuple[int, str, list[str]]]:
    """``(line number, raw line, cells)`` for each line, one at a time (1-based; cells
    stripped, not yet unescaped). A report row never spans lines, so each line is split
    on its own: a broken quote spoils that line only."""
    for number, line in enumerate(lines, 1):
        raw = line.rstrip("\r\n")
        cells = next(csv.reader([raw]), [])
        yield number, raw, [cell.strip() for cell in cells]
