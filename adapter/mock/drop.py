"""The mock's report drop: the files SMT would leave in an account's SFTP/FTPS folder.

When the mock acknowledges a request with deliveryMode FTP (SOAP or REST), runs a
subscription or the daily LSE job (admin routes), it writes the report to
``<drop_root>/<service_id>/adhocusage/`` (daily LSE: ``intervaldata/``), named as SMT
names them (``adapter.reports.names``): ``IntervalMeterUsage<correlation id>.CSV.<n>``,
``<DUNS>IntervalData<timestamp>.lse.001.<n>``, with ``.zip`` when ``[mock.reports] zip``
and ``.asc`` when ``pgp_public_key`` is set (the ZIP, or the report, encrypted to that
key and ASCII-armoured by the gpg binary in a private GNUPGHOME). ``<n>`` is the account's
own 9-digit number, the same on each of its files, as in the guide's listing.

Files are written under a temporary name (``.<name>.<hex>.part``, hidden by the servers)
in the same folder and renamed, so a client never sees half a file, except in the
scenarios (chosen like every scenario, or ``?scenario=`` on the admin routes):

- ``growing-file``: the file appears under its final name half written, and the rest is
  appended ``growing_seconds`` later (SMT's folder shows files still being written).
- ``duplicate-name``: the same name is dropped in both subfolders (``adhocusage/`` and
  ``intervaldata/``).

A report is written ``[mock.odr] delay_seconds`` after the acknowledgement (at once when
0); a failure is logged, never raised into the request that acknowledged it.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import secrets
import tempfile
import threading
import time
import zipfile
from collections.abc import Callable, Mapping, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from lxml import etree

from adapter.errors import ConfigurationError, ReportError
from adapter.mock.backend import Call, MockBackend
from adapter.mock.config import Account
from adapter.mock.delivery_settings import ReportSettings
from adapter.mock.report_files import REPORT_KINDS, build_lse_day, build_report, build_request
from adapter.mock.rest_calls import find_operation
from adapter.mock.scenarios import HEADER, ScenarioError, choose_scenario
from adapter.reports.names import ReportName, format_report_name
from adapter.reports.pgp import open_keyring

__all__ = ["ADHOC", "DROP_SCENARIOS", "INTERVAL_DATA", "ReportDrop"]

log = logging.getLogger("adapter.mock.reports")

ADHOC, INTERVAL_DATA = "adhocusage", "intervaldata"
DROP_SCENARIOS = ("growing-file", "duplicate-name")
_SUBSCRIPTION_OPERATIONS = {  # dataType -> the EnergyData operation a run answers
    "INT": "processIntervalEnergyData",
    "DAI": "processDailyRegisteredReads",
    "DLY": "processDailyRegisteredReads",
    "MON": "processMonthlyBillingInformation",
    "HML": "processMonthlyBillingInformation",
}


class ReportDrop:
    """Writes reports into the drop folder of one mock; shared by its request threads.

    Raises ``ConfigurationError`` on construction when a service ID cannot be a folder
    name or the PGP public key cannot be imported."""

    def __init__(self, settings: ReportSettings, backend: MockBackend) -> None:
        self.settings = settings
        self.backend = backend
        for account in backend.settings.accounts:
            name = account.service_id
            if name in (".", "..") or any(c in name for c in "/\\\0") or name.startswith("."):
                raise ConfigurationError(
                    f"mock.accounts: service_id {name!r} cannot name a drop folder",
                    field="mock.accounts",
                    value=name,
                )
        self._pending: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._runs = 0
        self._gpg: Any = None
        self._recipient = ""
        self._home: tempfile.TemporaryDirectory[str] | None = None
        if settings.pgp_public_key is not None:
            self._import_key(settings.pgp_public_key)

    def _import_key(self, key_file: Path) -> None:
        self._home = tempfile.TemporaryDirectory(prefix="smt-mock-gnupg-")
        self._gpg = open_keyring(Path(self._home.name))
        result = self._gpg.import_keys(key_file.read_bytes())
        if result.returncode != 0 or not result.fingerprints:
            raise ConfigurationError(
                f"mock.reports.pgp_public_key = {key_file}: gpg imports no key from it",
                field="mock.reports.pgp_public_key",
                value=str(key_file),
            )
        self._recipient = str(result.fingerprints[0])

    def folder(self, service_id: str, subfolder: str = ADHOC) -> Path:
        return self.settings.drop_root / service_id / subfolder

    def join(self, timeout: float = 30.0) -> None:
        """Wait for the reports being written in the background (tests use it)."""
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                pending = [t for t in self._pending if t.is_alive()]
                self._pending = pending
            if not pending:
                return
            pending[0].join(max(0.0, deadline - time.monotonic()))
            if time.monotonic() >= deadline:
                return

    # what triggers a drop -------------------------------------------------------------

    def deliver_request(
        self,
        call: Call,
        request: etree._Element,
        *,
        correlation_id: str,
        esiids: Sequence[str],
        report_format: str,
    ) -> None:
        """Drop the report of an acknowledged request, after ``[mock.odr] delay_seconds``."""
        if call.operation.name not in REPORT_KINDS or not esiids:
            return
        scenario = self._scenario(call)
        request = etree.fromstring(etree.tostring(request))  # the caller's tree moves on

        def drop() -> None:
            fmt = self._format(call.operation.name, report_format)
            content = build_report(
                call, self.backend, request, esiids, report_format=fmt, report_id=correlation_id
            )
            name = self._name(call.operation.name, correlation_id, fmt, call.account)
            self.write(call.account.service_id, ADHOC, name, content, scenario=scenario)

        self._later(self.backend.settings.odr.delay_seconds, drop, correlation_id)

    def run_subscription(self, number: str, *, scenario: str | None = None) -> list[Path]:
        """Drop one report of an active subscription now, covering yesterday (the mock's),
        or the last 31 days for monthly data. Raises ``LookupError`` for an unknown
        subscription, ``ValueError`` for a cancelled one."""
        for account in self.backend.settings.accounts:
            subscription = self.backend.state.subscription(account.service_id, number)
            if subscription is not None:
                break
        else:
            raise LookupError(f"no subscription {number}")
        if subscription.status != "ACT":
            raise ValueError(f"subscription {number} is not active ({subscription.status})")
        operation = _SUBSCRIPTION_OPERATIONS.get(
            subscription.data_type.upper()[:3], "processIntervalEnergyData"
        )
        end = self.backend.today() - timedelta(days=1)
        start = end - timedelta(days=30) if "Monthly" in operation else end
        call = Call(find_operation(operation), account, self.backend.now(), {})
        with self._lock:
            self._runs += 1
            run = self._runs
        seed = f"{self.backend.settings.seed}:{number}:{run}"
        report_id = hashlib.sha256(seed.encode()).hexdigest()[:24]
        fmt = self._format(operation, subscription.report_format)
        request = build_request(account, subscription.esiids, start, end)
        content = build_report(
            call, self.backend, request, subscription.esiids, report_format=fmt, report_id=report_id
        )
        name = self._name(operation, report_id, fmt, account)
        return self.write(account.service_id, ADHOC, name, content, scenario=scenario)

    def run_lse(self, day: date, *, scenario: str | None = None) -> dict[str, Any]:
        """Drop the day's LSE file into ``intervaldata/`` of every REP account; return the
        files written and the accounts skipped (a DUNS that is not 9 or 13 digits)."""
        written: list[str] = []
        skipped: dict[str, str] = {}
        stamp = self.backend.now().strftime("%H%M%S%f")[:9]
        for account in self.backend.settings.accounts:
            if account.requester_type.upper() != "REP":
                continue
            try:
                name = ReportName(
                    kind="lse-daily", report_id=f"{day:%Y%m%d}{stamp}", format="LSE",
                    number=_number(account), sequence="001", duns=account.duns,
                    zipped=self.settings.zip, armoured=self._gpg is not None,
                )  # fmt: skip
            except ConfigurationError as exc:
                skipped[account.service_id] = str(exc)
                continue
            content = build_lse_day(self.backend, account, day)
            paths = self.write(account.service_id, INTERVAL_DATA, name, content, scenario=scenario)
            written += [str(p) for p in paths]
        return {"written": written, "skipped": skipped}

    # how a report becomes a file ------------------------------------------------------

    def write(
        self,
        service_id: str,
        subfolder: str,
        name: ReportName,
        content: bytes,
        *,
        scenario: str | None = None,
    ) -> list[Path]:
        """Zip and encrypt ``content`` as ``name`` says and write it into the account's
        ``subfolder``; return the paths written (two with ``duplicate-name``).

        Raises ``ReportError`` when gpg fails (nothing is written then), ``OSError`` when
        the folder cannot be written."""
        data = self._pack(name, content)
        folders = [subfolder]
        if scenario == "duplicate-name":
            folders.append(INTERVAL_DATA if subfolder == ADHOC else ADHOC)
        paths = []
        for folder in folders:
            path = self.folder(service_id, folder) / format_report_name(name)
            path.parent.mkdir(parents=True, exist_ok=True)
            if scenario == "growing-file":
                self._grow(path, data)
            else:
                _write_atomically(path, data)
            log.info("report dropped: %s (%d bytes)", path, len(data))
            paths.append(path)
        return paths

    def _pack(self, name: ReportName, content: bytes) -> bytes:
        data = content
        if name.zipped:
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
                archive.writestr(name.inner, content)
            data = buffer.getvalue()
        if name.armoured:
            data = self._encrypt(data, format_report_name(name))
        return data

    def _encrypt(self, data: bytes, what: str) -> bytes:
        with self._lock:  # one gpg at a time on the private keyring
            result = self._gpg.encrypt(
                data, self._recipient, armor=True, always_trust=True, extra_args=["--no-tty"]
            )
        if not result.ok or result.returncode != 0 or not result.data:
            reason = result.status or f"gpg exited {result.returncode}"
            raise ReportError(f"cannot encrypt {what}: {reason}", path=what, reason=reason)
        return bytes(result.data)

    def _grow(self, path: Path, data: bytes) -> None:
        half = len(data) // 2
        with path.open("wb") as handle:
            handle.write(data[:half])

        def rest() -> None:
            with path.open("ab") as handle:
                handle.write(data[half:])

        self._later(self.settings.growing_seconds or 0.01, rest, f"rest of {path.name}")

    def _later(self, delay: float, job: Callable[[], None], what: str) -> None:
        def run() -> None:
            if delay:
                time.sleep(delay)
            try:
                job()
            except Exception:  # a report that cannot be made must not take the mock down
                log.exception("report %s: not dropped", what)

        if not delay:
            run()
            return
        thread = threading.Thread(target=run, name=f"mock-drop {what}", daemon=True)
        with self._lock:
            self._pending.append(thread)
        thread.start()

    def _scenario(self, call: Call) -> str | None:
        environ: Mapping[str, Any] = call.environ
        try:
            chosen = choose_scenario(
                self.backend.settings.scenarios, call.operation.name, environ.get(HEADER)
            )
        except ScenarioError:
            return None
        return chosen.name if chosen is not None and chosen.name in DROP_SCENARIOS else None

    def _format(self, operation: str, requested: str) -> str:
        """The requested format if the kind comes in it, CSV otherwise (e.g. JSON)."""
        fmt = requested.upper()
        try:
            ReportName(kind=REPORT_KINDS[operation], report_id="x", format=fmt, number="1")
        except ConfigurationError:
            return "CSV"
        return fmt

    def _name(self, operation: str, report_id: str, fmt: str, account: Account) -> ReportName:
        return ReportName(
            kind=REPORT_KINDS[operation], report_id=report_id, format=fmt,
            number=_number(account), zipped=self.settings.zip, armoured=self._gpg is not None,
        )  # fmt: skip


def _number(account: Account) -> str:
    """The account's own number in its file names: 9 digits, from its service ID."""
    digest = hashlib.sha256(account.service_id.encode()).hexdigest()
    return str(100_000_000 + int(digest[:12], 16) % 900_000_000)


def _write_atomically(path: Path, data: bytes) -> None:
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(6)}.part")
    try:
        with temporary.open("xb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
