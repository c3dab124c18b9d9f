"""Fault injection: how the mock misbehaves when a scenario is chosen, by the config file
(for every call, or per operation) or by the ``X-SMT-Mock-Scenario`` request header.

A header value is a scenario name, optionally with a delay for ``slow``:
``slow``, ``slow:0.25``, ``http-503``.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field

__all__ = [
    "SCENARIOS",
    "DropConnection",
    "Scenario",
    "ScenarioChooser",
    "ScenarioSettings",
    "choose_scenario",
]

SCENARIOS: Mapping[str, str] = {
    "slow": "answer normally after a delay (delay_seconds, or slow:SECONDS in the header)",
    "http-500": "HTTP 500 with SMT's JSON body (Table 4)",
    "http-503": "HTTP 503 with an HTML page, as a load balancer in front of SMT sends",
    "malformed-xml": "HTTP 200 with the real response cut off halfway (not well-formed)",
    "soap-fault": "HTTP 500 with a SOAP Fault (faultcode soapenv:Server)",
    "drop": "close the connection after reading the request, without any response",
    "odr-failed": "an on-demand read (POST /odr/) ends FAILED: the meter did not answer",
    "odr-t-failed": "an on-demand read (POST /odr/) ends T-FAILED: the TDU timed it out",
    "growing-file": "(report delivery) the report file shows up half written, then grows",
    "duplicate-name": "(report delivery) the same file name is dropped in both subfolders",
}

HEADER = "HTTP_X_SMT_MOCK_SCENARIO"


class DropConnection(Exception):  # noqa: N818 - it names the fault it injects
    """Raised by the WSGI app to make the server close the connection after it has read the
    request, without writing any response (fault injection: "connection dropped")."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ScenarioSettings:
    """Scenarios chosen in the config file: ``default`` applies to every SOAP call,
    ``operations`` maps an operation name to a scenario and wins over ``default``;
    ``times`` limits them to the first calls of each operation (e.g. 1: fail once, then
    answer normally, to try a client's retries), None to every call."""

    default: str | None = None
    operations: Mapping[str, str] = field(default_factory=dict)
    delay_seconds: float = 5.0
    times: int | None = None


@dataclass(frozen=True, slots=True)
class Scenario:
    name: str
    delay_seconds: float


class ScenarioError(ValueError):
    """A header names no scenario; the message says which ones exist."""


def choose_scenario(
    settings: ScenarioSettings, operation: str, header: str | None
) -> Scenario | None:
    """The scenario for one call: the request header first, then the config file."""
    if header:
        name, _, seconds = header.strip().partition(":")
        name = name.strip()
        if name not in SCENARIOS:
            raise ScenarioError(
                f"X-SMT-Mock-Scenario {header!r} names no scenario; use one of "
                f"{', '.join(SCENARIOS)}"
            )
        delay = settings.delay_seconds
        if seconds:
            try:
                delay = float(seconds)
            except ValueError:
                delay = -1.0
            if not 0 <= delay <= 600:
                raise ScenarioError(
                    f"X-SMT-Mock-Scenario {header!r}: the delay must be 0 to 600 seconds"
                )
        return Scenario(name, delay)
    chosen = settings.operations.get(operation) or settings.default
    return None if chosen is None else Scenario(chosen, settings.delay_seconds)


class ScenarioChooser:
    """Chooses each call's scenario (``choose_scenario``), counting the configured ones
    against ``times`` per operation or REST function; shared by the SOAP and REST sides.
    Raises ``ScenarioError`` for a header that names no scenario."""

    def __init__(self, settings: ScenarioSettings) -> None:
        self.settings = settings
        self._acted: dict[str, int] = {}
        self._lock = threading.Lock()

    def choose(self, operation: str, header: str | None) -> Scenario | None:
        scenario = choose_scenario(self.settings, operation, header)
        if scenario is None or header or self.settings.times is None:
            return scenario
        with self._lock:
            acted = self._acted.get(operation, 0)
            if acted >= self.settings.times:
                return None
            self._acted[operation] = acted + 1
        return scenario
