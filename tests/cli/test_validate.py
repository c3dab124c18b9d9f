"""``smt validate``, run in process: output formats and fixed exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from lxml import etree

from adapter.cli import ExitCode, main
from tests.conftest import SOAP_FIXTURES

ENERGY = SOAP_FIXTURES / "energydata"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["validate", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_valid_files_exit_0_with_a_summary_on_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, str(SOAP_FIXTURES))
    assert code == ExitCode.OK
    assert out == ""
    assert "31 file(s) checked, 0 invalid (profile wire)" in err


def test_each_violation_is_one_line_with_file_line_path_rule_and_value(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(
        capsys, "--profile", "guide", str(ENERGY / "processIntervalEnergyData.response.xml")
    )
    assert code == ExitCode.INVALID
    (line,) = out.splitlines()
    assert line == (
        f"{ENERGY / 'processIntervalEnergyData.response.xml'}:14: /soapenv:Envelope/soapenv:Body/"
        "NS1:processIntervalEnergyDataResponse/IntervalEnergyDataSyncResponse/energyDataList/"
        "energyData/RevTS: [maxLength] value '04/21/2019 09:49:58' of <RevTS> is 19 characters "
        "long; at most 10 allowed"
    )


def test_many_invalid_files_still_exit_1_never_a_count(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--profile", "guide", str(SOAP_FIXTURES))
    assert code == ExitCode.INVALID
    assert len(out.splitlines()) > 15


def test_json_output_describes_each_file(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--format", "json", "--profile", "guide", str(ENERGY))
    report = json.loads(out)
    assert code == ExitCode.INVALID and report["valid"] is False and report["profile"] == "guide"
    first = next(
        f
        for f in report["files"]
        if f["source"].endswith("processDailyRegisteredReads.request.xml")
    )
    assert first["service"] == "EnergyData" and first["direction"] == "request"
    assert first["operation"] == "processDailyRegisteredReads"
    assert first["violations"][0]["rule"] == "unexpected-element"
    assert first["violations"][0]["value"] == "ESIIDList"
    assert {"source", "line", "path", "rule", "value", "expected", "message"} <= set(
        first["violations"][0]
    )


def test_junit_output_has_a_testcase_per_file_and_a_failure_per_invalid_file(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "--format", "junit", "--profile", "guide", str(ENERGY))
    suites = etree.fromstring(out.encode())
    assert code == ExitCode.INVALID
    assert suites.get("tests") == str(len(list(ENERGY.rglob("*.xml"))))
    assert suites.get("failures") == "8"
    assert len(suites.findall(".//testcase/failure")) == 8


def test_a_missing_path_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "no/such/file.xml")
    assert code == ExitCode.USAGE and "no such file or directory: no/such/file.xml" in err


def test_no_path_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys)
    assert code == ExitCode.USAGE and "name at least one file" in err


def test_a_directory_without_xml_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / "notes.txt").write_text("x")
    code, _, err = run(capsys, str(tmp_path))
    assert code == ExitCode.USAGE and "no *.xml files" in err


@pytest.mark.parametrize(
    "args", [["--profile", "strict", "x"], ["--format", "csv", "x"], ["--max-size", "lots", "x"]]
)
def test_bad_option_values_exit_2(capsys: pytest.CaptureFixture[str], args: list[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["validate", *args])
    assert caught.value.code == ExitCode.USAGE


def test_an_ambiguous_type_is_a_usage_error_naming_the_candidates(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, _, err = run(capsys, "--type", "Acknowledgement", str(ENERGY))
    assert code == ExitCode.USAGE and "meterinformation:Acknowledgement" in err


def test_list_types_shows_what_type_accepts(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--list-types")
    assert code == ExitCode.OK
    assert (
        "energydata:EnergyDataRequest" in out
        and "{http://BIM_MeterUsageSOAP}EnergyDataRequest" in out
    )


def test_a_bare_payload_is_checked_with_type(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    root = etree.parse(str(ENERGY / "processIntervalEnergyData.request.xml")).getroot()
    (payload,) = root.iter("EnergyDataRequest")
    path = tmp_path / "payload.xml"
    path.write_bytes(etree.tostring(payload))
    code, out, _ = run(capsys, "--type", "EnergyDataRequest", str(path))
    assert (code, out) == (ExitCode.OK, "")


def test_an_oversized_file_is_invalid_not_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "--max-size", "1K", str(ENERGY / "processIntervalEnergyData.response.xml")
    )
    assert code == ExitCode.INVALID and "[too-large]" in out


def test_a_violation_limit_below_one_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "--max-violations", "0", str(ENERGY))
    assert code == ExitCode.USAGE and "max_violations must be at least 1" in err


def test_file_names_that_no_terminal_or_xml_can_hold_are_escaped(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    source = (ENERGY / "processIntervalEnergyData.response.xml").read_bytes()
    for name in (b"bad\xff.xml", b"ctl\x01.xml"):
        with open(os.path.join(os.fsencode(tmp_path), name), "wb") as handle:
            handle.write(source)
    code, out, _ = run(capsys, "--profile", "guide", "--format", "junit", str(tmp_path))
    names = sorted(case.get("name") for case in etree.fromstring(out.encode()).iter("testcase"))
    assert code == ExitCode.INVALID
    assert names == [f"{tmp_path}/bad\\udcff.xml", f"{tmp_path}/ctl\\x01.xml"]


def test_a_reader_that_goes_away_ends_the_output_quietly_with_the_real_status(
    tmp_path: Path,
) -> None:
    source = (ENERGY / "processIntervalEnergyData.response.xml").read_bytes()
    for i in range(2000):
        (tmp_path / f"m{i:04d}.xml").write_bytes(source)
    smt = Path(sys.executable).parent / "smt"
    process = subprocess.Popen(
        [str(smt), "validate", "--profile", "guide", str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    first = process.stdout.readline()
    process.stdout.close()
    errors = process.stderr.read()
    assert process.wait() == ExitCode.INVALID
    assert b"[maxLength]" in first
    assert b"Traceback" not in errors
