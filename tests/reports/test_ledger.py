"""The no-loss ledger: rows survive reopening, identities find what was taken in, and
only known fields and states are written."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapter.errors import ConfigurationError
from adapter.reports.ledger import STEPS, Ledger


def test_a_row_moves_through_the_steps_and_survives_reopening(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "ledger.sqlite"
    with Ledger(path) as ledger:
        entry = ledger.add("adhocusage/a.asc", 10, 1_700_000_000)
        assert entry.state == "listed" and not entry.done
        for step in STEPS[1:7]:
            entry = ledger.update(entry, state=step)
        entry = ledger.update(entry, sha256="ab" * 32, placed_path="/x/a", records=3)
    with Ledger(path) as ledger:
        (again,) = ledger.entries()
        assert (again.state, again.sha256, again.records) == ("recorded", "ab" * 32, 3)
        assert again.done and ledger.unfinished() == []
        assert ledger.unfinished(with_recorded=True) == [again]
        assert ledger.find_seen("adhocusage/a.asc", 10, 1_700_000_000) == again
        assert ledger.find_seen("adhocusage/a.asc", 11, 1_700_000_000) is None
        assert ledger.placed_paths() == {"/x/a"}


def test_the_same_content_under_the_same_name_is_a_duplicate(tmp_path: Path) -> None:
    with Ledger(tmp_path / "l.sqlite") as ledger:
        first = ledger.add("adhocusage/a.asc", 10, 1)
        first = ledger.update(first, state="recorded", sha256="s1")
        second = ledger.update(ledger.add("adhocusage/a.asc", 10, 2), sha256="s1")
        other = ledger.update(ledger.add("adhocusage/a.asc", 10, 3), sha256="s2")
        assert ledger.find_duplicate(second) == first
        assert ledger.find_duplicate(other) is None
        assert [e.id for e in ledger.unfinished()] == [second.id, other.id]


def test_unknown_fields_and_states_are_refused(tmp_path: Path) -> None:
    with Ledger(tmp_path / "l.sqlite") as ledger:
        entry = ledger.add("a", 1, 1)
        with pytest.raises(ValueError, match="not a ledger field"):
            ledger.update(entry, state="lost")
        with pytest.raises(ValueError, match="not a ledger field"):
            ledger.update(entry, remote_path="b; DROP TABLE report_files")


def test_a_file_that_is_not_a_ledger_is_a_configuration_error(tmp_path: Path) -> None:
    path = tmp_path / "l.sqlite"
    path.write_bytes(b"not sqlite at all" * 100)
    with pytest.raises(ConfigurationError) as caught:
        Ledger(path)
    assert caught.value.field == "ledger"
