"""Which handler answers which operation, and the token service's handler.

Handlers run after the WSGI layer has authenticated the caller, validated the request
against the bundled XSDs and checked requestorID and SMTTermsandConditions; they find
that call's context in the WSGI environ under ``CALL_KEY``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from lxml import etree

from adapter.contract import Operation
from adapter.mock.access import TokenIssuer
from adapter.mock.agreements import (
    answer_agreement_esiids,
    answer_my_agreements,
    answer_new_agreement,
    answer_terminate_agreement,
)
from adapter.mock.attributes import answer_meter_information, answer_premise_information
from adapter.mock.backend import Call, MockBackend
from adapter.mock.energy import answer_energy_data
from adapter.mock.payloads import add
from adapter.mock.soap import Handler, Payloads
from adapter.mock.subscriptions import (
    answer_list_subscriptions,
    answer_new_subscription,
    answer_unsubscription,
)

__all__ = ["CALL_KEY", "HANDLERS", "TOKEN_OPERATION", "TOKEN_SUBJECT_KEY", "build_dispatcher"]

CALL_KEY = "smt.mock.call"
TOKEN_SUBJECT_KEY = "smt.mock.token_subject"  # noqa: S105 - an environ key
TOKEN_OPERATION = "processTokenGenerator"  # noqa: S105 - an operation name

_STATEFUL = frozenset({"Subscription", "CSPAuthorization"})

Answer = Callable[[Call, etree._Element, MockBackend], Payloads]

HANDLERS: Mapping[str, Answer] = {
    "processIntervalEnergyData": answer_energy_data,
    "processDailyRegisteredReads": answer_energy_data,
    "processMonthlyBillingInformation": answer_energy_data,
    "prosessMeterInformation": answer_meter_information,
    "processPremiseInformation": answer_premise_information,
    "newSubscription": answer_new_subscription,
    "unSubscription": answer_unsubscription,
    "subscription": answer_list_subscriptions,
    "newAgreement": answer_new_agreement,
    "myAgreements": answer_my_agreements,
    "agreementESIIDs": answer_agreement_esiids,
    "terminateAgreement": answer_terminate_agreement,
}


def build_dispatcher(backend: MockBackend, issuer: TokenIssuer) -> Handler:
    """The one handler spyne calls for every operation."""

    def dispatch(
        operation: Operation, payload: etree._Element, environ: Mapping[str, Any]
    ) -> Payloads:
        if operation.name == TOKEN_OPERATION:
            return _issue_token(environ[TOKEN_SUBJECT_KEY], issuer)
        handler = HANDLERS[operation.name]
        if operation.service not in _STATEFUL:
            return handler(environ[CALL_KEY], payload, backend)
        with backend.state.exclusive():  # they decide on what they read: one at a time
            return handler(environ[CALL_KEY], payload, backend)

    return dispatch


def _issue_token(service_id: str, issuer: TokenIssuer) -> etree._Element:
    """``TokenGeneratorResponse``, modelled on the JSON answer of ``POST /v2/token/``
    (names inferred, ERRATA I-10)."""
    issued = issuer.issue(service_id).as_json()
    root = etree.Element("TokenGeneratorResponse")
    for name in ("statusCode", "accessToken", "tokenType", "expiresIn", "issuedAt", "expiresAt"):
        add(root, name, issued[name])
    return root
