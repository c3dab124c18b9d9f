"""The mock's synthetic data set: deterministic, DST-aware RD rows, register reads and
billing periods that agree with each other, the guide's pinned values, and attributes that
validate against the wire schema."""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from lxml import etree

from adapter.mock.dataset import (
    TDUS,
    AccountSpec,
    DataSet,
    MeterAttributes,
    PinnedPoint,
    PremiseAttributes,
    ServicePoint,
    find_tdu,
)
from adapter.mock.guide_data import guide_points
from adapter.mock.intervals import CHICAGO, find_dst_change, list_slot_hours
from adapter.mock.records import (
    IntervalDay,
    RegisterRead,
    format_revision,
    format_slot,
    parse_slot,
)
from adapter.xml.validation import MessageValidator
from tests.conftest import ROOT, SOAP_FIXTURES

CSP, BOBBY = "CSPAPIUser1", "bobby@123"
GUIDE_ESIID = "10443720008107413"
CNP_ESIID = "1008901005102632580100"
ACCOUNTS = (
    AccountSpec(service_id=CSP, requester_type="CSP", duns="19999999999"),
    AccountSpec(service_id=BOBBY, requester_type="RES", duns="", esiid_count=2),
)


def build_data(seed: int = 2020, accounts: tuple[AccountSpec, ...] = ACCOUNTS) -> DataSet:
    return DataSet(seed=seed, accounts=accounts, pinned=guide_points())


@pytest.fixture(scope="module")
def data() -> DataSet:
    return build_data()


def generated(data: DataSet, service_id: str = CSP) -> list[ServicePoint]:
    return [p for p in data.points_of(service_id) if p.esiid not in guide_points()]


def plain_point(data: DataSet) -> ServicePoint:
    return next(p for p in generated(data) if not p.generation)


def solar_point(data: DataSet) -> ServicePoint:
    return next(p for p in generated(data) if p.generation)


def one_day(data: DataSet, esiid: str, day: date, reading_type: str = "C") -> IntervalDay:
    (row,) = data.interval_days(esiid, day, day, reading_type)
    return row


def values(row: IntervalDay) -> list[int]:
    return [parsed[0] for parsed in map(parse_slot, row.slots) if parsed]


def test_dst_days_are_the_second_sunday_of_march_and_first_sunday_of_november() -> None:
    for year in (2019, 2024, 2031):
        changes = {
            day: find_dst_change(day)
            for n in range(366)
            if find_dst_change(day := date(year, 1, 1) + timedelta(days=n))
        }
        (start,) = [d for d, c in changes.items() if c == 1]
        (end,) = [d for d, c in changes.items() if c == -1]
        assert start.month == 3 and start.weekday() == 6 and 8 <= start.day <= 14
        assert end.month == 11 and end.weekday() == 6 and end.day <= 7


def test_normal_day_has_96_values(data: DataSet) -> None:
    row = one_day(data, plain_point(data).esiid, date(2024, 6, 12))
    assert len(row.slots) == 100 and len(values(row)) == 96
    assert row.slots[8:12] == ("", "", "", "")


def test_dst_start_day_has_92_values_with_2am_hour_empty(data: DataSet) -> None:
    row = one_day(data, plain_point(data).esiid, date(2024, 3, 10))
    assert len(values(row)) == 92
    assert row.slots[8:16] == ("",) * 8
    assert all(row.slots[:8]) and all(row.slots[16:])


def test_dst_end_day_fills_repeated_hour_slots(data: DataSet) -> None:
    row = one_day(data, plain_point(data).esiid, date(2024, 11, 3))
    assert len(values(row)) == 100 and all(row.slots)
    assert list_slot_hours(date(2024, 11, 3))[4:12] == (1.0, 1.25, 1.5, 1.75) * 2


def test_every_row_keeps_empty_slots_exactly_where_the_layout_has_no_time(
    data: DataSet,
) -> None:
    point = solar_point(data)
    rows = data.interval_days(point.esiid, date(2023, 1, 1), date(2023, 12, 31), "A")
    assert len(rows) == 2 * 365
    for row in rows:
        hours = list_slot_hours(row.day)
        assert [bool(s) for s in row.slots] == [h is not None for h in hours], row.day


