"""The mock's settings: frozen, keyword-only, checked on construction, built from the
``[mock]`` table of a TOML file (the CLI reads the file; this module only reads the table).

Every error names the setting (``mock.accounts[1].service_id``), the value and the rule.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from pathlib import Path
from typing import Any

from adapter.mock.dataset import is_esiid
from adapter.mock.delivery_settings import (
    FtpsSettings,
    ReportSettings,
    SftpSettings,
    ftps_from_mapping,
    reports_from_mapping,
    sftp_from_mapping,
)
from adapter.mock.scenarios import SCENARIOS, ScenarioSettings
from adapter.mock.setting_checks import as_table, fail, only, prefixed, typed

__all__ = [
    "DEFAULT_ACCOUNTS",
    "Account",
    "CallbackSettings",
    "MockSettings",
    "OdrSettings",
    "SecurityProfile",
    "TlsSettings",
    "settings_from_mapping",
]

_SERVICE_ID = re.compile(r"[^\s:]{1,32}")  # requestorID: 1..32 characters; ':' breaks Basic


class SecurityProfile(Enum):
    """How callers authenticate: the 2020 guide's mutual TLS + HTTP Basic, the 2025 bearer
    tokens, or nothing at all (plain HTTP, for quick local trials only)."""

    CERTIFICATE = "certificate"
    TOKEN = "token"  # noqa: S105 - a profile name, not a password
    INSECURE = "insecure"


@dataclass(frozen=True, slots=True, kw_only=True)
class Account:
    """One SMT service ID the mock accepts: its password, requester type and DUNS, and how
    many synthetic ESIIDs it can see (plus any listed explicitly)."""

    service_id: str
    password: str = field(repr=False)
    requester_type: str = "CSP"
    duns: str = "19999999999"
    csp_name: str = ""
    puct_number: str = ""
    esiid_count: int = 4
    esiids: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not _SERVICE_ID.fullmatch(self.service_id):
            fail("service_id", self.service_id, "1 to 32 characters, no spaces or colons")
        if not self.password:
            fail("password", "", "must not be empty")
        if not 0 <= self.esiid_count <= 10_000:
            fail("esiids", str(self.esiid_count), "between 0 and 10000")
        for esiid in self.esiids:
            if not is_esiid(esiid):
                fail("esiids", esiid, "ESIIDs of 17 to 64 digits")


# The service IDs of the guide's own examples, so that its example requests work as
# printed: CSPAPIUser1 (a CSP, sections 3.2.1.1-3.2.1.5) and bobby@123 (a residential
# user, the subscription examples of 3.2.1.4). The passwords are published test values.
DEFAULT_ACCOUNTS = (
    Account(
        service_id="CSPAPIUser1",
        password="smt-mock-CSPAPIUser1",  # noqa: S106 - a published test password
        requester_type="CSP",
        duns="19999999999",
        csp_name="cspbrand1",
        puct_number="10004",
    ),
    Account(
        service_id="bobby@123",
        password="smt-mock-bobby",  # noqa: S106 - a published test password
        requester_type="RES",
        duns="",
        esiid_count=2,
    ),
)


@dataclass(frozen=True, slots=True, kw_only=True)
class TlsSettings:
    """The server's certificate chain and key, and the CA that signs client certificates."""

    cert_file: Path
    key_file: Path
    client_ca_file: Path


@dataclass(frozen=True, slots=True, kw_only=True)
class OdrSettings:
    """On-demand reads (REST ``/odr/``): an ODR, and any report request, is pending for
    ``delay_seconds`` and then done; an ESIID gets at most ``max_per_hour`` ODRs an hour
    (SMT's 5031 answers the next)."""

    delay_seconds: float = 5.0
    max_per_hour: int = 2

    def __post_init__(self) -> None:
        if isinstance(self.delay_seconds, bool) or not 0 <= self.delay_seconds <= 3600:
            fail("odr.delay_seconds", repr(self.delay_seconds), "a number from 0 to 3600")
        if isinstance(self.max_per_hour, bool) or not 1 <= self.max_per_hour <= 10_000:
            fail("odr.max_per_hour", repr(self.max_per_hour), "a whole number, 1 to 10000")


@dataclass(frozen=True, slots=True, kw_only=True)
class CallbackSettings:
    """Where the mock POSTs the JSON report of a request with deliveryMode API (the
    guide's callback feature); ``ca_file`` is the CA that signs that server's certificate
    (default: the system's)."""

    url: str
    ca_file: Path | None = None
    timeout_seconds: float = 10.0

    def __post_init__(self) -> None:
        if not re.fullmatch(r"https?://[^\s/?#]+(/[^\s]*)?", self.url):
            fail("callbacks.url", repr(self.url), "an http:// or https:// URL")
        if not 0 < self.timeout_seconds <= 600:
            fail("callbacks.timeout_seconds", repr(self.timeout_seconds), "0 to 600 seconds")


