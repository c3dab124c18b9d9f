"""ReportClient against hostile or broken input, on the mock's real SFTP server and the
real gpg: bytes that are not UTF-8, names and folders that would leave the destination, a
work folder on another file system, a corrupt resumed download, and crashes the step
hooks cannot reach."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from adapter.clients.reports import PullSummary, ReportClient
from adapter.errors import ConfigurationError, TransportError
from adapter.reports.ledger import Ledger, LedgerEntry
from adapter.transport.sftp import SftpTransport
from tests.reports.keys import PgpKeys, receiving_home, session_keys
from tests.reports.servers import HOSTILE_NAMES, SftpSite, list_hostile_names, sftp_site
from tests.reports.test_report_client import (
    HEADER,
    drop_report,
    interval_csv,
    ledger_states,
    placed,
    pull,
    report_name,
    settings,
)


@pytest.fixture(scope="module")
def pgp_keys(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PgpKeys]:
    yield from session_keys(tmp_path_factory)


@pytest.fixture
def gnupghome(tmp_path: Path, pgp_keys: PgpKeys) -> Iterator[Path]:
    yield from receiving_home(tmp_path, pgp_keys)


@pytest.fixture
def site(tmp_path: Path) -> Iterator[SftpSite]:
    with sftp_site(tmp_path / "server") as running:
        yield running


def summary_of(site: SftpSite, config: object, **options: object) -> PullSummary:
    result = pull(site, config, **options)  # type: ignore[arg-type]
    assert isinstance(result, PullSummary)
    return result


def test_a_report_with_bytes_that_are_not_utf8_does_not_block_the_others(
    tmp_path: Path, gnupghome: Path, pgp_keys: PgpKeys, site: SftpSite
) -> None:
    broken = interval_csv() + b"caf\xe9,\xff\r\n" + b"\x00\x01" * 700_000  # no line break
    drop_report(site, pgp_keys, 1, broken)
    drop_report(site, pgp_keys, 2, interval_csv("1008901000000000000002"))
    config = settings(tmp_path, gnupghome)
    summary = summary_of(site, config)
    assert summary.failed == () and summary.records == 2 and summary.dead_letters == 1
    assert ledger_states(config) == ["recorded", "recorded"]
    letters = (tmp_path / "reports" / "adhocusage").glob("*.dead-letters.csv")
    assert "not UTF-8" in next(letters).read_text()


def test_a_destination_folder_that_leads_outside_is_refused(
    tmp_path: Path, gnupghome: Path, pgp_keys: PgpKeys, site: SftpSite
) -> None:
    drop_report(site, pgp_keys, 1, interval_csv())
    outside = tmp_path / "outside"
    outside.mkdir()
    (tmp_path / "reports").mkdir()
    (tmp_path / "reports" / "adhocusage").symlink_to(outside)
    config = settings(tmp_path, gnupghome)
    summary = summary_of(site, config)
    ((remote, reason),) = summary.failed
    assert remote == "adhocusage/" + report_name(1) and "outside the destination" in reason
    assert list(outside.iterdir()) == []


def test_hostile_remote_names_are_refused_and_the_rest_taken_in(
    tmp_path: Path,
    gnupghome: Path,
    pgp_keys: PgpKeys,
    site: SftpSite,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    good = drop_report(site, pgp_keys, 1, interval_csv())
    list_hostile_names(monkeypatch, "adhocusage", site.root / good)
    config = settings(tmp_path, gnupghome)
    summary = summary_of(site, config)
    assert summary.records == 1 and summary.failed == ()
    hostile = sorted(f"adhocusage/{n}" for n in HOSTILE_NAMES if n not in (".", ".."))
    assert [remote for remote, _ in summary.refused] == hostile
    assert ledger_states(config) == ["recorded"]
    assert sorted(p.name for p in tmp_path.rglob("*evil*")) == []


def test_a_work_folder_on_another_file_system_is_a_setting_error(
    tmp_path: Path, gnupghome: Path, pgp_keys: PgpKeys, site: SftpSite
) -> None:
    shm = Path("/dev/shm")
    if not shm.is_dir() or shm.stat().st_dev == tmp_path.stat().st_dev:
        pytest.skip("/dev/shm is missing or on the same file system as tmp_path")
    work = shm / f"smt-work-{os.getpid()}-{tmp_path.name}"
    drop_report(site, pgp_keys, 1, interval_csv())
    config = settings(tmp_path, gnupghome, work_folder=work)
    try:
        with pytest.raises(ConfigurationError) as caught:
            pull(site, config)
    finally:
        if work.exists():
            for leftover in work.iterdir():
                leftover.unlink()
            work.rmdir()
    assert str(work) in str(caught.value) and str(config.destination) in str(caught.value)
    assert placed(tmp_path) == {}


def test_a_corrupt_resumed_download_is_fetched_again(
    tmp_path: Path, gnupghome: Path, pgp_keys: PgpKeys
) -> None:
    big = HEADER.encode() + b"\r\n" + os.urandom(60_000).hex().encode()  # does not compress
    with sftp_site(tmp_path / "server", drop_after_bytes=40_000) as site:
        drop_report(site, pgp_keys, 1, big)
        config = settings(tmp_path, gnupghome)
        with pytest.raises(TransportError):
            pull(site, config)
        (part,) = config.work_path.glob("*.part")
        data = bytearray(part.read_bytes())
        data[200:260] = b"X" * 60  # what a resume onto another file would leave
        part.write_bytes(bytes(data))
        summary = summary_of(site, config)
    assert summary.failed == ()
    assert placed(tmp_path)[report_name(1).removesuffix(".zip.asc")] == big
    with Ledger(config.ledger_path) as ledger:
        (row,) = ledger.entries()
    assert (row.state, row.attempts) == ("recorded", 1)


class _DiesAfterRemoving(SftpTransport):
    def remove(self, path: str) -> None:
        super().remove(path)
        raise _Crash(path)


class _Crash(BaseException):
    """Stands for the process dying."""


def test_a_crash_between_removing_a_duplicate_and_recording_it_is_completed(
    tmp_path: Path, gnupghome: Path, pgp_keys: PgpKeys, site: SftpSite
) -> None:
    remote = drop_report(site, pgp_keys, 1, interval_csv())
    config = settings(tmp_path, gnupghome, delete_remote=True)
    data = (site.root / remote).read_bytes()
    pull(site, config)
    site.drop(remote, data, mtime=1_800_000_000)  # the same file again, newer
    with (
        _DiesAfterRemoving(site.settings()) as transport,
        ReportClient(config, transport) as client,
        pytest.raises(_Crash),
    ):
        client.pull()
    assert not (site.root / remote).exists()
    summary = summary_of(site, config)
    assert summary.failed == () and summary.placed == ()
    assert ledger_states(config) == ["removed", "duplicate"]
    assert len(placed(tmp_path)) == 1
    assert list(config.work_path.iterdir()) == []


def test_a_plain_report_is_extracted_as_a_link_to_the_verified_file(
    tmp_path: Path, gnupghome: Path, site: SftpSite
) -> None:
    name = report_name(1).removesuffix(".zip.asc")
    site.drop("adhocusage/" + name, interval_csv())
    seen: list[bool] = []

    def hook(step: str, entry: LedgerEntry) -> None:
        if step == "extracted":
            (member,) = Path(entry.decrypted_path or "").parent.glob("*.d/*")
            seen.append(member.samefile(entry.decrypted_path or ""))  # nothing unsynced

    summary = summary_of(site, settings(tmp_path, gnupghome), hook=hook)
    assert seen == [True] and summary.records == 1
    assert placed(tmp_path) == {name: interval_csv()}
