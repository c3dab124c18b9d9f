"""Who is calling: HTTP Basic (the 2020 certificate era, behind mutual TLS) or a bearer
JWT (the 2025 token era), and the refusals of the guide's Table 4.

Table 4 gives JSON bodies for the Basic-authentication failures and the server error;
for "Authentication failure" and "Authorization failure" it gives only the words, which
the mock sends as ``{"error": ...}`` too (schemas/ERRATA.md, I-12).
"""

from __future__ import annotations

import base64
import binascii
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt

from adapter.mock.config import MockSettings, SecurityProfile
from adapter.mock.intervals import CHICAGO
from adapter.mock.records import format_revision

__all__ = ["TABLE_4", "Denied", "IssuedToken", "TokenIssuer", "authenticate", "check_password"]


# Table 4 of the guide: (HTTP status, the "error" text of the JSON body).
TABLE_4: Mapping[str, tuple[int, str]] = {
    "bad-request": (400, "Bad request"),
    "authentication": (401, "Authentication failure"),
    "authorization": (401, "Authorization failure"),
    "header-missing": (403, "Basic authentication header is missing."),
    "username-missing": (400, "Please provide username."),
    "password-missing": (400, "Please provide password."),
    "bad-credentials": (401, "Incorrect username or password."),
    "server-error": (500, "Something went wrong. Please try again later."),
}


class Denied(Exception):  # noqa: N818 - a refusal, answered, not an error of the mock
    """A request refused with one row of Table 4."""

    def __init__(self, kind: str, detail: str = "") -> None:
        self.kind = kind
        self.status, self.text = TABLE_4[kind]
        self.detail = detail  # for the mock's log only: the body stays exactly Table 4's
        super().__init__(f"{self.status} {self.text} {detail}".strip())

    @property
    def body(self) -> dict[str, str]:
        return {"error": self.text}


@dataclass(frozen=True, slots=True)
class IssuedToken:
    access_token: str
    expires_in: int
    issued_at: datetime
    expires_at: datetime

    def as_json(self) -> dict[str, str]:
        """The JSON answer of ``POST /v2/token/``: SMT sends expiresIn as a string and the
        instants as ``MM/DD/YYYY HH:MM:SS`` (Central time)."""
        return {
            "statusCode": "0000",
            "accessToken": self.access_token,
            "tokenType": "Bearer",
            "expiresIn": str(self.expires_in),
            "issuedAt": _smt_time(self.issued_at),
            "expiresAt": _smt_time(self.expires_at),
        }


class TokenIssuer:
    """Signs and checks the mock's HS256 JWTs. The key is the configured secret or, if
    none, a random one for the life of the process."""

    _ALGORITHM = "HS256"

    def __init__(self, *, secret: str | None, lifetime_seconds: int) -> None:
        self._key = secret or secrets.token_urlsafe(32)
        self._lifetime = lifetime_seconds

    def issue(self, service_id: str, *, now: datetime | None = None) -> IssuedToken:
        issued = (now or datetime.now(UTC)).replace(microsecond=0)
        expires = issued + timedelta(seconds=self._lifetime)
        claims = {
            "sub": service_id,
            "iss": "smt-mock",
            "iat": int(issued.timestamp()),
            "exp": int(expires.timestamp()),
            "jti": secrets.token_hex(8),
        }
        token = jwt.encode(claims, self._key, algorithm=self._ALGORITHM)
        return IssuedToken(token, self._lifetime, issued, expires)

    def verify(self, token: str) -> str:
        """The service ID a token was issued to; ``Denied`` if it is forged or expired."""
        try:
            claims = jwt.decode(
                token,
                self._key,
                algorithms=[self._ALGORITHM],
                issuer="smt-mock",
                options={"require": ["sub", "exp", "iat", "iss"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise Denied("authentication", "bearer token expired") from exc
        except jwt.PyJWTError as exc:
            raise Denied("authentication", f"bearer token refused: {exc}") from exc
        return str(claims["sub"])


def check_password(settings: MockSettings, username: str | None, password: str | None) -> str:
    """The service ID these credentials belong to, or ``Denied`` with Table 4's row."""
    if not username:
        raise Denied("username-missing")
    if not password:
        raise Denied("password-missing")
    account = settings.account(username)
    if account is None or not secrets.compare_digest(account.password.encode(), password.encode()):
        raise Denied("bad-credentials", f"for {username!r}")
    return account.service_id


def authenticate(
    environ: Mapping[str, Any], settings: MockSettings, issuer: TokenIssuer
) -> str | None:
    """The authenticated service ID of a SOAP call, None under ``insecure``."""
    header = str(environ.get("HTTP_AUTHORIZATION", "")).strip()
    scheme, _, credentials = header.partition(" ")
    if settings.security is SecurityProfile.INSECURE:
        return None
    if settings.security is SecurityProfile.TOKEN:
        if scheme.lower() != "bearer" or not credentials.strip():
            raise Denied("authentication", "no bearer token")
        return issuer.verify(credentials.strip())
    if scheme.lower() != "basic":
        raise Denied("header-missing")
    try:
        decoded = base64.b64decode(credentials.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise Denied("bad-request", "Basic credentials are not base64 UTF-8") from exc
    username, _, password = decoded.partition(":")
    return check_password(settings, username, password)


def _smt_time(instant: datetime) -> str:
    return format_revision(instant.astimezone(CHICAGO))