@dataclass(frozen=True, slots=True, kw_only=True)
class MockSettings:
    """Everything ``smt mock`` needs. ``today`` pins the mock's calendar (the data it has
    "up to yesterday", agreement dates); None means the real date."""

    host: str = "127.0.0.1"
    port: int = 8443
    security: SecurityProfile = SecurityProfile.CERTIFICATE
    tls: TlsSettings | None = None
    accounts: tuple[Account, ...] = DEFAULT_ACCOUNTS
    seed: int = 2020
    today: date | None = None
    token_secret: str | None = field(default=None, repr=False)
    token_lifetime_seconds: int = 3600
    state_file: Path | None = None
    max_body_bytes: int = 10 * 1024 * 1024
    scenarios: ScenarioSettings = field(default_factory=ScenarioSettings)
    odr: OdrSettings = field(default_factory=OdrSettings)
    callbacks: CallbackSettings | None = None
    reports: ReportSettings | None = None  # report files dropped for SFTP/FTPS
    sftp: SftpSettings | None = None
    ftps: FtpsSettings | None = None

    def __post_init__(self) -> None:
        if not 0 <= self.port <= 65535:
            fail("port", str(self.port), "between 0 and 65535")
        if not self.accounts:
            fail("accounts", "[]", "at least one account")
        seen: set[str] = set()
        for account in self.accounts:
            if account.service_id in seen:
                fail("accounts", account.service_id, "each service_id once")
            seen.add(account.service_id)
        # a few seconds are allowed so that clients can try their refresh without waiting
        if not 1 <= self.token_lifetime_seconds <= 86_400:
            fail("token.lifetime_seconds", str(self.token_lifetime_seconds), "1 to 86400")
        if self.token_secret is not None and len(self.token_secret) < 32:
            fail("token.secret", "(hidden)", "at least 32 characters")
        if not 1024 <= self.max_body_bytes <= 512 * 1024 * 1024:
            fail("max_body_bytes", str(self.max_body_bytes), "1024 to 536870912")

    def account(self, service_id: str) -> Account | None:
        return next((a for a in self.accounts if a.service_id == service_id), None)


def settings_from_mapping(table: Mapping[str, Any], *, base_dir: Path) -> MockSettings:
    """Build settings from the ``[mock]`` table of a TOML file; relative paths are taken
    from ``base_dir`` (the file's folder). Unknown keys are refused, never ignored."""
    only(table, "mock", {
        "host", "port", "security", "tls", "accounts", "seed", "today", "token",
        "state_file", "max_body_bytes", "scenarios", "odr", "callbacks", "reports", "sftp",
        "ftps",
    })  # fmt: skip
    values: dict[str, Any] = {}
    for key, kind in (("host", str), ("port", int), ("seed", int), ("max_body_bytes", int)):
        if key in table:
            values[key] = typed(table, key, kind, f"mock.{key}")
    if "security" in table:
        values["security"] = _security(typed(table, "security", str, "mock.security"))
    if "today" in table:
        values["today"] = _date(table["today"])
    if "state_file" in table:
        values["state_file"] = base_dir / typed(table, "state_file", str, "mock.state_file")
    if "tls" in table:
        values["tls"] = _tls(table["tls"], base_dir)
    if "token" in table:
        token = as_table(table["token"], "mock.token")
        only(token, "mock.token", {"secret", "lifetime_seconds"})
        if "secret" in token:
            values["token_secret"] = typed(token, "secret", str, "mock.token.secret", secret=True)
        if "lifetime_seconds" in token:
            values["token_lifetime_seconds"] = typed(
                token, "lifetime_seconds", int, "mock.token.lifetime_seconds"
            )
    if "accounts" in table:
        values["accounts"] = _accounts(table["accounts"])
    if "scenarios" in table:
        values["scenarios"] = _scenarios(table["scenarios"])
    if "odr" in table:
        values["odr"] = _odr(table["odr"])
    if "callbacks" in table:
        values["callbacks"] = _callbacks(table["callbacks"], base_dir)
    if "reports" in table:
        values["reports"] = reports_from_mapping(table["reports"], base_dir=base_dir)
    if "sftp" in table:
        values["sftp"] = sftp_from_mapping(table["sftp"], base_dir=base_dir)
    if "ftps" in table:
        values["ftps"] = ftps_from_mapping(table["ftps"])
    settings: MockSettings = prefixed(lambda: MockSettings(**values), "mock")
    return settings


def _accounts(raw: Any) -> tuple[Account, ...]:
    if not isinstance(raw, list) or not raw:
        fail("mock.accounts", repr(raw), "a non-empty array of tables ([[mock.accounts]])")
    accounts = []
    for index, item in enumerate(raw):
        where = f"mock.accounts[{index}]"
        entry = as_table(item, where)
        only(entry, where, {
            "service_id", "password", "requester_type", "duns", "csp_name", "puct_number",
            "esiids",
        })  # fmt: skip
        for key in ("service_id", "password"):
            if key not in entry:
                fail(f"{where}.{key}", "(missing)", "required")
        esiids = entry.get("esiids", 4)
        count, listed = (esiids, ()) if isinstance(esiids, int) else (0, _strings(esiids, where))
        fields = {
            "service_id": typed(entry, "service_id", str, f"{where}.service_id"),
            "password": typed(entry, "password", str, f"{where}.password", secret=True),
            "requester_type": str(entry.get("requester_type", "CSP")),
            "duns": str(entry.get("duns", "")),
            "csp_name": str(entry.get("csp_name", "")),
            "puct_number": str(entry.get("puct_number", "")),
            "esiid_count": count,
            "esiids": listed,
        }
        accounts.append(prefixed(functools.partial(Account, **fields), where))
    return tuple(accounts)


