"""The on-demand read quota: counted in a real SQLite file, refused before sending."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from adapter.errors import ConfigurationError, QuotaExceededError
from adapter.quota import OdrLimits, OdrQuota

ONCOR = "10443720008107413"
START = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


def test_a_third_read_in_an_hour_is_refused_until_the_first_is_an_hour_old(
    tmp_path: Path,
) -> None:
    clock = Clock()
    quota = OdrQuota(tmp_path / "odr.sqlite", clock=clock)
    quota.reserve(ONCOR)
    clock.now += timedelta(minutes=10)
    quota.reserve(ONCOR)

    with pytest.raises(QuotaExceededError) as caught:
        quota.reserve(ONCOR)

    assert caught.value.esiid == ONCOR and caught.value.next_allowed == START + timedelta(hours=1)
    assert "2 of its 2 reads an hour" in str(caught.value)
    clock.now = START + timedelta(hours=1)
    quota.reserve(ONCOR)  # the first read has left the hour
    assert quota.sent(ONCOR) == 3


def test_the_count_survives_a_new_process_and_a_release_gives_the_read_back(
    tmp_path: Path,
) -> None:
    clock = Clock()
    first = OdrQuota(tmp_path / "odr.sqlite", OdrLimits(per_esiid_hour=1), clock=clock)
    reservation = first.reserve(ONCOR)

    again = OdrQuota(tmp_path / "odr.sqlite", OdrLimits(per_esiid_hour=1), clock=clock)
    with pytest.raises(QuotaExceededError):
        again.reserve(ONCOR)
    again.release(reservation)
    again.reserve(ONCOR)


def test_the_daily_limits_per_esiid_and_per_tdu(tmp_path: Path) -> None:
    clock = Clock()
    limits = OdrLimits(per_esiid_hour=10, per_esiid_day=3, per_tdu_day=4)
    quota = OdrQuota(tmp_path / "odr.sqlite", limits, clock=clock)
    for _ in range(3):
        quota.reserve(ONCOR)
        clock.now += timedelta(hours=2)
    with pytest.raises(QuotaExceededError) as per_esiid:
        quota.reserve(ONCOR)
    quota.reserve("10443720000000001")  # another Oncor ESIID: the TDU's fourth
    with pytest.raises(QuotaExceededError) as per_tdu:
        quota.reserve("10443720000000002")

    assert "a day" in per_esiid.value.limit and per_esiid.value.esiid == ONCOR
    assert per_tdu.value.limit == "4 a day for TDU ONCOR"
    assert per_tdu.value.next_allowed == START + timedelta(days=1)


def test_limits_must_be_whole_numbers() -> None:
    with pytest.raises(ConfigurationError) as caught:
        OdrLimits(per_esiid_hour=0)
    assert caught.value.field == "odr.per_esiid_hour"


def test_a_ledger_that_cannot_be_used_is_a_configuration_error(tmp_path: Path) -> None:
    not_a_database = tmp_path / "odr.sqlite"
    not_a_database.write_text("this is not SQLite")

    with pytest.raises(ConfigurationError) as caught:
        OdrQuota(not_a_database)

    assert caught.value.field == "client.odr.ledger" and str(not_a_database) in str(caught.value)


def test_a_naive_clock_is_refused(tmp_path: Path) -> None:
    quota = OdrQuota(tmp_path / "odr.sqlite", clock=lambda: datetime(2026, 11, 30, 12, 0))

    with pytest.raises(ConfigurationError):
        quota.reserve(ONCOR)


def _reserve_five(path: str) -> int:
    quota = OdrQuota(Path(path))
    granted = 0
    for _ in range(5):
        try:
            quota.reserve(ONCOR)
            granted += 1
        except QuotaExceededError:
            pass
    return granted


def test_processes_sharing_a_ledger_never_exceed_the_limit(tmp_path: Path) -> None:
    import multiprocessing

    ledger = str(tmp_path / "odr.sqlite")
    OdrQuota(Path(ledger))  # created once, before the race
    with multiprocessing.get_context("spawn").Pool(6) as pool:
        granted = pool.map(_reserve_five, [ledger] * 6)

    assert sum(granted) == 2  # SMT's two an hour, across every process
