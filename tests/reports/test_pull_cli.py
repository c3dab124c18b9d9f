"""``smt reports pull`` in process against the mock's real SFTP and FTPS servers:
settings from [reports] and the environment, secrets never from the command line."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from pathlib import Path

import pytest

from adapter.cli.pull import add_pull
from adapter.cli.pull_config import load_pull_settings
from adapter.errors import ConfigurationError, TransportError
from adapter.reports.settings import ReportSettings
from adapter.transport.ftps import FtpsSettings
from tests.reports.keys import PgpKeys, receiving_home, session_keys
from tests.reports.servers import PASSWORD, SERVICE_ID, ftps_site, sftp_site
from tests.reports.test_report_client import drop_report, interval_csv, report_name


@pytest.fixture(scope="module")
def pgp_keys(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PgpKeys]:
    yield from session_keys(tmp_path_factory)


@pytest.fixture
def gnupghome(tmp_path: Path, pgp_keys: PgpKeys) -> Iterator[Path]:
    yield from receiving_home(tmp_path, pgp_keys)


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="smt reports")
    add_pull(parser.add_subparsers(dest="action", required=True))
    return parser.parse_args(["pull", *argv])


def test_pull_over_sftp_with_settings_from_the_toml_file(
    tmp_path: Path, gnupghome: Path, pgp_keys: PgpKeys, capsys: pytest.CaptureFixture[str]
) -> None:
    with sftp_site(tmp_path / "server") as site:
        drop_report(site, pgp_keys, 1, interval_csv())
        config = tmp_path / "smt.toml"
        config.write_text(
            "[reports]\n"
            f'host = "127.0.0.1"\nport = {site.server.port}\nusername = "{SERVICE_ID}"\n'
            f'ssh_key_file = "{site.client_key}"\nfingerprint = "{site.server.fingerprint}"\n'
            f'destination = "out"\ngnupghome = "{gnupghome}"\nsettle_seconds = 0\n'
        )
        args = parse(["--config", str(config), "--delete-remote"])
        assert args.run(args) == 0
        assert "1 file(s) placed, 1 record(s)" in capsys.readouterr().out
        inner = report_name(1).removesuffix(".zip.asc")
        assert (tmp_path / "out" / "adhocusage" / inner).read_bytes() == interval_csv()
        assert list((site.root / "adhocusage").iterdir()) == []
        # an unknown host key is refused before anything is sent
        known = tmp_path / "known_hosts"
        known.write_text("")
        args = parse(["--config", str(config), "--known-hosts", str(known)])
        args.fingerprint = None
        config.write_text(config.read_text().replace("fingerprint", "# fingerprint"))
        with pytest.raises(TransportError, match="unknown"):
            args.run(args)


def test_a_refused_file_exits_1(
    tmp_path: Path, gnupghome: Path, pgp_keys: PgpKeys, capsys: pytest.CaptureFixture[str]
) -> None:
    with sftp_site(tmp_path / "server") as site:
        drop_report(site, pgp_keys, 1, interval_csv(), to_other=True)
        args = parse(
            ["--host", "127.0.0.1", "--port", str(site.server.port), "--username", SERVICE_ID,
             "--ssh-key", str(site.client_key), "--fingerprint", site.server.fingerprint,
             "--destination", str(tmp_path / "out"), "--gnupghome", str(gnupghome),
             "--folder", "adhocusage", "--config", str(tmp_path / "none.toml")]
        )  # fmt: skip
        (tmp_path / "none.toml").write_text("[reports]\nsettle_seconds = 0\n")
        assert args.run(args) == 1
        assert "secret key" in capsys.readouterr().err


def test_ftps_needs_its_password_from_the_environment_and_refuses_without_a_certificate(
    tmp_path: Path, gnupghome: Path
) -> None:
    with ftps_site(tmp_path / "server") as site:
        base = ["--via", "ftps", "--host", "127.0.0.1", "--port", str(site.server.port),
                "--username", SERVICE_ID, "--destination", str(tmp_path / "out"),
                "--ca-file", str(site.ca_file), "--config", str(tmp_path / "c.toml")]  # fmt: skip
        (tmp_path / "c.toml").write_text("[reports]\nsettle_seconds = 0\n")
        with pytest.raises(ConfigurationError, match="SMT_REPORTS_PASSWORD"):
            load_pull_settings(parse(base), {})
        with pytest.raises(ConfigurationError, match="client certificate") as caught:
            load_pull_settings(parse(base), {"SMT_REPORTS_PASSWORD": PASSWORD})
        assert caught.value.field == "reports.cert_file"
        cert = site.certificate.cert_file
        with_cert = parse([*base, "--cert", str(cert)])
        _, connection = load_pull_settings(with_cert, {"SMT_REPORTS_PASSWORD": PASSWORD})
        assert isinstance(connection, FtpsSettings) and connection.certificate is not None
        assert PASSWORD not in repr(connection)
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("SMT_REPORTS_PASSWORD", PASSWORD)
            assert with_cert.run(with_cert) == 0


def test_folders_must_be_a_list_of_names(tmp_path: Path) -> None:
    config = tmp_path / "smt.toml"
    config.write_text('[reports]\ndestination = "out"\nfolders = "adhocusage"\n')
    with pytest.raises(ConfigurationError) as caught:
        load_pull_settings(parse(["--config", str(config)]), {})
    assert caught.value.field == "reports.folders"


@pytest.mark.parametrize("folder", ["/adhocusage", "..", "a/../../b", "a\\b", "a\0b"])
def test_a_folder_that_could_leave_the_destination_is_refused(folder: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        ReportSettings(destination=Path("out"), folders=(folder,))
    assert caught.value.field == "reports.folders"


def test_ftps_settings_require_a_client_certificate() -> None:
    with pytest.raises(ConfigurationError) as caught:
        FtpsSettings(host="h", username=SERVICE_ID, password=PASSWORD, certificate=None)  # type: ignore[arg-type]
    assert caught.value.field == "certificate"
