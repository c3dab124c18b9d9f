"""State and lifecycles: agreements and subscriptions persist for the life of the mock
(or of its SQLite file), the admin endpoint inspects and resets them, and identifiers are
drawn from the seed."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from lxml import etree

from adapter.mock.app import MockApp
from adapter.mock.config import MockSettings
from tests.mock.conftest import GUIDE_DAY, basic, call_app, call_operation, guide_request

AUTH = {"Authorization": basic("CSPAPIUser1", "smt-mock-CSPAPIUser1")}


def csp(app: MockApp, operation: str, body: bytes | None = None) -> etree._Element:
    answer = call_operation(app, operation, body or guide_request("cspauthorization", operation))
    assert answer.status == 200, answer.body.decode()
    return etree.fromstring(answer.body)


def agreement_body(operation: str, number: str, **replace: str) -> bytes:
    body = guide_request("cspauthorization", operation)
    for old, new in replace.items():
        body = body.replace(old.encode(), new.encode())
    return body.replace(b"118518", number.encode()).replace(b"119720", number.encode())


def test_new_agreement_is_pending_listed_and_its_esiids_listed(app: MockApp) -> None:
    number = csp(app, "newAgreement").findtext(".//agreementNumber")
    assert number == "119720"
    statuses = {
        a.findtext("agreementNumber"): a.findtext("status")
        for a in csp(app, "myAgreements").iter("agreementStatus")
    }
    assert statuses["119720"] == "Pending - Customer Authorization"
    listed = csp(app, "agreementESIIDs", agreement_body("agreementESIIDs", number))
    assert listed.findtext(".//ESIID") == "10204049799602671"
    assert listed.findtext(".//agreementESIID/status") == "Pending"


def test_pending_agreement_cannot_be_terminated_but_an_authorized_one_can(app: MockApp) -> None:
    number = csp(app, "newAgreement").findtext(".//agreementNumber")
    refused = csp(app, "terminateAgreement")
    assert refused.findtext(".//statusCode") == "0001"
    assert "is not ACTIVE:119720" in (refused.findtext(".//agreementFaultList//statusReason") or "")
    decided = call_app(app, f"/_mock/agreements/{number}/authorize", headers=AUTH)
    assert json.loads(decided.body)["status"] == "Active - Authorization Confirmed"
    done = csp(app, "terminateAgreement")
    assert done.findtext(".//statusCode") == "0000"
    assert done.findtext(".//terminateInitiatedList/agreement/statusCode") == "ACK"
    statuses = {
        a.findtext("agreementNumber"): a.findtext("status")
        for a in csp(app, "myAgreements").iter("agreementStatus")
    }
    assert statuses[number] == "Non Active - Terminated by CSP"


def test_my_agreements_filters_by_status(app: MockApp) -> None:
    body = guide_request("cspauthorization", "myAgreements").replace(
        b"<SMTTermsandConditions>", b"<statusReason>ACT</statusReason><SMTTermsandConditions>"
    )
    numbers = [
        a.findtext("agreementNumber")
        for a in csp(app, "myAgreements", body).iter("agreementStatus")
    ]
    assert numbers == ["118518"]


def subscription(app: MockApp, operation: str, body: bytes) -> etree._Element:
    answer = call_operation(app, operation, body)
    assert answer.status == 200, answer.body.decode()
    return etree.fromstring(answer.body)


def test_subscription_lifecycle_new_list_unsubscribe(app: MockApp) -> None:
    bobby = app.backend.points_of(app.settings.accounts[1])
    fresh = next(p.esiid for p in bobby if p.esiid != "10443720002506579001")
    new = guide_request("subscription", "newSubscription").replace(
        b"10443720002506579001", fresh.encode()
    )
    created = subscription(app, "newSubscription", new)
    number = created.findtext(".//subscriptionNumber")
    assert created.findtext(".//statusCode") == "0000" and number
    again = subscription(app, "newSubscription", new)
    assert again.findtext(".//reasonCode") == f"Subscription is already active:{fresh}"
    listed = [
        s.findtext("subscriptionNumber")
        for s in subscription(
            app, "subscription", guide_request("subscription", "subscription")
        ).iter("subscription")
    ]
    assert number in listed
    cancel = (
        guide_request("subscription", "unSubscription")
        .replace(b"8F77A7E0277400D8E0530A040322F226", number.encode())
        .replace(b"10443720002506579001", fresh.encode())
    )
    assert subscription(app, "unSubscription", cancel).findtext(".//statusCode") == "0000"
    assert subscription(app, "newSubscription", new).findtext(".//statusCode") == "0000"


def test_identifiers_are_drawn_from_the_seed(settings: MockSettings) -> None:
    def correlation(app: MockApp) -> str | None:
        body = guide_request("energydata", "processDailyRegisteredReads")
        return etree.fromstring(
            call_operation(app, "processDailyRegisteredReads", body).body
        ).findtext(".//correlationId")

    first, second = MockApp(settings), MockApp(settings)
    drawn = correlation(first)
    assert drawn is not None and len(drawn) == 24
    assert correlation(second) == drawn
    assert correlation(first) != drawn
    assert correlation(MockApp(dataclasses.replace(settings, seed=7))) != drawn


def test_admin_state_shows_changes_and_reset_forgets_them(app: MockApp) -> None:
    csp(app, "newAgreement")
    state = json.loads(call_app(app, "/_mock/state", method="GET", headers=AUTH).body)
    assert [a["number"] for a in state["agreements"]] == [118360, 118518, 119720]
    assert call_app(app, "/_mock/reset", headers=AUTH).status == 200
    state = json.loads(call_app(app, "/_mock/state", method="GET", headers=AUTH).body)
    assert [a["number"] for a in state["agreements"]] == [118360, 118518]
    assert csp(app, "newAgreement").findtext(".//agreementNumber") == "119720"


def test_admin_endpoint_needs_authentication_outside_insecure_mode(app: MockApp) -> None:
    answer = call_app(app, "/_mock/state", method="GET")
    assert answer.status == 403


def test_sqlite_file_keeps_state_across_a_restart(tmp_path: Path) -> None:
    settings = MockSettings(today=GUIDE_DAY, state_file=tmp_path / "state.sqlite")
    first = MockApp(settings)
    assert csp(first, "newAgreement").findtext(".//agreementNumber") == "119720"
    first.backend.state.close()
    restarted = MockApp(settings)
    numbers = [
        a.findtext("agreementNumber")
        for a in csp(restarted, "myAgreements").iter("agreementStatus")
    ]
    assert numbers == ["118360", "118518", "119720"]
    assert csp(restarted, "newAgreement").findtext(".//agreementNumber") == "119721"