def test_slot_text_follows_smt_formatting() -> None:
    cases = {221: ".221-A", 1177: "1.177-A", 0: "0-A", 200: ".2-E", 1000: "1-A", 10: ".01-A"}
    for wh, text in cases.items():
        flag = text[-1]
        assert format_slot(wh, flag) == text
        assert parse_slot(text) == (wh, flag)
    assert parse_slot("") is None
    for bad in (".2", ".2-X", ".2221-A", "abc-A", "-1-A"):
        with pytest.raises(ValueError, match="slot"):
            parse_slot(bad)


def test_rd_joins_the_slots_and_dates_render_as_smt_prints_them(data: DataSet) -> None:
    row = one_day(data, plain_point(data).esiid, date(2024, 7, 4))
    assert row.rd.split(",") == list(row.slots) and row.rd.count(",") == 99
    assert row.dt_text == "07/04/2024"
    assert row.revision_text.startswith("07/05/2024 ")
    assert "01:00:00" <= row.revision_text[11:] <= "10:00:00"


def test_load_shape_is_low_at_night_high_in_the_evening_and_higher_in_summer(
    data: DataSet,
) -> None:
    esiid = plain_point(data).esiid
    summer = data.interval_days(esiid, date(2024, 7, 1), date(2024, 7, 28), "C")
    spring = data.interval_days(esiid, date(2024, 4, 1), date(2024, 4, 28), "C")
    night = sum(sum(values(r)[8:16]) for r in summer)  # 02:00-04:00
    evening = sum(sum(values(r)[72:80]) for r in summer)  # 18:00-20:00
    assert evening > 1.8 * night
    assert sum(map(sum, map(values, summer))) > 1.5 * sum(map(sum, map(values, spring)))
    every = [v for r in summer + spring for v in values(r)]
    typical = [v for v in every if 30 <= v <= 1600]
    assert len(typical) > 0.95 * len(every)


def test_a_minority_of_days_carry_a_run_of_estimated_slots(data: DataSet) -> None:
    rows = data.interval_days(plain_point(data).esiid, date(2023, 1, 1), date(2023, 12, 31), "C")
    estimated = [r for r in rows if any(s.endswith("-E") for s in r.slots)]
    assert 0 < len(estimated) < 0.1 * len(rows)
    for row in estimated:
        flags = "".join(s[-1] for s in row.slots if s)
        assert flags.strip("A").count("A") == 0, row.day  # one consecutive run


def test_register_read_equals_interval_sum(data: DataSet) -> None:
    for point in data.points_of(CSP):
        start, end = date(2024, 2, 25), date(2024, 3, 15)
        reads = data.register_reads(point.esiid, start, end)
        rows = data.interval_days(point.esiid, start, end, "C")
        assert len(reads) == len(rows) == 20
        for read, row in zip(reads, rows, strict=True):
            assert read.read_date == row.day
            assert read.kwh == Decimal(sum(values(row))) / 1000
            assert read.revision == row.revision


def test_consecutive_register_reads_chain(data: DataSet) -> None:
    esiid = solar_point(data).esiid
    reads = data.register_reads(esiid, date(2014, 12, 20), date(2015, 1, 10))  # over the anchor
    for before, after in itertools.pairwise(reads):
        assert after.start_reading == before.end_reading
        assert after.read_date == before.read_date + timedelta(days=1)
    assert all(r.kwh > 0 and r.kwh == r.end_reading - r.start_reading for r in reads)
    assert all(len(str(r.kwh).split(".")[1]) == 3 for r in reads)  # always three decimals


def test_register_readings_stay_positive_back_to_2008() -> None:
    spec = AccountSpec(service_id="REP1", requester_type="REP", duns="1", esiid_count=15)
    data = DataSet(seed=11, accounts=(spec,))
    for point in data.points_of("REP1"):
        (read,) = data.register_reads(point.esiid, date(2008, 1, 1), date(2008, 1, 1))
        assert read.start_reading > 0, point.esiid


