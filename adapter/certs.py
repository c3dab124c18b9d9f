"""What a client certificate is and how long it lasts: the data behind ``smt certs check``.

SMT issues 90-day client certificates to a CSP's API user and renews them by e-mail, so
the report carries what that e-mail and its reply need: the subject (the API user), the
issuer, the serial number, the SHA-256 fingerprint and the expiry, and a verdict that
says how many days are left to get the new one installed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from cryptography.hazmat.primitives import hashes

from adapter.errors import ConfigurationError
from adapter.transport.tls import ClientCertificate, load_client_certificate

__all__ = ["CertificateReport", "Status", "format_report", "inspect_certificate"]

Status = Literal["ok", "warning", "failing"]


@dataclass(frozen=True, slots=True, kw_only=True)
class CertificateReport:
    """One client certificate, checked at ``checked_at``.

    ``chain`` holds the subjects of the certificates that follow the leaf, in file order.
    ``status`` is "failing" when the certificate has expired, is not valid yet, expires in
    fewer than the failing threshold's days, or its key does not match; "warning" when it
    expires in fewer than the warning threshold's days; otherwise "ok". ``problems`` says
    why, one line each."""

    source: str
    subject: str
    issuer: str
    serial: str
    fingerprint_sha256: str
    not_before: datetime
    not_after: datetime
    days_left: int
    chain: tuple[str, ...]
    key_matches: bool
    status: Status
    problems: tuple[str, ...]
    checked_at: datetime

    @property
    def verdict(self) -> str:
        """One line for a person: the status and, unless ok, what to do."""
        expiry = f"{self.not_after:%Y-%m-%d %H:%M} UTC"
        if self.status == "ok":
            return f"OK: valid until {expiry} ({self.days_left} days left)"
        word = "FAILING" if self.status == "failing" else "WARNING"
        action = (
            "ask SMT for a new certificate by e-mail and install it"
            if self.key_matches
            else "give the private key that belongs to this certificate"
        )
        return f"{word}: {'; '.join(self.problems)}; {action}"

    def as_json(self) -> dict[str, Any]:
        """The report as JSON-ready values (instants in ISO 8601, UTC)."""
        return {
            "source": self.source,
            "status": self.status,
            "subject": self.subject,
            "issuer": self.issuer,
            "serial": self.serial,
            "fingerprint_sha256": self.fingerprint_sha256,
            "not_before": self.not_before.isoformat(),
            "not_after": self.not_after.isoformat(),
            "days_left": self.days_left,
            "chain": list(self.chain),
            "key_matches": self.key_matches,
            "problems": list(self.problems),
            "verdict": self.verdict,
            "checked_at": self.checked_at.isoformat(),
        }


def inspect_certificate(
    certificate: ClientCertificate,
    *,
    now: datetime | None = None,
    warn_days: int = 30,
    fail_days: int = 7,
) -> CertificateReport:
    """Read ``certificate`` (PEM or PKCS#12) and judge it at ``now`` (default: the current
    time): "warning" under ``warn_days`` days left, "failing" under ``fail_days``, when
    expired or not yet valid, or when the key does not match.

    Raises ``CertificateError`` when the files cannot be read or unlocked, and
    ``ConfigurationError`` for thresholds that are negative or out of order, or a naive
    ``now``."""
    _check_thresholds(warn_days, fail_days)
    if now is None:
        now = datetime.now(UTC)
    elif now.tzinfo is None:
        raise ConfigurationError("now must be timezone-aware", field="now", value=str(now))
    now = now.astimezone(UTC)
    loaded = load_client_certificate(certificate)
    leaf = loaded.leaf
    not_before, not_after = leaf.not_valid_before_utc, leaf.not_valid_after_utc
    days_left = (not_after - now) // timedelta(days=1)

    problems: list[str] = []
    failing = True
    if not_after <= now:
        problems.append(f"expired on {not_after:%Y-%m-%d %H:%M} UTC")
    elif not_before > now:
        problems.append(f"not valid before {not_before:%Y-%m-%d %H:%M} UTC")
    elif days_left < fail_days:
        problems.append(f"expires in {days_left} days (under {fail_days})")
    elif days_left < warn_days:
        problems.append(f"expires in {days_left} days (under {warn_days})")
        failing = False
    else:
        failing = False
    if not loaded.key_matches:
        problems.append("the private key does not match the certificate")
        failing = True
    status: Status = "failing" if failing else ("warning" if problems else "ok")

    return CertificateReport(
        source=str(certificate.source),
        subject=leaf.subject.rfc4514_string(),
        issuer=leaf.issuer.rfc4514_string(),
        serial=_hex(leaf.serial_number),
        fingerprint_sha256=leaf.fingerprint(hashes.SHA256()).hex(":").upper(),
        not_before=not_before,
        not_after=not_after,
        days_left=days_left,
        chain=tuple(c.subject.rfc4514_string() for c in loaded.chain),
        key_matches=loaded.key_matches,
        status=status,
        problems=tuple(problems),
        checked_at=now,
    )


def format_report(report: CertificateReport) -> list[str]:
    """The report as aligned lines for a terminal, the verdict last."""
    lines = [
        f"certificate:  {report.source}",
        f"subject:      {report.subject}",
        f"issuer:       {report.issuer}",
        f"serial:       {report.serial}",
        f"SHA-256:      {report.fingerprint_sha256}",
        f"valid from:   {report.not_before:%Y-%m-%d %H:%M:%S} UTC",
        f"expires:      {report.not_after:%Y-%m-%d %H:%M:%S} UTC",
        f"days left:    {report.days_left}",
        f"key matches:  {'yes' if report.key_matches else 'NO'}",
    ]
    if report.chain:
        lines.extend(
            f"{'chain:' if i == 0 else '':<14}{i + 1}. {subject}"
            for i, subject in enumerate(report.chain)
        )
    else:
        lines.append("chain:        none (only the certificate itself is sent)")
    lines.append(report.verdict)
    return lines


def _check_thresholds(warn_days: int, fail_days: int) -> None:
    if fail_days < 0:
        raise ConfigurationError(
            "fail_days must be 0 or more", field="fail_days", value=str(fail_days)
        )
    if warn_days < fail_days:
        raise ConfigurationError(
            f"warn_days ({warn_days}) must not be below fail_days ({fail_days})",
            field="warn_days",
            value=str(warn_days),
        )


def _hex(serial: int) -> str:
    """The serial as colon-separated hex, the way openssl and browsers show it."""
    digits = f"{serial:x}"
    digits = digits.zfill(len(digits) + len(digits) % 2)
    return ":".join(digits[i : i + 2] for i in range(0, len(digits), 2)).upper()
