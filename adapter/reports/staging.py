"""Local file chores of taking a report in: names, hashes, member lists, durable
renames. Pure: no transport."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from adapter.errors import ConfigurationError
from adapter.reports.names import ReportName, parse_report_name

__all__ = [
    "ARMOUR",
    "DEAD_LETTERS_SUFFIX",
    "member_files",
    "parse_name",
    "placed_path",
    "report_file_name",
    "sha256_file",
    "sync_folder",
]

ARMOUR = (".asc", ".pgp", ".gpg")
DEAD_LETTERS_SUFFIX = ".dead-letters.csv"


def parse_name(name: str) -> ReportName | None:
    """``name`` read as an SMT report name, or None when it is not one."""
    try:
        return parse_report_name(name)
    except ConfigurationError:
        return None


def report_file_name(remote_name: str) -> str:
    """The remote name without its ``.asc`` / ``.zip`` wrapping: what the file placed in
    the destination is called."""
    parsed = parse_name(remote_name)
    if parsed is not None:
        return parsed.inner
    name = remote_name
    for suffix in (*ARMOUR, ".zip"):
        if name.lower().endswith(suffix):
            name = name[: -len(suffix)]
    return name


def member_files(folder: Path) -> list[Path]:
    """The extracted files of ``folder`` (dead letters left out), sorted."""
    if not folder.is_dir():
        return []
    return sorted(
        p for p in folder.iterdir() if p.is_file() and not p.name.endswith(DEAD_LETTERS_SUFFIX)
    )


def placed_path(base: Path, member: str, count: int) -> Path:
    """Where member ``member`` of a report placed at ``base`` goes (``base`` itself when
    the report has one file)."""
    return base if count <= 1 else base.with_name(f"{base.name}--{member}")


def sha256_file(path: Path) -> str:
    """The hex SHA-256 of ``path``. Raises ``OSError`` when it cannot be read."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def sync_folder(folder: Path) -> None:
    """fsync ``folder`` so that renames into it survive a power cut (POSIX only)."""
    if os.name != "posix":
        return
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
