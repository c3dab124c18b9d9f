"""Every writer's output parses back into equal records, on the mock's real SOAP data."""

from __future__ import annotations

import io
from datetime import date

import pytest

from adapter.interval import decode_days, iter_csv_days
from adapter.mock.app import MockApp
from adapter.records import (
    EsiidMeter,
    MeterInformationRequest,
    PremiseInformationRequest,
)
from adapter.reports import (
    DAILY,
    INTERVAL,
    METER,
    MONTHLY,
    PREMISE,
    DeadLetters,
    iter_daily_csv,
    iter_meter_csv,
    iter_monthly_csv,
    iter_premise_csv,
    write_daily_csv,
    write_interval_csv,
    write_meter_csv,
    write_monthly_csv,
    write_premise_csv,
)
from tests.reports.soap_data import ESIID, ask, build_mock, energy_request, soap_days


@pytest.fixture(scope="module")
def mock() -> MockApp:
    return build_mock()


FALL_BACK, SPRING_FORWARD = date(2018, 11, 4), date(2019, 3, 10)


def _rows_of(text: str, day: date) -> list[list[str]]:
    wanted = f"{day:%m/%d/%Y}"
    return [line.split(",") for line in text.splitlines() if f",{wanted}," in line]


def test_the_interval_csv_has_the_guides_columns_and_100_rows_when_dst_ends(
    mock: MockApp,
) -> None:
    days = soap_days(mock, FALL_BACK, FALL_BACK)
    stream = io.StringIO()
    assert write_interval_csv(days, stream) == len(days)
    text = stream.getvalue()
    assert text.splitlines()[0] == ",".join(INTERVAL.header)
    rows = _rows_of(text, FALL_BACK)
    assert len(rows) == 100 * len(days)
    starts = [row[3] for row in rows[:100]]
    assert starts[4:12] == ["01:00", "01:15", "01:30", "01:45"] * 2  # the repeated hour
    assert rows[0][0] == f"'{ESIID}" and rows[-1][4] == "00:00"


def test_the_interval_csv_has_blank_rows_for_the_hour_dst_skips(mock: MockApp) -> None:
    days = soap_days(mock, SPRING_FORWARD, SPRING_FORWARD)
    stream = io.StringIO()
    write_interval_csv(days, stream)
    rows = _rows_of(stream.getvalue(), SPRING_FORWARD)[:96]
    blank = [n for n, row in enumerate(rows) if not row[3]]
    assert blank == [8, 9, 10, 11]
    assert all(rows[n][5] == "" for n in blank)
    assert sum(1 for row in rows if row[5]) == 92


def test_the_interval_csv_parses_into_the_soap_days_and_their_readings(mock: MockApp) -> None:
    days = soap_days(mock, date(2018, 11, 2), date(2018, 11, 5))
    days += soap_days(mock, date(2019, 3, 9), date(2019, 3, 11))
    stream = io.StringIO()
    write_interval_csv(days, stream)
    stream.seek(0)
    parsed = list(iter_csv_days(stream))
    assert parsed == days
    assert list(decode_days(parsed)) == list(decode_days(days))


def test_daily_reads_round_trip(mock: MockApp) -> None:
    (reads,) = ask(
        mock, "processDailyRegisteredReads", energy_request(date(2019, 4, 1), date(2019, 4, 30))
    )
    stream = io.StringIO()
    assert write_daily_csv([reads], stream) == len(reads.reads) == 30
    assert stream.getvalue().splitlines()[0] == ",".join(DAILY.header)
    stream.seek(0)
    dead = DeadLetters()
    assert list(iter_daily_csv(stream, dead_letters=dead, trans_id=reads.trans_id)) == [reads]
    assert not dead


def test_monthly_billing_round_trips(mock: MockApp) -> None:
    (billing,) = ask(
        mock,
        "processMonthlyBillingInformation",
        energy_request(date(2018, 8, 1), date(2019, 7, 31)),
    )
    assert billing.periods
    stream = io.StringIO()
    write_monthly_csv([billing, billing], stream)
    assert stream.getvalue().splitlines()[0] == ",".join(MONTHLY.header)
    stream.seek(0)
    dead = DeadLetters()
    # two answers for one ESIID in a row read back as one run of that ESIID
    (parsed,) = iter_monthly_csv(stream, dead_letters=dead, trans_id=billing.trans_id)
    assert parsed.periods == billing.periods * 2
    assert not dead


def test_meter_attributes_round_trip(mock: MockApp) -> None:
    request = MeterInformationRequest(
        requestor_id="CSPAPIUser1", requester_type="CSP", meters=(EsiidMeter(esiid=ESIID),)
    )
    meters = ask(mock, "prosessMeterInformation", request)
    assert meters
    stream = io.StringIO()
    assert write_meter_csv(meters, stream) == len(meters)
    assert stream.getvalue().splitlines()[0] == ",".join(METER.header)
    stream.seek(0)
    dead = DeadLetters()
    trans_id = meters[0].trans_id
    assert tuple(iter_meter_csv(stream, dead_letters=dead, trans_id=trans_id)) == tuple(meters)
    assert not dead


def test_premise_attributes_round_trip(mock: MockApp) -> None:
    request = PremiseInformationRequest(
        requestor_id="CSPAPIUser1", requester_type="CSP", esiids=(ESIID,)
    )
    premises = ask(mock, "processPremiseInformation", request)
    assert premises
    stream = io.StringIO()
    assert write_premise_csv(premises, stream) == len(premises)
    assert stream.getvalue().splitlines()[0] == ",".join(PREMISE.header)
    stream.seek(0)
    dead = DeadLetters()
    parsed = tuple(iter_premise_csv(stream, dead_letters=dead, trans_id=premises[0].trans_id))
    assert parsed == tuple(premises)
    assert not dead
