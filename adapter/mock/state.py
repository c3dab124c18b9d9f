"""What the mock remembers: subscriptions, data-sharing agreements and the asynchronous
requests it acknowledged. Kept in SQLite: in memory by default, or in a file so that a
restart keeps it. Identifiers are drawn from the seed, so the same calls against the same
seed always get the same subscription numbers and correlation IDs.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from adapter.errors import ConfigurationError

__all__ = ["Agreement", "AgreementMeter", "MockState", "Subscription"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS counter (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS subscription (
    number TEXT PRIMARY KEY, owner TEXT NOT NULL, started TEXT NOT NULL,
    subscription_type TEXT NOT NULL, report_format TEXT NOT NULL,
    delivery_mode TEXT NOT NULL, data_type TEXT NOT NULL, frequency TEXT,
    status TEXT NOT NULL, last_report TEXT, esiids TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS agreement (
    number INTEGER PRIMARY KEY, owner TEXT NOT NULL, csp_name TEXT NOT NULL,
    duns TEXT NOT NULL, email TEXT NOT NULL, start TEXT NOT NULL, end TEXT NOT NULL,
    status TEXT NOT NULL, language TEXT, meters TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS request (
    correlation_id TEXT PRIMARY KEY, owner TEXT NOT NULL, operation TEXT NOT NULL,
    trans_id TEXT NOT NULL, received TEXT NOT NULL, delivery_mode TEXT NOT NULL,
    report_format TEXT NOT NULL, esiids TEXT NOT NULL, faults TEXT NOT NULL);
"""


@dataclass(frozen=True, slots=True, kw_only=True)
class Subscription:
    number: str
    owner: str
    started: datetime
    subscription_type: str
    report_format: str
    delivery_mode: str
    data_type: str
    frequency: str | None
    status: str  # ACT while active, CAN once cancelled
    last_report: date | None
    esiids: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class AgreementMeter:
    esiid: str
    meter_number: str
    puct_number: str
    status: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Agreement:
    number: int
    owner: str
    csp_name: str
    duns: str
    email: str
    start: date
    end: date
    status: str
    language: str | None
    meters: tuple[AgreementMeter, ...]


