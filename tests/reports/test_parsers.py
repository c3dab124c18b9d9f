"""Streaming parsers: bad rows go to dead letters and the rest is still read; LSE and
Green Button read back the mock's days."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import pytest

from adapter.interval import decode_days
from adapter.mock.app import MockApp
from adapter.mock.greenbutton import build_feed
from adapter.records import DailyReads, IntervalDay, RegisterRead
from adapter.reports import (
    DeadLetters,
    GreenButtonReading,
    iter_daily_csv,
    iter_green_button_readings,
    iter_lse_days,
    iter_report_records,
    write_daily_csv,
    write_interval_csv,
    write_lse,
)
from adapter.reports.dispatch import MAX_LINE
from tests.reports.soap_data import ESIID, build_mock, soap_days


@pytest.fixture(scope="module")
def mock() -> MockApp:
    return build_mock()


HEADER = "ESIID,READ_DATE,REVISION_DATE,START_READING,END_READING,USAGE_KWH\r\n"


def _read(text: str, name: str = "DailyMeterUsageabc.CSV.1") -> tuple[list[Any], DeadLetters]:
    dead = DeadLetters()
    return list(iter_report_records(name, io.StringIO(text), dead)), dead


def test_bad_daily_rows_go_to_dead_letters_and_the_rest_is_read() -> None:
    text = (
        HEADER
        + "'1,04/01/2019,,10,11,1\r\n"
        + "'1,2019-04-02,,11,12,1\r\n"  # not MM/DD/YYYY
        + "'1,04/03/2019,,12,x,1\r\n"  # not a number
        + "'1,04/04/2019,,13,14,1\r\n"
    )
    records, dead = _read(text)
    (reads,) = records
    assert reads.trans_id == "abc" and reads.esiid == "1"
    assert [r.read_date for r in reads.reads] == [date(2019, 4, 1), date(2019, 4, 4)]
    assert [(d.source, d.line) for d in dead] == [
        ("DailyMeterUsageabc.CSV.1", 3),
        ("DailyMeterUsageabc.CSV.1", 4),
    ]
    first, second = dead
    assert "READ_DATE" in first.reason and first.raw == "'1,2019-04-02,,11,12,1"
    assert "END_READING 'x' is not a number" in second.reason


def test_a_file_without_its_header_sends_every_line_to_dead_letters() -> None:
    records, dead = _read("ESIID,READ_DATE\r\n'1,04/01/2019\r\n")
    assert records == []
    assert [d.line for d in dead] == [1, 2]
    assert "lacks REVISION_DATE" in next(iter(dead)).reason


def test_a_day_the_decoder_rejects_goes_to_dead_letters_with_all_its_lines(
    mock: MockApp,
) -> None:
    days = soap_days(mock, date(2019, 4, 20), date(2019, 4, 22))
    stream = io.StringIO()
    write_interval_csv(days, stream)
    lines = stream.getvalue().splitlines(keepends=True)
    lines[1 + 96 + 5] = lines[1 + 96 + 5].replace(",A,", ",Q,")  # day 2: an unknown flag
    records, dead = _read("".join(lines), "IntervalMeterUsageabc.CSV.1")
    assert records == [days[0], days[2]]
    assert [d.line for d in dead] == list(range(2 + 96, 2 + 2 * 96))
    assert {d.reason for d in dead} == {next(iter(dead)).reason}


def test_formula_cells_are_escaped_in_exports_and_dead_letters(tmp_path: Path) -> None:
    reads = DailyReads(
        trans_id="t",
        esiid="1",
        reads=(
            RegisterRead(
                read_date=date(2019, 4, 1),
                revision="=HYPERLINK(1)",
                start_reading=Decimal("-1.5"),  # a negative number reads back unchanged
                end_reading=Decimal("2"),
                kwh=Decimal("3.5"),
            ),
        ),
    )
    stream = io.StringIO()
    write_daily_csv([reads], stream)
    assert stream.getvalue().splitlines()[1] == "'1,04/01/2019,'=HYPERLINK(1),'-1.5,2,3.5"
    stream.seek(0)
    dead = DeadLetters()
    assert list(iter_daily_csv(stream, dead_letters=dead, trans_id="t")) == [reads]

    _, dead = _read(HEADER + "@SUM(A1),+1,-2,=3,'4,x\r\n")
    target = tmp_path / "dead.csv"
    assert dead.write(target) == 1
    with target.open(newline="") as saved:
        rows = list(csv.reader(saved))
    assert rows[0] == ["source", "line", "reason", "raw"]
    assert all(not cell.startswith(("=", "+", "-", "@")) for cell in rows[1])
    assert rows[1][3] == "'@SUM(A1),+1,-2,=3,'4,x"
    assert list(tmp_path.iterdir()) == [target]  # no temporary file left behind


def test_lse_round_trips_the_soap_days_across_both_dst_changes(mock: MockApp) -> None:
    days = soap_days(mock, date(2018, 11, 3), date(2018, 11, 5))
    days += soap_days(mock, date(2019, 3, 10), date(2019, 3, 10))
    stream = io.StringIO()
    assert write_lse(days, stream, duns="957877905") == len(days)
    lines = stream.getvalue().splitlines()
    assert lines[0] == "00000000,957877905,LSE-SUBSET,1"
    counts = [line.split(",")[7] for line in lines if line.startswith("00000001,")]
    assert counts == ["96", "100", "96", "92"]
    stream.seek(0)
    name = "957877905IntervalData20190310123001980.lse.001.799530915"
    dead = DeadLetters()
    assert list(iter_report_records(name, stream, dead)) == days
    assert not dead


def test_a_bad_lse_day_goes_to_dead_letters_and_the_next_day_is_read(mock: MockApp) -> None:
    days = soap_days(mock, date(2019, 4, 20), date(2019, 4, 21))
    stream = io.StringIO()
    write_lse(days, stream, duns="957877905")
    lines = stream.getvalue().splitlines()
    del lines[5]  # day 1 now has 95 intervals where its header says 96
    lines.insert(1, "00000009,what")
    dead = DeadLetters()
    assert list(iter_lse_days(lines, dead_letters=dead, source="f.lse")) == [days[1]]
    letters = list(dead)
    assert letters[0].line == 2 and "record type '00000009'" in letters[0].reason
    assert [d.line for d in letters[1:]] == list(range(3, 3 + 96))
    assert "says 96 intervals, 95 follow" in letters[1].reason


def _feed(mock: MockApp, start: date, end: date) -> bytes:
    carrier = SimpleNamespace(
        backend=mock.backend, call=SimpleNamespace(now=datetime(2019, 8, 7, 12).astimezone())
    )
    return build_feed(cast(Any, carrier), ESIID, "I", "C", start, end)


def test_green_button_reads_the_readings_of_the_same_soap_days(mock: MockApp) -> None:
    start, end = date(2018, 11, 3), date(2018, 11, 4)
    dead = DeadLetters()
    readings = list(
        iter_green_button_readings(io.BytesIO(_feed(mock, start, end)), dead_letters=dead)
    )
    assert not dead
    assert all(isinstance(r, GreenButtonReading) and r.seconds == 900 for r in readings)
    days: list[IntervalDay] = [d for d in soap_days(mock, start, end) if d.reading_type == "C"]
    expected = [(r.esiid, r.start_utc, r.kwh, r.quality, r.direction) for r in decode_days(days)]
    got = [r.as_interval_reading() for r in readings]
    assert [(r.esiid, r.start_utc, r.kwh, r.quality, r.direction) for r in got] == expected
    assert len(got) == 96 + 100


def test_green_button_bad_readings_and_doctypes_go_to_dead_letters(mock: MockApp) -> None:
    feed = _feed(mock, date(2019, 4, 20), date(2019, 4, 20))
    broken = feed.replace(b"<espi:value>", b"<espi:value>x", 1)
    dead = DeadLetters()
    name = "IntervalMeterUsageabc.XML.1"
    readings = list(iter_report_records(name, io.BytesIO(broken), dead))
    assert len(readings) == 95
    (letter,) = dead
    assert letter.source == name and letter.line > 1 and "value" in letter.reason
    assert letter.raw.startswith("<espi:IntervalReading")

    doctype = b'<?xml version="1.0"?><!DOCTYPE feed [<!ENTITY x "y">]><feed>&x;</feed>'
    dead = DeadLetters()
    assert list(iter_green_button_readings(io.BytesIO(doctype), dead_letters=dead)) == []
    assert "DOCTYPE" in next(iter(dead)).reason


INTERVAL_HEADER = (
    "ESIID,USAGE_DATE,REVISION_DATE,USAGE_START_TIME,USAGE_END_TIME,USAGE_KWH,"
    "ESTIMATED_ACTUAL,CONSUMPTION_SURPLUSGENERATION\r\n"
)


class _CountingStream(io.BytesIO):
    """A binary stream that remembers the longest single read asked of it."""

    longest = 0

    def readline(self, size: int | None = -1) -> bytes:
        line = super().readline(size)
        self.longest = max(self.longest, len(line))
        return line

    def read(self, size: int | None = -1) -> bytes:
        data = super().read(size)
        self.longest = max(self.longest, len(data))
        return data


def test_a_line_that_is_not_utf8_is_a_dead_letter_and_the_rest_is_read() -> None:
    name = "IntervalMeterUsage000000000000000000000001.CSV.1"
    row = "1008901000000000000001,01/02/2025,01/03/2025 10:00:00,00:00,00:15,0.25,A,Consumption"
    data = (INTERVAL_HEADER + row + "\r\n").encode() + b"caf\xe9,\xff\xfe\r\n"
    letters = DeadLetters()
    list(iter_report_records(name, io.BytesIO(data), letters))
    reasons = [(letter.line, letter.reason) for letter in letters]
    assert (3, "not UTF-8") in reasons
    assert all(letter.line != 2 or letter.reason != "not UTF-8" for letter in letters)


def test_a_binary_file_without_line_breaks_is_never_read_whole() -> None:
    name = "IntervalMeterUsage000000000000000000000001.CSV.1"
    stream = _CountingStream(INTERVAL_HEADER.encode() + b"\x00\x01" * (2 * MAX_LINE))
    letters = DeadLetters()
    assert list(iter_report_records(name, stream, letters)) == []
    assert stream.longest <= MAX_LINE + 1
    (letter,) = [letter for letter in letters if letter.line == 2]
    assert "longer than" in letter.reason and len(letter.raw) <= 200
