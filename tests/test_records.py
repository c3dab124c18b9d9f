"""Request records check their fields on construction, against the XSDs' rules, and
say which field, which value and which rule."""

from __future__ import annotations

import re
from dataclasses import FrozenInstanceError
from datetime import date
from typing import Any

import pytest

from adapter.errors import ConfigurationError
from adapter.records import (
    AgreementEsiidsRequest,
    AgreementRef,
    CustomerMeter,
    EnergyDataRequest,
    EsiidMeter,
    MeterInformationRequest,
    MyAgreementsRequest,
    NewAgreementRequest,
    NewSubscriptionRequest,
    PremiseInformationRequest,
    SubscriptionListRequest,
    TerminateAgreementRequest,
    TokenRequest,
    UnsubscriptionRequest,
)

ESIID = "10443720008107413"
ENERGY: dict[str, Any] = {
    "requestor_id": "CSPAPIUser1",
    "requester_type": "CSP",
    "start_date": date(2019, 4, 20),
    "end_date": date(2019, 4, 20),
    "esiids": (ESIID,),
}
METER = CustomerMeter(esiid="10204049799602671", meter_number="148239922", puct_ror_number=10004)
AGREEMENT: dict[str, Any] = {
    "requestor_id": "CSPAPIUser1",
    "requester_authentication_id": "199999999999",
    "retail_customer_email": "rahulp24@gmail.com",
    "agreement_duration": 12,
    "meters": (METER,),
}
SUBSCRIPTION: dict[str, Any] = {
    "requestor_id": "bobby@123",
    "requester_type": "RES",
    "subscription_type": "SCHEDULE",
    "report_format": "CSV",
    "data_type": "INTERVAL",
    "delivery_mode": "EML",
}

# (record, valid keywords, the field to break, a value that breaks it, words of the rule)
BROKEN = [
    (EnergyDataRequest, ENERGY, "esiids", ("1044372000810741X",), "9 to 64 digits"),
    (EnergyDataRequest, ENERGY, "esiids", ("1234",), "9 to 64 digits"),
    (EnergyDataRequest, ENERGY, "esiids", (), "at least one"),
    (EnergyDataRequest, ENERGY, "esiids", ESIID, "must be a tuple"),
    (EnergyDataRequest, ENERGY, "end_date", date(2019, 4, 19), "before start_date"),
    (EnergyDataRequest, ENERGY, "start_date", "04/20/2019", "datetime.date"),
    (EnergyDataRequest, ENERGY, "requester_type", "Csp", "one of"),
    (EnergyDataRequest, ENERGY, "version", "I", "one of"),
    (EnergyDataRequest, ENERGY, "reading_type", "X", "one of"),
    (EnergyDataRequest, ENERGY, "delivery_mode", "SFTP", "one of"),
    (EnergyDataRequest, ENERGY, "report_format", "XML", "one of"),
    (EnergyDataRequest, ENERGY, "terms_and_conditions", "yes", "one of"),
    (EnergyDataRequest, ENERGY, "trans_id", "A-12", "[a-zA-Z0-9]{1,32}"),
    (EnergyDataRequest, ENERGY, "trans_id", "A" * 33, "1 to 32"),
    (EnergyDataRequest, ENERGY, "requestor_id", "", "1 to 32"),
    (EnergyDataRequest, ENERGY, "requester_authentication_id", "1" * 19, "1 to 18"),
    (
        PremiseInformationRequest,
        {"requestor_id": "x", "requester_type": "NON"},
        "requester_authentication_id",
        "1" * 17,
        "1 to 16",
    ),
    (
        PremiseInformationRequest,
        {"requestor_id": "x", "requester_type": "NON"},
        "report_format",
        "XML",
        "one of",
    ),
    (
        MeterInformationRequest,
        {"requestor_id": "x", "requester_type": "CSP"},
        "meters",
        (ESIID,),
        "EsiidMeter",
    ),
    (NewSubscriptionRequest, SUBSCRIPTION, "subscription_type", "ONCE", "one of"),
    (NewSubscriptionRequest, SUBSCRIPTION, "historical_subscription_duration", 36, "one of"),
    (NewSubscriptionRequest, SUBSCRIPTION, "data_type", "MON", "one of"),
    (NewSubscriptionRequest, SUBSCRIPTION, "report_frequency", "HOURLY", "one of"),
    (
        UnsubscriptionRequest,
        {"requestor_id": "x", "subscription_number": "1"},
        "subscription_number",
        "8" * 33,
        "1 to 32",
    ),
    (SubscriptionListRequest, {"requestor_id": "x"}, "requestor_id", "x" * 33, "1 to 32"),
    (NewAgreementRequest, AGREEMENT, "retail_customer_email", "Rahul@Gmail.com", "e-mail"),
    (NewAgreementRequest, AGREEMENT, "agreement_duration", 18, "one of"),
    (NewAgreementRequest, AGREEMENT, "agreement_duration", "12", "one of"),
    (NewAgreementRequest, AGREEMENT, "customer_language_preference", "French", "one of"),
    (NewAgreementRequest, AGREEMENT, "meters", (), "at least one"),
    (MyAgreementsRequest, {"requestor_id": "x"}, "status_filter", "Active", "one of"),
    (MyAgreementsRequest, {"requestor_id": "x"}, "agreement_number", -1, "non-negative"),
    (
        AgreementEsiidsRequest,
        {"requestor_id": "x", "agreement_number": 1},
        "agreement_number",
        "118518",
        "non-negative integer",
    ),
    (
        TerminateAgreementRequest,
        {
            "requestor_id": "x",
            "agreements": (AgreementRef(agreement_number=1, retail_customer_email="a@b.cd"),),
        },
        "agreements",
        (),
        "at least one",
    ),
    (
        CustomerMeter,
        {"esiid": ESIID, "meter_number": "1", "puct_ror_number": 1},
        "meter_number",
        "1" * 19,
        "1 to 18",
    ),
    (EsiidMeter, {"esiid": ESIID}, "esiid", "abc", "9 to 64 digits"),
    (
        AgreementRef,
        {"agreement_number": 1, "retail_customer_email": "a@b.cd"},
        "agreement_number",
        True,
        "non-negative",
    ),
    (TokenRequest, {"username": "u", "password": "p"}, "username", "", "1 to 100"),
]


