"""The same mock data read through the API and through a delivered report file gives the
same readings: SOAP over mutual TLS on one side; on the other, the mock's report drop
(zipped, PGP-armoured with the real gpg), its SFTP server, and ReportClient's pull."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path

import gnupg
import pytest

from adapter.clients.reports import ReportClient
from adapter.interval import decode_days
from adapter.mock.config import OdrSettings
from adapter.mock.delivery_settings import ReportSettings as DropSettings
from adapter.mock.sftp import SftpServer
from adapter.mock.ssh_keys import load_host_key
from adapter.records import Acknowledgement, EnergyDataRequest, IntervalDay
from adapter.reports.dead_letters import DeadLetters
from adapter.reports.dispatch import iter_report_records
from adapter.reports.settings import ReportSettings
from adapter.settings import AuthProfile
from adapter.transport.sftp import SftpSettings, SftpTransport
from tests.clients.conftest import Era
from tests.mock.conftest import PASSWORDS
from tests.reports.keys import PgpKeys, receiving_home, session_keys

ESIID = "10443720008107413"


@pytest.fixture(scope="module")
def pgp_keys(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PgpKeys]:
    yield from session_keys(tmp_path_factory)


@pytest.fixture
def gnupghome(tmp_path: Path, pgp_keys: PgpKeys) -> Iterator[Path]:
    yield from receiving_home(tmp_path, pgp_keys)


def test_a_report_file_gives_the_readings_the_api_gives(
    serve: object, tmp_path: Path, pgp_keys: PgpKeys, gnupghome: Path
) -> None:
    public_key = tmp_path / "smt-reports.pub.asc"
    public_key.write_text(gnupg.GPG(gnupghome=str(pgp_keys.home)).export_keys(pgp_keys.fingerprint))
    drop_root = tmp_path / "drop"
    era: Era = serve(  # type: ignore[operator]
        AuthProfile.CERTIFICATE,
        reports=DropSettings(drop_root=drop_root, zip=True, pgp_public_key=public_key),
        odr=OdrSettings(delay_seconds=0),
    )
    request = EnergyDataRequest(
        requestor_id="CSPAPIUser1",
        requester_type="CSP",
        esiids=(ESIID,),
        start_date=date(2019, 4, 18),
        end_date=date(2019, 4, 20),
        reading_type="C",
    )
    client = era.client()
    by_api = list(client.iter_interval_readings(request))
    ack = client.interval_data(replace(request, delivery_mode="FTP"))
    assert isinstance(ack, Acknowledgement)
    assert era.app.backend.reports is not None
    era.app.backend.reports.join()

    host_key, _ = load_host_key(tmp_path / "host_key")
    with SftpServer(drop_root, accounts=era.app.settings.accounts, host_key=host_key) as sftp:
        login = SftpSettings(
            host=sftp.host,
            port=sftp.port,
            username="CSPAPIUser1",
            password=PASSWORDS["CSPAPIUser1"],
            fingerprint=sftp.fingerprint,
        )
        settings = ReportSettings(
            destination=tmp_path / "reports", gnupghome=gnupghome, settle_seconds=0
        )
        with SftpTransport(login) as transport, ReportClient(settings, transport) as reports:
            summary = reports.pull()

    (placed,) = summary.placed
    assert ack.correlation_id in placed.name and summary.failed == ()
    dead = DeadLetters()
    with placed.open("rb") as stream:
        days = [
            d for d in iter_report_records(placed.name, stream, dead) if isinstance(d, IntervalDay)
        ]
    assert len(dead) == 0 and len(days) == 3
    assert list(decode_days(days)) == by_api
