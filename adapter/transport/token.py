"""Bearer tokens of the 2025 token era: ``POST /v2/token/`` with the API user's name and
password, cached until shortly before they expire.

SMT's answer::

    {"statusCode": "0000", "accessToken": "...", "tokenType": "Bearer",
     "expiresIn": "3600", "issuedAt": "MM/DD/YYYY HH:MM:SS", "expiresAt": "..."}

``expiresIn`` (a string of seconds) is trusted, not ``expiresAt``: it needs neither
SMT's clock nor its time zone, only ours, read when the request was sent.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from adapter.errors import AuthenticationError, TransportError
from adapter.transport.http import HttpsTransport

__all__ = ["TokenSource"]


@dataclass(frozen=True, slots=True)
class _Token:
    value: str = ""
    expires_at: float = 0.0  # by the TokenSource's clock
    refresh_at: float = 0.0


class TokenSource:
    """Fetches and caches the bearer token for ``username`` from ``url``.

    ``bearer()`` returns the cached token, fetching a new one when none is cached or fewer
    than ``refresh_margin_seconds`` of its life are left. ``invalidate()`` drops it (the
    client does this on a 401, then asks once more). Thread-safe: concurrent callers wait
    for one fetch. The password never appears in ``repr`` or in an error message."""

    def __init__(
        self,
        *,
        url: str,
        username: str,
        password: str,
        transport: HttpsTransport,
        refresh_margin_seconds: float = 60.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.url = url
        self.username = username
        self._password = password
        self._transport = transport
        self._margin = refresh_margin_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._token = _Token()

    def __repr__(self) -> str:
        return f"TokenSource(url={self.url!r}, username={self.username!r})"

    def bearer(self) -> str:
        """The current access token (without the ``Bearer`` prefix).

        Raises ``AuthenticationError`` when SMT refuses the credentials or answers
        something that is not a token, ``TransportError`` when it cannot be reached."""
        with self._lock:
            if not self._token.value or self._clock() >= self._token.refresh_at:
                self._token = self._fetch()
            return self._token.value

    def invalidate(self, token: str | None = None) -> None:
        """Forget the cached token, so that the next ``bearer()`` fetches a new one. With
        ``token``, only if it is still the cached one: a caller holding a stale token must
        not throw away the fresh one another thread has just fetched."""
        with self._lock:
            if token is None or token == self._token.value:
                self._token = _Token()

    def _fetch(self) -> _Token:
        asked_at = self._clock()  # the token's life started no earlier than this
        payload = {"username": self.username, "password": self._password}
        try:
            status, body = self._transport.post_json(self.url, payload, {})
        except TransportError as exc:
            if exc.status != 200:
                raise
            raise self._refused(200, {}, "the answer is not JSON") from exc
        fields = body if isinstance(body, dict) else {}
        if status != 200:
            raise self._refused(status, fields, _smt_message(fields))
        token, expires_in = fields.get("accessToken"), _seconds(fields.get("expiresIn"))
        if fields.get("statusCode", "0000") != "0000":
            raise self._refused(status, fields, f"statusCode {fields.get('statusCode')!r}")
        if not isinstance(token, str) or not token.strip() or expires_in is None:
            raise self._refused(
                status, fields, "the answer has no accessToken or no expiresIn in seconds"
            )
        if str(fields.get("tokenType", "Bearer")).lower() != "bearer":
            raise self._refused(status, fields, f"tokenType {fields.get('tokenType')!r}")
        # A margin longer than half the token's life would mean a fetch on every call.
        margin = min(self._margin, expires_in / 2)
        expires_at = asked_at + expires_in
        return _Token(token.strip(), expires_at, expires_at - margin)

    def _refused(self, status: int, body: dict[str, object], why: str) -> AuthenticationError:
        # Table 4 bodies carry only an "error" text; keep what SMT sent, minus any token.
        shown = {k: v for k, v in body.items() if k != "accessToken"}
        error = AuthenticationError(
            f"{self.url}: no token for {self.username!r}: HTTP {status}: {why}",
            url=self.url,
            status=status,
            body=shown,
        )
        error.retryable = status >= 500  # "Something went wrong. Please try again later."
        return error


def _smt_message(body: dict[str, object]) -> str:
    for key in ("error", "message", "statusReason", "errorMessage"):
        if isinstance(body.get(key), str):
            return str(body[key])
    return "no error message"


def _seconds(value: object) -> float | None:
    """SMT sends expiresIn as a string ("3600"); accept a number too."""
    if isinstance(value, bool):
        return None
    try:
        seconds = float(value) if isinstance(value, str | int | float) else None
    except ValueError:
        return None
    return seconds if seconds is not None and 0 < seconds < 10**9 else None
