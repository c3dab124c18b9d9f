"""The mock's world: its synthetic data, its stored state and its calendar, and the
context of one call. Handlers read and change the world only through this module.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from adapter.contract import Operation
from adapter.mock.config import Account, MockSettings
from adapter.mock.dataset import AccountSpec, DataSet, ServicePoint
from adapter.mock.guide_data import guide_points
from adapter.mock.intervals import CHICAGO
from adapter.mock.state import Agreement, AgreementMeter, MockState, Subscription

if TYPE_CHECKING:
    from adapter.mock.drop import ReportDrop

__all__ = ["NOT_VISIBLE", "Call", "MockBackend"]


# SMT's reason for an ESIID the requestor may not see, whether or not it exists (SMT does
# not tell which): the REST acknowledgement examples of 3.1.1.5 and 3.1.1.6.
NOT_VISIBLE = "ESIID NOT VISIBLE TO THIS USER"


@dataclass(frozen=True, slots=True)
class Call:
    """One SOAP call that passed authentication and the schema check."""

    operation: Operation
    account: Account  # the requestorID's account, equal to the authenticated service ID
    now: datetime  # aware, America/Chicago
    environ: Mapping[str, Any]


class MockBackend:
    """Data (deterministic from the seed), state (SQLite) and the mock's calendar."""

    def __init__(self, settings: MockSettings) -> None:
        self.settings = settings
        specs = [
            AccountSpec(
                service_id=a.service_id,
                requester_type=a.requester_type,
                duns=a.duns,
                esiid_count=a.esiid_count,
                esiids=a.esiids,
            )
            for a in settings.accounts
        ]
        self.data = DataSet(seed=settings.seed, accounts=specs, pinned=guide_points())
        self.state = MockState(seed=settings.seed, path=settings.state_file)
        if self.state.empty:
            self.seed_state()
        self.reports: ReportDrop | None = None  # report files for SFTP/FTPS ([mock.reports])
        if settings.reports is not None:
            from adapter.mock.drop import ReportDrop  # it builds reports with the handlers

            self.reports = ReportDrop(settings.reports, self)

    def now(self) -> datetime:
        """The mock's clock: real time, on the pinned day when ``today`` is set."""
        real = datetime.now(CHICAGO)
        today = self.settings.today
        return (
            real
            if today is None
            else real.replace(year=today.year, month=today.month, day=today.day)
        )

    def today(self) -> date:
        return self.now().date()

    def visible_point(self, account: Account, esiid: str) -> ServicePoint | None:
        """The service point if ``account`` may see it; None otherwise (unknown or
        another requestor's: SMT answers both with the same reason)."""
        point = self.data.point(esiid)
        if point is None or point.owner != account.service_id:
            return None
        return point

    def points_of(self, account: Account) -> tuple[ServicePoint, ...]:
        return self.data.points_of(account.service_id)

    def reset(self) -> None:
        """Forget every change: back to the seeded state, in one step for other threads."""
        with self.state.exclusive():
            self.state.clear()
            self.seed_state()

    def seed_state(self) -> None:
        """The state the guide's examples assume, for the guide's own service IDs: two
        active monthly subscriptions of bobby@123 (3.2.1.4, List Subscriptions), and
        CSPAPIUser1's agreements 118360 (terminated) and 118518 (active), with the next new
        agreement numbered 119720 (3.2.1.5)."""
        self.state.set_counter("seed", self.settings.seed)
        self.state.set_counter("agreement", 119_720)
        bobby = self.settings.account("bobby@123")
        if bobby is not None:
            for number, started in (
                ("8F10E261E2E50046E0530A0403228C2E", "2019-08-02T10:27:48"),
                ("8F1B5C285D4D00FCE0530A040322436C", "2019-08-02T22:57:41"),
            ):
                self.state.add_subscription(
                    Subscription(
                        number=number,
                        owner=bobby.service_id,
                        started=datetime.fromisoformat(started),
                        subscription_type="SCHEDULE",
                        report_format="CSV",
                        delivery_mode="EML",
                        data_type="MON",
                        frequency="MONTHLY",
                        status="ACT",
                        last_report=None,
                        esiids=("10443720002506579001",),
                    )
                )
        csp = self.settings.account("CSPAPIUser1")
        if csp is None:
            return
        for agreement_number, start, end, email, status, meters in (
            (118360, date(2019, 7, 11), date(2019, 8, 6), "uat1cspagremeent@mailinator.com",
             "Non Active - Terminated by CSP",
             (AgreementMeter(esiid="10204049799602671", meter_number="148239922",
                             puct_number="10004", status="Inactive"),)),
            (118518, date(2019, 7, 15), date(2019, 10, 15), "donnytest@mailinator.com",
             "Active - Authorization Confirmed",
             (AgreementMeter(esiid="10204049799602671", meter_number="148239922",
                             puct_number="10004", status="Active"),)),
        ):  # fmt: skip
            self.state.add_agreement(
                Agreement(
                    number=agreement_number,
                    owner=csp.service_id,
                    csp_name=csp.csp_name or csp.service_id,
                    duns=csp.duns,
                    email=email,
                    start=start,
                    end=end,
                    status=status,
                    language="English",
                    meters=meters,
                )
            )
