"""How ``smt`` shows records: a table for people, JSON for programs (``--json``), and a
spinner on the terminal while a call is under way."""

from __future__ import annotations

import dataclasses
import json
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from rich.console import Console
from rich.table import Table

__all__ = ["as_jsonable", "print_json", "print_records", "progress"]


def as_jsonable(value: Any) -> Any:
    """Records as JSON values: dates ISO 8601, Decimals as strings (exact), tuples as
    lists, nested records as objects."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: as_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list | tuple):
        return [as_jsonable(item) for item in value]
    if isinstance(value, dict):
        return {str(k): as_jsonable(v) for k, v in value.items()}
    return value


def print_json(value: Any) -> None:
    json.dump(as_jsonable(value), sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


def print_records(title: str, records: Sequence[Any]) -> None:
    """One table per kind of record: a column per field, or, for records of many fields
    (attributes), a field/value table per record. Nested lists show as a count
    (``--json`` shows them whole)."""
    console = _console()
    if not records:
        console.print(f"{title}: nothing")
        return
    first = records[0]
    if not dataclasses.is_dataclass(first):
        console.print(f"{title}: {first!r}")
        return
    names = [f.name for f in dataclasses.fields(first)]
    if len(names) > _MAX_COLUMNS:
        for number, record in enumerate(records, 1):
            table = Table("field", "value", title=f"{title} ({number}/{len(records)})")
            for name in names:
                table.add_row(name, _cell(getattr(record, name)))
            console.print(table)
        return
    table = Table(title=title, title_justify="left")
    for name in names:
        table.add_column(name, overflow="fold")
    for record in records:
        table.add_row(*(_cell(getattr(record, name)) for name in names))
    console.print(table)


_MAX_COLUMNS = 8


def _console() -> Console:
    # a pipe or a file gets whole lines (rich would cut them at 80 columns)
    console = Console(soft_wrap=True)
    return console if console.is_terminal else Console(soft_wrap=True, width=200)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        if all(isinstance(item, str) for item in value) and len(value) <= 5:
            return ", ".join(value)
        return f"{len(value)} item(s)"
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return ", ".join(f"{k}={v}" for k, v in as_jsonable(value).items())
    jsonable = as_jsonable(value)
    return str(jsonable)


@contextmanager
def progress(message: str) -> Iterator[None]:
    """A spinner with ``message`` on stderr while the block runs, if stderr is a terminal
    (never in pipes, logs or tests)."""
    console = Console(stderr=True)
    if not console.is_terminal:
        yield
        return
    with console.status(message):
        yield