def test_same_seed_gives_same_values_whatever_range() -> None:
    first, second = build_data(), build_data()
    esiid = solar_point(first).esiid
    day = date(2022, 8, 14)
    wide = second.interval_days(esiid, day - timedelta(days=200), day + timedelta(days=30), "A")
    assert [r for r in wide if r.day == day] == first.interval_days(esiid, day, day, "A")
    late = second.register_reads(esiid, date(2025, 1, 1), date(2025, 1, 1))
    assert first.register_reads(esiid, day, day) == second.register_reads(esiid, day, day)
    assert late == first.register_reads(esiid, date(2025, 1, 1), date(2025, 1, 1))
    assert first.billing_periods(esiid, day, day) == second.billing_periods(esiid, day, day)
    assert [p.esiid for p in first.points_of(CSP)] == [p.esiid for p in second.points_of(CSP)]


def test_different_seed_changes_values() -> None:
    first, second = build_data(seed=1), build_data(seed=2)
    assert generated(first) != generated(second)
    day = date(2024, 5, 5)
    assert one_day(first, GUIDE_ESIID, day).slots != one_day(second, GUIDE_ESIID, day).slots


def test_generated_esiids_use_tdu_prefixes() -> None:
    spec = AccountSpec(service_id="REP1", requester_type="REP", duns="1", esiid_count=30)
    points = build_data(accounts=(spec,)).points_of("REP1")
    assert len({p.esiid for p in points}) == 30
    for index, point in enumerate(points):
        assert point.tdu == list(TDUS)[index % 5]
        assert find_tdu(point.esiid) == point.tdu
        assert point.esiid.isdigit()
        assert len(point.esiid) == (22 if point.tdu == "CENTERPOINT" else 17)
    for prefix in TDUS["ONCOR"]:  # a TDU's prefixes take turns too
        assert any(p.esiid.startswith(prefix) for p in points), prefix


def test_accounts_see_pinned_then_generated_points(data: DataSet) -> None:
    assert [p.esiid for p in data.points_of(CSP)][:3] == list(guide_points())[:3]
    assert len(generated(data)) == 4
    bobby = data.points_of(BOBBY)
    assert bobby[0].esiid == "10443720002506579001" and len(bobby) == 3
    assert all(p.owner == BOBBY for p in bobby)
    assert data.points_of("nobody") == ()


def test_generation_points_have_g_rows(data: DataSet) -> None:
    points = generated(data)
    assert [p.generation for p in points] == [False, False, True, False]  # every third
    esiid = solar_point(data).esiid
    start = date(2024, 6, 1)
    rows = data.interval_days(esiid, start, start + timedelta(days=6), "A")
    assert [r.reading_type for r in rows] == ["C", "G"] * 7
    for consumption, surplus in zip(rows[::2], rows[1::2], strict=True):
        g, c = values(surplus), values(consumption)
        # On a normal day value n starts at hour n / 4.
        assert sum(g[:20]) == 0 and sum(g[-12:]) == 0  # nothing before 05:00 or after 21:00
        assert sum(g[40:64]) > 0  # surplus from 10:00 to 16:00
        assert sum(c[40:64]) < sum(c[72:96])  # net import lower midday than in the evening
    assert data.interval_days(esiid, start, start, "G")[0].reading_type == "G"


def test_points_without_generation_have_no_g_rows(data: DataSet) -> None:
    esiid = plain_point(data).esiid
    assert data.interval_days(esiid, date(2024, 6, 1), date(2024, 6, 3), "G") == []
    rows = data.interval_days(esiid, date(2024, 6, 1), date(2024, 6, 3), "A")
    assert [r.reading_type for r in rows] == ["C"] * 3


def test_guide_interval_day_is_pinned_with_100_slots(data: DataSet) -> None:
    row = one_day(data, GUIDE_ESIID, date(2019, 4, 20))
    printed = etree.parse(SOAP_FIXTURES / "energydata/processIntervalEnergyData.response.xml")
    printed_slots = printed.findtext(".//RD", default="").split(",")
    assert len(printed_slots) == 99
    assert list(row.slots) == [*printed_slots[:8], "", *printed_slots[8:]]
    assert row.slots[8:12] == ("",) * 4 and len(values(row)) == 96
    assert row.revision_text == "04/21/2019 09:49:58" and row.dt_text == "04/20/2019"
    (read,) = data.register_reads(GUIDE_ESIID, date(2019, 4, 20), date(2019, 4, 20))
    assert read.kwh == sum(Decimal(s.split("-")[0]) for s in printed_slots if s)
    assert one_day(data, GUIDE_ESIID, date(2019, 4, 21)).slots != row.slots  # synthetic


