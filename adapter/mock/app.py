"""The mock as one WSGI application: routing, and the checks SMT makes before a SOAP
request reaches its service, in SMT's order.

For a SOAP call: HTTP method, body size, authentication (Table 4), SOAPAction, the
bundled XSDs (``wire`` profile), requestorID against the authenticated service ID,
SMTTermsandConditions, then fault injection, then spyne and the operation's handler.
Besides SOAP it serves ``<path>?wsdl`` and the XSDs, ``POST /v2/token/`` and the admin
endpoint under ``/_mock/``.
"""

from __future__ import annotations

import io
import json
import logging
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from adapter.contract import Operation, Service, load_services
from adapter.errors import ConfigurationError
from adapter.mock.access import Denied, TokenIssuer, authenticate, check_password
from adapter.mock.admin import answer_admin, answer_token_request
from adapter.mock.backend import Call, MockBackend
from adapter.mock.config import MockSettings
from adapter.mock.documents import read_schema, render_wsdl
from adapter.mock.operations import CALL_KEY, TOKEN_OPERATION, TOKEN_SUBJECT_KEY, build_dispatcher
from adapter.mock.scenarios import HEADER, Scenario, ScenarioError, choose_scenario
from adapter.mock.server import DropConnection
from adapter.mock.soap import build_fault, build_soap_app
from adapter.xml.names import SOAP_ENVELOPE
from adapter.xml.parsing import Limits, safe_parser
from adapter.xml.validation import MessageValidator
from adapter.xml.violations import Violation

__all__ = ["MockApp", "Reply"]

log = logging.getLogger("adapter.mock")

StartResponse = Callable[..., Any]
_XML = "text/xml; charset=utf-8"
_MAX_FAULT_LINES = 20


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


_REASONS = {
    200: "OK", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
    405: "Method Not Allowed", 411: "Length Required", 413: "Content Too Large",
    500: "Internal Server Error", 503: "Service Unavailable",
}  # fmt: skip


