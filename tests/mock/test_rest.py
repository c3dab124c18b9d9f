"""The REST functions of section 3.1 in process: both path styles, Table 4 on REST paths,
the guide's REST examples posted as printed (answers shaped like the guide's, valid
against schemas/rest), and one state shared with the SOAP side."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from adapter.mock.agreements import decide_agreement
from adapter.mock.app import MockApp
from adapter.mock.config import DEFAULT_ACCOUNTS, Account, MockSettings, SecurityProfile
from adapter.mock.rest import REST_FUNCTIONS
from adapter.mock.state import Subscription
from tests.conftest import ROOT
from tests.mock.conftest import GUIDE_DAY, PASSWORDS, TOKEN_SECRET, Answer, basic, call_app

FIXTURES = ROOT / "fixtures" / "rest"
SCHEMAS = ROOT / "schemas" / "rest"
NOT_VISIBLE = "10443720007526004"


def post(
    app: MockApp,
    path: str,
    request: dict[str, Any],
    *,
    password: str | None = None,
    headers: dict[str, str] | None = None,
) -> Answer:
    service_id = request.get("GreenButtonRequest", request)["requestorID"]
    sent = {"Content-Type": "application/json"}
    if app.settings.security is SecurityProfile.CERTIFICATE:
        sent["Authorization"] = basic(service_id, password or _password(app, service_id))
    return call_app(app, path, json.dumps(request).encode(), headers={**sent, **(headers or {})})


def _password(app: MockApp, service_id: str) -> str:
    account = app.settings.account(service_id)
    return "unknown" if account is None else account.password


def example_app(request: dict[str, Any], **settings: Any) -> MockApp:
    """A mock whose accounts include the example's requestorID, seeing the example's
    ESIIDs (but the one the guide says is not visible)."""
    fields = request.get("GreenButtonRequest", request)
    requestor = fields["requestorID"]
    accounts: tuple[Account, ...] = DEFAULT_ACCOUNTS
    if requestor not in PASSWORDS:
        found = re.findall(r'"([0-9]{17,64})"', json.dumps(fields))
        esiids = tuple(dict.fromkeys(e for e in found if e != NOT_VISIBLE))
        account = Account(
            service_id=requestor,
            password=f"pw-{requestor}",
            requester_type=fields.get("requesterType", "CSP"),
            esiids=esiids,
            esiid_count=0 if esiids else 4,
        )
        accounts = (account, *DEFAULT_ACCOUNTS)
    return MockApp(MockSettings(today=GUIDE_DAY, accounts=accounts, **settings))


def load(path: Path) -> Any:
    return json.loads(path.read_text())


def _examples() -> list[tuple[str, Path, Path]]:
    pairs = []
    for request in sorted(FIXTURES.glob("*/*request.json")):
        stem = request.name.removesuffix("request.json")
        for answer in (f"{stem}response.json", f"{stem}ack.json"):
            if (request.parent / answer).is_file():
                pairs.append((request.parent.name, request, request.parent / answer))
    return pairs


_AGREEMENTS = ("NewAgreement", "AgreementESIIDs", "myagreements", "Terminateagreement")


def _prepare(function: str, app: MockApp, request: dict[str, Any]) -> dict[str, Any]:
    """The state an example assumes (its agreement, subscription or correlationId)."""
    backend = app.backend
    owner = request.get("requestorID", "")
    if function in _AGREEMENTS:
        backend.state.set_counter("agreement", 119_098)
        new = load(FIXTURES / "NewAgreement" / "request.json")
        for meter in new["customerMeterList"]:  # the guide's meter number is not the mock's
            point = backend.data.point(meter["ESIID"])
            assert point is not None
            meter["meterNumber"] = point.meter.meter_number
        if function != "NewAgreement":
            assert post(app, "/NewAgreement/", new).status == 200
        if function == "Terminateagreement":
            with backend.state.exclusive():
                decide_agreement(backend, 119_098, "authorize")
        return new if function == "NewAgreement" else request
    if function in ("UnSubscription", "Mysubscriptions"):
        backend.state.add_subscription(
            Subscription(
                number="8E5C4B6451F40096E0530A0403227FE4",
                owner=owner,
                started=backend.now().replace(tzinfo=None, microsecond=0),
                subscription_type="CSPENROLL",
                report_format="LSE",
                delivery_mode="FTP",
                data_type="INTERVAL",
                frequency=None,
                status="ACT",
                last_report=None,
                esiids=tuple(p.esiid for p in backend.points_of(app.settings.account(owner))),  # type: ignore[arg-type]
            )
        )
    if function in ("odrstatus", "reportrequeststatus"):
        account = app.settings.account(owner)
        assert account is not None
        esiid = backend.points_of(account)[0].esiid
        odr = {
            "trans_id": "1",
            "requestorID": owner,
            "deliveryMode": "EML",
            "ESIID": esiid,
            "SMTTermsandConditions": "Y",
        }
        answer = post(app, "/odr/", odr)
        assert answer.status == 200, answer.body
        if function == "reportrequeststatus":
            interval = {
                "trans_id": "2",
                "requestorID": owner,
                "startDate": "07/01/2019",
                "endDate": "07/01/2019",
                "version": "L",
                "deliveryMode": "FTP",
                "esiid": [esiid],
                "SMTTermsandConditions": "Y",
            }
            answer = post(app, "/15minintervalreads/", interval)
        return {**request, "correlationId": json.loads(answer.body)["correlationId"]}
    return request


def shape(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    return None if value is None else type(value).__name__


def assert_shaped_like(answer: Any, example: Any, where: str = "") -> None:
    """Every field of the example is in the answer with the same JSON type (null in the
    example stands for any value); values are the mock's own."""
    if example is None:
        return
    if isinstance(example, dict):
        assert isinstance(answer, dict), f"{where}: {answer!r}"
        for key, item in example.items():
            assert key in answer, f"{where}/{key} missing from {sorted(answer)}"
            assert_shaped_like(answer[key], item, f"{where}/{key}")
    elif isinstance(example, list):
        assert isinstance(answer, list), where
        for item in answer[:3]:
            assert_shaped_like(item, example[0], f"{where}[]")
    else:
        assert type(answer) is type(example), f"{where}: {answer!r} vs {example!r}"


