"""Local file chores of taking a report in: names, hashes, member lists, durable
renames and links, the work folder's housekeeping, and the checks that keep every file
inside the destination. Pure: no transport."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from collections.abc import Callable, Iterable
from pathlib import Path

from adapter.errors import ConfigurationError, ReportError
from adapter.reports.names import ReportName, parse_report_name

__all__ = [
    "ARMOUR",
    "DEAD_LETTERS_SUFFIX",
    "check_inside",
    "check_same_file_system",
    "link_durably",
    "member_files",
    "parse_name",
    "placed_path",
    "report_file_name",
    "sha256_file",
    "sweep_work_folder",
    "sync_folder",
    "work_file_name",
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


_WORK_ID = re.compile(r"(\d{6,})-")


def work_file_name(entry_id: int, size: int, mtime: float, name: str, suffix: str) -> str:
    """The work folder's name for a ledger row's file: the row id first (what
    ``sweep_work_folder`` reads), then the remote size and mtime, so that a download is
    only ever resumed from the same remote file."""
    return f"{entry_id:06d}-{size}-{mtime:.0f}-{name}{suffix}"


def sweep_work_folder(folder: Path, keep: Callable[[int], bool]) -> list[Path]:
    """Delete the files and folders of ``folder`` named for a ledger row (finished or
    abandoned) that ``keep``, given the row id, does not keep; return what was deleted.
    Other names are left alone."""
    swept = []
    for path in sorted(folder.iterdir()) if folder.is_dir() else []:
        found = _WORK_ID.match(path.name)
        if found is None or keep(int(found.group(1))):
            continue
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
        swept.append(path)
    return swept


def check_same_file_system(work: Path, destination: Path) -> None:
    """Raise ``ConfigurationError`` naming both folders when they are on different file
    systems: files are renamed from one into the other, atomically only on one."""
    if work.stat().st_dev != destination.stat().st_dev:
        raise ConfigurationError(
            f"reports.work_folder {work} is not on the file system of reports.destination "
            f"{destination}: reports are renamed from one into the other",
            field="reports.work_folder",
            value=str(work),
        )


def check_inside(destination: Path, targets: Iterable[Path], *, remote_name: str) -> None:
    """Raise ``ReportError`` naming the path when a target, resolved, is not inside the
    resolved ``destination``."""
    root = destination.resolve()
    for target in targets:
        if not target.resolve().is_relative_to(root):
            raise ReportError(
                f"{remote_name}: {target} is outside the destination {destination}",
                path=str(target),
                reason="outside the destination",
                remote_name=remote_name,
            )


def link_durably(source: Path, target: Path) -> None:
    """``target`` as a hard link to ``source`` (already fsynced), else a copy that is
    fsynced; then the folder is, so the new name survives a power cut."""
    try:
        os.link(source, target)
    except OSError:  # no hard links here (or across file systems): copy and fsync
        shutil.copyfile(source, target)
        descriptor = os.open(target, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
    sync_folder(target.parent)
