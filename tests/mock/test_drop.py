"""The mock's report drop: an acknowledged FTP request, a subscription run and the daily
LSE job leave files named like SMT's, with the mock's data, zipped and PGP-armoured to a
key when configured (decrypted here by the real gpg binary)."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from adapter.errors import ConfigurationError
from adapter.mock.app import MockApp
from adapter.mock.config import (
    DEFAULT_ACCOUNTS,
    Account,
    MockSettings,
    OdrSettings,
    SecurityProfile,
    settings_from_mapping,
)
from adapter.mock.delivery_settings import ReportSettings
from adapter.reports.names import parse_report_name
from tests.mock.conftest import GUIDE_DAY, basic, call_app, call_operation, guide_request

REP = Account(
    service_id="REP1",
    password="rep1-password",
    requester_type="REP",
    duns="123456789",
    esiid_count=2,
)
ACTION = "processIntervalEnergyData"


def _settings(root: Path, **reports: object) -> MockSettings:
    return MockSettings(
        security=SecurityProfile.CERTIFICATE,
        today=GUIDE_DAY,
        accounts=(*DEFAULT_ACCOUNTS, REP),
        odr=OdrSettings(delay_seconds=0),
        reports=ReportSettings(drop_root=root, **reports),  # type: ignore[arg-type]
    )


def _ftp_request(report_format: str = "CSV") -> bytes:
    body = guide_request("energydata", ACTION)
    return body.replace(
        b"<version>L</version>",
        f"<deliveryMode>FTP</deliveryMode><reportFormat>{report_format}</reportFormat>"
        "<version>L</version>".encode(),
    )


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def _correlation_id(body: bytes) -> str:
    return body.split(b"<correlationId>")[1].split(b"</correlationId>")[0].decode()


@dataclass(frozen=True)
class Keyring:
    home: Path
    public_key: Path


@pytest.fixture(scope="module")
def keyring() -> Iterator[Keyring]:
    """A throwaway PGP key pair (ed25519/cv25519, no passphrase) in a private GNUPGHOME
    with a short path (gpg-agent's socket lives there)."""
    home = Path(tempfile.mkdtemp(prefix="g"))
    home.chmod(0o700)
    parameters = (
        "%no-protection\nKey-Type: eddsa\nKey-Curve: ed25519\nSubkey-Type: ecdh\n"
        "Subkey-Curve: cv25519\nName-Real: SMT mock test\nName-Email: rep@example.invalid\n"
        "Expire-Date: 0\n%commit\n"
    )
    gpg = ["gpg", "--homedir", str(home), "--batch"]
    subprocess.run([*gpg, "--gen-key"], input=parameters.encode(), check=True, capture_output=True)
    exported = subprocess.run(
        [*gpg, "--armor", "--export", "rep@example.invalid"], check=True, capture_output=True
    )
    public_key = home / "public.asc"
    public_key.write_bytes(exported.stdout)
    yield Keyring(home, public_key)
    subprocess.run(["gpgconf", "--homedir", str(home), "--kill", "gpg-agent"], check=False)
    shutil.rmtree(home, ignore_errors=True)


def test_an_ftp_request_drops_its_csv_named_like_smt(tmp_path: Path) -> None:
    app = MockApp(_settings(tmp_path))
    answer = call_operation(app, ACTION, _ftp_request())
    assert answer.status == 200, answer.body
    (path,) = _files(tmp_path)
    assert path.parent == tmp_path / "CSPAPIUser1" / "adhocusage"
    name = parse_report_name(path.name)
    assert (name.kind, name.format, name.zipped, name.armoured) == ("interval", "CSV", False, False)
    assert name.report_id == _correlation_id(answer.body)
    rows = path.read_text().splitlines()
    assert rows[0].startswith("ESIID,USAGE_DATE,REVISION_DATE,USAGE_START_TIME")
    assert len(rows) == 1 + 96 and "04/20/2019" in rows[1]
    # the same data as the synchronous answer: its first slot is the guide's .2-A
    assert rows[1].split(",")[5:7] == [".2", "A"]


def test_a_rest_request_with_delivery_mode_ftp_drops_too(tmp_path: Path) -> None:
    app = MockApp(_settings(tmp_path))
    request = {
        "trans_id": "R1", "requestorID": "CSPAPIUser1", "requesterType": "CSP",
        "startDate": "04/20/2019", "endDate": "04/20/2019", "deliveryMode": "FTP",
        "reportFormat": "LSE", "version": "L", "readingType": "C",
        "esiid": ["10443720008107413"], "SMTTermsandConditions": "Y",
    }  # fmt: skip
    answer = call_app(
        app,
        "/15minintervalreads/",
        json.dumps(request).encode(),
        headers={
            "Content-Type": "application/json",
            "Authorization": basic("CSPAPIUser1", "smt-mock-CSPAPIUser1"),
        },
    )
    assert answer.status == 200, answer.body
    (path,) = _files(tmp_path)
    name = parse_report_name(path.name)
    assert (name.format, name.report_id) == ("LSE", json.loads(answer.body)["correlationId"])
    assert path.name.split(".")[1] == "lse"
    assert path.read_text().startswith("00000000,19999999999,")


def test_zipped_and_armoured_reports_decrypt_with_gpg(tmp_path: Path, keyring: Keyring) -> None:
    root = tmp_path / "drop"
    app = MockApp(_settings(root, zip=True, pgp_public_key=keyring.public_key))
    assert call_operation(app, ACTION, _ftp_request()).status == 200
    (path,) = _files(root)
    name = parse_report_name(path.name)
    assert path.name.endswith(".CSV." + name.number + ".zip.asc") and name.armoured
    assert path.read_bytes().startswith(b"-----BEGIN PGP MESSAGE-----")
    decrypted = subprocess.run(
        ["gpg", "--homedir", str(keyring.home), "--batch", "--decrypt", str(path)],
        capture_output=True,
        check=False,
    )
    assert decrypted.returncode == 0, decrypted.stderr
    with zipfile.ZipFile(io.BytesIO(decrypted.stdout)) as archive:
        assert archive.namelist() == [name.inner]
        assert archive.read(name.inner).startswith(b"ESIID,USAGE_DATE")


def test_a_key_gpg_cannot_import_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "bad.asc"
    bad.write_text("not a key")
    with pytest.raises(ConfigurationError, match="pgp_public_key"):
        MockApp(_settings(tmp_path, pgp_public_key=bad))


def test_a_subscription_run_drops_a_new_report_each_time(tmp_path: Path) -> None:
    app = MockApp(_settings(tmp_path))
    number = "8F10E261E2E50046E0530A0403228C2E"  # bobby@123's monthly subscription
    peer = "127.0.0.1"
    first = call_app(app, f"/_mock/subscriptions/{number}/run", peer=peer, headers=_bobby())
    second = call_app(app, f"/_mock/subscriptions/{number}/run", peer=peer, headers=_bobby())
    assert first.status == 200, first.body
    written = json.loads(first.body)["written"] + json.loads(second.body)["written"]
    assert len(set(written)) == 2
    for relative in written:
        assert relative.startswith("bobby@123/adhocusage/MonthlyBillingInformation")
        assert parse_report_name(Path(relative).name).kind == "monthly"
    unknown = call_app(app, "/_mock/subscriptions/NOPE/run", peer=peer, headers=_bobby())
    assert unknown.status == 404


def test_the_lse_run_drops_a_daily_file_for_each_rep(tmp_path: Path) -> None:
    app = MockApp(_settings(tmp_path))
    answer = call_app(
        app, "/_mock/lse/run", query="date=2019-08-06", peer="127.0.0.1", headers=_bobby()
    )
    assert answer.status == 200, answer.body
    (relative,) = json.loads(answer.body)["written"]
    path = tmp_path / relative
    assert path.parent == tmp_path / "REP1" / "intervaldata"
    name = parse_report_name(path.name)
    assert (name.kind, name.duns, name.sequence) == ("lse-daily", "123456789", "001")
    assert name.report_id.startswith("20190806")
    text = path.read_text()
    assert text.startswith("00000000,123456789,") and "201908060000" in text
    bad = call_app(
        app, "/_mock/lse/run", query="date=08/06/2019", peer="127.0.0.1", headers=_bobby()
    )
    assert bad.status == 400


def test_growing_file_shows_half_a_file_under_its_final_name(tmp_path: Path) -> None:
    app = MockApp(_settings(tmp_path, growing_seconds=0.5))
    answer = call_operation(
        app, ACTION, _ftp_request(), headers={"X-SMT-Mock-Scenario": "growing-file"}
    )
    assert answer.status == 200
    (path,) = _files(tmp_path)
    half = path.stat().st_size
    assert app.backend.reports is not None
    app.backend.reports.join()
    assert half < path.stat().st_size < 2 * half + 2
    assert path.read_text().splitlines()[-1].count(",") == 7


def test_duplicate_name_drops_the_same_name_in_both_folders(tmp_path: Path) -> None:
    app = MockApp(_settings(tmp_path))
    call_operation(app, ACTION, _ftp_request(), headers={"X-SMT-Mock-Scenario": "duplicate-name"})
    first, second = _files(tmp_path)
    assert first.name == second.name and first.parent != second.parent
    assert {first.parent.name, second.parent.name} == {"adhocusage", "intervaldata"}


def test_a_delayed_report_appears_after_the_acknowledgement(tmp_path: Path) -> None:
    settings = replace(_settings(tmp_path), odr=OdrSettings(delay_seconds=0.3))
    app = MockApp(settings)
    assert call_operation(app, ACTION, _ftp_request()).status == 200
    assert _files(tmp_path) == []
    assert app.backend.reports is not None
    app.backend.reports.join()
    (path,) = _files(tmp_path)
    assert parse_report_name(path.name).format == "CSV"
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".")]


