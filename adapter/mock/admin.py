"""The mock's JSON endpoints that are not SOAP: ``POST /v2/token/`` (the 2025 token
service) and the admin endpoint under ``/_mock/`` that inspects and resets the state and
plays the customer who answers an agreement e-mail.

Admin routes:
  GET  /_mock/state                          everything stored, as JSON
  POST /_mock/reset                          back to the seeded state
  POST /_mock/agreements/<number>/<decision>  authorize, reject or time-out a pending agreement
"""

from __future__ import annotations

import json
from typing import Any

from adapter.mock.access import Denied, TokenIssuer, check_password
from adapter.mock.agreements import DECISIONS, decide_agreement
from adapter.mock.backend import MockBackend
from adapter.mock.config import MockSettings

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


def answer_admin(backend: MockBackend, method: str, path: str) -> tuple[int, dict[str, Any]]:
    parts = [p for p in path.split("/") if p][1:]  # drop "_mock"
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
        "POST /_mock/reset or POST /_mock/agreements/<number>/"
        f"{'|'.join(DECISIONS)}"
    }