class MockApp:
    """The local SMT. Build it once; it serves many threads."""

    def __init__(self, settings: MockSettings, backend: MockBackend | None = None) -> None:
        self.settings = settings
        self.backend = backend or MockBackend(settings)
        self.issuer = TokenIssuer(
            secret=settings.token_secret, lifetime_seconds=settings.token_lifetime_seconds
        )
        self.validator = MessageValidator(limits=Limits(max_bytes=settings.max_body_bytes))
        dispatch = build_dispatcher(self.backend, self.issuer)
        self.services: dict[str, Service] = {s.path: s for s in load_services()}
        self._soap_apps = {path: build_soap_app(s, dispatch) for path, s in self.services.items()}
        known = {op.name for s in self.services.values() for op in s.operations}
        for name in settings.scenarios.operations:
            if name not in known:
                raise ConfigurationError(
                    f"mock.scenarios.operations.{name}: no such operation; use one of "
                    f"{', '.join(sorted(known))}",
                    field=f"mock.scenarios.operations.{name}",
                    value=name,
                )

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        try:
            reply = self._route(environ)
        except Denied as denied:
            log.info("refused %s %s: %s", environ.get("REQUEST_METHOD"), _path(environ), denied)
            reply = Reply.json(denied.status, denied.body)
        except _Refusal as refusal:
            reply = refusal.reply
        status = f"{reply.status} {_REASONS.get(reply.status, 'Status')}"
        headers = [
            ("Content-Type", reply.content_type),
            ("Content-Length", str(len(reply.body))),
            *reply.headers,
        ]
        start_response(status, headers)
        return [reply.body]

    def _route(self, environ: dict[str, Any]) -> Reply:
        method = environ.get("REQUEST_METHOD", "GET")
        path = _path(environ)
        service = self.services.get(path)
        if path.startswith("/_mock/"):
            if self.settings.security.value != "insecure":
                authenticate(environ, self.settings, self.issuer)
            status, data = answer_admin(self.backend, method, path)
            return Reply.json(status, data)
        if path == "/v2/token/":
            if method != "POST":
                return Reply.text(405, "POST a JSON body to /v2/token/", Allow="POST")
            status, data = answer_token_request(
                self.settings, self.issuer, _read_body(environ, 65_536)
            )
            return Reply.json(status, data)
        if (
            method == "GET"
            and service is not None
            and environ.get("QUERY_STRING", "").lower() == "wsdl"
        ):
            return Reply(200, render_wsdl(service, _base_url(environ)))
        if method == "GET" and (schema := read_schema(path)) is not None:
            return Reply(200, schema)
        if service is None:
            return Reply.text(
                404,
                f"nothing is served at {path}; the SOAP services are at "
                f"{', '.join(sorted(self.services))}",
            )
        if method != "POST":
            return Reply.text(
                405,
                f"{method} {path}: SOAP requests are POSTed; GET {path}?wsdl reads the WSDL",
                Allow="GET, POST",
            )
        return self._soap(environ, service)

    def _soap(self, environ: dict[str, Any], service: Service) -> Reply:
        authenticated: str | None = None
        if TOKEN_OPERATION not in {op.name for op in service.operations}:
            authenticated = authenticate(environ, self.settings, self.issuer)
        body = _read_body(environ, self.settings.max_body_bytes)
        action = environ.get("HTTP_SOAPACTION")
        if action is None:
            return Reply.fault("Client", f"the SOAPAction header is missing; {_actions(service)}")
        action = action.strip().strip('"')
        if action not in {op.soap_action for op in service.operations}:
            return Reply.fault(
                "Client",
                f"SOAPAction {action!r} is not an operation of {service.path}; {_actions(service)}",
            )
        result = self.validator.check(body)
        if result.violations:
            return Reply.fault("Client", _describe(result.violations))
        operation = result.operation
        if operation is None or operation.service != service.name:
            where = (
                "a SOAP Fault" if operation is None else f"{operation.name}, served at another path"
            )
            return Reply.fault(
                "Client", f"the Body holds {where}; {service.path} serves {_actions(service)}"
            )
        if operation.soap_action != action:
            return Reply.fault(
                "Client",
                f"SOAPAction {action!r} does not match the Body's operation {operation.name} "
                f"(its SOAPAction is {operation.soap_action!r})",
            )
        payload = _payload(body)
        call_environ = self._authorize(environ, operation, payload, authenticated)
        scenario = self._scenario(environ, operation)
        if scenario is not None and (reply := _misbehave(scenario)) is not None:
            return reply
        reply = self._dispatch(service, call_environ, body)
        if scenario is not None and scenario.name == "malformed-xml":
            return Reply(200, reply.body[: len(reply.body) // 2])
        return reply

    def _authorize(
        self,
        environ: dict[str, Any],
        operation: Operation,
        payload: etree._Element,
        authenticated: str | None,
    ) -> dict[str, Any]:
        call_environ = dict(environ)
        if operation.name == TOKEN_OPERATION:
            call_environ[TOKEN_SUBJECT_KEY] = check_password(
                self.settings, payload.findtext("username"), payload.findtext("password")
            )
            return call_environ
        requestor = (payload.findtext("requestorID") or "").strip()
        account = self.settings.account(requestor)
        if account is None or (authenticated is not None and requestor != authenticated):
            raise Denied("authorization", f"requestorID {requestor!r} is not {authenticated!r}")
        terms = (payload.findtext("SMTTermsandConditions") or "").strip()
        if terms not in ("Y", "y"):
            raise _Refusal(
                Reply.fault(
                    "Client",
                    f"SMTTermsandConditions is {terms!r}: SMT serves a request only when its terms "
                    "are accepted with Y (or y)",
                )
            )
        call_environ[CALL_KEY] = Call(operation, account, self.backend.now(), environ)
        return call_environ

    def _scenario(self, environ: dict[str, Any], operation: Operation) -> Scenario | None:
        try:
            return choose_scenario(self.settings.scenarios, operation.name, environ.get(HEADER))
        except ScenarioError as exc:
            raise _Refusal(Reply.text(400, str(exc))) from exc

    def _dispatch(self, service: Service, environ: dict[str, Any], body: bytes) -> Reply:
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        captured: dict[str, Any] = {}

        def start_response(status: str, headers: list[tuple[str, str]], *_: Any) -> None:
            captured["status"] = int(status.split()[0])

        chunks = self._soap_apps[service.path](environ, start_response)
        try:
            data = b"".join(chunks)
        finally:
            getattr(chunks, "close", lambda: None)()
        return Reply(captured["status"], data)


class _Refusal(Exception):  # noqa: N818 - carries an answer up through the pipeline
    def __init__(self, reply: Reply) -> None:
        super().__init__(reply.status)
        self.reply = reply


def _path(environ: Mapping[str, Any]) -> str:
    return str(environ.get("PATH_INFO", "") or "/")


def _base_url(environ: Mapping[str, Any]) -> str:
    scheme = environ.get("wsgi.url_scheme", "http")
    host = environ.get("HTTP_HOST") or f"{environ.get('SERVER_NAME')}:{environ.get('SERVER_PORT')}"
    return f"{scheme}://{host}"


def _read_body(environ: Mapping[str, Any], limit: int) -> bytes:
    """The request body, refused before it is read when its length is unknown or over
    ``limit``."""
    length_text = environ.get("CONTENT_LENGTH") or ""
    if not length_text.isdigit():
        raise _Refusal(Reply.text(411, "a Content-Length header is required"))
    length = int(length_text)
    if length > limit:
        raise _Refusal(
            Reply.text(413, f"the body is {length} bytes; the mock accepts at most {limit}")
        )
    body = bytes(environ["wsgi.input"].read(length))
    if len(body) != length:
        raise _Refusal(Reply.text(400, f"the body ended after {len(body)} of {length} bytes"))
    return body


def _actions(service: Service) -> str:
    actions = ", ".join(f'"{op.soap_action}"' for op in service.operations)
    return f"expected SOAPAction: {actions}"


def _describe(violations: tuple[Violation, ...]) -> str:
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


def _payload(body: bytes) -> etree._Element:
    """The operation wrapper's first element child (the validator has vouched for it)."""
    root = etree.fromstring(body, safe_parser())
    body_element = root.find(f"{{{SOAP_ENVELOPE}}}Body")
    assert body_element is not None
    wrapper = next(child for child in body_element if isinstance(child.tag, str))
    return next(child for child in wrapper if isinstance(child.tag, str))


def _misbehave(scenario: Scenario) -> Reply | None:
    """Act out a scenario; None means "now answer normally" (after a delay, or to be cut
    off afterwards for malformed-xml)."""
    if scenario.name == "slow":
        time.sleep(scenario.delay_seconds)
        return None
    if scenario.name == "drop":
        raise DropConnection
    if scenario.name == "http-500":
        return Reply.json(500, Denied("server-error").body)
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
