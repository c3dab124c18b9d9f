"""``smt readings``, run in process: SOAP, REST and CSV inputs, summary line, refusals."""

from __future__ import annotations

import argparse
import io
import json
from pathlib import Path

import pytest

from adapter.cli import ExitCode, readings
from adapter.errors import ConfigurationError, MalformedResponseError, ReadingError
from adapter.exports import iter_exported
from tests.conftest import SOAP_FIXTURES
from tests.soap.test_interval_stream import response
from tests.test_interval import ESIID, FALL, HEADER, NORMAL, SPRING, csv_rows, mock_day


def smt_readings(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    """Parse and run ``smt readings`` as the ``smt`` command would; errors propagate here
    (``adapter.cli.main`` maps them to exit codes)."""
    parser = argparse.ArgumentParser(prog="smt")
    readings.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["readings", *argv])
    code = args.run(args)
    return code, capsys.readouterr().out


def test_soap_response_to_sqlite_prints_one_summary_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "answer.xml"
    source.write_bytes(response(esiids=10, days=3))
    target = tmp_path / "readings.sqlite"
    code, out = smt_readings(capsys, str(source), "--format", "sqlite", "--output", str(target))
    assert code == ExitCode.OK
    assert out.splitlines() == [f"3124 readings, 10 ESIIDs, 33 days -> {target} (sqlite)"]
    assert sum(1 for _ in iter_exported(target, "sqlite")) == 3124


def test_rest_json_answer_to_jsonl(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "answer.json"
    entries = [
        {"DT": f"{d.day:%m/%d/%Y}", "RevTS": d.revision, "RT": "C", "RD": d.rd}
        for d in (mock_day(NORMAL), mock_day(FALL))
    ]
    source.write_text(json.dumps({"trans_id": "123", "esiid": ESIID, "energyData": entries}))
    target = tmp_path / "readings.jsonl"
    code, out = smt_readings(capsys, str(source), "--format", "jsonl", "--output", str(target))
    assert code == ExitCode.OK and out.startswith("196 readings, 1 ESIIDs, 2 days")
    assert len(target.read_text().splitlines()) == 196


def test_smt_interval_csv_report_to_csv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "IntervalMeterUsage123.CSV"
    source.write_text(HEADER + "".join(csv_rows(SPRING) + csv_rows(FALL)))
    target = tmp_path / "readings.csv"
    code, out = smt_readings(capsys, str(source), "--format", "csv", "--output", str(target))
    assert code == ExitCode.OK and out.startswith("192 readings, 1 ESIIDs, 2 days")


def test_guide_example_is_refused_and_no_output_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = SOAP_FIXTURES / "energydata" / "processIntervalEnergyData.response.xml"
    target = tmp_path / "readings.csv"
    with pytest.raises(ReadingError, match="RD holds 99 slots"):
        smt_readings(capsys, str(source), "--format", "csv", "--output", str(target))
    assert list(tmp_path.iterdir()) == []


def test_invalid_soap_payload_is_a_malformed_response(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "answer.xml"
    source.write_bytes(response(esiids=1, days=1).replace(b"<RT>C</RT>", b"<RT>CC</RT>"))
    with pytest.raises(MalformedResponseError):
        smt_readings(capsys, str(source), "--format", "csv", "--output", str(tmp_path / "o"))
    assert [p.name for p in tmp_path.iterdir()] == ["answer.xml"]


def test_missing_input_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(ConfigurationError):
        smt_readings(capsys, str(tmp_path / "nope.xml"), "--format", "csv", "--output", "x.csv")


def test_input_kind_is_sniffed_when_the_suffix_says_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "answer.txt"
    source.write_bytes(io.BytesIO(response(esiids=1, days=1)).read())
    code, out = smt_readings(
        capsys, str(source), "--format", "csv", "--output", str(tmp_path / "o")
    )
    assert code == ExitCode.OK and out.startswith("96 readings, 1 ESIIDs, 1 days")


def test_input_that_is_not_utf8_is_a_reading_error_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "report.csv"
    source.write_bytes(HEADER.encode() + b"\n\xff\xfe,broken\n")
    target = tmp_path / "readings.csv"

    with pytest.raises(ReadingError) as caught:
        smt_readings(capsys, str(source), "--format", "csv", "--output", str(target))

    assert "not UTF-8" in str(caught.value) and not target.exists()
