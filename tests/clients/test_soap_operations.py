"""Every SOAP operation through ``SoapClient`` over real HTTPS on 127.0.0.1, in both
security eras, against the mock seeded with the guide's data."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from adapter.errors import ConfigurationError, ServiceFaultError
from adapter.interval import decode_days
from adapter.records import (
    Acknowledgement,
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
from adapter.settings import AuthProfile
from tests.clients.conftest import Era
from tests.mock.conftest import PASSWORDS, basic, call_app

ESIID = "10443720008107413"  # the guide's CSP examples
GUIDE_DATE = date(2019, 4, 20)


def admin(era: Era) -> dict[str, str]:
    """The admin endpoint's credentials: those of the era, as for any call."""
    if era.security is AuthProfile.TOKEN:
        return {"Authorization": f"Bearer {era.app.issuer.issue('CSPAPIUser1').access_token}"}
    return {"Authorization": basic("CSPAPIUser1", PASSWORDS["CSPAPIUser1"])}


def energy_request(**changes: object) -> EnergyDataRequest:
    values: dict[str, object] = {
        "requestor_id": "CSPAPIUser1",
        "requester_type": "CSP",
        "start_date": GUIDE_DATE,
        "end_date": GUIDE_DATE,
        "esiids": (ESIID,),
        "reading_type": "C",
    }
    return EnergyDataRequest(**{**values, **changes})  # type: ignore[arg-type]


def test_interval_data_comes_back_as_records_that_decode_to_96_readings(era: Era) -> None:
    answer = era.client().interval_data(energy_request())

    assert not isinstance(answer, Acknowledgement)
    (data,) = answer
    assert data.esiid == ESIID and [d.day for d in data.days] == [GUIDE_DATE]
    readings = list(decode_days(data.days))
    assert len(readings) == 96
    assert {r.direction for r in readings} == {"C"} and all(r.kwh >= 0 for r in readings)


def test_streamed_interval_readings_equal_the_decoded_records(era: Era) -> None:
    client = era.client()
    request = energy_request(start_date=date(2019, 4, 18))
    answer = client.interval_data(request)
    assert not isinstance(answer, Acknowledgement)

    streamed = list(client.iter_interval_readings(request))

    assert streamed == list(decode_days(day for data in answer for day in data.days))
    assert len(streamed) == 3 * 96


def test_a_delivery_mode_gets_the_acknowledgement_with_a_correlation_id(era: Era) -> None:
    answer = era.client().interval_data(energy_request(delivery_mode="FTP"))

    assert isinstance(answer, Acknowledgement)
    assert answer.correlation_id and answer.status_code == "0000"


def test_daily_reads_and_monthly_billing_come_back_as_records(era: Era) -> None:
    client = era.client()
    daily = client.daily_reads(energy_request(start_date=date(2019, 4, 1), reading_type=None))
    monthly = client.monthly_billing(
        energy_request(start_date=date(2019, 1, 1), end_date=date(2019, 6, 30), reading_type=None)
    )

    assert not isinstance(daily, Acknowledgement) and not isinstance(monthly, Acknowledgement)
    reads = daily[0].reads
    assert [r.read_date for r in reads][-1] == GUIDE_DATE and len(reads) == 20
    assert all(r.end_reading - r.start_reading == r.kwh for r in reads)
    assert monthly[0].periods and all(isinstance(p.actual_kwh, Decimal) for p in monthly[0].periods)


def test_meter_and_premise_attributes_come_back_as_records(era: Era) -> None:
    client = era.client()
    meters = client.meter_attributes(
        MeterInformationRequest(
            requestor_id="CSPAPIUser1", requester_type="CSP", meters=(EsiidMeter(esiid=ESIID),)
        )
    )
    premises = client.premise_attributes(
        PremiseInformationRequest(requestor_id="CSPAPIUser1", requester_type="CSP", esiids=(ESIID,))
    )

    assert not isinstance(meters, Acknowledgement) and meters[0].esiid == ESIID
    assert meters[0].meter_serial_number
    assert not isinstance(premises, Acknowledgement) and premises[0].esiid == ESIID
    assert premises[0].zipcode


def test_subscriptions_are_created_listed_and_cancelled(era: Era) -> None:
    client = era.client("bobby@123")
    account = era.app.settings.account("bobby@123")
    assert account is not None
    esiid = era.app.backend.points_of(account)[-1].esiid  # the guide's one is subscribed
    receipt = client.new_subscription(
        NewSubscriptionRequest(
            requestor_id="bobby@123",
            requester_type="RES",
            subscription_type="SCHEDULE",
            report_format="CSV",
            data_type="DAILY",
            delivery_mode="EML",
            report_frequency="DAILY",
            esiids=(esiid,),
        )
    )
    assert receipt.subscription_number and receipt.status_code == "0000"

    listed = client.list_subscriptions(SubscriptionListRequest(requestor_id="bobby@123"))
    assert receipt.subscription_number in {s.subscription_number for s in listed}

    cancelled = client.cancel_subscription(
        UnsubscriptionRequest(
            requestor_id="bobby@123",
            subscription_number=receipt.subscription_number,
            esiids=(esiid,),
        )
    )
    assert cancelled.status_code == "0000"


def test_an_agreement_is_pending_listed_and_terminated_once_active(era: Era) -> None:
    client = era.client()
    receipt = client.new_agreement(
        NewAgreementRequest(
            requestor_id="CSPAPIUser1",
            requester_authentication_id="199999999999",
            retail_customer_email="customer@example.com",
            agreement_duration=12,
            meters=(CustomerMeter(esiid=ESIID, meter_number="148239922", puct_ror_number=10004),),
        )
    )
    number = receipt.agreement_number

    pending = client.list_agreements(
        MyAgreementsRequest(requestor_id="CSPAPIUser1", status_filter="PEN")
    )
    assert number in {a.agreement_number for a in pending}
    esiids = client.agreement_esiids(
        AgreementEsiidsRequest(requestor_id="CSPAPIUser1", agreement_number=number)
    )
    assert [e.esiid for e in esiids] == [ESIID]

    terminate = TerminateAgreementRequest(
        requestor_id="CSPAPIUser1",
        agreements=(
            AgreementRef(agreement_number=number, retail_customer_email="customer@example.com"),
        ),
    )
    with pytest.raises(ServiceFaultError) as caught:  # pending, not active: as in the guide
        client.terminate_agreements(terminate)
    assert caught.value.status_code == "0001" and caught.value.fault_esiids

    decided = call_app(era.app, f"/_mock/agreements/{number}/authorize", headers=admin(era))
    assert decided.status == 200
    (termination,) = client.terminate_agreements(terminate)
    assert termination.agreement_number == number


def test_the_soap_token_service_issues_a_token(era: Era) -> None:
    token = era.client().token(
        TokenRequest(username="CSPAPIUser1", password=PASSWORDS["CSPAPIUser1"])
    )

    assert token.token_type == "Bearer" and token.expires_in > 0
    assert token.access_token.count(".") == 2  # a JWT


def test_a_request_for_another_service_id_is_refused_before_sending(era: Era) -> None:
    with pytest.raises(ConfigurationError) as caught:
        era.client().interval_data(energy_request(requestor_id="bobby@123"))

    assert caught.value.field == "requestor_id" and "bobby@123" in str(caught.value)