@pytest.mark.parametrize(
    ("record", "valid", "field", "value", "rule"),
    BROKEN,
    ids=[f"{r.__name__}.{f}={v!r}"[:60] for r, _, f, v, _ in BROKEN],
)
def test_a_broken_field_is_named_with_its_value_and_rule(
    record: type, valid: dict[str, Any], field: str, value: object, rule: str
) -> None:
    record(**valid)  # the valid keywords are valid
    with pytest.raises(ConfigurationError) as caught:
        record(**{**valid, field: value})
    error = caught.value
    assert error.field.split("[")[0] == field
    assert rule in str(error)
    if isinstance(value, str):
        assert error.value == value or error.value.startswith(value)


def test_the_index_of_a_broken_list_item_is_named() -> None:
    with pytest.raises(ConfigurationError) as caught:
        EnergyDataRequest(**{**ENERGY, "esiids": (ESIID, "12")})
    assert (caught.value.field, caught.value.value) == ("esiids[1]", "12")


def test_a_password_never_reaches_an_error_or_a_repr() -> None:
    with pytest.raises(ConfigurationError) as caught:
        TokenRequest(username="u", password="")
    assert caught.value.field == "password" and caught.value.value == ""
    assert "hidden" in str(caught.value)
    assert "pw-123" not in repr(TokenRequest(username="u", password="pw-123"))


def test_trans_id_defaults_to_a_fresh_valid_one() -> None:
    first, second = EnergyDataRequest(**ENERGY), EnergyDataRequest(**ENERGY)
    assert re.fullmatch(r"[a-zA-Z0-9]{1,32}", first.trans_id)
    assert first.trans_id != second.trans_id


def test_codes_keep_the_case_the_caller_chose() -> None:
    request = MeterInformationRequest(
        requestor_id="x", requester_type="csp", report_format="csv", terms_and_conditions="y"
    )
    assert (request.requester_type, request.report_format) == ("csp", "csv")


def test_records_are_frozen_and_keyword_only() -> None:
    request = SubscriptionListRequest(requestor_id="x")
    with pytest.raises(FrozenInstanceError):
        request.requestor_id = "y"  # type: ignore[misc]
    with pytest.raises(TypeError):
        SubscriptionListRequest("x")  # type: ignore[call-arg]


def test_optional_fields_may_be_left_out() -> None:
    assert MeterInformationRequest(requestor_id="x", requester_type="CSP").meters == ()
    assert (
        MeterInformationRequest(
            requestor_id="x", requester_type="CSP", terms_and_conditions=None
        ).terms_and_conditions
        is None
    )
    assert PremiseInformationRequest(requestor_id="x", requester_type="NON").esiids == ()
    assert NewSubscriptionRequest(**SUBSCRIPTION).esiids == ()
