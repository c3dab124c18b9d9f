"""Exports: each format round-trips exactly, files appear whole or not at all, CSV cells
cannot run as formulas."""

from __future__ import annotations

import csv
import json
import sqlite3
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest

from adapter.errors import ConfigurationError, ReadingError
from adapter.exports import FORMATS, iter_exported, write_readings
from adapter.interval import IntervalReading, decode_day, decode_days
from tests.test_interval import FALL, NORMAL, SPRING, mock_day


def readings() -> list[IntervalReading]:
    days = [
        mock_day(NORMAL),
        mock_day(SPRING),
        mock_day(FALL),
        mock_day(FALL, "G", generation=True),
    ]
    return list(decode_days(days))


def key(reading: IntervalReading) -> tuple[str, datetime, str]:
    return (reading.esiid, reading.start_utc, reading.direction)  # SQLite returns key order


@pytest.mark.parametrize("format", FORMATS)
def test_each_format_round_trips_every_field_exactly(format: str, tmp_path: Path) -> None:
    original = readings()
    target = tmp_path / f"out.{format}"
    assert write_readings(iter(original), target, format) == len(original) == 96 + 92 + 200
    back = list(iter_exported(target, format))
    assert sorted(back, key=key) == sorted(original, key=key)
    assert [r.start_local.fold for r in sorted(back, key=key)] == [
        r.start_local.fold for r in sorted(original, key=key)
    ]
    assert list(tmp_path.iterdir()) == [target]  # no temporary file left


def test_csv_keeps_kwh_as_exact_text_and_utc_instants(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    write_readings(decode_day(mock_day(FALL)), target, "csv")
    rows = list(csv.DictReader(target.open(newline="")))
    assert len(rows) == 100
    assert rows[8]["start_utc"] == "2024-11-03T07:00:00+00:00"
    assert rows[8]["start_local"] == "2024-11-03T01:00:00-06:00"
    assert rows[4]["start_local"] == "2024-11-03T01:00:00-05:00"


def test_jsonl_writes_one_object_per_reading_with_kwh_as_a_string(tmp_path: Path) -> None:
    target = tmp_path / "out.jsonl"
    reading = replace(readings()[0], revised=None)
    write_readings([reading], target, "jsonl")
    (line,) = target.read_text().splitlines()
    row = json.loads(line)
    assert row["kwh"] == str(reading.kwh) and row["revised"] is None


def test_csv_cells_that_could_run_as_formulas_are_quoted(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    hostile = [replace(readings()[0], esiid=text) for text in ("=1+1", "+A1", "-2", "@SUM(A1)")]
    write_readings(hostile, target, "csv")
    cells = [row[0] for row in list(csv.reader(target.open(newline="")))[1:]]
    assert cells == ["'=1+1", "'+A1", "'-2", "'@SUM(A1)"]


def test_sqlite_table_has_the_documented_primary_key(tmp_path: Path) -> None:
    target = tmp_path / "out.sqlite"
    write_readings(readings(), target, "sqlite")
    with sqlite3.connect(target) as connection:
        columns = connection.execute("PRAGMA table_info(interval_readings)").fetchall()
        count = connection.execute("SELECT COUNT(*) FROM interval_readings").fetchone()[0]
    key = [name for _, name, _, _, _, pk in sorted(columns, key=lambda c: c[5]) if pk]
    assert key == ["esiid", "start_utc", "direction", "revised"]
    assert count == 388


def test_sqlite_refuses_the_same_reading_twice_and_leaves_nothing(tmp_path: Path) -> None:
    target = tmp_path / "out.sqlite"
    twice = readings()[:3] + readings()[:1]
    with pytest.raises(ReadingError, match="repeats"):
        write_readings(twice, target, "sqlite")
    assert list(tmp_path.iterdir()) == []


def failing_half_way() -> Iterator[IntervalReading]:
    yield from readings()[:50]
    decode_day(replace(mock_day(NORMAL), rd=",".join([".1-A"] * 99)))
    yield from readings()


@pytest.mark.parametrize("format", FORMATS)
def test_an_error_half_way_leaves_the_old_file_and_no_temporary(
    format: str, tmp_path: Path
) -> None:
    target = tmp_path / "out"
    target.write_text("previous export")
    with pytest.raises(ReadingError, match="99 slots"):
        write_readings(failing_half_way(), target, format)
    assert target.read_text() == "previous export"
    assert list(tmp_path.iterdir()) == [target]


def test_unknown_format_is_a_configuration_error_before_any_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError) as caught:
        write_readings(readings(), tmp_path / "out.xlsx", "xlsx")
    assert (caught.value.field, caught.value.value) == ("format", "xlsx")
    assert list(tmp_path.iterdir()) == []


def test_an_empty_input_writes_a_valid_empty_export(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    assert write_readings([], target, "csv") == 0
    assert target.read_text().splitlines() == [
        "esiid,start_utc,start_local,kwh,quality,direction,revised"
    ]
