"""The mock as one WSGI application: routing, and the checks SMT makes before a SOAP
request reaches its service, in SMT's order.

For a SOAP call: HTTP method, body size, authentication (Table 4), SOAPAction, the
bundled XSDs (``wire`` profile), requestorID against the authenticated service ID,
SMTTermsandConditions, then fault injection, then spyne and the operation's handler.
Besides SOAP it serves ``<path>?wsdl`` and the XSDs, ``POST /v2/token/`` and the admin
endpoint under ``/_mock/``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from lxml import etree

from adapter.contract import Direction, Operation, Service, load_services
from adapter.errors import ConfigurationError
from adapter.mock.access import Denied, TokenIssuer, authenticate, check_password
from adapter.mock.admin import answer_admin, answer_token_request
from adapter.mock.backend import Call, MockBackend
from adapter.mock.config import MockSettings, SecurityProfile
from adapter.mock.documents import read_schema, render_wsdl
from adapter.mock.energy import builds_large_answer
from adapter.mock.inbound import (
    find_payload,
    from_loopback,
    parse_envelope,
    read_base_url,
    read_body,
    read_path,
)
from adapter.mock.operations import CALL_KEY, TOKEN_OPERATION, TOKEN_SUBJECT_KEY, build_dispatcher
from adapter.mock.payloads import read_optional
from adapter.mock.replies import REASONS, Refusal, Reply, act_out, describe_violations, server_error
from adapter.mock.rest import RestApi, find_function
from adapter.mock.scenarios import (
    HEADER,
    DropConnection,
    Scenario,
    ScenarioChooser,
    ScenarioError,
)
from adapter.mock.soap import build_soap_app
from adapter.xml.parsing import Limits
from adapter.xml.validation import MessageValidator

__all__ = ["MockApp"]

log = logging.getLogger("adapter.mock")

StartResponse = Callable[..., Any]


class MockApp:
    """The local SMT. Build it once; it serves many threads."""

    def __init__(self, settings: MockSettings, backend: MockBackend | None = None) -> None:
        self.settings = settings
        self.backend = backend or MockBackend(settings)
        # Python runs one thread at a time anyway; letting one request at a time into the
        # CPU-bound steps, in one go (lxml releases and retakes the GIL inside each of them),
        # spares the thread switching that cost the server about 0.5 ms of CPU a request.
        # Waits (the network, a slow scenario) and answers of many rows happen outside it.
        self._working = threading.Lock()
        self.scenarios = ScenarioChooser(settings.scenarios)  # shared with the REST side
        self.issuer = TokenIssuer(
            secret=settings.token_secret, lifetime_seconds=settings.token_lifetime_seconds
        )
        self.validator = MessageValidator(limits=Limits(max_bytes=settings.max_body_bytes))
        # before any request thread parses XML: compiling beside parsing is unsafe in lxml
        self.validator.warm()
        self.rest = RestApi(settings, self.backend, self.issuer, self.scenarios)
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
            log.info("refused %s %s: %s", environ.get("REQUEST_METHOD"), read_path(environ), denied)
            reply = Reply.json(denied.status, denied.body)
        except Refusal as refusal:
            reply = refusal.reply
        except DropConnection:
            raise
        except Exception:  # any other failure is the mock's own: Table 4's 500, one log line
            log.exception(
                "the mock failed on %s %s", environ.get("REQUEST_METHOD"), read_path(environ)
            )
            reply = server_error()
        status = f"{reply.status} {REASONS.get(reply.status, 'Status')}"
        headers = [
            ("Content-Type", reply.content_type),
            ("Content-Length", str(len(reply.body))),
            *reply.headers,
        ]
        start_response(status, headers)
        return [reply.body]

    def _route(self, environ: dict[str, Any]) -> Reply:
        method = environ.get("REQUEST_METHOD", "GET")
        path = read_path(environ)
        service = self.services.get(path)
        if path.startswith("/_mock/"):
            if not from_loopback(environ):
                return Reply.json(403, {"error": "the admin endpoint answers on loopback only"})
            if self.settings.security is not SecurityProfile.INSECURE:
                authenticate(environ, self.settings, self.issuer)
            query = environ.get("QUERY_STRING", "")
            status, data = answer_admin(self.backend, method, path, query)
            return Reply.json(status, data)
        if path == "/v2/token/":
            if method != "POST":
                return Reply.text(405, "POST a JSON body to /v2/token/", Allow="POST")
            status, data = answer_token_request(
                self.settings, self.issuer, read_body(environ, 65_536)
            )
            return Reply.json(status, data)
        if (function := find_function(path)) is not None:
            return self.rest.answer(environ, function)
        if (
            method == "GET"
            and service is not None
            and environ.get("QUERY_STRING", "").lower() == "wsdl"
        ):
            return Reply(200, render_wsdl(service, read_base_url(environ)))
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
        media_type = str(environ.get("CONTENT_TYPE", "")).split(";")[0].strip().lower()
        if media_type != "text/xml":
            return Reply.text(
                415,
                f"Content-Type {media_type or '(none)'!r}: SMT's SOAP 1.1 services take text/xml",
            )
        body = read_body(environ, self.settings.max_body_bytes)
        action = environ.get("HTTP_SOAPACTION")
        if action is None:
            return Reply.fault("Client", f"the SOAPAction header is missing; {_actions(service)}")
        action = action.strip().strip('"')
        if action not in {op.soap_action for op in service.operations}:
            return Reply.fault(
                "Client",
                f"SOAPAction {action!r} is not an operation of {service.path}; {_actions(service)}",
            )
        with self._working:  # once, from the schema check to the answer of a plain call
            checked = self._check(environ, service, action, body, authenticated)
            if isinstance(checked, Reply):
                return checked
            if checked.scenario is None and not checked.large:
                return self._dispatch(service, checked.environ, checked.envelope)
        # a scenario to act out, or an answer of many rows: the others must not wait for it
        scenario = checked.scenario
        if scenario is not None and (reply := act_out(scenario)) is not None:
            return reply
        if checked.large:
            reply = self._dispatch(service, checked.environ, checked.envelope)
        else:
            with self._working:
                reply = self._dispatch(service, checked.environ, checked.envelope)
        if scenario is not None and scenario.name == "malformed-xml":
            return Reply(200, reply.body[: len(reply.body) // 2])
        return reply

    def _check(
        self,
        environ: dict[str, Any],
        service: Service,
        action: str,
        body: bytes,
        authenticated: str | None,
    ) -> Reply | _Checked:
        """The checks from the bundled XSDs on: a refusal, or the call to answer."""
        result = self.validator.check(body)
        if result.violations:
            return Reply.fault("Client", describe_violations(result.violations))
        operation = result.operation
        if operation is None or operation.service != service.name:
            where = (
                "a SOAP Fault" if operation is None else f"{operation.name}, served at another path"
            )
            return Reply.fault(
                "Client", f"the Body holds {where}; {service.path} serves {_actions(service)}"
            )
        if result.direction is not Direction.REQUEST:
            return Reply.fault(
                "Client", f"the Body holds the response of {operation.name}; post its request"
            )
        if operation.soap_action != action:
            return Reply.fault(
                "Client",
                f"SOAPAction {action!r} does not match the Body's operation {operation.name} "
                f"(its SOAPAction is {operation.soap_action!r})",
            )
        envelope = result.document if result.document is not None else parse_envelope(body)
        payload = find_payload(envelope)
        return _Checked(
            environ=self._authorize(environ, operation, payload, authenticated),
            envelope=envelope,
            scenario=self._scenario(environ, operation),
            large=builds_large_answer(operation, payload),
        )

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
        requestor = read_optional(payload, "requestorID") or ""
        account = self.settings.account(requestor)
        if account is None or (authenticated is not None and requestor != authenticated):
            raise Denied("authorization", f"requestorID {requestor!r} is not {authenticated!r}")
        terms = read_optional(payload, "SMTTermsandConditions") or ""
        if terms not in ("Y", "y"):
            raise Refusal(
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
            return self.scenarios.choose(operation.name, environ.get(HEADER))
        except ScenarioError as exc:
            raise Refusal(Reply.text(400, str(exc))) from exc

    def _dispatch(
        self, service: Service, environ: dict[str, Any], envelope: etree._Element
    ) -> Reply:
        status, data = self._soap_apps[service.path].answer(envelope, environ)
        return Reply(status, data)


@dataclass(frozen=True, slots=True, kw_only=True)
class _Checked:
    environ: dict[str, Any]  # the call's, with the authorized Call in it
    envelope: etree._Element
    scenario: Scenario | None
    large: bool  # an answer of many rows, built outside the lock


def _actions(service: Service) -> str:
    actions = ", ".join(f'"{op.soap_action}"' for op in service.operations)
    return f"expected SOAPAction: {actions}"