class MockState:
    """The mock's store. One instance serves every request thread (a lock guards it)."""

    def __init__(self, *, seed: int, path: Path | None = None) -> None:
        self._seed = seed
        self._lock = threading.RLock()
        where = ":memory:" if path is None else str(path)
        try:
            self._db = sqlite3.connect(where, check_same_thread=False)
            self._db.row_factory = sqlite3.Row
            self._db.executescript(_SCHEMA)
            self._db.commit()
            stored = self._db.execute("SELECT value FROM counter WHERE name = 'seed'").fetchone()
        except sqlite3.Error as exc:
            raise ConfigurationError(
                f"mock.state_file = {where}: cannot use it as the mock's SQLite store ({exc})",
                field="mock.state_file",
                value=where,
            ) from exc
        if stored is not None and int(stored[0]) != seed:
            # its subscriptions and agreements name ESIIDs of another seed's data set
            raise ConfigurationError(
                f"mock.state_file = {where}: holds the state of seed {stored[0]}, not {seed}; "
                "use that seed or another file",
                field="mock.state_file",
                value=where,
            )

    @property
    def empty(self) -> bool:
        row = self._db.execute("SELECT COUNT(*) FROM counter").fetchone()
        return bool(row[0] == 0)

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        """Hold the store for a read-check-write sequence (a handler deciding on what it
        read, a reset): no other thread reads or writes until it ends."""
        with self._lock:
            yield

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One atomic change: all of it is stored, or none of it."""
        with self._lock:
            try:
                yield
            except BaseException:
                self._db.rollback()
                raise
            self._db.commit()

    def clear(self) -> None:
        with self.transaction():
            for table in ("counter", "subscription", "agreement", "request"):
                self._db.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed table names

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # identifiers -------------------------------------------------------------------

    def _next(self, name: str, start: int = 1) -> int:
        row = self._db.execute("SELECT value FROM counter WHERE name = ?", (name,)).fetchone()
        value = start if row is None else int(row[0])
        self._db.execute(
            "INSERT OR REPLACE INTO counter (name, value) VALUES (?, ?)", (name, value + 1)
        )
        return value

    def set_counter(self, name: str, value: int) -> None:
        with self.transaction():
            self._db.execute(
                "INSERT OR REPLACE INTO counter (name, value) VALUES (?, ?)", (name, value)
            )

    def _drawn(self, kind: str, length: int) -> str:
        number = self._next(kind)
        return hashlib.sha256(f"{self._seed}:{kind}:{number}".encode()).hexdigest()[:length]

    # asynchronous requests ---------------------------------------------------------

    def record_request(
        self,
        *,
        owner: str,
        operation: str,
        trans_id: str,
        received: datetime,
        delivery_mode: str,
        report_format: str,
        esiids: Sequence[str],
        faults: Sequence[str],
    ) -> str:
        """Store an acknowledged request; return its new correlation ID (24 hex digits, as
        in the guide's examples)."""
        with self.transaction():
            correlation_id = self._drawn("correlation", 24)
            self._db.execute(
                "INSERT INTO request VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    correlation_id, owner, operation, trans_id, received.isoformat(),
                    delivery_mode, report_format, json.dumps(list(esiids)),
                    json.dumps(list(faults)),
                ),
            )  # fmt: skip
        return correlation_id

    # subscriptions -----------------------------------------------------------------

    def add_subscription(self, subscription: Subscription | None = None, **fields: Any) -> str:
        """Store a subscription; a new one (``fields``) gets a number drawn from the seed,
        32 upper-case hex digits like SMT's."""
        with self.transaction():
            if subscription is None:
                subscription = Subscription(
                    number=self._drawn("subscription", 32).upper(), **fields
                )
            self._db.execute(
                "INSERT INTO subscription VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    subscription.number, subscription.owner, subscription.started.isoformat(),
                    subscription.subscription_type, subscription.report_format,
                    subscription.delivery_mode, subscription.data_type,
                    subscription.frequency, subscription.status,
                    None if subscription.last_report is None
                    else subscription.last_report.isoformat(),
                    json.dumps(list(subscription.esiids)),
                ),
            )  # fmt: skip
        return subscription.number

    def subscriptions_of(self, owner: str) -> list[Subscription]:
        with self._lock:
            rows = self._db.execute(
                "SELECT * FROM subscription WHERE owner = ? ORDER BY started, number", (owner,)
            ).fetchall()
        return [_subscription(row) for row in rows]

    def subscription(self, owner: str, number: str) -> Subscription | None:
        with self._lock:
            row = self._db.execute(
                "SELECT * FROM subscription WHERE owner = ? AND number = ?", (owner, number)
            ).fetchone()
        return None if row is None else _subscription(row)

    def update_subscription(self, number: str, *, esiids: Sequence[str], status: str) -> None:
        with self.transaction():
            self._db.execute(
                "UPDATE subscription SET esiids = ?, status = ? WHERE number = ?",
                (json.dumps(list(esiids)), status, number),
            )

    # agreements --------------------------------------------------------------------

    def add_agreement(self, agreement: Agreement | None = None, **fields: Any) -> int:
        """Store an agreement; a new one (``fields``) takes the next agreement number."""
        with self.transaction():
            if agreement is None:
                agreement = Agreement(number=self._next("agreement", 100_001), **fields)
            self._db.execute(
                "INSERT INTO agreement VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    agreement.number, agreement.owner, agreement.csp_name, agreement.duns,
                    agreement.email, agreement.start.isoformat(), agreement.end.isoformat(),
                    agreement.status, agreement.language,
                    json.dumps([_meter_row(m) for m in agreement.meters]),
                ),
            )  # fmt: skip
        return agreement.number

    def agreements_of(self, owner: str) -> list[Agreement]:
        with self._lock:
            rows = self._db.execute(
                "SELECT * FROM agreement WHERE owner = ? ORDER BY number", (owner,)
            ).fetchall()
        return [_agreement(row) for row in rows]

    def agreement(self, number: int) -> Agreement | None:
        with self._lock:
            row = self._db.execute("SELECT * FROM agreement WHERE number = ?", (number,)).fetchone()
        return None if row is None else _agreement(row)

    def set_agreement_status(self, number: int, status: str, meter_status: str) -> None:
        with self.transaction():
            agreement = self.agreement(number)
            if agreement is None:
                return
            meters = [_meter_row(m) | {"status": meter_status} for m in agreement.meters]
            self._db.execute(
                "UPDATE agreement SET status = ?, meters = ? WHERE number = ?",
                (status, json.dumps(meters), number),
            )

    # inspection --------------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        """Everything stored, as JSON-ready data (for the admin endpoint)."""
        with self._lock:
            tables = {
                name: [dict(row) for row in self._db.execute(query).fetchall()]
                for name, query in (
                    ("subscriptions", "SELECT * FROM subscription ORDER BY number"),
                    ("agreements", "SELECT * FROM agreement ORDER BY number"),
                    ("requests", "SELECT * FROM request ORDER BY received, correlation_id"),
                )
            }
        for rows in tables.values():
            for row in rows:
                for key in ("esiids", "meters", "faults"):
                    if key in row:
                        row[key] = json.loads(row[key])
        return tables


def _subscription(row: sqlite3.Row) -> Subscription:
    return Subscription(
        number=row["number"],
        owner=row["owner"],
        started=datetime.fromisoformat(row["started"]),
        subscription_type=row["subscription_type"],
        report_format=row["report_format"],
        delivery_mode=row["delivery_mode"],
        data_type=row["data_type"],
        frequency=row["frequency"],
        status=row["status"],
        last_report=None if row["last_report"] is None else date.fromisoformat(row["last_report"]),
        esiids=tuple(json.loads(row["esiids"])),
    )


def _agreement(row: sqlite3.Row) -> Agreement:
    return Agreement(
        number=row["number"],
        owner=row["owner"],
        csp_name=row["csp_name"],
        duns=row["duns"],
        email=row["email"],
        start=date.fromisoformat(row["start"]),
        end=date.fromisoformat(row["end"]),
        status=row["status"],
        language=row["language"],
        meters=tuple(AgreementMeter(**m) for m in json.loads(row["meters"])),
    )


def _meter_row(meter: AgreementMeter) -> dict[str, str]:
    return {
        "esiid": meter.esiid,
        "meter_number": meter.meter_number,
        "puct_number": meter.puct_number,
        "status": meter.status,
    }
