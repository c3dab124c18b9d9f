"""Real data for the report tests: the mock's SOAP answers, asked in process (a module,
not a conftest: ``tests/reports/conftest.py`` belongs to the transport tests)."""

from __future__ import annotations

from datetime import date
from typing import Any

from adapter.mock.app import MockApp
from adapter.mock.config import MockSettings, SecurityProfile
from adapter.records import EnergyDataRequest, IntervalDay
from adapter.soap import Request, build_request, check_answer, parse_answer
from tests.mock.conftest import GUIDE_DAY, call_operation, operation_of

ESIID = "10443720008107413"  # a guide ESIID the CSP of the guide's examples may see


def build_mock() -> MockApp:
    """The mock in process, on the day of the guide's examples."""
    return MockApp(MockSettings(security=SecurityProfile.CERTIFICATE, today=GUIDE_DAY))


def ask(mock: MockApp, operation: str, record: Request) -> Any:
    op = operation_of(operation)
    answer = call_operation(mock, operation, build_request(op, record))
    envelope = check_answer(op, answer.status, answer.headers.get("Content-Type"), answer.body)
    return parse_answer(op, envelope)


def energy_request(start: date, end: date) -> EnergyDataRequest:
    return EnergyDataRequest(
        requestor_id="CSPAPIUser1",
        requester_type="CSP",
        start_date=start,
        end_date=end,
        esiids=(ESIID,),
    )


def soap_days(mock: MockApp, start: date, end: date) -> list[IntervalDay]:
    """The interval days the mock answers over SOAP for ``start``..``end``."""
    (data,) = ask(mock, "processIntervalEnergyData", energy_request(start, end))
    return list(data.days)