def test_guide_register_reads_are_pinned_and_chain_with_synthetic_days(data: DataSet) -> None:
    reads = data.register_reads(CNP_ESIID, date(2019, 7, 5), date(2019, 7, 8))
    printed = etree.parse(
        SOAP_FIXTURES / "energydata/generated/processDailyRegisteredReads.sync-response.xml"
    )
    names = ("readDate", "revisionDate", "startReading", "endReading", "energyDataKwh")
    expected = [[i.findtext(n) for n in names] for i in printed.iterfind(".//registeredRead")]
    got = [
        [r.read_date_text, r.revision_text, str(r.start_reading), str(r.end_reading), str(r.kwh)]
        for r in reads[1:3]
    ]
    assert got == expected
    assert reads[0].end_reading == reads[1].start_reading
    assert reads[2].end_reading == reads[3].start_reading
    pinned_day = one_day(data, CNP_ESIID, date(2019, 7, 6))
    assert Decimal(sum(values(pinned_day))) / 1000 == Decimal("54.653")


def test_guide_billing_periods_are_pinned_and_agree_with_daily_reads(data: DataSet) -> None:
    periods = data.billing_periods(CNP_ESIID, date(2019, 5, 1), date(2019, 6, 1))
    printed = etree.parse(
        SOAP_FIXTURES / "energydata/generated/processMonthlyBillingInformation.sync-response.xml"
    )
    names = ("startDate", "endDate", "revisionDate", "actualkWh", "meteredKW", "billedKVA")
    expected = [[i.findtext(n) for n in names] for i in printed.iterfind(".//billingData")]
    got = [
        [
            p.start_text,
            p.end_text,
            p.revision_text,
            str(p.actual_kwh),
            str(p.metered_kw),
            str(p.billed_kva),
        ]
        for p in periods
    ]
    assert got == expected
    for period in periods:
        reads = data.register_reads(CNP_ESIID, period.start, period.end - timedelta(days=1))
        assert sum(r.kwh for r in reads) == period.actual_kwh


def test_billing_period_kwh_is_the_rounded_sum_of_its_daily_reads(data: DataSet) -> None:
    for point in generated(data):
        for period in data.billing_periods(point.esiid, date(2023, 1, 1), date(2023, 12, 31)):
            reads = data.register_reads(point.esiid, period.start, period.end - timedelta(days=1))
            total = sum((r.kwh for r in reads), Decimal(0))
            assert abs(total - period.actual_kwh) <= Decimal("0.5")
            assert (period.metered_kw, period.billed_kw, period.metered_kva) == (0, 0, 0)
            assert period.end < period.revision.date() <= period.end + timedelta(days=6)


def test_billing_periods_chain_last_about_a_month_and_overlap_the_range(
    data: DataSet,
) -> None:
    point = plain_point(data)
    start, end = date(2023, 3, 1), date(2023, 8, 31)
    periods = data.billing_periods(point.esiid, start, end)
    assert periods[0].start <= start < periods[0].end
    assert periods[-1].start <= end < periods[-1].end
    for before, after in itertools.pairwise(periods):
        assert after.start == before.end
    assert all(26 <= (p.end - p.start).days <= 35 for p in periods)
    assert all(p.start.weekday() < 5 for p in periods)
    assert data.billing_periods(point.esiid, periods[1].end, periods[1].end)[0] == periods[2]


def test_esiid_not_visible_to_guide_requestor(data: DataSet) -> None:
    hidden = data.point("10443720007526004")
    assert hidden is not None and hidden.owner == "OTHERREP1" and hidden.tdu == "ONCOR"
    assert hidden not in data.points_of(CSP)
    aep = data.point("10204049799602671")
    assert aep is not None and aep.owner == CSP and aep.meter.meter_number == "148239922"
    assert aep.meter.utility_meter_id == "148239922" and aep.tdu == "AEP_NORTH"