def _scenarios(raw: Any) -> ScenarioSettings:
    table = as_table(raw, "mock.scenarios")
    only(table, "mock.scenarios", {"default", "operations", "delay_seconds", "times"})
    default = table.get("default")
    if default is not None and default not in SCENARIOS:
        fail("mock.scenarios.default", str(default), f"one of {', '.join(SCENARIOS)}")
    operations = as_table(table.get("operations", {}), "mock.scenarios.operations")
    for name, scenario in operations.items():
        if scenario not in SCENARIOS:
            where = f"mock.scenarios.operations.{name}"
            fail(where, str(scenario), f"one of {', '.join(SCENARIOS)}")
    delay = table.get("delay_seconds", 5.0)
    if not isinstance(delay, int | float) or not 0 <= delay <= 600:
        fail("mock.scenarios.delay_seconds", repr(delay), "a number from 0 to 600")
    times = table.get("times")
    if times is not None and (isinstance(times, bool) or not isinstance(times, int) or times < 1):
        fail("mock.scenarios.times", repr(times), "a whole number of calls, 1 or more")
    return ScenarioSettings(
        default=default, operations=dict(operations), delay_seconds=float(delay), times=times
    )


def _odr(raw: Any) -> OdrSettings:
    table = as_table(raw, "mock.odr")
    only(table, "mock.odr", {"delay_seconds", "max_per_hour"})
    values: dict[str, Any] = {}
    if "delay_seconds" in table:
        delay = table["delay_seconds"]
        if isinstance(delay, bool) or not isinstance(delay, int | float):
            fail("mock.odr.delay_seconds", repr(delay), "a number from 0 to 3600")
        values["delay_seconds"] = float(delay)
    if "max_per_hour" in table:
        values["max_per_hour"] = typed(table, "max_per_hour", int, "mock.odr.max_per_hour")
    settings: OdrSettings = prefixed(lambda: OdrSettings(**values), "mock")
    return settings


def _callbacks(raw: Any, base_dir: Path) -> CallbackSettings:
    table = as_table(raw, "mock.callbacks")
    only(table, "mock.callbacks", {"url", "ca_file", "timeout_seconds"})
    if "url" not in table:
        fail("mock.callbacks.url", "(missing)", "required when [mock.callbacks] is given")
    values: dict[str, Any] = {"url": typed(table, "url", str, "mock.callbacks.url")}
    if "ca_file" in table:
        path = base_dir / typed(table, "ca_file", str, "mock.callbacks.ca_file")
        if not path.is_file():
            fail("mock.callbacks.ca_file", str(path), "an existing PEM file")
        values["ca_file"] = path
    if "timeout_seconds" in table:
        timeout = table["timeout_seconds"]
        if isinstance(timeout, bool) or not isinstance(timeout, int | float):
            fail("mock.callbacks.timeout_seconds", repr(timeout), "a number of seconds")
        values["timeout_seconds"] = float(timeout)
    settings: CallbackSettings = prefixed(lambda: CallbackSettings(**values), "mock")
    return settings


def _tls(raw: Any, base_dir: Path) -> TlsSettings:
    table = as_table(raw, "mock.tls")
    only(table, "mock.tls", {"cert_file", "key_file", "client_ca_file"})
    paths = {}
    for key in ("cert_file", "key_file", "client_ca_file"):
        if key not in table:
            fail(f"mock.tls.{key}", "(missing)", "required when [mock.tls] is given")
        path = base_dir / typed(table, key, str, f"mock.tls.{key}")
        if not path.is_file():
            fail(f"mock.tls.{key}", str(path), "an existing PEM file")
        paths[key] = path
    return TlsSettings(**paths)


def _security(value: str) -> SecurityProfile:
    try:
        return SecurityProfile(value)
    except ValueError:
        names = ", ".join(p.value for p in SecurityProfile)
        fail("mock.security", value, f"one of {names}")


def _date(raw: Any) -> date:
    if isinstance(raw, date):
        return raw
    try:
        return date.fromisoformat(str(raw))
    except ValueError:
        fail("mock.today", str(raw), "a date, YYYY-MM-DD")


def _strings(raw: Any, where: str) -> tuple[str, ...]:
    if not isinstance(raw, list) or not all(isinstance(v, str) for v in raw):
        fail(f"{where}.esiids", repr(raw), "a count or an array of ESIID strings")
    return tuple(raw)
