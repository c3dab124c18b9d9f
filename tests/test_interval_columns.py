"""Columnar decoding: a DayReadings materialises exactly the readings decode_day gives,
checks every day whole when it is decoded, and totals its kWh exactly."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from adapter.errors import ReadingError
from adapter.exports import FORMATS, write_day_readings, write_readings
from adapter.interval import (
    DayReadings,
    decode_day,
    decode_day_columns,
    decode_days,
    iter_day_readings,
)
from adapter.records import IntervalDay
from tests.test_interval import ESIID, FALL, NORMAL, SPRING, mock_day, normal_slots, rd_day

DAYS = {
    "normal": mock_day(NORMAL),
    "spring": mock_day(SPRING),
    "fall": mock_day(FALL),
    "generation": mock_day(NORMAL, "G", generation=True),
    "fall generation": mock_day(FALL, "G", generation=True),
}


def with_estimates(day: IntervalDay) -> IntervalDay:
    slots = day.rd.split(",")
    slots[0:3] = [".5-E", "1.25-E", "0-E"]
    slots[50] = "12.125-E"
    return replace(day, rd=",".join(slots))


DAYS["estimated"] = with_estimates(mock_day(NORMAL))
DAYS["no revision"] = replace(mock_day(SPRING), revision=None)


@pytest.mark.parametrize("name", DAYS)
def test_columns_materialise_exactly_the_readings_of_decode_day(name: str) -> None:
    day = DAYS[name]
    columns = decode_day_columns(day)
    readings = decode_day(day)
    assert list(columns) == list(columns.readings()) == readings
    assert [str(r.kwh) for r in columns] == [str(r.kwh) for r in readings]  # same exponent
    assert [r.start_local.fold for r in columns] == [r.start_local.fold for r in readings]
    assert len(columns) == len(readings) == {SPRING: 92, FALL: 100}.get(day.day, 96)
    assert columns.total_kwh() == sum(r.kwh for r in readings)
    assert columns.flags == "".join(r.quality for r in readings)
    assert columns.starts_utc == tuple(r.start_utc for r in readings)
    assert columns.starts_local == tuple(r.start_local for r in readings)
    assert [Decimal(t) for t in columns.kwh_texts] == [r.kwh for r in readings]
    assert (columns.esiid, columns.day, columns.direction) == (ESIID, day.day, day.reading_type)
    assert columns.revised == (readings[0].revised)


def test_estimated_flags_and_values_are_kept_per_slot() -> None:
    columns = decode_day_columns(DAYS["estimated"])
    assert columns.flags[:3] == "EEE" and columns.flags.count("E") == 4
    assert columns.slots[:3] == (".5-E", "1.25-E", "0-E")
    assert columns.kwh_texts[:3] == (".5", "1.25", "0")


def test_the_kinds_of_day() -> None:
    kinds = [decode_day_columns(mock_day(d)).kind for d in (NORMAL, SPRING, FALL)]
    assert kinds == ["normal", "DST start", "DST end"]


def test_total_is_exact_beyond_three_decimals_and_for_large_values() -> None:
    slots = normal_slots(".1-A")
    slots[0], slots[1], slots[99] = "0.00001-A", "123456789.5-E", "5.-A"
    columns = decode_day_columns(rd_day(slots))
    expected = sum(Decimal(s.rpartition("-")[0]) for s in slots if s)
    assert columns.total_kwh() == expected == Decimal("123456803.80001")
    assert columns.scale == 5
    assert [r.kwh for r in columns] == [r.kwh for r in decode_day(rd_day(slots))]
    # the same texts again come through the table, still exact
    assert decode_day_columns(rd_day(slots)).total_kwh() == expected


def test_a_day_of_zeros_totals_zero() -> None:
    columns = decode_day_columns(rd_day(normal_slots("0-A")))
    assert columns.total_kwh() == 0 and len(columns) == 96


def refusal(day: IntervalDay) -> ReadingError:
    with pytest.raises(ReadingError) as caught:
        decode_day_columns(day)
    with pytest.raises(ReadingError) as again:
        decode_day(day)
    assert caught.value.reason == again.value.reason
    assert (caught.value.esiid, caught.value.day) == (ESIID, day.day.isoformat())
    return caught.value


@pytest.mark.parametrize(
    ("slot", "text", "expected"),
    [
        (20, ".2-X", "slot 20 holds '.2-X'"),
        (20, "-.2-A", "slot 20 holds '-.2-A'"),
        (20, "1.2.3-A", "slot 20 holds '1.2.3-A'"),
        (20, ".-A", "slot 20 holds '.-A'"),
        (20, "-A", "slot 20 holds '-A'"),
        (20, ".2-A-A", "slot 20 holds '.2-A-A'"),
        (20, "", "slot 20 is empty"),
        (0, "", "slot 0 is empty"),
        (10, ".2-A", "slot 10 holds '.2-A' but must be empty"),
    ],
)
def test_every_value_is_checked_when_the_day_is_decoded(
    slot: int, text: str, expected: str
) -> None:
    slots = normal_slots()
    slots[slot] = text
    assert expected in refusal(rd_day(slots)).reason


def test_a_value_already_seen_does_not_hide_a_bad_one_in_the_same_day() -> None:
    decode_day_columns(rd_day(normal_slots(".7-A")))  # ".7-A" is now known
    slots = normal_slots(".7-A")
    slots[40] = ".7-B"
    assert "slot 40" in refusal(rd_day(slots)).reason


def test_the_first_bad_slot_is_named() -> None:
    slots = normal_slots()
    slots[30], slots[60] = "x-A", ""
    assert "slot 30" in refusal(rd_day(slots)).reason


def test_slot_numbers_after_the_empty_run_are_the_rd_slots() -> None:
    spring = [".2-A"] * 8 + [""] * 8 + [".2-A"] * 84
    spring[16] = "bad"
    assert "slot 16" in refusal(rd_day(spring, SPRING)).reason
    fall = [".2-A"] * 100
    fall[9] = "?"
    assert "slot 9" in refusal(rd_day(fall, FALL)).reason


def test_slot_count_rt_and_revision_are_checked() -> None:
    assert "99 slots" in refusal(rd_day(normal_slots()[:99])).reason
    assert "RT" in refusal(rd_day(normal_slots(), reading_type="X")).reason
    bad_revision = replace(rd_day(normal_slots()), revision="03/10/2024 25:00:00")
    assert "revision time" in refusal(bad_revision).reason


def test_iter_day_readings_and_decode_days_agree() -> None:
    days = list(DAYS.values())
    columns = list(iter_day_readings(days))
    assert all(isinstance(c, DayReadings) for c in columns)
    assert [r for c in columns for r in c] == list(decode_days(days))


@pytest.mark.parametrize("format", FORMATS)
def test_exports_from_columns_equal_exports_from_readings(format: str, tmp_path: Path) -> None:
    # one reading per key: the estimated day gets an ESIID of its own
    days = [d for name, d in DAYS.items() if name != "estimated"]
    days.append(replace(DAYS["estimated"], esiid="10443720000000001"))
    from_columns, from_readings = tmp_path / f"a.{format}", tmp_path / f"b.{format}"
    count = write_day_readings(iter_day_readings(days), from_columns, format)
    assert count == write_readings(decode_days(days), from_readings, format)
    if format == "sqlite":
        query = "SELECT * FROM interval_readings ORDER BY esiid, start_utc, direction"
        with sqlite3.connect(from_columns) as a, sqlite3.connect(from_readings) as b:
            assert a.execute(query).fetchall() == b.execute(query).fetchall()
    else:
        assert from_columns.read_bytes() == from_readings.read_bytes()


def test_column_exports_quote_formula_cells_and_stay_atomic(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    hostile = replace(mock_day(NORMAL), esiid="=1+1")
    write_day_readings(iter_day_readings([hostile]), target, "csv")
    assert target.read_text().splitlines()[1].startswith("'=1+1,")
    target.write_text("previous export")
    broken = replace(mock_day(SPRING), rd=",".join([".1-A"] * 99))
    with pytest.raises(ReadingError, match="99 slots"):
        write_day_readings(iter_day_readings([mock_day(NORMAL), broken]), target, "csv")
    assert target.read_text() == "previous export"
    assert list(tmp_path.iterdir()) == [target]


def test_a_day_decoded_twice_is_equal_and_hashable() -> None:
    first, second = decode_day_columns(mock_day(FALL)), decode_day_columns(mock_day(FALL))
    assert first == second and hash(first) == hash(second)
    assert first.day == date(2024, 11, 3)
