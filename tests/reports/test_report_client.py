"""ReportClient end to end against the mock's real SFTP server and the real gpg: every
report taken in exactly once, whatever fails or crashes on the way."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from adapter.clients.reports import ReportClient
from adapter.errors import TransportError
from adapter.reports.ledger import STEPS, Ledger, LedgerEntry
from adapter.reports.settings import ReportSettings
from adapter.transport.sftp import SftpTransport
from tests.conftest import ROOT
from tests.reports.keys import PgpKeys, receiving_home, session_keys, zip_bytes
from tests.reports.servers import SERVICE_ID, SftpSite, sftp_site


@pytest.fixture(scope="module")
def pgp_keys(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PgpKeys]:
    yield from session_keys(tmp_path_factory)


@pytest.fixture
def gnupghome(tmp_path: Path, pgp_keys: PgpKeys) -> Iterator[Path]:
    yield from receiving_home(tmp_path, pgp_keys)


HEADER = (
    "ESIID,USAGE_DATE,REVISION_DATE,USAGE_START_TIME,USAGE_END_TIME,USAGE_KWH,"
    "ESTIMATED_ACTUAL,CONSUMPTION_SURPLUSGENERATION"
)


def interval_csv(esiid: str = "1008901000000000000001", kwh: str = "0.25") -> bytes:
    rows = [HEADER]
    for i in range(96):
        start, end = i * 15, (i + 1) * 15
        rows.append(
            f"{esiid},01/02/2025,01/03/2025 10:00:00,{start // 60:02d}:{start % 60:02d},"
            f"{end // 60:02d}:{end % 60:02d},{kwh},A,Consumption"
        )
    return ("\r\n".join(rows) + "\r\n").encode()


def report_name(number: int) -> str:
    return f"IntervalMeterUsage{number:024x}.CSV.{number}.zip.asc"


def drop_report(site: SftpSite, keys: PgpKeys, number: int, csv: bytes, **kw: bool) -> str:
    inner = report_name(number).removesuffix(".zip.asc")
    site.drop(f"adhocusage/{report_name(number)}", keys.encrypt(zip_bytes({inner: csv}), **kw))
    return f"adhocusage/{report_name(number)}"


@pytest.fixture
def site(tmp_path: Path) -> Iterator[SftpSite]:
    with sftp_site(tmp_path / "server") as running:
        yield running


def settings(tmp_path: Path, gnupghome: Path, **changes: object) -> ReportSettings:
    values: dict[str, object] = {
        "destination": tmp_path / "reports",
        "gnupghome": gnupghome,
        "settle_seconds": 0,
    }
    values.update(changes)
    return ReportSettings(**values)  # type: ignore[arg-type]


def pull(site: SftpSite, config: ReportSettings, **options: object) -> object:
    with (
        SftpTransport(site.settings()) as transport,
        ReportClient(config, transport, **options) as client,  # type: ignore[arg-type]
    ):
        return client.pull()


def placed(tmp_path: Path) -> dict[str, bytes]:
    folder = tmp_path / "reports" / "adhocusage"
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())} if folder.exists() else {}


def ledger_states(config: ReportSettings) -> list[str]:
    with Ledger(config.ledger_path) as ledger:
        return [e.state for e in ledger.entries()]


def test_reports_are_taken_in_once_and_a_second_run_pulls_nothing(
    tmp_path: Path, gnupghome: Path, pgp_keys: PgpKeys, site: SftpSite
) -> None:
    drop_report(site, pgp_keys, 1, interval_csv())
    drop_report(site, pgp_keys, 2, interval_csv("1008901000000000000002"))
    config = settings(tmp_path, gnupghome)
    summary = pull(site, config)
    assert summary.records == 2  # type: ignore[attr-defined]
    assert placed(tmp_path) == {
        report_name(1).removesuffix(".zip.asc"): interval_csv(),
        report_name(2).removesuffix(".zip.asc"): interval_csv("1008901000000000000002"),
    }
    assert ledger_states(config) == ["recorded", "recorded"]
    assert list(config.work_path.iterdir()) == []
    again = pull(site, config)
    assert len(again.skipped) == 2 and again.placed == ()  # type: ignore[attr-defined]
    assert ledger_states(config) == ["recorded", "recorded"]


def test_delete_remote_removes_only_what_was_recorded(
    tmp_path: Path, gnupghome: Path, pgp_keys: PgpKeys, site: SftpSite
) -> None:
    good = drop_report(site, pgp_keys, 1, interval_csv())
    bad = drop_report(site, pgp_keys, 2, interval_csv(), to_other=True)
    config = settings(tmp_path, gnupghome, delete_remote=True)
    summary = pull(site, config)
    assert not (site.root / good).exists()
    assert (site.root / bad).exists()  # never touched: it was not taken in
    assert [f[0] for f in summary.failed] == [bad]  # type: ignore[attr-defined]
    assert "secret key" in summary.failed[0][1]  # type: ignore[attr-defined]
    assert ledger_states(config) == ["removed", "downloaded"]


def test_a_dropped_connection_is_resumed_by_the_next_run(
    tmp_path: Path, gnupghome: Path, pgp_keys: PgpKeys
) -> None:
    noise = iter(os.urandom(200 * 96))  # kWh values that do not compress
    rows = [
        row.replace(b",0.25,", b",%d.%03d," % (next(noise), n))
        for n in range(200)
        for row in interval_csv(f"10089010000000000{n:05d}").splitlines(keepends=True)[1:]
    ]
    big = HEADER.encode() + b"\r\n" + b"".join(rows)
    with sftp_site(tmp_path / "server", drop_after_bytes=40_000) as site:
        remote = drop_report(site, pgp_keys, 1, big)
        assert (site.root / remote).stat().st_size > 80_000
        config = settings(tmp_path, gnupghome)
        with pytest.raises(TransportError):
            pull(site, config)
        assert ledger_states(config) == ["listed"]
        (part,) = config.work_path.glob("*.part")
        assert 0 < part.stat().st_size <= 40_000
        summary = pull(site, config)
    assert placed(tmp_path)[report_name(1).removesuffix(".zip.asc")] == big
    assert summary.records == 200  # type: ignore[attr-defined]
    assert ledger_states(config) == ["recorded"]


def test_a_file_still_growing_is_left_for_the_next_run(
    tmp_path: Path, gnupghome: Path, pgp_keys: PgpKeys, site: SftpSite
) -> None:
    drop_report(site, pgp_keys, 1, interval_csv())
    growing = site.drop("adhocusage/" + report_name(2), b"-----BEGIN PGP MESSAGE-----\n")
    config = settings(tmp_path, gnupghome, settle_seconds=0.01)

    def pause(seconds: float) -> None:  # SMT is still writing the second file
        with growing.open("ab") as stream:
            stream.write(b"more\n")

    summary = pull(site, config, pause=pause)
    assert summary.growing == ("adhocusage/" + report_name(2),)  # type: ignore[attr-defined]
    assert len(placed(tmp_path)) == 1
    drop_report(site, pgp_keys, 2, interval_csv("1008901000000000000002"))  # finished
    summary = pull(site, config, pause=lambda s: None)
    assert len(placed(tmp_path)) == 2 and summary.growing == ()  # type: ignore[attr-defined]


def test_a_duplicate_name_with_other_content_is_kept_under_a_distinct_name(
    tmp_path: Path, gnupghome: Path, pgp_keys: PgpKeys, site: SftpSite
) -> None:
    remote = drop_report(site, pgp_keys, 1, interval_csv())
    config = settings(tmp_path, gnupghome)
    pull(site, config)
    drop_report(site, pgp_keys, 1, interval_csv(kwh="0.50"))  # same name, new content
    pull(site, config)
    files = placed(tmp_path)
    assert sorted(files.values()) == sorted([interval_csv(), interval_csv(kwh="0.50")])
    assert len(files) == 2
    # the same content again (new mtime, same bytes): a duplicate, not placed again
    data = (site.root / remote).read_bytes()
    (site.root / remote).write_bytes(data)
    os.utime(site.root / remote, (1_800_000_000, 1_800_000_000))
    summary = pull(site, config)
    assert summary.duplicates == (remote,)  # type: ignore[attr-defined]
    assert len(placed(tmp_path)) == 2
    # the same name in the other folder (the mock's duplicate-name scenario): its own file
    site.drop("intervaldata/" + report_name(1), data)
    pull(site, config)
    inner = report_name(1).removesuffix(".zip.asc")
    assert (tmp_path / "reports" / "intervaldata" / inner).read_bytes() == interval_csv(kwh="0.50")


@pytest.mark.parametrize("damage", ["truncated", "tampered", "zip bomb"])
def test_a_damaged_report_is_refused_and_leaves_no_plaintext(
    tmp_path: Path, gnupghome: Path, pgp_keys: PgpKeys, site: SftpSite, damage: str
) -> None:
    if damage == "zip bomb":
        inner = report_name(1).removesuffix(".zip.asc")
        bomb = zip_bytes({inner: HEADER.encode() + b"\r\n" + b"0" * 5_000_000})
        site.drop("adhocusage/" + report_name(1), pgp_keys.encrypt(bomb))
    else:
        remote = drop_report(site, pgp_keys, 1, interval_csv())
        lines = (site.root / remote).read_bytes().splitlines(keepends=True)
        if damage == "truncated":
            lines = lines[: len(lines) // 2] + lines[-1:]
        else:
            lines[3] = lines[3][:5] + (b"A" if lines[3][5:6] != b"A" else b"B") + lines[3][6:]
        (site.root / remote).write_bytes(b"".join(lines))
    config = settings(tmp_path, gnupghome, max_bytes=1_000_000, max_ratio=100)
    summary = pull(site, config)
    assert len(summary.failed) == 1  # type: ignore[attr-defined]
    assert placed(tmp_path) == {}
    with Ledger(config.ledger_path) as ledger:
        (row,) = ledger.entries()
    assert (row.state, row.attempts) == ("downloaded", 1) and row.error  # fetched twice
    assert (site.root / "adhocusage" / report_name(1)).exists()  # left on the server
    leftovers = [p.name for p in config.work_path.rglob("*") if p.is_file()]
    assert all(name.endswith(".part") for name in leftovers), leftovers  # ciphertext only


CRASH_POINTS = [s for step in STEPS[1:] for s in (step, f"{step}:committed")]


class Crash(BaseException):
    """Stands for the process dying at a step boundary."""


@pytest.mark.parametrize("point", CRASH_POINTS)
def test_a_crash_at_any_step_is_completed_by_the_next_run(
    tmp_path: Path, gnupghome: Path, pgp_keys: PgpKeys, site: SftpSite, point: str
) -> None:
    first = drop_report(site, pgp_keys, 1, interval_csv())
    drop_report(site, pgp_keys, 2, interval_csv("1008901000000000000002"))
    config = settings(tmp_path, gnupghome, delete_remote=True)

    def hook(step: str, entry: LedgerEntry) -> None:
        if step == point and entry.remote_path == first:
            raise Crash(step)

    with pytest.raises(Crash):
        pull(site, config, hook=hook)
    completing = pull(site, config)
    assert list(config.work_path.iterdir()) == []
    placed_before = STEPS.index(point.split(":")[0]) > STEPS.index("placed") or point == (
        "placed:committed"
    )  # the first file's records are counted by the run that places it
    assert completing.records == (1 if placed_before else 2)  # type: ignore[attr-defined]
    pull(site, config)
    assert sorted(placed(tmp_path).values()) == sorted(
        [interval_csv(), interval_csv("1008901000000000000002")]
    )
    assert ledger_states(config) == ["removed", "removed"]
    assert list((site.root / "adhocusage").iterdir()) == []
    assert list(config.work_path.iterdir()) == []


@pytest.mark.parametrize("point", ["downloaded", "extracted:committed", "placed", "removed"])
def test_a_process_killed_at_a_step_is_completed_by_the_next_run(
    tmp_path: Path, gnupghome: Path, pgp_keys: PgpKeys, site: SftpSite, point: str
) -> None:
    drop_report(site, pgp_keys, 1, interval_csv())
    config = settings(tmp_path, gnupghome, delete_remote=True)
    spec = tmp_path / "pull.json"
    spec.write_text(
        json.dumps(
            {
                "port": site.server.port,
                "username": SERVICE_ID,
                "key_file": str(site.client_key),
                "fingerprint": site.server.fingerprint,
                "destination": str(config.destination),
                "gnupghome": str(gnupghome),
            }
        )
    )
    killed = subprocess.run(
        [sys.executable, "-m", "tests.reports.pull_once", str(spec), point],
        cwd=ROOT,
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    pull(site, config)
    assert list(placed(tmp_path).values()) == [interval_csv()]
    assert ledger_states(config) == ["removed"]
    assert list(config.work_path.iterdir()) == []
