"""What one ``ReportClient.pull`` did: ``PullSummary``, and the ``Tally`` that collects it
while the pull runs."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["PullSummary", "Tally"]


@dataclass(frozen=True, slots=True)
class PullSummary:
    """What one ``pull`` did: files ``placed`` (destination paths), ``records`` parsed,
    ``dead_letters`` written, remote paths ``skipped`` (taken in before), ``growing``
    (left for the next run), ``duplicates`` (same content as a file taken in before),
    ``failed`` ((remote path, reason): left in the ledger, retried next run) and
    ``refused`` ((remote path, reason): a listed name that could leave its folder, never
    downloaded)."""

    placed: tuple[Path, ...] = ()
    records: int = 0
    dead_letters: int = 0
    skipped: tuple[str, ...] = ()
    growing: tuple[str, ...] = ()
    duplicates: tuple[str, ...] = ()
    failed: tuple[tuple[str, str], ...] = field(default=())
    refused: tuple[tuple[str, str], ...] = field(default=())


@dataclass
class Tally:
    """What a ``pull`` has done so far; ``summary`` freezes it."""

    skipped: list[str]
    growing: list[str]
    placed: list[Path] = field(default_factory=list)
    records: int = 0
    dead_letters: int = 0
    duplicates: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)

    def summary(self) -> PullSummary:
        return PullSummary(
            placed=tuple(self.placed),
            records=self.records,
            dead_letters=self.dead_letters,
            skipped=tuple(self.skipped),
            growing=tuple(self.growing),
            duplicates=tuple(self.duplicates),
            failed=tuple(self.failed),
            refused=tuple(self.refused),
        )
