"""What the report client needs from a file server (SFTP or FTPS): list a folder,
download a file with resume, remove and rename. ``SftpTransport`` and ``FtpsTransport``
implement ``FileTransport``; failures are ``TransportError`` / ``AuthenticationError``.

A name the server lists is attacker-controlled text: ``name_problem`` says why one that
could leave its folder (``/``, ``\\``, NUL, ``.``, ``..``) is refused; ``list_files``
skips it and tells ``refused``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Protocol, Self

__all__ = [
    "CHUNK",
    "FileTransport",
    "Progress",
    "Refused",
    "RemoteFile",
    "accept_name",
    "join_remote",
    "name_problem",
]

CHUNK = 64 * 1024
Progress = Callable[[int], None]  # called with the number of bytes just written
Refused = Callable[[str, str], None]  # called with (folder/name as listed, the reason)


@dataclass(frozen=True, slots=True)
class RemoteFile:
    """One regular file in a remote folder: ``path`` is ``folder/name``; ``mtime`` is in
    seconds since the epoch (whole seconds on both protocols)."""

    path: str
    name: str
    size: int
    mtime: float


def name_problem(name: str) -> str | None:
    """Why the listed file name ``name`` is refused, or None when it is a plain name."""
    if name in ("", ".", ".."):
        return f"the name {name!r} is not a file name"
    for character, what in (("/", "a '/'"), ("\\", "a '\\'"), ("\0", "a NUL")):
        if character in name:
            return f"the name contains {what}"
    return None


def accept_name(folder: str, name: str, refused: Refused | None) -> bool:
    """True for a plain name; else tell ``refused`` why (when given) and return False."""
    problem = name_problem(name)
    if problem is not None and refused is not None:
        refused(join_remote(folder, name), problem)
    return problem is None


def join_remote(folder: str, name: str) -> str:
    """``folder/name`` with one slash between (remote paths are POSIX)."""
    return f"{folder.rstrip('/')}/{name}" if folder else name


class FileTransport(Protocol):
    """A connected file server. Use it as a context manager; ``close`` is idempotent."""

    @property
    def url(self) -> str:
        """``sftp://host:port`` or ``ftps://host:port``: what errors name."""
        ...

    def list_files(self, folder: str, *, refused: Refused | None = None) -> list[RemoteFile]:
        """The regular files of ``folder`` (sub-folders and links left out); an empty
        list when the folder does not exist (not every account has every folder). A name
        ``name_problem`` refuses is left out and passed to ``refused``."""
        ...

    def download(self, path: str, local: Path, *, progress: Progress | None = None) -> int:
        """Append ``path`` to ``local`` from ``local``'s current size (resume); return
        the final local size."""
        ...

    def remove(self, path: str) -> None:
        """Remove ``path``; a file that is already gone is not an error."""
        ...

    def rename(self, path: str, new_path: str) -> None:
        """Rename ``path`` to ``new_path`` on the server."""
        ...

    def close(self) -> None: ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None: ...
