"""The REST functions of section 3.1: JSON over POST, at the 2020 paths (``/odr/``) and the
same paths under ``/v2/``, case-sensitive as printed, with or without the trailing slash.

A REST call passes the SOAP side's checks where they apply, in the same order and with
the same answers: POST only, authentication (Table 4, ``access.py``), the body size, then
the JSON body (400 ``{errorCode, errorKey, errorMessage}`` when it is not an object or
lacks a field), requestorID against the authenticated service ID (401 "Authorization
failure"), SMTTermsandConditions Y or y, fault injection (``X-SMT-Mock-Scenario`` or the
config's ``default``), then the function.

Routes (each also under /v2/):
  /15minintervalreads/ /dailyreads/ /monthlybillingInformation/ /meterInfo/ /premiseInfo/
  /greenbutton/ /odr/ /odrstatus/ /reportrequeststatus/ /NewSubscription/ /UnSubscription/
  /Mysubscriptions/ /NewAgreement/ /AgreementESIIDs/ /Terminateagreement/ /myagreements/
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from typing import Any

from adapter.mock.access import Denied, TokenIssuer, authenticate
from adapter.mock.backend import Call, MockBackend
from adapter.mock.callbacks import CallbackSender
from adapter.mock.config import MockSettings
from adapter.mock.greenbutton import answer_green_button
from adapter.mock.inbound import read_body
from adapter.mock.replies import Reply, act_out, server_error
from adapter.mock.rest_accounts import ACCOUNT_FUNCTIONS, STATEFUL
from adapter.mock.rest_calls import JsonAnswer, RestCall, RestError, find_operation, read_text
from adapter.mock.rest_energy import ENERGY_FUNCTIONS, answer_attributes, answer_energy
from adapter.mock.rest_odr import answer_odr, answer_odr_status, answer_report_status
from adapter.mock.scenarios import HEADER, ScenarioChooser, ScenarioError
from adapter.mock.soap import SoapFault

__all__ = ["REST_FUNCTIONS", "RestApi", "find_function"]

log = logging.getLogger("adapter.mock.rest")

Function = Callable[[RestCall], "JsonAnswer | bytes"]

REST_FUNCTIONS: Mapping[str, Function] = {
    "15minintervalreads": answer_energy,
    "dailyreads": answer_energy,
    "monthlybillingInformation": answer_energy,
    "greenbutton": answer_green_button,
    "meterInfo": answer_attributes,
    "premiseInfo": answer_attributes,
    "odr": answer_odr,
    "odrstatus": answer_odr_status,
    "reportrequeststatus": answer_report_status,
    **ACCOUNT_FUNCTIONS,
}
# the state is read and then changed: one such call at a time
_EXCLUSIVE = STATEFUL | {"odr"}
# a SOAP operation stands in for Call.operation (the SOAP handlers read its name)
_STAND_IN = {**ENERGY_FUNCTIONS, "greenbutton": "processIntervalEnergyData"}


def find_function(path: str) -> str | None:
    """The REST function served at ``path``, None if there is none."""
    name = path[3:] if path.startswith("/v2/") else path
    if not name.startswith("/"):
        return None
    name = name[1:].removesuffix("/")
    return name if name in REST_FUNCTIONS else None


class RestApi:
    """Answers the REST paths of one MockApp, sharing its backend, tokens and settings."""

    def __init__(
        self,
        settings: MockSettings,
        backend: MockBackend,
        issuer: TokenIssuer,
        scenarios: ScenarioChooser | None = None,
    ) -> None:
        self.settings = settings
        self.scenarios = scenarios or ScenarioChooser(settings.scenarios)
        self.backend = backend
        self.issuer = issuer
        self.callbacks = None if settings.callbacks is None else CallbackSender(settings.callbacks)

    def answer(self, environ: dict[str, Any], function: str) -> Reply:
        if environ.get("REQUEST_METHOD", "GET") != "POST":
            return Reply.text(405, f"SMT's REST functions are POSTed (/{function}/)", Allow="POST")
        authenticated = authenticate(environ, self.settings, self.issuer)
        body = read_body(environ, self.settings.max_body_bytes)
        try:
            rest = self._read(environ, function, body, authenticated)
        except RestError as error:
            return Reply.json(400, error.body)
        if rest.scenario is not None:
            if rest.scenario.name == "soap-fault":  # no SOAP here: the service's own 500
                return server_error()
            if (reply := act_out(rest.scenario)) is not None:
                return reply
        reply = self._dispatch(rest)
        if rest.scenario is not None and rest.scenario.name == "malformed-xml":
            return Reply(reply.status, reply.body[: len(reply.body) // 2], reply.content_type)
        return reply

    def _read(
        self, environ: dict[str, Any], function: str, body: bytes, authenticated: str | None
    ) -> RestCall:
        try:
            request = json.loads(body)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise RestError("4000", f"the body is not JSON: {exc}") from None
        if function == "greenbutton" and isinstance(request, dict):
            request = request.get("GreenButtonRequest", request)
        if not isinstance(request, dict):
            raise RestError("4000", "the body must be a JSON object")
        read_text(request, "trans_id")
        requestor = read_text(request, "requestorID")
        account = self.settings.account(requestor)
        if account is None or (authenticated is not None and requestor != authenticated):
            raise Denied("authorization", f"requestorID {requestor!r} is not {authenticated!r}")
        terms = read_text(request, "SMTTermsandConditions")
        if terms not in ("Y", "y"):
            raise RestError("4003", f"SMTTermsandConditions is {terms!r}: accept them with Y")
        try:
            scenario = self.scenarios.choose(function, environ.get(HEADER))
        except ScenarioError as exc:
            raise RestError("4002", str(exc)) from None
        operation = find_operation(_STAND_IN.get(function, "processIntervalEnergyData"))
        return RestCall(
            function=function,
            request=request,
            account=account,
            backend=self.backend,
            call=Call(operation, account, self.backend.now(), environ),
            scenario=scenario,
            odr=self.settings.odr,
            callbacks=self.callbacks,
        )

    def _dispatch(self, rest: RestCall) -> Reply:
        handler = REST_FUNCTIONS[rest.function]
        try:
            if rest.function in _EXCLUSIVE:
                with self.backend.state.exclusive():
                    answer = handler(rest)
            else:
                answer = handler(rest)
        except RestError as error:
            return Reply.json(400, error.body)
        except SoapFault as fault:  # the SOAP side's rules refused it: a bad request
            return Reply.json(400, RestError("4005", fault.text).body)
        if isinstance(answer, bytes):
            return Reply(200, answer, "application/xml; charset=utf-8")
        status, data = answer
        return Reply.json(status, data)
