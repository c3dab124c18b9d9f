"""Every REST function through ``RestClient`` over real HTTPS on 127.0.0.1, in both
security eras (2020 paths with mutual TLS and Basic; /v2/ paths with a bearer token), and
the same records as the SOAP client for the same data."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree

from adapter.clients.rest import RestClient
from adapter.errors import (
    AmbiguousOutcomeError,
    ConfigurationError,
    QuotaExceededError,
    ServiceFaultError,
)
from adapter.mock import ScenarioSettings
from adapter.mock.config import OdrSettings
from adapter.quota import OdrQuota
from adapter.records import (
    Acknowledgement,
    AgreementEsiidsRequest,
    AgreementRef,
    CustomerMeter,
    EsiidMeter,
    MeterInformationRequest,
    MyAgreementsRequest,
    NewAgreementRequest,
    NewSubscriptionRequest,
    PremiseInformationRequest,
    SubscriptionListRequest,
    TerminateAgreementRequest,
    UnsubscriptionRequest,
)
from adapter.rest_records import (
    GreenButtonReport,
    GreenButtonRequest,
    OdrStatusRequest,
    OnDemandReadRequest,
    ReportStatusRequest,
)
from adapter.settings import AuthProfile
from tests.clients.conftest import Era
from tests.clients.test_soap_operations import ESIID, GUIDE_DATE, energy_request

ESPI = Path(__file__).resolve().parents[2] / "schemas" / "espi" / "espi-subset.xsd"


def test_energy_data_by_rest_equals_energy_data_by_soap(era: Era, tmp_path: Path) -> None:
    rest, soap = era.rest(tmp_path / "odr.sqlite"), era.client()
    for request, by_rest, by_soap in (
        (energy_request(start_date=date(2019, 4, 18)), rest.interval_data, soap.interval_data),
        (energy_request(reading_type=None), rest.daily_reads, soap.daily_reads),
        (
            energy_request(start_date=date(2019, 1, 1), reading_type=None),
            rest.monthly_billing,
            soap.monthly_billing,
        ),
    ):
        assert by_rest(request) == by_soap(request)  # type: ignore[operator]


def test_attributes_by_rest_equal_attributes_by_soap(era: Era, tmp_path: Path) -> None:
    rest, soap = era.rest(tmp_path / "odr.sqlite"), era.client()
    meters = MeterInformationRequest(
        requestor_id="CSPAPIUser1", requester_type="CSP", meters=(EsiidMeter(esiid=ESIID),)
    )
    premises = PremiseInformationRequest(
        requestor_id="CSPAPIUser1", requester_type="CSP", esiids=(ESIID,)
    )

    assert rest.meter_attributes(meters) == soap.meter_attributes(meters)
    assert rest.premise_attributes(premises) == soap.premise_attributes(premises)


def test_a_report_request_is_acknowledged_and_its_status_can_be_read(
    era: Era, tmp_path: Path
) -> None:
    rest = era.rest(tmp_path / "odr.sqlite")
    ack = rest.interval_data(energy_request(delivery_mode="FTP"))
    assert isinstance(ack, Acknowledgement) and ack.correlation_id

    status = rest.report_status(
        ReportStatusRequest(requestor_id="CSPAPIUser1", correlation_id=ack.correlation_id)
    )

    assert [s.correlation_id for s in status.adhoc] == [ack.correlation_id]


def test_green_button_answers_with_espi_xml(era: Era, tmp_path: Path) -> None:
    report = era.rest(tmp_path / "odr.sqlite").green_button(
        GreenButtonRequest(
            requestor_id="CSPAPIUser1",
            requester_type="CSP",
            esiid=ESIID,
            start_date=GUIDE_DATE,
            end_date=GUIDE_DATE,
            report_type="I",
        )
    )

    assert isinstance(report, GreenButtonReport)
    schema = etree.XMLSchema(etree.parse(str(ESPI)))
    assert schema.validate(etree.fromstring(report.xml)), schema.error_log


def test_subscriptions_and_agreements_follow_their_lifecycles(era: Era, tmp_path: Path) -> None:
    bobby = era.rest(tmp_path / "odr.sqlite", "bobby@123")
    account = era.app.settings.account("bobby@123")
    assert account is not None
    esiid = era.app.backend.points_of(account)[-1].esiid
    receipt = bobby.new_subscription(
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
    listed = bobby.list_subscriptions(SubscriptionListRequest(requestor_id="bobby@123"))
    assert receipt.subscription_number in {s.subscription_number for s in listed}
    assert receipt.subscription_number is not None
    cancelled = bobby.cancel_subscription(
        UnsubscriptionRequest(
            requestor_id="bobby@123", subscription_number=receipt.subscription_number
        )
    )
    assert cancelled.status_code in ("0000", "0")

    csp = era.rest(tmp_path / "odr.sqlite")
    agreement = csp.new_agreement(
        NewAgreementRequest(
            requestor_id="CSPAPIUser1",
            requester_authentication_id="199999999999",
            retail_customer_email="customer@example.com",
            agreement_duration=12,
            meters=(
                CustomerMeter(
                    esiid=ESIID,
                    meter_number=_meter_number(era),
                    puct_ror_number=10004,
                ),
            ),
        )
    )
    number = agreement.agreement_number
    pending = csp.list_agreements(
        MyAgreementsRequest(requestor_id="CSPAPIUser1", requester_authentication_id="199999999999")
    )
    assert number in {a.agreement_number for a in pending}
    esiids = csp.agreement_esiids(
        AgreementEsiidsRequest(
            requestor_id="CSPAPIUser1",
            agreement_number=number,
            requester_authentication_id="199999999999",
        )
    )
    assert [e.esiid for e in esiids] == [ESIID]
    with pytest.raises(ServiceFaultError):  # pending, not active: as in the guide
        csp.terminate_agreements(
            TerminateAgreementRequest(
                requestor_id="CSPAPIUser1",
                requester_authentication_id="199999999999",
                agreements=(
                    AgreementRef(
                        agreement_number=number, retail_customer_email="customer@example.com"
                    ),
                ),
            )
        )


def _meter_number(era: Era) -> str:
    answer = era.client().meter_attributes(
        MeterInformationRequest(
            requestor_id="CSPAPIUser1", requester_type="CSP", meters=(EsiidMeter(esiid=ESIID),)
        )
    )
    assert not isinstance(answer, Acknowledgement)
    return answer[0].meter_serial_number


@pytest.mark.parametrize("security", [AuthProfile.CERTIFICATE, AuthProfile.TOKEN])
def test_an_on_demand_read_waits_until_completed(
    serve: object, security: AuthProfile, tmp_path: Path
) -> None:
    era: Era = serve(security, odr=OdrSettings(delay_seconds=0.3))  # type: ignore[operator]
    rest = era.rest(tmp_path / "odr.sqlite")
    ack = rest.on_demand_read(
        OnDemandReadRequest(requestor_id="CSPAPIUser1", requester_type="CSP", esiid=ESIID)
    )
    pending = rest.odr_status(
        OdrStatusRequest(requestor_id="CSPAPIUser1", correlation_id=ack.correlation_id)
    )

    done = rest.wait_for_odr(ack.correlation_id, interval=0.1, timeout=10)

    assert pending.status_code == "PEN" and done.status_code == "COMPLETED"
    assert isinstance(done.registered_read, Decimal) and done.registered_read > 0


@pytest.mark.parametrize("scenario", ["odr-failed", "odr-t-failed"])
def test_a_failed_on_demand_read_is_returned_as_such(
    serve: object, scenario: str, tmp_path: Path
) -> None:
    era: Era = serve(AuthProfile.CERTIFICATE, odr=OdrSettings(delay_seconds=0.1))  # type: ignore[operator]
    rest = era.rest(tmp_path / "odr.sqlite")
    ack = _odr_with_scenario(era, scenario)  # a scenario travels in a header: sent raw

    done = rest.wait_for_odr(ack, interval=0.05, timeout=10)

    assert done.status_code == scenario.removeprefix("odr-").upper()


def _odr_with_scenario(era: Era, scenario: str) -> str:
    import json
    from base64 import b64encode

    from adapter.rest import build_body
    from tests.mock.conftest import PASSWORDS, call_app

    request = OnDemandReadRequest(requestor_id="CSPAPIUser1", requester_type="CSP", esiid=ESIID)
    answer = call_app(
        era.app,
        "/odr/",
        json.dumps(build_body("odr", request)).encode(),
        headers={
            "Content-Type": "application/json",
            "X-SMT-Mock-Scenario": scenario,
            "Authorization": "Basic "
            + b64encode(f"CSPAPIUser1:{PASSWORDS['CSPAPIUser1']}".encode()).decode(),
        },
    )
    assert answer.status == 200, answer.body
    return str(json.loads(answer.body)["correlationId"])


def test_on_demand_reads_are_refused_before_sending_over_the_quota(
    era: Era, tmp_path: Path
) -> None:
    rest = era.rest(tmp_path / "odr.sqlite")
    request = OnDemandReadRequest(requestor_id="CSPAPIUser1", requester_type="CSP", esiid=ESIID)
    rest.on_demand_read(request)
    rest.on_demand_read(replace(request, trans_id="second"))

    with pytest.raises(QuotaExceededError) as caught:
        rest.on_demand_read(replace(request, trans_id="third"))

    assert caught.value.esiid == ESIID and caught.value.next_allowed is not None
    assert "refused before sending" in str(caught.value)


def test_smts_5031_is_the_same_quota_error(era: Era, tmp_path: Path) -> None:
    from adapter.quota import OdrLimits, OdrQuota

    rest = era.rest(tmp_path / "odr.sqlite")
    rest.quota = OdrQuota(tmp_path / "lenient.sqlite", OdrLimits(per_esiid_hour=10))
    request = OnDemandReadRequest(requestor_id="CSPAPIUser1", requester_type="CSP", esiid=ESIID)
    rest.on_demand_read(request)
    rest.on_demand_read(replace(request, trans_id="second"))

    with pytest.raises(QuotaExceededError) as caught:
        rest.on_demand_read(replace(request, trans_id="third"))  # the mock says 5031

    assert "5031" in str(caught.value) and caught.value.next_allowed is None


def test_a_read_refused_before_sending_spends_no_quota(era: Era, tmp_path: Path) -> None:
    rest = era.rest(tmp_path / "odr.sqlite")
    wrong = OnDemandReadRequest(requestor_id="bobby@123", requester_type="CSP", esiid=ESIID)
    for _ in range(3):
        with pytest.raises(ConfigurationError):
            rest.on_demand_read(wrong)

    assert rest.quota is not None and rest.quota.sent(ESIID) == 0


def test_an_on_demand_read_needs_a_ledger(era: Era) -> None:
    rest = RestClient(era.settings())
    request = OnDemandReadRequest(requestor_id="CSPAPIUser1", requester_type="CSP", esiid=ESIID)

    with pytest.raises(ConfigurationError) as caught:
        rest.on_demand_read(request)

    assert caught.value.field == "quota"


def test_waiting_polls_at_the_interval_and_gives_up_at_the_timeout(
    serve: object, tmp_path: Path
) -> None:
    era: Era = serve(AuthProfile.CERTIFICATE, odr=OdrSettings(delay_seconds=3600))  # type: ignore[operator]
    slept: list[float] = []
    now = [0.0]

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    rest = RestClient(era.settings(), quota=OdrQuota(tmp_path / "odr.sqlite"), sleep=sleep)
    ack = rest.on_demand_read(
        OnDemandReadRequest(requestor_id="CSPAPIUser1", requester_type="CSP", esiid=ESIID)
    )

    with pytest.raises(ServiceFaultError) as caught:
        rest.wait_for_odr(ack.correlation_id, interval=30, timeout=100, clock=lambda: now[0])

    assert slept == [30, 30, 30] and caught.value.status_code == "PEN"
    assert ack.correlation_id in str(caught.value)
    with pytest.raises(ConfigurationError):
        rest.wait_for_odr(ack.correlation_id, interval=float("nan"))


def test_a_dropped_on_demand_read_is_ambiguous_and_keeps_its_slot(
    serve: object, tmp_path: Path
) -> None:
    era: Era = serve(  # type: ignore[operator]
        AuthProfile.CERTIFICATE, scenarios=ScenarioSettings(default="drop", times=1)
    )
    rest = era.rest(tmp_path / "odr.sqlite")
    request = OnDemandReadRequest(requestor_id="CSPAPIUser1", requester_type="CSP", esiid=ESIID)

    with pytest.raises(AmbiguousOutcomeError):
        rest.on_demand_read(request)

    assert rest.quota is not None and rest.quota.sent(ESIID) == 1  # SMT may have taken it
    assert rest.daily_reads(energy_request(reading_type=None))  # reads go on, retried


def test_a_dropped_read_over_rest_is_tried_again(serve: object, tmp_path: Path) -> None:
    era: Era = serve(  # type: ignore[operator]
        AuthProfile.TOKEN, scenarios=ScenarioSettings(default="drop", times=1)
    )

    answer = era.rest(tmp_path / "odr.sqlite").daily_reads(energy_request(reading_type=None))

    assert not isinstance(answer, Acknowledgement) and answer[0].esiid == ESIID