def fixture_elements(path: str, name: str) -> list[tuple[str, str]]:
    found = etree.parse(SOAP_FIXTURES / path).find(f".//{name}")
    assert found is not None
    return [(str(child.tag), child.text or "") for child in found]


def test_guide_attributes_match_the_fixtures(data: DataSet) -> None:
    point = data.point(GUIDE_ESIID)
    assert point is not None
    meter = "meterinformation/generated/prosessMeterInformation.sync-response.xml"
    premise = "premiseinformation/generated/processPremiseInformation.sync-response.xml"
    assert list(point.meter.list_elements()) == fixture_elements(meter, "MeterData")
    assert list(point.premise.list_elements()) == fixture_elements(premise, "PremiseData")


@pytest.mark.parametrize(
    ("cls", "xsd", "type_name"),
    [
        (MeterAttributes, "meterinformation/bim-meterinformation.xsd", "MeterData"),
        (PremiseAttributes, "premiseinformation/smtesb-premise.xsd", "PremiseData"),
    ],
)
def test_attribute_elements_follow_the_schema_order(
    cls: type[MeterAttributes | PremiseAttributes], xsd: str, type_name: str
) -> None:
    schema = etree.parse(ROOT / "schemas" / xsd)
    ns = {"xsd": "http://www.w3.org/2001/XMLSchema"}
    path = f"//xsd:complexType[@name='{type_name}']/xsd:sequence/xsd:element/@name"
    names = schema.xpath(path, namespaces=ns)
    assert [element for _, element in cls.ELEMENTS] == names


def render(service: str, esiid: str, data_name: str, pairs: Iterable[tuple[str, str]]) -> bytes:
    """A whole synchronous response payload: trans_id, esiid and the attribute element."""
    namespace = f"http://BIM_{service}SOAP"
    payload = etree.Element(f"{{{namespace}}}{service}Response", nsmap={"NS1": namespace})
    etree.SubElement(payload, "trans_id").text = "123"
    etree.SubElement(payload, "esiid").text = esiid
    data = etree.SubElement(payload, data_name)
    for element, text in pairs:
        etree.SubElement(data, element).text = text
    return etree.tostring(payload)


def many_points() -> list[ServicePoint]:
    spec = AccountSpec(service_id="REP1", requester_type="REP", duns="1", esiid_count=40)
    return list(DataSet(seed=7, accounts=(spec,), pinned=guide_points()).points_of("REP1"))


def test_meter_data_of_every_point_validates_against_the_wire_schema(data: DataSet) -> None:
    validator = MessageValidator(payload_type="meterinformation:MeterInformationResponse")
    for point in [*many_points(), *(data.point(e) for e in guide_points())]:
        assert point is not None
        present = [(e, getattr(point.meter, f)) for f, e in point.meter.ELEMENTS]
        pairs = [(element, text) for element, text in present if text is not None]
        assert pairs == list(point.meter.list_elements())
        body = render("MeterInformation", point.esiid, "MeterData", pairs)
        assert validator.check(body).violations == (), point.esiid


def test_premise_data_of_every_point_validates_against_the_wire_schema(data: DataSet) -> None:
    validator = MessageValidator(payload_type="premiseinformation:PremiseInformationResponse")
    for point in [*many_points(), *(data.point(e) for e in guide_points())]:
        assert point is not None
        body = render(
            "PremiseInformation", point.esiid, "PremiseData", point.premise.list_elements()
        )
        assert validator.check(body).violations == (), point.esiid


def test_generated_attributes_are_realistic_for_the_tdu() -> None:
    areas = {
        "ONCOR": ("75", "76"),
        "CENTERPOINT": ("77",),
        "AEP_CENTRAL": ("77", "78"),
        "AEP_NORTH": ("76", "79"),
        "TNMP": ("75", "77"),
    }
    makers = {"Landis+Gyr", "Itron", "Aclara", "Honeywell (Elster)"}
    for point in many_points():
        assert point.premise.zipcode.startswith(areas[point.tdu]), point
        assert point.meter.esiid == point.premise.esiid == point.esiid
        assert point.meter.reverse_flow_handling == ("Y" if point.generation else "N")
        assert point.premise.load_profile.endswith("_PV" if point.generation else "_NWS")
        assert point.meter.manufacturer_name in makers


