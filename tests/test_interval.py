"""RD decoding into readings: day shapes, DST instants, flags, and the days it refuses."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from adapter.errors import ReadingError
from adapter.interval import (
    CHICAGO,
    decode_day,
    decode_days,
    decode_interval_csv,
    decode_rest_rows,
)
from adapter.mock.intervals import ReadingHistory
from adapter.records import IntervalDay

ESIID = "10443720008107413"
NORMAL, SPRING, FALL = date(2024, 3, 9), date(2024, 3, 10), date(2024, 11, 3)


def mock_day(day: date, reading_type: str = "C", *, generation: bool = False) -> IntervalDay:
    """The mock's RD row for ``day``, as the SOAP stream would hand it over."""
    history = ReadingHistory(seed=7, esiid=ESIID, generation=generation, read_cycle=5)
    row = history.interval_rows(day)[reading_type]
    return IntervalDay(
        esiid=ESIID, day=day, reading_type=reading_type, revision=row.revision_text, rd=row.rd
    )


def rd_day(slots: list[str], day: date = NORMAL, reading_type: str = "C") -> IntervalDay:
    return IntervalDay(
        esiid=ESIID,
        day=day,
        reading_type=reading_type,
        revision="03/10/2024 09:49:58",
        rd=",".join(slots),
    )


def normal_slots(value: str = ".221-A") -> list[str]:
    return [value] * 8 + [""] * 4 + [value] * 88


@pytest.mark.parametrize(("day", "count"), [(NORMAL, 96), (SPRING, 92), (FALL, 100)])
def test_mock_days_decode_to_96_92_and_100_readings(day: date, count: int) -> None:
    row = mock_day(day)
    readings = decode_day(row)
    assert len(readings) == count
    expected = sum(Decimal(s.rpartition("-")[0]) for s in row.rd.split(",") if s)
    assert sum(r.kwh for r in readings) == expected
    starts = [r.start_utc for r in readings]
    assert starts == sorted(starts) and len(set(starts)) == count  # every instant once


def test_spring_day_jumps_from_0145_cst_to_0300_cdt() -> None:
    readings = decode_day(mock_day(SPRING))
    assert readings[7].start_utc == datetime(2024, 3, 10, 7, 45, tzinfo=UTC)  # 01:45 CST
    assert readings[8].start_utc == datetime(2024, 3, 10, 8, 0, tzinfo=UTC)  # 03:00 CDT
    assert readings[8].start_local.hour == 3
    assert readings[8].start_local.utcoffset() == readings[-1].start_local.utcoffset()


def test_fall_day_repeats_0100_first_in_cdt_fold_0_then_in_cst_fold_1() -> None:
    readings = decode_day(mock_day(FALL))
    first, second = readings[4], readings[8]
    assert (first.start_local.hour, first.start_local.fold) == (1, 0)
    assert (second.start_local.hour, second.start_local.fold) == (1, 1)
    assert first.start_utc == datetime(2024, 11, 3, 6, 0, tzinfo=UTC)
    assert second.start_utc == datetime(2024, 11, 3, 7, 0, tzinfo=UTC)
    assert readings[12].start_utc == datetime(2024, 11, 3, 8, 0, tzinfo=UTC)  # 02:00 CST
    assert second.start_local.utcoffset() != first.start_local.utcoffset()


def test_normal_day_readings_carry_exact_kwh_flags_direction_and_revision() -> None:
    slots = normal_slots()
    slots[0], slots[99] = "1.177-E", "0-A"
    readings = decode_day(rd_day(slots, reading_type="G"))
    assert readings[0].kwh == Decimal("1.177") and readings[0].quality == "E"
    assert str(readings[-1].kwh) == "0" and readings[-1].quality == "A"
    assert readings[-1].start_local == datetime(2024, 3, 9, 23, 45, tzinfo=CHICAGO)
    assert {r.direction for r in readings} == {"G"}
    assert readings[0].revised == datetime(2024, 3, 10, 9, 49, 58, tzinfo=CHICAGO)
    assert readings[0].start_utc.tzinfo is UTC


def test_generation_rows_of_the_mock_decode_as_G() -> None:
    readings = decode_day(mock_day(NORMAL, "G", generation=True))
    assert len(readings) == 96 and {r.direction for r in readings} == {"G"}


def test_empty_revision_gives_no_revised_time() -> None:
    day = IntervalDay(
        esiid=ESIID, day=NORMAL, reading_type="C", revision=None, rd=",".join(normal_slots())
    )
    assert decode_day(day)[0].revised is None


def refusal(day: IntervalDay) -> ReadingError:
    with pytest.raises(ReadingError) as caught:
        decode_day(day)
    error = caught.value
    assert error.esiid == ESIID and error.day == day.day.isoformat()
    assert ESIID in str(error) and day.day.isoformat() in str(error)
    return error


def test_99_slot_rd_of_the_guide_example_is_refused_naming_esiid_and_date() -> None:
    error = refusal(rd_day(normal_slots()[:99]))
    assert "99 slots" in error.reason


def test_101_slots_are_refused() -> None:
    assert "101 slots" in refusal(rd_day([*normal_slots(), ".1-A"])).reason


def test_repeated_hour_filled_on_a_normal_day_is_refused() -> None:
    slots = normal_slots()
    slots[9] = ".2-A"
    assert "slot 9" in refusal(rd_day(slots)).reason


