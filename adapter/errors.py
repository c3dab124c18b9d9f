"""The adapter's exceptions: one tree, each carrying fields, not just text.

::

    AdapterError
     +-- ContractError          the bundled schemas or WSDLs are missing or do not compile
     +-- ConfigurationError     an argument or setting names something that does not exist
     +-- SchemaViolationError   a message breaks the SMT contract (.violations)
     +-- TransportError         no HTTP answer, or one that is not SMT's (.url, .status)
     |    +-- AuthenticationError   SMT refused the credentials (Table 4: .status, .body)
     |    +-- AmbiguousOutcomeError a request that must not be repeated was sent, and no
     |                              answer came back: it may or may not have been done
     +-- ServiceFaultError      SMT answered with a SOAP Fault or a failing statusCode
     +-- MalformedResponseError SMT's answer is not what the contract says (.violations)
     +-- CertificateError       a client certificate is unusable or expires too soon
     +-- ReadingError           interval data that cannot be decoded (.esiid, .day)
     +-- QuotaExceededError     an on-demand read over SMT's limits (.esiid, .next_allowed)
     +-- ReportError            a report file that cannot be taken in (.path, .remote_name)
          +-- DecryptionError   the PGP layer does not decrypt (wrong key, truncated, tampered)
          +-- ArchiveError      the ZIP is unreadable, unsafe (traversal) or a bomb
          +-- IntegrityError    a download's size or SHA-256 is not what was listed or recorded
          +-- ParsingError      a report's content breaks its parser (not UTF-8 is a dead letter)

Library exceptions (lxml's, the OS's) are translated where they are caught, with
``raise ... from exc``, so callers only ever catch ``AdapterError``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from adapter.xml.violations import Violation

__all__ = [
    "AdapterError",
    "AmbiguousOutcomeError",
    "ArchiveError",
    "AuthenticationError",
    "CertificateError",
    "ConfigurationError",
    "ContractError",
    "DecryptionError",
    "IntegrityError",
    "MalformedResponseError",
    "ParsingError",
    "QuotaExceededError",
    "ReadingError",
    "ReportError",
    "SchemaViolationError",
    "ServiceFaultError",
    "TransportError",
]


class AdapterError(Exception):
    """Base of every exception the adapter raises on purpose."""


class ContractError(AdapterError):
    """Raised when the bundled contract cannot be used: a schema or WSDL file is missing,
    malformed or does not compile. This is a broken installation, never bad input."""

    def __init__(self, message: str, *, path: str | None = None) -> None:
        super().__init__(message)
        self.path = path


class ConfigurationError(AdapterError):
    """Raised when an argument names something that does not exist, e.g. an unknown
    schema profile or payload type. ``field`` and ``value`` name what was wrong."""

    def __init__(self, message: str, *, field: str, value: str) -> None:
        super().__init__(message)
        self.field = field
        self.value = value


class SchemaViolationError(AdapterError):
    """Raised by ``validate()`` when a message breaks the contract.

    ``violations`` holds every problem found, in document order; ``source`` names the
    message (a file path or ``<bytes>``)."""

    def __init__(self, source: str, violations: Sequence[Violation]) -> None:
        if violations:
            more = f" (and {len(violations) - 1} more)" if len(violations) > 1 else ""
            super().__init__(f"{violations[0].format()}{more}")
        else:
            super().__init__(f"{source}: breaks the SMT contract")
        self.source = source
        self.violations = tuple(violations)


class TransportError(AdapterError):
    """Raised when a call gets no usable HTTP answer: the connection or TLS handshake
    failed, a timeout passed, or the server answered with an HTTP error that is not SMT's
    own (e.g. a 503 HTML page). ``url`` is where it went, ``status`` the HTTP status if one
    came back, ``retryable`` whether repeating a safe call may help, ``sent`` whether the
    whole request had left before it failed (then SMT may have acted on it)."""

    def __init__(
        self,
        message: str,
        *,
        url: str,
        status: int | None = None,
        retryable: bool = False,
        sent: bool = False,
    ) -> None:
        super().__init__(message)
        self.url = url
        self.status = status
        self.retryable = retryable
        self.sent = sent


class AuthenticationError(TransportError):
    """Raised when SMT refuses who is calling: an HTTP 400/401/403 with one of Table 4's
    JSON bodies, or a token that cannot be obtained. ``body`` is the decoded JSON (empty if
    none came back)."""

    def __init__(
        self, message: str, *, url: str, status: int | None, body: dict[str, object] | None = None
    ) -> None:
        super().__init__(message, url=url, status=status)
        self.body = dict(body or {})


class AmbiguousOutcomeError(TransportError):
    """Raised when a call that is never repeated automatically (newSubscription,
    newAgreement, an on-demand read) was sent and the connection failed before an answer:
    SMT may or may not have acted on it. ``operation`` names the call; look before you
    send it again (e.g. list subscriptions or agreements)."""

    def __init__(self, message: str, *, url: str, operation: str) -> None:
        super().__init__(message, url=url, sent=True)
        self.operation = operation


class ServiceFaultError(AdapterError):
    """Raised when SMT answers but refuses: a SOAP Fault (``fault_code``,
    ``fault_string``) or a payload whose ``status_code`` is not a success, with the
    ``fault_esiids`` it listed as (esiid, reason) pairs."""

    def __init__(
        self,
        message: str,
        *,
        operation: str,
        status: int | None = None,
        fault_code: str | None = None,
        fault_string: str | None = None,
        status_code: str | None = None,
        status_reason: str | None = None,
        fault_esiids: Sequence[tuple[str, str]] = (),
    ) -> None:
        super().__init__(message)
        self.operation = operation
        self.status = status
        self.fault_code = fault_code
        self.fault_string = fault_string
        self.status_code = status_code
        self.status_reason = status_reason
        self.fault_esiids = tuple(fault_esiids)


class MalformedResponseError(AdapterError):
    """Raised when an answer is not the contract's: not XML, no SOAP envelope, the wrong
    payload, or schema violations (``violations``)."""

    def __init__(
        self, message: str, *, operation: str, violations: Sequence[Violation] = ()
    ) -> None:
        super().__init__(message)
        self.operation = operation
        self.violations = tuple(violations)


class CertificateError(AdapterError):
    """Raised when a client certificate or key cannot be used (unreadable, wrong password,
    key and certificate that do not match) or when ``smt certs check`` finds it expired or
    within the failing threshold. ``path`` names the file, ``days_left`` the days to
    expiry when known."""

    def __init__(self, message: str, *, path: str, days_left: int | None = None) -> None:
        super().__init__(message)
        self.path = path
        self.days_left = days_left


class ReadingError(AdapterError):
    """Raised when interval data cannot be decoded into readings: a day whose RD string has
    an impossible slot count, a value that is not kWh-flag, an unknown flag. ``esiid`` and
    ``day`` (ISO date) say where; ``reason`` says what."""

    def __init__(self, message: str, *, esiid: str, day: str, reason: str) -> None:
        super().__init__(message)
        self.esiid = esiid
        self.day = day
        self.reason = reason


class QuotaExceededError(AdapterError):
    """Raised before an on-demand read is sent when it would break a quota (per ESIID an
    hour or a day, per TDU a day), or when SMT answers 5031 (too many for this ESIID this
    hour). ``esiid`` and ``limit`` say which; ``next_allowed`` is the aware UTC instant
    from which a read is allowed again (None when SMT did not say)."""

    def __init__(
        self, message: str, *, esiid: str, limit: str, next_allowed: datetime | None
    ) -> None:
        super().__init__(message)
        self.esiid = esiid
        self.limit = limit
        self.next_allowed = next_allowed


class ReportError(AdapterError):
    """Raised when a report file cannot be taken in. ``path`` is the local file concerned,
    ``remote_name`` the remote file it came from (None when not known), ``reason`` what is
    wrong, in words that never include a secret."""

    def __init__(
        self, message: str, *, path: str, reason: str, remote_name: str | None = None
    ) -> None:
        super().__init__(message)
        self.path = path
        self.remote_name = remote_name
        self.reason = reason


class DecryptionError(ReportError):
    """Raised when gpg does not decrypt a report completely: no secret key for it (the
    wrong key), a truncated or tampered message, a bad passphrase, or gpg exiting with a
    failure. No plaintext is left behind."""


class ArchiveError(ReportError):
    """Raised when a report's ZIP cannot be extracted safely: not a ZIP, a damaged or
    encrypted member, a member name that leaves the folder, more members than allowed, or
    sizes or a compression ratio over the caps (declared or actually streamed)."""


class IntegrityError(ReportError):
    """Raised when a downloaded file is not what was listed or recorded: its size differs
    from the remote listing, or its SHA-256 from the ledger's."""


class ParsingError(ReportError):
    """Raised when a parser fails on a report as a whole (an error it does not turn into a
    dead letter): the file is refused like one that does not decrypt, not the run."""