def test_interval_range_over_400_days_is_refused(data: DataSet) -> None:
    esiid = plain_point(data).esiid
    assert len(data.interval_days(esiid, date(2023, 1, 1), date(2024, 2, 4), "C")) == 400
    with pytest.raises(ValueError, match=r"2023-01-01\.\.2024-02-05 spans 401 days"):
        data.interval_days(esiid, date(2023, 1, 1), date(2024, 2, 5), "C")


def test_unknown_esiid_and_reading_type_are_refused(data: DataSet) -> None:
    assert data.point("10443720000000000") is None
    with pytest.raises(KeyError, match="10443720000000000"):
        data.register_reads("10443720000000000", date(2024, 1, 1), date(2024, 1, 2))
    with pytest.raises(ValueError, match="reading type 'X'"):
        data.interval_days(GUIDE_ESIID, date(2024, 1, 1), date(2024, 1, 2), "X")


def test_listed_esiids_belong_to_their_account() -> None:
    esiids = ("10443720007526004", "10400510000000001")
    listed = AccountSpec(
        service_id="REP1", requester_type="REP", duns="1", esiid_count=0, esiids=esiids
    )
    data = build_data(accounts=(*ACCOUNTS, listed))
    assert [p.esiid for p in data.points_of("REP1")] == list(listed.esiids)
    tnmp = data.point("10400510000000001")
    assert tnmp is not None and tnmp.tdu == "TNMP" and tnmp.generation is False
    assert data.points_of("OTHERREP1") == ()
    twice = AccountSpec(service_id="REP2", requester_type="REP", duns="2", esiids=listed.esiids)
    with pytest.raises(ValueError, match="listed by both REP1 and REP2"):
        build_data(accounts=(listed, twice))
    with pytest.raises(ValueError, match="17 to 64 digits"):
        AccountSpec(service_id="REP3", requester_type="REP", duns="3", esiids=("123",))


def test_contradictory_pins_are_refused() -> None:
    esiid, day, revision = "10443720000000001", date(2024, 1, 1), datetime(2024, 1, 2, 3)
    row = IntervalDay(
        esiid=esiid, day=day, reading_type="C", revision=revision, slots=("1-A",) * 96 + ("",) * 4
    )
    read = RegisterRead(
        esiid=esiid,
        read_date=day,
        revision=revision,
        start_reading=Decimal(10),
        end_reading=Decimal(20),
        kwh=Decimal(10),
    )
    pin = PinnedPoint(
        esiid=esiid, owner="X", tdu="ONCOR", interval_days=(row,), register_reads=(read,)
    )
    with pytest.raises(ValueError, match="is not the sum of the pinned interval day"):
        DataSet(seed=1, accounts=(), pinned={esiid: pin})


def test_ten_years_of_register_readings_are_computed_quickly() -> None:
    data = build_data()
    esiid = solar_point(data).esiid
    started = time.perf_counter()
    (read,) = data.register_reads(esiid, date(2025, 1, 1), date(2025, 1, 1))
    first = time.perf_counter() - started
    started = time.perf_counter()
    data.register_reads(esiid, date(2024, 12, 1), date(2024, 12, 31))
    again = time.perf_counter() - started
    assert first < 0.25 and again < 0.05  # generous bounds: ~25 ms and ~1 ms measured
    assert read.start_reading > 0


def test_a_revision_time_prints_in_its_own_zone_even_after_the_same_instant_elsewhere() -> None:
    instant = datetime(2024, 3, 10, 12, 0, tzinfo=UTC)
    central = instant.astimezone(CHICAGO)

    assert format_revision(instant) == "03/10/2024 12:00:00"
    assert format_revision(central) == "03/10/2024 07:00:00"  # equal to instant, not its text
    assert format_revision(instant) == "03/10/2024 12:00:00"