def test_0200_hour_filled_on_the_spring_day_is_refused() -> None:
    slots = [".2-A"] * 8 + [""] * 4 + [".2-A"] * 88  # a normal day's shape on DST start
    assert "slot 12" in refusal(rd_day(slots, SPRING)).reason


def test_missing_value_in_a_slot_that_must_be_filled_is_refused() -> None:
    slots = normal_slots()
    slots[50] = ""
    assert "slot 50 is empty" in refusal(rd_day(slots)).reason


def test_fall_day_without_its_repeated_hour_is_refused() -> None:
    assert "slot 8 is empty" in refusal(rd_day(normal_slots(), FALL)).reason


@pytest.mark.parametrize("bad", [".2-X", ".2A", "-.2-A", "1e3-A", "NaN-A", " .2-A", ".2-"])
def test_malformed_values_are_refused(bad: str) -> None:
    slots = normal_slots()
    slots[20] = bad
    assert "slot 20" in refusal(rd_day(slots)).reason


def test_unknown_reading_type_is_refused() -> None:
    assert "RT" in refusal(rd_day(normal_slots(), reading_type="X")).reason


def test_decode_days_chains_days_in_order() -> None:
    readings = list(decode_days([mock_day(NORMAL), mock_day(SPRING)]))
    assert len(readings) == 96 + 92
    assert readings[96].start_local == datetime(2024, 3, 10, tzinfo=CHICAGO)


REST_ANSWER = {
    "trans_id": "123",
    "esiid": ESIID,
    "energyData": [
        {"DT": "11/03/2024", "RevTS": "11/04/2024 00:20:05", "RT": "C", "RD": mock_day(FALL).rd},
        {"DT": "3/9/2024", "RevTS": "03/10/2024 02:39:13", "RT": "C", "RD": mock_day(NORMAL).rd},
    ],
}


def test_rest_answer_rows_decode_like_soap_days() -> None:
    readings = list(decode_rest_rows([REST_ANSWER]))
    assert len(readings) == 100 + 96
    assert readings[0].revised == datetime(2024, 11, 4, 0, 20, 5, tzinfo=CHICAGO)
    assert readings[100].start_local == datetime(2024, 3, 9, tzinfo=CHICAGO)
    assert [r.kwh for r in readings[:100]] == [r.kwh for r in decode_day(mock_day(FALL))]


def test_rest_entry_without_rd_is_refused() -> None:
    with pytest.raises(ReadingError, match="RD"):
        list(decode_rest_rows([{"esiid": ESIID, "energyData": [{"DT": "03/09/2024", "RT": "C"}]}]))


HEADER = (
    "ESIID,USAGE_DATE,REVISION_DATE,USAGE_START_TIME,USAGE_END_TIME,USAGE_KWH,"
    "ESTIMATED_ACTUAL,CONSUMPTION_SURPLUSGENERATION\n"
)


def csv_rows(day: date, kind: str = "Consumption", *, blank_spring: bool = True) -> list[str]:
    """SMT's interval CSV rows for a mock day, one per 15 minutes, in SMT's style."""
    readings = decode_day(mock_day(day))
    rows = []
    for r in readings:
        start = r.start_local
        end_text = (start.hour * 60 + start.minute + 15) % 1440
        rows.append(
            f"'{ESIID},{day:%m/%d/%Y},{r.revised:%m/%d/%Y %H:%M:%S}, {start:%H:%M},"
            f" {end_text // 60:02d}:{end_text % 60:02d},{r.kwh},{r.quality},{kind}\n"
        )
    if day == SPRING and blank_spring:  # SMT's blank 02:00-03:00 rows
        blanks = [f"'{ESIID},{day:%m/%d/%Y},,02:{m:02d},,,,Consumption\n" for m in (0, 15, 30, 45)]
        rows[8:8] = [*blanks, ",,,,,,,\n", "\n"]
    return rows


def test_csv_normal_spring_and_fall_days_decode_to_96_92_100() -> None:
    text = HEADER + "".join(csv_rows(NORMAL) + csv_rows(SPRING) + csv_rows(FALL))
    readings = list(decode_interval_csv(io.StringIO(text)))
    assert len(readings) == 96 + 92 + 100
    assert readings == decode_day(mock_day(NORMAL)) + decode_day(mock_day(SPRING)) + decode_day(
        mock_day(FALL)
    )


def test_csv_fall_day_second_0100_row_is_the_cst_hour() -> None:
    readings = list(decode_interval_csv(io.StringIO(HEADER + "".join(csv_rows(FALL)))))
    assert readings[8].start_utc == datetime(2024, 11, 3, 7, 0, tzinfo=UTC)
    assert readings[8].start_local.fold == 1


def test_csv_consumption_and_generation_rows_may_interleave() -> None:
    rows = [
        row
        for pair in zip(csv_rows(NORMAL), csv_rows(NORMAL, "Surplus Generation"), strict=True)
        for row in pair
    ]
    readings = list(decode_interval_csv([HEADER, *rows]))
    assert [r.direction for r in readings].count("G") == 96
    assert len(readings) == 192


def test_csv_day_with_a_missing_row_is_refused_naming_esiid_and_date() -> None:
    rows = csv_rows(NORMAL)
    del rows[40]
    with pytest.raises(ReadingError) as caught:
        list(decode_interval_csv([HEADER, *rows]))
    assert caught.value.esiid == ESIID and caught.value.day == "2024-03-09"


def test_csv_without_the_header_columns_is_refused() -> None:
    with pytest.raises(ReadingError, match="USAGE_KWH"):
        list(decode_interval_csv(["ESIID,USAGE_DATE\n"]))
