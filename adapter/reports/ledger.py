"""The no-loss ledger of report downloads: one SQLite row per remote file seen.

A row moves through ``STEPS`` in order::

    listed -> downloaded -> decrypted -> extracted -> parsed -> placed -> recorded
      -> removed (the remote file, only when asked)

and ends ``recorded``, ``removed`` or ``duplicate`` (the same remote path, size and
SHA-256 as a file already taken in). Each step's file work is done before its row is
advanced, and every step can be repeated, so a crash anywhere leaves a row the next run
completes. The identity of a remote file is (remote path, size, mtime) when listed and
(remote path, size, SHA-256) once downloaded: the same name with other content is a new
row, and its output gets a distinct name.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from adapter.errors import ConfigurationError

__all__ = ["DONE", "STEPS", "Ledger", "LedgerEntry"]

STEPS = (
    "listed",
    "downloaded",
    "decrypted",
    "extracted",
    "parsed",
    "placed",
    "recorded",
    "removed",
)
DONE = ("recorded", "removed", "duplicate")
_FIELDS = (
    "sha256",
    "part_path",
    "decrypted_path",
    "extracted_path",
    "placed_path",
    "dead_letters_path",
    "records",
    "error",
    "attempts",
)
_SCHEMA = """
CREATE TABLE IF NOT EXISTS report_files (
    id INTEGER PRIMARY KEY,
    remote_path TEXT NOT NULL,
    size INTEGER NOT NULL,
    mtime REAL NOT NULL,
    state TEXT NOT NULL,
    sha256 TEXT,
    part_path TEXT,
    decrypted_path TEXT,
    extracted_path TEXT,
    placed_path TEXT,
    dead_letters_path TEXT,
    records INTEGER,
    error TEXT,
    listed_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS report_files_remote ON report_files (remote_path, size);
"""


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """One row: a remote file and how far it got (``state``, one of ``STEPS`` or
    ``duplicate``), with the local files of each step, the records parsed and the
    ``attempts`` at downloading it again after its download turned out corrupt."""

    id: int
    remote_path: str
    size: int
    mtime: float
    state: str
    sha256: str | None
    part_path: str | None
    decrypted_path: str | None
    extracted_path: str | None
    placed_path: str | None
    dead_letters_path: str | None
    records: int | None
    error: str | None
    listed_at: str
    updated_at: str
    attempts: int = 0

    @property
    def done(self) -> bool:
        return self.state in DONE


class Ledger:
    """The ledger in the SQLite file ``path`` (created with its folder when missing).
    Every change is committed at once. Use as a context manager or call ``close``.

    Raises ``ConfigurationError`` naming ``path`` when the file cannot be opened or is not
    a ledger."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(path, timeout=30, isolation_level=None)
        except (OSError, sqlite3.Error) as exc:
            raise ConfigurationError(
                f"ledger {path}: cannot use it ({exc})", field="ledger", value=str(path)
            ) from exc
        try:
            self._db.row_factory = sqlite3.Row
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.executescript(_SCHEMA)
            columns = {row[1] for row in self._db.execute("PRAGMA table_info(report_files)")}
            if "attempts" not in columns:  # a ledger from before attempts were counted
                self._db.execute(
                    "ALTER TABLE report_files ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0"
                )
        except sqlite3.Error as exc:
            self._db.close()
            raise ConfigurationError(
                f"ledger {path}: cannot use it ({exc})", field="ledger", value=str(path)
            ) from exc

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._db.close()

    def find_seen(self, remote_path: str, size: int, mtime: float) -> LedgerEntry | None:
        """The newest row for this listing (path, size, mtime), in any state."""
        return self._one(
            "SELECT * FROM report_files WHERE remote_path = ? AND size = ? AND mtime = ? "
            "ORDER BY id DESC LIMIT 1",
            (remote_path, size, mtime),
        )

    def find_duplicate(self, entry: LedgerEntry) -> LedgerEntry | None:
        """A finished row (recorded or removed) other than ``entry`` with its remote path,
        size and SHA-256: the same file, taken in before."""
        return self._one(
            "SELECT * FROM report_files WHERE remote_path = ? AND size = ? AND sha256 = ? "
            "AND id != ? AND state IN ('recorded', 'removed') ORDER BY id LIMIT 1",
            (entry.remote_path, entry.size, entry.sha256, entry.id),
        )

    def unfinished(self, *, with_recorded: bool = False) -> list[LedgerEntry]:
        """Rows not yet recorded, removed or found duplicate, oldest first; with
        ``with_recorded``, recorded rows too (their remote file is still to be removed)."""
        done = ("removed", "duplicate") if with_recorded else DONE
        rows = self._db.execute(
            "SELECT * FROM report_files WHERE state NOT IN (?, ?, ?) ORDER BY id",
            (*done, *done)[:3],
        ).fetchall()
        return [_entry(row) for row in rows]

    def entries(self) -> list[LedgerEntry]:
        """Every row, oldest first."""
        rows = self._db.execute("SELECT * FROM report_files ORDER BY id").fetchall()
        return [_entry(row) for row in rows]

    def placed_paths(self) -> set[str]:
        """Every output path a row has claimed (placed or about to be)."""
        rows = self._db.execute(
            "SELECT placed_path FROM report_files WHERE placed_path IS NOT NULL"
        ).fetchall()
        return {str(row[0]) for row in rows}

    def add(self, remote_path: str, size: int, mtime: float) -> LedgerEntry:
        """A new ``listed`` row."""
        now = _now()
        cursor = self._db.execute(
            "INSERT INTO report_files (remote_path, size, mtime, state, listed_at, updated_at)"
            " VALUES (?, ?, ?, 'listed', ?, ?)",
            (remote_path, size, mtime, now, now),
        )
        return self.get(int(cursor.lastrowid or 0))

    def get(self, entry_id: int) -> LedgerEntry:
        entry = self._one("SELECT * FROM report_files WHERE id = ?", (entry_id,))
        if entry is None:
            raise KeyError(entry_id)
        return entry

    def update(self, entry: LedgerEntry, *, state: str | None = None, **fields: Any) -> LedgerEntry:
        """Set ``state`` (one of ``STEPS`` or ``duplicate``) and any of the path, hash,
        records and error fields; return the row as stored."""
        unknown = set(fields) - set(_FIELDS) - {"size", "mtime"}
        if unknown or (state is not None and state not in (*STEPS, "duplicate")):
            raise ValueError(f"not a ledger field or state: {sorted(unknown) or state}")
        values = {**fields, "updated_at": _now()}
        if state is not None:
            values["state"] = state
        names = ", ".join(f"{name} = ?" for name in values)
        self._db.execute(
            f"UPDATE report_files SET {names} WHERE id = ?",  # noqa: S608 - names are checked
            (*values.values(), entry.id),
        )
        return self.get(entry.id)

    def _one(self, query: str, parameters: tuple[Any, ...]) -> LedgerEntry | None:
        row = self._db.execute(query, parameters).fetchone()
        return None if row is None else _entry(row)


def _entry(row: sqlite3.Row) -> LedgerEntry:
    return LedgerEntry(**{key: row[key] for key in row.keys()})  # noqa: SIM118


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