def schema_for(function: str, example: dict[str, Any]) -> Path:
    if "correlationId" in example and "statusReason" in example and "odrRead" not in example:
        return SCHEMAS / "acknowledgement.response.schema.json"
    return SCHEMAS / f"{function}.response.schema.json"


@pytest.mark.parametrize(
    ("function", "request_file", "response_file"),
    _examples(),
    ids=lambda v: v if isinstance(v, str) else v.name,
)
def test_guide_example_gets_an_answer_shaped_like_the_guides(
    function: str, request_file: Path, response_file: Path
) -> None:
    request = load(request_file)
    agreement = load(FIXTURES / "NewAgreement" / "request.json")  # its ESIIDs, for its lifecycle
    app = example_app({**request, "_": agreement} if function in _AGREEMENTS else request)
    request = _prepare(function, app, request)
    answer = post(app, f"/{function}/", request)
    assert answer.status == 200, answer.body
    assert answer.headers["Content-Type"] == "application/json"
    data = json.loads(answer.body)
    example = load(response_file)
    assert_shaped_like(data, example)
    schema = schema_for(function, example)
    if schema.is_file():  # schemas/rest: the other half of issue 5
        jsonschema.validate(data, load(schema))


@pytest.mark.parametrize("function", sorted(REST_FUNCTIONS))
@pytest.mark.parametrize("style", ["/{}/", "/v2/{}/", "/{}", "/v2/{}"])
def test_every_function_answers_at_both_path_styles(
    app: MockApp, function: str, style: str
) -> None:
    answer = post(
        app,
        style.format(function),
        {"trans_id": "1", "requestorID": "CSPAPIUser1", "SMTTermsandConditions": "Y"},
    )
    assert answer.status in (200, 400), answer.body  # served: an answer or a missing field
    data = json.loads(answer.body)
    assert "trans_id" in data or set(data) == {"errorCode", "errorKey", "errorMessage"}


def test_paths_are_case_sensitive_as_printed(app: MockApp) -> None:
    assert post(app, "/ODR/", {"requestorID": "CSPAPIUser1"}).status == 404
    assert post(app, "/v2/odr/", {"requestorID": "CSPAPIUser1"}).status == 400


INTERVAL = {
    "trans_id": "1",
    "requestorID": "CSPAPIUser1",
    "requesterType": "CSP",
    "startDate": "04/20/2019",
    "endDate": "04/20/2019",
    "version": "L",
    "readingType": "C",
    "esiid": ["10443720008107413"],
    "SMTTermsandConditions": "Y",
}


@pytest.mark.parametrize(
    ("headers", "status", "error"),
    [
        ({}, 403, "Basic authentication header is missing."),
        ({"Authorization": basic("", "x")}, 400, "Please provide username."),
        ({"Authorization": basic("CSPAPIUser1", "")}, 400, "Please provide password."),
        ({"Authorization": basic("CSPAPIUser1", "wrong")}, 401, "Incorrect username or password."),
        (
            {"Authorization": basic("bobby@123", PASSWORDS["bobby@123"])},
            401,
            "Authorization failure",
        ),
        (
            {
                "Authorization": basic("CSPAPIUser1", PASSWORDS["CSPAPIUser1"]),
                "X-SMT-Mock-Scenario": "http-500",
            },
            500,
            "Something went wrong. Please try again later.",
        ),
    ],
)
@pytest.mark.parametrize("path", ["/15minintervalreads/", "/v2/odr"])
def test_table_4_refusals_on_rest_paths(
    app: MockApp, path: str, headers: dict[str, str], status: int, error: str
) -> None:
    sent = {"Content-Type": "application/json", **headers}
    answer = call_app(app, path, json.dumps(INTERVAL).encode(), headers=sent)
    assert (answer.status, json.loads(answer.body)) == (status, {"error": error})


