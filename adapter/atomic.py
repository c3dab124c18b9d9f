"""Writing a file so that no reader ever sees half of it: into a temporary file beside the
target, flushed to disk, then renamed over it. Pure: no transport.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["replacing"]


def _read_umask() -> int:
    mask = os.umask(0)  # the only way to read it; done once, at import
    os.umask(mask)
    return mask


_NEW_FILE_MODE = 0o666 & ~_read_umask()


@contextmanager
def replacing(path: Path) -> Iterator[Path]:
    """A temporary path beside ``path`` for the block to write. When the block ends
    without an error, the file is flushed to disk, given a new file's permissions under the
    umask and renamed onto ``path`` (replacing it); on any error it is removed and ``path``
    is left as it was. Raises ``OSError`` when the folder cannot be written."""
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        with temporary.open("rb") as written:
            os.fsync(written.fileno())
        os.chmod(temporary, _NEW_FILE_MODE)  # mkstemp's 0600 was for the temporary only
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
