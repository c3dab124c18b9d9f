"""Frozen settings of ``ReportClient``: where reports go, the ledger, the PGP key, what to
pull and the caps that stop a ZIP bomb. Built in code or by the CLI (``smt reports
pull``) from ``[reports]`` in the TOML file and the environment; checked on construction.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

from adapter.errors import ConfigurationError

__all__ = ["DEFAULT_FOLDERS", "ReportSettings"]

DEFAULT_FOLDERS = ("adhocusage", "intervaldata")


@dataclass(frozen=True, slots=True, kw_only=True)
class ReportSettings:
    """``destination`` receives the reports (``<destination>/<folder>/<report name>``)
    and, beside each, its dead letters; ``ledger`` defaults to
    ``<destination>/.smt-reports.sqlite`` and ``work_folder`` (downloads, decrypted and
    extracted files; on the destination's file system so renames are atomic) to
    ``<destination>/.smt-work``. ``gnupghome`` is a private GNUPGHOME holding the key
    (``private_key_file`` is imported into it when given); ``passphrase`` unlocks it and
    never appears in a repr. ``delete_remote`` removes a remote file once it is recorded.
    ``max_bytes`` caps a report's decompressed size, ``max_ratio`` its compression ratio,
    ``max_members`` the files in one ZIP. ``settle_seconds`` separates the two listings
    that tell a finished file from one still being written.

    Raises ``ConfigurationError`` naming the field when a value is out of range."""

    destination: Path
    ledger: Path | None = None
    work_folder: Path | None = None
    gnupghome: Path | None = None
    private_key_file: Path | None = None
    passphrase: str | None = field(default=None, repr=False)
    delete_remote: bool = False
    folders: tuple[str, ...] = DEFAULT_FOLDERS
    max_bytes: int = 2 * 1024**3
    max_ratio: float = 1000.0
    max_members: int = 1
    settle_seconds: float = 2.0

    def __post_init__(self) -> None:
        if (
            not isinstance(self.folders, tuple)
            or not self.folders
            or any(_folder_problem(f) for f in self.folders)
        ):
            raise ConfigurationError(
                f"reports.folders: {self.folders!r} must name remote folders relative to the "
                "account's (no leading '/', no '\\', '..' or NUL)",
                field="reports.folders",
                value=repr(self.folders),
            )
        checks = (
            ("max_bytes", self.max_bytes, 1, 2**50),
            ("max_ratio", self.max_ratio, 1, 10**6),
            ("max_members", self.max_members, 1, 10_000),
            ("settle_seconds", self.settle_seconds, 0, 3600),
        )
        for name, value, low, high in checks:
            if (
                isinstance(value, bool)
                or not isinstance(value, int | float)
                or not math.isfinite(value)
                or not low <= value <= high
            ):
                raise ConfigurationError(
                    f"reports.{name}: {value!r} must be a number from {low} to {high}",
                    field=f"reports.{name}",
                    value=repr(value),
                )
        if self.private_key_file is not None and self.gnupghome is None:
            raise ConfigurationError(
                "reports.private_key_file needs reports.gnupghome (a private folder for gpg)",
                field="reports.gnupghome",
                value="",
            )

    @property
    def ledger_path(self) -> Path:
        return self.ledger or self.destination / ".smt-reports.sqlite"

    @property
    def work_path(self) -> Path:
        return self.work_folder or self.destination / ".smt-work"


def _folder_problem(folder: object) -> bool:
    """True when ``folder`` could lead outside the destination once joined to it."""
    if not isinstance(folder, str) or not folder.strip("/"):
        return True
    return (
        folder.startswith("/")
        or "\\" in folder
        or "\0" in folder
        or any(part in ("..", ".") for part in folder.split("/"))
    )
