"""SMT's limits on on-demand meter reads (ODRs), kept by the client in a local SQLite file
so that they hold across processes and restarts: a read that would break one is refused
before it is sent, with the instant from which it is allowed again.

SMT's own limits: per ESIID, 2 an hour and 24 a day (configurable here, as SMT may change
them); per TDU, 3,000 a day shared by every caller (the guide, 3.1.1.7). This file can count
only this installation's reads, so the TDU limit here is an upper bound on ours.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from adapter.errors import ConfigurationError, QuotaExceededError
from adapter.tdu import find_tdu

__all__ = ["OdrLimits", "OdrQuota"]

_HOUR = timedelta(hours=1)
_DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True, kw_only=True)
class OdrLimits:
    """How many on-demand reads are allowed: per ESIID in any hour and any 24 hours, per
    TDU in any 24 hours."""

    per_esiid_hour: int = 2
    per_esiid_day: int = 24
    per_tdu_day: int = 3000

    def __post_init__(self) -> None:
        for name in ("per_esiid_hour", "per_esiid_day", "per_tdu_day"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ConfigurationError(
                    f"odr.{name}: {value!r} must be a whole number of reads, 1 or more",
                    field=f"odr.{name}",
                    value=repr(value),
                )


class OdrQuota:
    """The ledger of on-demand reads sent from here. ``reserve(esiid)`` records a read
    about to be sent, or raises ``QuotaExceededError`` naming the limit and when the next
    read is allowed; ``release`` takes back a reservation whose read was never sent."""

    def __init__(
        self,
        path: Path,
        limits: OdrLimits | None = None,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.path = path
        self.limits = limits or OdrLimits()
        self._clock = clock
        self._lock = threading.Lock()  # sqlite's own lock serialises other processes
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise _unusable(path, exc) from exc
        with self._connect() as db:
            db.execute(
                "CREATE TABLE IF NOT EXISTS odr ("
                " id INTEGER PRIMARY KEY, esiid TEXT NOT NULL, tdu TEXT, sent_at TEXT NOT NULL)"
            )
            db.execute("CREATE INDEX IF NOT EXISTS odr_esiid ON odr (esiid, sent_at)")
            db.execute("CREATE INDEX IF NOT EXISTS odr_tdu ON odr (tdu, sent_at)")

    def reserve(self, esiid: str) -> int:
        """Record a read of ``esiid`` now and return its ledger ID; raises
        ``QuotaExceededError`` (nothing recorded) when a limit would be broken."""
        now = self._now()
        tdu = find_tdu(esiid)
        with self._lock, self._connect() as db:
            db.execute("BEGIN IMMEDIATE")  # count and insert as one step, across processes
            db.execute("DELETE FROM odr WHERE sent_at < ?", ((now - 2 * _DAY).isoformat(),))
            checks = [
                ("esiid", esiid, _HOUR, self.limits.per_esiid_hour, f"ESIID {esiid}", "an hour"),
                ("esiid", esiid, _DAY, self.limits.per_esiid_day, f"ESIID {esiid}", "a day"),
            ]
            if tdu is not None:
                checks.append(("tdu", tdu, _DAY, self.limits.per_tdu_day, f"TDU {tdu}", "a day"))
            for column, key, window, limit, scope, per in checks:
                rows = db.execute(
                    f"SELECT sent_at FROM odr WHERE {column} = ? AND sent_at > ? "  # noqa: S608 - fixed names
                    "ORDER BY sent_at",
                    (key, (now - window).isoformat()),
                ).fetchall()
                if len(rows) >= limit:
                    # the oldest read in the window must leave it before another fits
                    free_at = datetime.fromisoformat(rows[len(rows) - limit][0]) + window
                    raise QuotaExceededError(
                        f"on-demand read of ESIID {esiid} refused before sending: {scope} "
                        f"has had {len(rows)} of its {limit} reads {per}; the next is allowed "
                        f"at {free_at.isoformat(timespec='seconds')}",
                        esiid=esiid,
                        limit=f"{limit} {per} for {scope}",
                        next_allowed=free_at,
                    )
            cursor = db.execute(
                "INSERT INTO odr (esiid, tdu, sent_at) VALUES (?, ?, ?)",
                (esiid, tdu, now.isoformat()),
            )
            return int(cursor.lastrowid or 0)

    def release(self, reservation: int) -> None:
        """Take back a reservation whose read did not leave (e.g. refused before sending)."""
        with self._lock, self._connect() as db:
            db.execute("DELETE FROM odr WHERE id = ?", (reservation,))

    def sent(self, esiid: str, *, within: timedelta = _DAY) -> int:
        """How many reads of ``esiid`` were recorded within ``within`` of now."""
        since = (self._now() - within).isoformat()
        with self._connect() as db:
            (count,) = db.execute(
                "SELECT COUNT(*) FROM odr WHERE esiid = ? AND sent_at > ?", (esiid, since)
            ).fetchone()
        return int(count)

    def _now(self) -> datetime:
        now = self._clock()
        if now.tzinfo is None:  # the ledger compares instants as UTC text
            raise ConfigurationError(
                "the quota's clock must give aware datetimes", field="clock", value=repr(now)
            )
        return now.astimezone(UTC)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        try:
            db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        except (sqlite3.Error, OSError) as exc:
            raise _unusable(self.path, exc) from exc
        try:
            yield db
            if db.in_transaction:
                db.execute("COMMIT")
        except (sqlite3.Error, OSError) as exc:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise _unusable(self.path, exc) from exc
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
        finally:
            db.close()


def _unusable(path: Path, exc: BaseException) -> ConfigurationError:
    return ConfigurationError(
        f"the on-demand read ledger {str(path)!r} cannot be used: {exc}",
        field="client.odr.ledger",
        value=str(path),
    )
