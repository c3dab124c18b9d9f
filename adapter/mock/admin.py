"""The mock's JSON endpoints that are not SOAP: ``POST /v2/token/`` (the 2025 token
service) and the admin endpoint under ``/_mock/`` that inspects and resets the state and
plays the customer who answers an agreement e-mail.

Admin routes:
  GET  /_mock/state                          everything stored, as JSON
  POST /_mock/reset                          back to the seeded state
  POST /_mock/agreements/<number>/<decision>  authorize, reject or time-out a pending agreement
  POST /_mock/subscriptions/<number>/run     drop one report of a subscription now
  POST /_mock/lse/run?date=YYYY-MM-DD        drop the day's LSE file of every REP account
The two ``run`` routes need ``[mock.reports]`` and take ``&scenario=growing-file`` or
``duplicate-name``.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from adapter.mock.access import Denied, TokenIssuer, check_password
from adapter.mock.agreements import DECISIONS, decide_agreement
from adapter.mock.backend import MockBackend
from adapter.mock.config import MockSettings
from adapter.mock.drop import DROP_SCENARIOS

__all__ = ["answer_admin", "answer_token_request"]


def answer_token_request(
    settings: MockSettings, issuer: TokenIssuer, body: bytes
) -> tuple[int, dict[str, Any]]:
    """``POST /v2/token/`` with ``{"username": ..., "password": ...}``."""
    try:
        request = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        request = None
    if not isinstance(request, dict):
        denied = Denied("bad-request", "the body is not a JSON object")
        return denied.status, denied.body
    username, password = request.get("username"), request.get("password")
    try:
        service_id = check_password(
            settings,
            username if isinstance(username, str) else None,
            password if isinstance(password, str) else None,
        )
    except Denied as denied:
        return denied.status, denied.body
    return 200, issuer.issue(service_id).as_json()


def answer_admin(
    backend: MockBackend, method: str, path: str, query: str = ""
) -> tuple[int, dict[str, Any]]:
    parts = [p for p in path.split("/") if p][1:]  # drop "_mock"
    if method == "POST" and parts[-1:] == ["run"] and parts[:1] in (["subscriptions"], ["lse"]):
        return _answer_run(backend, parts, parse_qs(query))
    if parts == ["state"] and method == "GET":
        return 200, {"seed": backend.settings.seed, **backend.state.snapshot()}
    if parts == ["reset"] and method == "POST":
        backend.reset()
        return 200, {"reset": True}
    if len(parts) == 3 and parts[0] == "agreements" and method == "POST":
        number, decision = parts[1], parts[2]
        if not number.isdigit():
            return 400, {"error": f"agreement number {number!r} is not a number"}
        try:
            with backend.state.exclusive():
                agreement = decide_agreement(backend, int(number), decision)
        except LookupError as exc:
            return 404, {"error": str(exc)}
        except ValueError as exc:
            return 409 if decision in DECISIONS else 400, {"error": str(exc)}
        return 200, {"agreementNumber": agreement.number, "status": agreement.status}
    return 404, {
        "error": f"{method} {path}: not an admin route; use GET /_mock/state, "
        "POST /_mock/reset, POST /_mock/agreements/<number>/"
        f"{'|'.join(DECISIONS)}, POST /_mock/subscriptions/<number>/run or "
        "POST /_mock/lse/run?date=YYYY-MM-DD"
    }


def _answer_run(
    backend: MockBackend, parts: list[str], query: dict[str, list[str]]
) -> tuple[int, dict[str, Any]]:
    """Drop a subscription's report, or the day's LSE files, now."""
    reports = backend.reports
    if reports is None:
        return 409, {"error": "no drop folder: configure [mock.reports] drop_root"}
    scenario = query.get("scenario", [None])[0]
    if scenario is not None and scenario not in DROP_SCENARIOS:
        return 400, {"error": f"scenario {scenario!r}: use one of {', '.join(DROP_SCENARIOS)}"}
    root = reports.settings.drop_root
    if parts[0] == "lse" and len(parts) == 2:
        text = query.get("date", [None])[0]
        try:
            day = date.fromisoformat(text) if text else backend.today() - timedelta(days=1)
        except ValueError:
            return 400, {"error": f"date {text!r} is not YYYY-MM-DD"}
        done = reports.run_lse(day, scenario=scenario)
        written = [str(Path(p).relative_to(root)) for p in done["written"]]
        return 200, {"date": day.isoformat(), "written": written, "skipped": done["skipped"]}
    if len(parts) != 3:
        return 404, {"error": "use POST /_mock/subscriptions/<number>/run"}
    try:
        with backend.state.exclusive():
            paths = reports.run_subscription(parts[1], scenario=scenario)
    except LookupError as exc:
        return 404, {"error": str(exc)}
    except ValueError as exc:
        return 409, {"error": str(exc)}
    return 200, {
        "subscriptionNumber": parts[1],
        "written": [str(p.relative_to(root)) for p in paths],
    }
