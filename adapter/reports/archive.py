"""The ZIP layer of SMT's report files, extracted defensively.

A ZIP's headers may lie. Before anything is written, the declared sizes are checked
against ``max_bytes`` and each member's compression ratio against ``max_ratio``; while
streaming, the bytes actually produced are counted against both the member's declared
size and ``max_bytes``. Member names that are absolute, climb out (``..``), carry a drive
or a backslash are refused. Each member is written to a temporary file and renamed into
place only when whole; on any refusal every file this call wrote is removed.
"""

from __future__ import annotations

import os
import secrets
import stat
import zipfile
from collections.abc import Callable
from pathlib import Path, PurePosixPath

from adapter.errors import ArchiveError

__all__ = ["extract_members", "extract_single", "safe_member_name"]

_CHUNK = 64 * 1024


def safe_member_name(name: str) -> str:
    """The file name a member may be written under (its last path part), or raise
    ``ArchiveError`` when ``name`` is absolute, climbs out with ``..``, holds a drive, a
    backslash or a NUL, or is empty."""
    path = PurePosixPath(name)
    if (
        not name
        or "\\" in name
        or "\0" in name
        or path.is_absolute()
        or ".." in path.parts
        or ":" in (path.parts[0] if path.parts else "")
        or path.name in ("", ".")
    ):
        raise ArchiveError(
            f"ZIP member name {name!r} is not a plain relative name",
            path=name,
            reason="path traversal",
        )
    return path.name


def extract_single(
    zip_path: Path,
    folder: Path,
    *,
    max_bytes: int,
    max_ratio: float,
    remote_name: str | None = None,
) -> Path:
    """Extract the one member of ``zip_path`` into ``folder``; return its path.

    Raises ``ArchiveError`` as ``extract_members`` does, and when the ZIP holds more than
    one file."""
    (member,) = extract_members(
        zip_path,
        folder,
        max_bytes=max_bytes,
        max_ratio=max_ratio,
        max_members=1,
        remote_name=remote_name,
    )
    return member


def extract_members(
    zip_path: Path,
    folder: Path,
    *,
    max_bytes: int,
    max_ratio: float,
    max_members: int = 1,
    remote_name: str | None = None,
) -> tuple[Path, ...]:
    """Extract every file of ``zip_path`` into ``folder`` (flat, by last name part).

    Raises ``ArchiveError`` (``path`` = ``zip_path``) when it is not a readable ZIP, holds
    no file or more than ``max_members``, a member is encrypted, a link or has an unsafe or
    repeated name, the declared or streamed sizes pass ``max_bytes`` (all members together)
    or a member's declared size, or a member's ratio passes ``max_ratio``."""

    def refuse(reason: str) -> ArchiveError:
        return ArchiveError(
            f"refusing {zip_path}: {reason}",
            path=str(zip_path),
            reason=reason,
            remote_name=remote_name,
        )

    try:
        archive = zipfile.ZipFile(zip_path)
    except (OSError, zipfile.BadZipFile, ValueError) as exc:
        raise refuse(f"not a readable ZIP ({exc})") from exc
    written: list[Path] = []
    with archive:
        members = _check_members(archive, max_bytes, max_ratio, max_members, refuse)
        try:
            budget = max_bytes
            for info, name in members:
                target = folder / name
                budget -= _extract_one(archive, info, target, budget, refuse)
                written.append(target)
        except BaseException:
            for path in written:
                path.unlink(missing_ok=True)
            raise
    return tuple(written)


def _check_members(
    archive: zipfile.ZipFile,
    max_bytes: int,
    max_ratio: float,
    max_members: int,
    refuse: Callable[[str], ArchiveError],
) -> list[tuple[zipfile.ZipInfo, str]]:
    files = [info for info in archive.infolist() if not info.is_dir()]
    if not files:
        raise refuse("the ZIP holds no file")
    if len(files) > max_members:
        raise refuse(f"the ZIP holds {len(files)} files; at most {max_members} allowed")
    members: list[tuple[zipfile.ZipInfo, str]] = []
    declared = 0
    for info in files:
        try:
            name = safe_member_name(info.filename)
        except ArchiveError as exc:
            raise refuse(exc.reason + f" in member name {info.filename!r}") from exc
        if name in {n for _, n in members}:
            raise refuse(f"two members would be written as {name!r}")
        if info.flag_bits & 0x1:
            raise refuse(f"member {name!r} is encrypted")
        if stat.S_ISLNK(info.external_attr >> 16):
            raise refuse(f"member {name!r} is a symbolic link")
        declared += info.file_size
        if declared > max_bytes:
            raise refuse(f"declared sizes pass the cap of {max_bytes} bytes")
        if info.file_size and info.file_size > max_ratio * max(info.compress_size, 1):
            raise refuse(
                f"member {name!r} expands {info.file_size} / {info.compress_size} bytes, "
                f"more than the ratio cap {max_ratio:g}"
            )
        members.append((info, name))
    return members


def _extract_one(
    archive: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    target: Path,
    budget: int,
    refuse: Callable[[str], ArchiveError],
) -> int:
    temporary = target.with_name(f".{target.name}.{secrets.token_hex(6)}.extracting")
    total = 0
    try:
        with archive.open(info) as source, temporary.open("xb") as sink:
            while chunk := source.read(_CHUNK):
                total += len(chunk)
                if total > budget:
                    raise refuse(f"member {target.name!r} streams past the byte cap")
                if total > info.file_size:
                    raise refuse(f"member {target.name!r} streams more than it declares")
                sink.write(chunk)
            sink.flush()
            os.fsync(sink.fileno())
        os.replace(temporary, target)
    except (OSError, zipfile.BadZipFile, EOFError, ValueError, NotImplementedError) as exc:
        raise refuse(f"member {target.name!r} cannot be read ({exc})") from exc
    finally:
        temporary.unlink(missing_ok=True)
    return total
