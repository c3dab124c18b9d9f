"""Every operation, synchronous and acknowledged, on the seeded synthetic accounts:
each answer validates against the wire schemas and says what SMT would say."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from lxml import etree

from adapter.mock.app import MockApp
from adapter.mock.backend import NOT_VISIBLE
from adapter.mock.config import MockSettings
from adapter.xml.validation import MessageValidator
from tests.mock.conftest import call_operation, guide_request

VALIDATOR = MessageValidator()
ENERGY = (
    "processIntervalEnergyData",
    "processDailyRegisteredReads",
    "processMonthlyBillingInformation",
)


@pytest.fixture
def later_app() -> MockApp:
    """A mock whose calendar is past both 2024 daylight-saving days."""
    return MockApp(MockSettings(today=date(2024, 12, 1)))


def energy_request(
    operation: str,
    esiids: list[str],
    start: str,
    end: str,
    *,
    delivery: str | None = None,
    reading_type: str = "C",
) -> bytes:
    body = guide_request("energydata", "processIntervalEnergyData").decode()
    body = body.replace("processIntervalEnergyData", operation)
    body = re.sub(r"<startDate>[^<]*", f"<startDate>{start}", body)
    body = re.sub(r"<endDate>[^<]*", f"<endDate>{end}", body)
    body = body.replace("<readingType>C<", f"<readingType>{reading_type}<")
    ids = "".join(f"<ESIID>{e}</ESIID>" for e in esiids)
    body = re.sub(r"<ESIIDList>.*</ESIIDList>", f"<ESIIDList>{ids}</ESIIDList>", body, flags=re.S)
    if delivery:
        body = body.replace("<version>", f"<deliveryMode>{delivery}</deliveryMode><version>")
    return body.encode()


def answer(app: MockApp, operation: str, body: bytes) -> etree._Element:
    got = call_operation(app, operation, body)
    assert got.status == 200, got.body.decode()
    result = VALIDATOR.check(got.body)
    assert result.violations == (), [v.format() for v in result.violations]
    body_element = etree.fromstring(got.body)[0]
    return body_element[0][0]  # the payload inside the wrapper


def synthetic(app: MockApp, *, generation: bool | None = None) -> str:
    points = app.backend.points_of(app.settings.accounts[0])
    return next(
        p.esiid for p in points
        if p.esiid != "10443720008107413" and (generation is None or p.generation == generation)
    )  # fmt: skip


@pytest.mark.parametrize("operation", ENERGY)
def test_one_visible_esiid_without_delivery_mode_is_answered_synchronously(
    later_app: MockApp, operation: str
) -> None:
    payload = answer(
        later_app,
        operation,
        energy_request(operation, [synthetic(later_app)], "03/01/2024", "03/31/2024"),
    )
    assert payload.tag.endswith("SyncResponse")


@pytest.mark.parametrize("operation", ENERGY)
def test_delivery_mode_gets_an_acknowledgement_with_a_new_correlation_id(
    later_app: MockApp, operation: str
) -> None:
    body = energy_request(
        operation, [synthetic(later_app)], "03/01/2024", "03/31/2024", delivery="FTP"
    )
    first, second = answer(later_app, operation, body), answer(later_app, operation, body)
    assert first.tag == "Acknowledgement" and first.findtext("statusCode") == "0000"
    assert first.findtext("statusReason") == (
        "Request has been submitted successfully. The CSV report will be delivered through FTP"
    )
    assert first.findtext("correlationId") != second.findtext("correlationId")


def test_several_esiids_without_delivery_mode_get_one_payload_each(later_app: MockApp) -> None:
    points = [p.esiid for p in later_app.backend.points_of(later_app.settings.accounts[0])][:3]
    body = energy_request("processIntervalEnergyData", points, "03/01/2024", "03/02/2024")
    answer(later_app, "processIntervalEnergyData", body)
    payloads = etree.fromstring(call_operation(later_app, "processIntervalEnergyData", body).body)[
        0
    ][0]
    assert [p.tag for p in payloads] == ["IntervalEnergyDataSyncResponse"] * 3
    assert [p.findtext("esiid") for p in payloads] == points


def test_synchronous_request_with_an_invisible_esiid_is_acknowledged_by_ftp_for_a_csp(
    app: MockApp,
) -> None:
    body = energy_request(
        "processIntervalEnergyData",
        ["10443720008107413", "10443720007526004"],
        "04/20/2019",
        "04/20/2019",
    )
    ack = answer(app, "processIntervalEnergyData", body)
    assert ack.tag == "Acknowledgement"
    assert (ack.findtext("statusReason") or "").endswith("delivered through FTP")


def test_synchronous_answer_over_the_cap_is_a_fault_naming_the_cap(later_app: MockApp) -> None:
    esiid = synthetic(later_app)
    body = energy_request("processIntervalEnergyData", [esiid], "01/01/2022", "12/31/2023")
    got = call_operation(later_app, "processIntervalEnergyData", body)
    assert got.status == 500 and b"at most 400 days" in got.body


def test_esiid_not_visible_comes_back_in_the_fault_list(app: MockApp) -> None:
    body = energy_request(
        "processIntervalEnergyData",
        ["10443720008107413", "10443720007526004"],
        "04/20/2019",
        "04/20/2019",
        delivery="EML",
    )
    ack = answer(app, "processIntervalEnergyData", body)
    assert ack.findtext("statusCode") == "0001"
    assert [(f.findtext("esiid"), f.findtext("reason")) for f in ack.iter("faultESIID")] == [
        ("10443720007526004", NOT_VISIBLE)
    ]
    assert "with some faultESIIDs" in (ack.findtext("statusReason") or "")


def rd_values(payload: etree._Element) -> dict[tuple[str, str], list[str]]:
    return {
        (row.findtext("DT") or "", row.findtext("RT") or ""): (row.findtext("RD") or "").split(",")
        for row in payload.iter("energyData")
    }


def test_interval_rd_has_100_slots_laid_out_for_both_daylight_saving_days(
    later_app: MockApp,
) -> None:
    esiid = synthetic(later_app)
    rows = rd_values(
        answer(
            later_app,
            "processIntervalEnergyData",
            energy_request("processIntervalEnergyData", [esiid], "03/09/2024", "03/10/2024"),
        )
    )
    rows |= rd_values(
        answer(
            later_app,
            "processIntervalEnergyData",
            energy_request("processIntervalEnergyData", [esiid], "11/03/2024", "11/03/2024"),
        )
    )
    assert all(len(slots) == 100 for slots in rows.values())
    normal, spring, fall = (
        rows[("03/09/2024", "C")],
        rows[("03/10/2024", "C")],
        rows[("11/03/2024", "C")],
    )
    assert sum(1 for s in normal if s) == 96 and normal[8:12] == ["", "", "", ""]
    assert sum(1 for s in spring if s) == 92 and spring[12:16] == ["", "", "", ""]
    assert sum(1 for s in fall if s) == 100
    assert all(re.fullmatch(r"(\d*\.\d+|\d+)-[AE]", s) for s in fall)


def test_generation_premise_gets_g_rows_when_both_reading_types_are_asked(
    later_app: MockApp,
) -> None:
    esiid = synthetic(later_app, generation=True)
    body = energy_request(
        "processIntervalEnergyData", [esiid], "06/01/2024", "06/01/2024", reading_type="A"
    )
    assert set(rd_values(answer(later_app, "processIntervalEnergyData", body))) == {
        ("06/01/2024", "C"),
        ("06/01/2024", "G"),
    }


def test_daily_register_read_equals_the_sum_of_the_days_intervals(later_app: MockApp) -> None:
    esiid = synthetic(later_app)
    interval = rd_values(
        answer(
            later_app,
            "processIntervalEnergyData",
            energy_request("processIntervalEnergyData", [esiid], "11/03/2024", "11/03/2024"),
        )
    )
    total = sum(Decimal(s.split("-")[0]) for s in interval[("11/03/2024", "C")] if s)
    daily = answer(
        later_app,
        "processDailyRegisteredReads",
        energy_request("processDailyRegisteredReads", [esiid], "11/03/2024", "11/03/2024"),
    )
    read = daily.find("registeredReadList/registeredRead")
    assert read is not None
    assert Decimal(read.findtext("energyDataKwh") or "") == total
    assert (
        Decimal(read.findtext("endReading") or "") - Decimal(read.findtext("startReading") or "")
        == total
    )


def test_synchronous_request_for_future_days_is_a_client_fault(app: MockApp) -> None:
    got = call_operation(
        app,
        "processIntervalEnergyData",
        energy_request(
            "processIntervalEnergyData", ["10443720008107413"], "12/01/2030", "12/02/2030"
        ),
    )
    assert got.status == 500
    assert b"data is available up to 08/06/2019" in got.body


@pytest.mark.parametrize(
    ("service", "operation", "payload_tag"),
    [
        (
            "meterinformation",
            "prosessMeterInformation",
            "{http://BIM_MeterInformationSOAP}MeterInformationResponse",
        ),
        (
            "premiseinformation",
            "processPremiseInformation",
            "{http://BIM_PremiseInformationSOAP}PremiseInformationResponse",
        ),
    ],
)
def test_attributes_of_one_esiid_are_answered_synchronously(
    app: MockApp, service: str, operation: str, payload_tag: str
) -> None:
    body = guide_request(service, operation).replace(b"<deliveryMode>EML</deliveryMode>", b"")
    payload = answer(app, operation, body)
    assert payload.tag == payload_tag
    assert payload.findtext("esiid") == "10443720008107413"


def test_premise_request_without_esiid_list_acknowledges_all_the_requestors_esiids(
    app: MockApp,
) -> None:
    body = re.sub(
        rb"<ESIIDList>.*</ESIIDList>",
        b"",
        guide_request("premiseinformation", "processPremiseInformation"),
        flags=re.S,
    )
    ack = answer(app, "processPremiseInformation", body)
    assert ack.tag == "{http://BIM_PremiseInformationSOAP}Acknowledgement"
    stored = app.backend.state.snapshot()["requests"][-1]
    assert set(stored["esiids"]) == {
        p.esiid for p in app.backend.points_of(app.settings.accounts[0])
    }
