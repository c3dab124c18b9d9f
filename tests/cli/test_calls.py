"""The ``smt`` commands that call SMT, through ``main()``, against the mock behind real
HTTPS with mutual TLS on 127.0.0.1; settings come from the environment and a TOML file,
as a user gives them."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from adapter.cli import ExitCode, main
from adapter.mock import ScenarioSettings
from adapter.settings import AuthProfile
from tests.clients.conftest import Era
from tests.mock.conftest import PASSWORDS

ESIID = "10443720008107413"


@pytest.fixture
def env(serve: object, monkeypatch: pytest.MonkeyPatch) -> Era:
    era: Era = serve(AuthProfile.CERTIFICATE)  # type: ignore[operator]
    point_at(era, monkeypatch)
    return era


def point_at(era: Era, monkeypatch: pytest.MonkeyPatch, username: str = "CSPAPIUser1") -> None:
    monkeypatch.setenv("SMT_ENDPOINT", era.server.base_url)
    monkeypatch.setenv("SMT_USERNAME", username)
    monkeypatch.setenv("SMT_PASSWORD", PASSWORDS[username])
    monkeypatch.setenv("SMT_CERT_FILE", str(era.certs.client_cert))
    monkeypatch.setenv("SMT_KEY_FILE", str(era.certs.client_key))
    monkeypatch.setenv("SMT_CA_FILE", str(era.certs.ca_cert))
    monkeypatch.delenv("SMT_CONFIG", raising=False)


def test_energy_interval_prints_a_row_per_esiid_day(
    env: Era, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        ["energy", "interval", "--esiid", ESIID, "--start", "2019-04-19", "--end", "2019-04-20"]
    )

    out = capsys.readouterr().out
    assert code == ExitCode.OK
    assert out.count(ESIID) == 2 and "2019-04-20" in out and "96" in out


def test_energy_interval_writes_readings_with_output(
    env: Era, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "readings.csv"
    code = main(
        ["energy", "interval", "--esiid", ESIID, "--start", "04/20/2019", "--end", "04/20/2019",
         "--output", str(target)]
    )  # fmt: skip

    assert code == ExitCode.OK and "96 readings" in capsys.readouterr().out
    with target.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 96 and rows[0]["esiid"] == ESIID


def test_json_output_carries_the_records(env: Era, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        [
            "energy",
            "daily",
            "--esiid",
            ESIID,
            "--start",
            "2019-04-18",
            "--end",
            "2019-04-20",
            "--json",
        ]
    )

    (answer,) = json.loads(capsys.readouterr().out)
    assert code == ExitCode.OK
    assert answer["esiid"] == ESIID and len(answer["reads"]) == 3
    assert answer["reads"][-1]["read_date"] == "2019-04-20"


def test_meter_premise_and_lists_answer(env: Era, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["meter", "--esiid", ESIID, "--json"]) == ExitCode.OK
    assert json.loads(capsys.readouterr().out)[0]["esiid"] == ESIID
    assert main(["premise", "--esiid", ESIID]) == ExitCode.OK
    assert ESIID in capsys.readouterr().out
    assert main(["agreements", "list", "--json"]) == ExitCode.OK
    assert {a["agreement_number"] for a in json.loads(capsys.readouterr().out)} >= {118518}
    assert main(["agreements", "esiids", "118518", "--json"]) == ExitCode.OK
    assert json.loads(capsys.readouterr().out)[0]["esiid"] == "10204049799602671"


def test_a_delivery_mode_prints_the_acknowledgement(
    env: Era, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["meter", "--esiid", ESIID, "--delivery-mode", "EML", "--json"])

    assert code == ExitCode.OK
    assert json.loads(capsys.readouterr().out)["correlation_id"]


def test_subscriptions_are_listed_for_their_holder(
    serve: object, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    era: Era = serve(AuthProfile.CERTIFICATE)  # type: ignore[operator]
    point_at(era, monkeypatch, "bobby@123")

    assert main(["subscriptions", "list", "--json"]) == ExitCode.OK
    assert json.loads(capsys.readouterr().out)


def test_terminating_a_pending_agreement_exits_4_with_smts_reason(
    env: Era, capsys: pytest.CaptureFixture[str]
) -> None:
    created = main(
        ["agreements", "new", "--email", "customer@example.com", "--months", "12",
         "--meter", f"{ESIID}:148239922:10004", "--auth-id", "199999999999", "--json"]
    )  # fmt: skip
    number = json.loads(capsys.readouterr().out)["agreement_number"]

    code = main(["agreements", "terminate", f"{number}:customer@example.com"])

    assert created == ExitCode.OK and code == ExitCode.SERVICE_FAULT
    assert f"This Agreement is not ACTIVE:{number}" in capsys.readouterr().err


def test_a_wrong_password_exits_3_and_is_never_echoed(
    env: Era, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SMT_PASSWORD", "hunter2-wrong")

    code = main(["meter", "--esiid", ESIID])

    captured = capsys.readouterr()
    assert code == ExitCode.TRANSPORT and "HTTP 401" in captured.err
    assert "hunter2-wrong" not in captured.err + captured.out


def test_settings_come_from_a_toml_file_with_the_password_from_a_file(
    env: Era, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("SMT_ENDPOINT", "SMT_PASSWORD", "SMT_CERT_FILE", "SMT_KEY_FILE", "SMT_CA_FILE"):
        monkeypatch.delenv(name)
    (tmp_path / "password").write_text(PASSWORDS["CSPAPIUser1"] + "\n")
    config = tmp_path / "smt.toml"
    config.write_text(
        f'[client]\nendpoint = "{env.server.base_url}"\nusername = "CSPAPIUser1"\n'
        f'cert_file = "{env.certs.client_cert}"\nkey_file = "{env.certs.client_key}"\n'
        f'ca_file = "{env.certs.ca_cert}"\npassword_file = "password"\n'
        "[client.retries]\nattempts = 1\n"
    )

    assert main(["premise", "--esiid", ESIID, "--config", str(config), "--json"]) == ExitCode.OK
    assert json.loads(capsys.readouterr().out)[0]["esiid"] == ESIID


def test_a_missing_password_is_a_usage_error_naming_where_to_put_it(
    env: Era, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("SMT_PASSWORD")

    assert main(["meter", "--esiid", ESIID]) == ExitCode.USAGE
    assert "SMT_PASSWORD" in capsys.readouterr().err


def test_a_soap_fault_exits_4(
    serve: object, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    era: Era = serve(  # type: ignore[operator]
        AuthProfile.CERTIFICATE, scenarios=ScenarioSettings(default="soap-fault")
    )
    point_at(era, monkeypatch)

    assert main(["meter", "--esiid", ESIID]) == ExitCode.SERVICE_FAULT
    assert "Server" in capsys.readouterr().err


def test_token_prints_type_and_expiry_but_not_the_token(
    env: Era, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["token"]) == ExitCode.OK
    out = capsys.readouterr().out
    assert out.startswith("Bearer token") and "eyJ" not in out


def test_demo_runs_every_operation_and_writes_the_readings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["demo", "--workdir", str(tmp_path), "--days", "2"])

    out = capsys.readouterr().out
    assert code == ExitCode.OK
    for operation in ("processIntervalEnergyData", "prosessMeterInformation", "newAgreement",
                      "terminateAgreement", "unSubscription", "processTokenGenerator"):  # fmt: skip
        assert operation in out
    with (tmp_path / "readings.csv").open(newline="") as handle:
        assert len(list(csv.DictReader(handle))) == 3 * 2 * 96


def test_an_output_folder_that_does_not_exist_is_a_usage_error(
    env: Era, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "missing" / "readings.csv"

    code = main(["energy", "interval", "--esiid", ESIID, "--start", "2019-04-20",
                 "--end", "2019-04-20", "--output", str(target)])  # fmt: skip

    assert code == ExitCode.USAGE and "does not exist" in capsys.readouterr().err


def test_odr_wait_prints_the_completed_read_and_counts_it_in_the_ledger(
    serve: object,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from adapter.mock.config import OdrSettings

    era: Era = serve(AuthProfile.CERTIFICATE, odr=OdrSettings(delay_seconds=0.2))  # type: ignore[operator]
    point_at(era, monkeypatch)
    monkeypatch.setenv("SMT_ODR_LEDGER", str(tmp_path / "odr.sqlite"))

    code = main(["odr", ESIID, "--wait", "--interval", "0.1", "--json"])

    assert code == ExitCode.OK
    assert json.loads(capsys.readouterr().out)["status_code"] == "COMPLETED"
    assert main(["odr", ESIID]) == ExitCode.OK
    capsys.readouterr()
    assert main(["odr", ESIID]) == ExitCode.SERVICE_FAULT  # the third in an hour: refused here
    assert "refused before sending" in capsys.readouterr().err


def test_reports_status_names_the_report_of_a_correlation_id(
    env: Era, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["meter", "--esiid", ESIID, "--delivery-mode", "EML", "--json"]) == ExitCode.OK
    correlation = json.loads(capsys.readouterr().out)["correlation_id"]

    assert main(["reports", "status", correlation, "--json"]) == ExitCode.OK
    assert json.loads(capsys.readouterr().out)["adhoc"][0]["correlation_id"] == correlation


@pytest.mark.parametrize("security", [AuthProfile.CERTIFICATE, AuthProfile.TOKEN])
def test_the_same_commands_call_the_rest_functions_with_api_rest(
    serve: object,
    security: AuthProfile,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    era: Era = serve(security)  # type: ignore[operator]
    point_at(era, monkeypatch)
    monkeypatch.setenv("SMT_SECURITY", security.value)
    monkeypatch.setenv("SMT_ODR_LEDGER", str(tmp_path / "odr.sqlite"))
    day = ["--start", "2019-04-20", "--end", "2019-04-20"]

    assert main(["energy", "daily", "--esiid", ESIID, *day, "--json", "--api", "rest"]) == 0
    by_rest = json.loads(capsys.readouterr().out)
    assert main(["energy", "daily", "--esiid", ESIID, *day, "--json"]) == 0
    by_soap = json.loads(capsys.readouterr().out)
    for answer in (*by_rest, *by_soap):
        answer.pop("trans_id")  # each call draws its own
    assert by_rest == by_soap  # the same records either way

    target = tmp_path / "readings.jsonl"
    args = ["energy", "interval", "--esiid", ESIID, *day, "--api", "rest"]
    assert main([*args, "--output", str(target), "--format", "jsonl"]) == 0
    assert len(target.read_text().splitlines()) == 96
    assert main(["agreements", "list", "--auth-id", "199999999999", "--api", "rest"]) == 0
    assert "118518" in capsys.readouterr().out
    xml = tmp_path / "usage.xml"
    assert main(["greenbutton", "--esiid", ESIID, *day, "--output", str(xml)]) == 0
    assert xml.read_bytes().startswith(b"<?xml") or b"<feed" in xml.read_bytes()[:300]