def test_token_era_rest_call_needs_a_bearer_token() -> None:
    settings = MockSettings(
        security=SecurityProfile.TOKEN, today=GUIDE_DAY, token_secret=TOKEN_SECRET
    )
    app = MockApp(settings)
    body = json.dumps(INTERVAL).encode()
    refused = call_app(app, "/v2/15minintervalreads/", body)
    assert (refused.status, json.loads(refused.body)) == (401, {"error": "Authentication failure"})
    token = app.issuer.issue("CSPAPIUser1").access_token
    answer = call_app(
        app, "/v2/15minintervalreads/", body, headers={"Authorization": f"Bearer {token}"}
    )
    assert answer.status == 200


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b"{not json", "4000"),
        (b"[1]", "4000"),
        (json.dumps({**INTERVAL, "startDate": None}).encode(), "4001"),
        (json.dumps({**INTERVAL, "SMTTermsandConditions": "N"}).encode(), "4003"),
    ],
)
def test_bad_requests_get_the_guides_error_body(app: MockApp, body: bytes, code: str) -> None:
    headers = {"Authorization": basic("CSPAPIUser1", PASSWORDS["CSPAPIUser1"])}
    answer = call_app(app, "/15minintervalreads/", body, headers=headers)
    assert answer.status == 400
    data = json.loads(answer.body)
    assert set(data) == {"errorCode", "errorKey", "errorMessage"} and data["errorCode"] == code
    error_schema = SCHEMAS / "error.response.schema.json"
    if error_schema.is_file():
        jsonschema.validate(data, load(error_schema))


def test_rest_interval_answer_carries_the_soap_answers_rd(app: MockApp) -> None:
    from tests.mock.conftest import call_operation, guide_request

    soap = call_operation(
        app, "processIntervalEnergyData", guide_request("energydata", "processIntervalEnergyData")
    )
    soap_rd = re.search(rb"<RD>([^<]*)</RD>", soap.body)
    assert soap_rd is not None
    rest = json.loads(post(app, "/v2/15minintervalreads", INTERVAL).body)
    assert rest["energyData"][0]["RD"] == soap_rd.group(1).decode()
    assert len(rest["energyData"][0]["RD"].split(",")) == 100


def test_report_status_answers_for_a_soap_correlation_id(settings: MockSettings) -> None:
    from tests.mock.conftest import call_operation, guide_request

    app = MockApp(replace(settings, odr=replace(settings.odr, delay_seconds=3600)))
    soap = call_operation(
        app, "prosessMeterInformation", guide_request("meterinformation", "prosessMeterInformation")
    )
    found = re.search(rb"<correlationId>([0-9a-f]{24})</correlationId>", soap.body)
    assert found is not None, soap.body
    status = {
        "trans_id": "A12",
        "requestorID": "CSPAPIUser1",
        "serviceType": "ADHOC",
        "correlationId": found.group(1).decode(),
        "SMTTermsandConditions": "Y",
    }
    data = json.loads(post(app, "/reportrequeststatus/", status).body)
    assert data["AdhocStatusResponse"][0]["status"] == "SUBMITTED"
    assert data["AdhocStatusResponse"][0]["reportType"] == "SMTMeterDataSearch"
    done = MockApp(replace(settings, odr=replace(settings.odr, delay_seconds=0)))
    done.backend.state = app.backend.state
    data = json.loads(post(done, "/reportrequeststatus/", status).body)
    assert data["AdhocStatusResponse"][0]["status"] == "COMPLETED"
    unknown = post(app, "/reportrequeststatus/", {**status, "correlationId": "0" * 24})
    assert (unknown.status, json.loads(unknown.body)["errorCode"]) == (400, "4004")


def test_a_rest_subscription_is_listed_by_soap_and_the_other_way_round(app: MockApp) -> None:
    from tests.mock.conftest import call_operation, guide_request

    listed = json.loads(
        post(
            app,
            "/Mysubscriptions/",
            {"trans_id": "1", "requestorID": "bobby@123", "SMTTermsandConditions": "Y"},
        ).body
    )
    numbers = {s["subscriptionNumber"] for s in listed["subscriptionList"]}
    assert numbers == {"8F10E261E2E50046E0530A0403228C2E", "8F1B5C285D4D00FCE0530A040322436C"}
    soap = call_operation(app, "subscription", guide_request("subscription", "subscription"))
    assert all(number.encode() in soap.body for number in numbers)
