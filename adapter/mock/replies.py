"""The HTTP answers the mock gives besides a service's own: Table 4's JSON, plain-text
refusals, SOAP Faults, and the misbehaviours of fault injection."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field

from adapter.mock.access import TABLE_4
from adapter.mock.scenarios import DropConnection, Scenario
from adapter.mock.soap import build_fault
from adapter.xml.violations import Violation

__all__ = ["REASONS", "Refusal", "Reply", "act_out", "describe_violations", "server_error"]

_XML = "text/xml; charset=utf-8"
_MAX_FAULT_LINES = 20

REASONS = {
    200: "OK", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
    405: "Method Not Allowed", 409: "Conflict", 411: "Length Required",
    413: "Content Too Large", 415: "Unsupported Media Type", 500: "Internal Server Error",
    503: "Service Unavailable",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Reply:
    """One HTTP answer."""

    status: int
    body: bytes
    content_type: str = _XML
    headers: tuple[tuple[str, str], ...] = field(default=())

    @classmethod
    def json(cls, status: int, data: object) -> Reply:
        return cls(status, json.dumps(data).encode(), "application/json")

    @classmethod
    def text(cls, status: int, text: str, **headers: str) -> Reply:
        return cls(status, text.encode(), "text/plain; charset=utf-8", tuple(headers.items()))

    @classmethod
    def fault(cls, code: str, text: str) -> Reply:
        return cls(500, build_fault(code, text))


class Refusal(Exception):  # noqa: N818 - carries an answer up through the pipeline
    """Raised anywhere in the pipeline to answer with ``reply`` at once."""

    def __init__(self, reply: Reply) -> None:
        super().__init__(reply.status)
        self.reply = reply


def server_error() -> Reply:
    """Table 4's answer when something went wrong inside SMT."""
    status, text = TABLE_4["server-error"]
    return Reply.json(status, {"error": text})


def describe_violations(violations: tuple[Violation, ...]) -> str:
    """The faultstring of a request that breaks the contract: every violation (up to a
    cap) with its line, path, rule and value."""
    count = len(violations)
    lines = [f"the request breaks the SMT contract ({count} violation{'s' * (count > 1)}):"]
    for violation in violations[:_MAX_FAULT_LINES]:
        where = "" if violation.line is None else f"line {violation.line}: "
        path = f"{violation.path}: " if violation.path else ""
        lines.append(f"{where}{path}[{violation.rule}] {violation.message}")
    if count > _MAX_FAULT_LINES:
        lines.append(f"... and {count - _MAX_FAULT_LINES} more")
    return "\n".join(lines)


def act_out(scenario: Scenario) -> Reply | None:
    """Act out a scenario; None means "now answer normally" (after a delay, or to be cut
    off afterwards for malformed-xml)."""
    if scenario.name == "slow":
        time.sleep(scenario.delay_seconds)
        return None
    if scenario.name == "drop":
        raise DropConnection
    if scenario.name == "http-500":
        return server_error()
    if scenario.name == "http-503":
        return Reply(503, _UNAVAILABLE, "text/html; charset=utf-8", (("Retry-After", "120"),))
    if scenario.name == "soap-fault":
        return Reply.fault("Server", "Internal Error: the service is temporarily unavailable")
    return None


_UNAVAILABLE = b"""<!DOCTYPE html>
<html><head><title>503 Service Unavailable</title></head>
<body><h1>Service Unavailable</h1>
<p>The server is temporarily unable to service your request due to maintenance downtime
or capacity problems. Please try again later.</p></body></html>
"""
