"""Where the bad rows of a report go, so that one bad row never stops a file.

Each ``DeadLetter`` names its ``source`` (the report file's name), its 1-based ``line``,
the ``reason`` and the ``raw`` line as read. ``DeadLetters.write`` saves them as a CSV
(``source,line,reason,raw``) atomically: into a temporary file beside the target, then
renamed, so a reader never sees half a file. Every cell is escaped against formula
injection (``adapter.reports.cells``): a raw line is attacker-controlled text.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from adapter.atomic import replacing
from adapter.reports.cells import escape_cell

__all__ = ["DEAD_LETTER_COLUMNS", "DeadLetter", "DeadLetters"]

DEAD_LETTER_COLUMNS = ("source", "line", "reason", "raw")


@dataclass(frozen=True, slots=True, kw_only=True)
class DeadLetter:
    """One row (or line) of a report that could not be read, and why."""

    source: str
    line: int
    reason: str
    raw: str


class DeadLetters:
    """A sink for bad rows: collects ``DeadLetter`` records in arrival order."""

    def __init__(self) -> None:
        self._letters: list[DeadLetter] = []

    def add(self, *, source: str, line: int, reason: str, raw: str) -> None:
        """Record one bad line."""
        self._letters.append(DeadLetter(source=source, line=line, reason=reason, raw=raw))

    def __iter__(self) -> Iterator[DeadLetter]:
        return iter(tuple(self._letters))

    def __len__(self) -> int:
        return len(self._letters)

    def __bool__(self) -> bool:
        return bool(self._letters)

    def write(self, path: Path) -> int:
        """Write the dead letters to ``path`` as CSV, replacing it atomically; return how
        many were written. Raises ``OSError`` when the folder cannot be written; the
        target is then left as it was and no temporary file stays behind."""
        with replacing(path) as temporary, temporary.open("w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out, lineterminator="\r\n")
            writer.writerow(DEAD_LETTER_COLUMNS)
            for letter in self._letters:
                writer.writerow(
                    escape_cell(cell)
                    for cell in (letter.source, str(letter.line), letter.reason, letter.raw)
                )
        return len(self._letters)