def test_the_config_reads_the_delivery_tables(tmp_path: Path) -> None:
    settings = settings_from_mapping(
        {
            "reports": {"drop_root": "drop", "zip": True},
            "sftp": {"port": 0, "drop_after_bytes": 100},
            "ftps": {"port": 0, "passive_ports": [40000, 40010]},
        },
        base_dir=tmp_path,
    )
    assert settings.reports is not None and settings.reports.drop_root == tmp_path / "drop"
    assert settings.sftp is not None and settings.sftp.drop_after_bytes == 100
    assert settings.ftps is not None and settings.ftps.passive_ports == (40000, 40010)
    with pytest.raises(ConfigurationError, match=r"mock\.reports\.zip = 'yes'"):
        settings_from_mapping({"reports": {"drop_root": "d", "zip": "yes"}}, base_dir=tmp_path)
    with pytest.raises(ConfigurationError, match=r"mock\.sftp\.colour: no such setting"):
        settings_from_mapping({"sftp": {"colour": 1}}, base_dir=tmp_path)
    with pytest.raises(ConfigurationError, match=r"mock\.ftps\.passive_ports"):
        settings_from_mapping({"ftps": {"passive_ports": [9, 8]}}, base_dir=tmp_path)


def _bobby() -> dict[str, str]:
    return {"Authorization": basic("bobby@123", "smt-mock-bobby")}
