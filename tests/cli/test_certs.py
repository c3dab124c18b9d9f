"""``smt certs check`` in process, through a parser that registers only this command
(``adapter.cli`` adds it to ``smt`` itself; its ``main()`` maps CertificateError to 3)."""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path

import pytest
import trustme

from adapter.cli import certs as certs_cli
from adapter.errors import CertificateError, ConfigurationError
from adapter.mock.certs import CertificateSet, write_certificate_set
from tests.transport import encrypt_key, write_leaf

SECRET = "s3cret-bundle-pw"


def smt(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="smt")
    certs_cli.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return int(args.run(args))


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> CertificateSet:
    return write_certificate_set(tmp_path_factory.mktemp("pki"), p12_password=SECRET)


def test_a_fresh_pem_certificate_is_ok(
    certs: CertificateSet, capsys: pytest.CaptureFixture[str]
) -> None:
    code = smt(["certs", "check", "--cert", str(certs.client_cert), "--key", str(certs.client_key)])

    out, err = capsys.readouterr()
    assert code == 0 and err == ""
    for label in ("subject:", "issuer:", "serial:", "expires:", "days left:", "chain:"):
        assert label in out
    assert "CN=CSPAPIUser1" in out
    assert out.splitlines()[-1].startswith("OK: valid until")


def test_pkcs12_with_the_password_from_the_environment_is_never_echoed(
    certs: CertificateSet, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SMT_P12_PASSWORD", SECRET)

    code = smt(
        ["certs", "check", "--pkcs12", str(certs.client_p12), "--password-env", "SMT_P12_PASSWORD"]
    )

    out, err = capsys.readouterr()
    assert code == 0 and "CN=CSPAPIUser1" in out
    assert SECRET not in out + err


def test_an_encrypted_key_with_the_password_from_a_file(
    certs: CertificateSet, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key = encrypt_key(certs.client_key, SECRET, tmp_path / "key.pem")
    password_file = tmp_path / "password"
    password_file.write_text(SECRET + "\n")

    code = smt(
        [
            "certs",
            "check",
            "--cert",
            str(certs.client_cert),
            "--key",
            str(key),
            "--password-file",
            str(password_file),
            "--json",
        ]
    )

    report = json.loads(capsys.readouterr().out)
    assert code == 0
    assert report["status"] == "ok" and report["key_matches"] is True
    assert report["chain"] == [report["issuer"]]


def test_a_certificate_in_the_warning_window_warns_on_stderr_and_exits_0(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cert, key = write_leaf(trustme.CA(), tmp_path, "CSPAPIUser1", days=20.5)

    code = smt(["certs", "check", "--cert", str(cert), "--key", str(key)])

    out, err = capsys.readouterr()
    assert code == 0
    assert "days left:    20" in out
    assert err.startswith("smt certs check: WARNING: expires in 20 days (under 30)")


@pytest.mark.parametrize(("days", "expired"), [(3.5, False), (90, True)])
def test_a_failing_certificate_prints_the_report_and_raises_for_exit_3(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], days: float, expired: bool
) -> None:
    cert, key = write_leaf(trustme.CA(), tmp_path, "CSPAPIUser1", days=days, expired=expired)

    with pytest.raises(CertificateError, match="FAILING") as caught:
        smt(["certs", "check", "--cert", str(cert), "--key", str(key), "--json"])

    report = json.loads(capsys.readouterr().out)
    assert report["status"] == "failing"
    assert caught.value.path == str(cert)
    assert caught.value.days_left == report["days_left"]
    assert report["days_left"] < 0 if expired else report["days_left"] == 3


def test_thresholds_are_options(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cert, key = write_leaf(trustme.CA(), tmp_path, "CSPAPIUser1", days=20.5)
    args = ["certs", "check", "--cert", str(cert), "--key", str(key)]

    assert smt([*args, "--warn-days", "10"]) == 0
    assert capsys.readouterr().err == ""
    with pytest.raises(CertificateError):
        smt([*args, "--warn-days", "60", "--fail-days", "30"])


def test_usage_errors(
    certs: CertificateSet, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    p12 = ["certs", "check", "--pkcs12", str(certs.client_p12)]
    with pytest.raises(ConfigurationError, match="SMT_UNSET_VARIABLE"):
        smt([*p12, "--password-env", "SMT_UNSET_VARIABLE"])
    with pytest.raises(ConfigurationError, match="--key goes with --cert"):
        smt([*p12, "--key", str(certs.client_key)])
    with pytest.raises(ConfigurationError, match="cannot read the password file"):
        smt([*p12, "--password-file", str(tmp_path / "missing")])
    with pytest.raises(CertificateError, match="no password was given"):
        smt(p12)
    for argv in (
        [*p12, "--password", SECRET],  # no such option: passwords stay off the command line
        [*p12, "--cert", str(certs.client_cert)],
        ["certs", "check"],
        [*p12, "--fail-days", "-1"],
    ):
        with pytest.raises(SystemExit) as caught:
            smt(argv)
        assert caught.value.code == 2
    capsys.readouterr()


def test_a_missing_certificate_file_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError) as caught:
        smt(["certs", "check", "--cert", str(tmp_path / "nothing.pem")])
    assert caught.value.field == "--cert"
