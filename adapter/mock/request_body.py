"""``wsgi.input`` for the mock's server: the request body, limited to Content-Length so
that the app's ``read()`` never waits for bytes the client will not send."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from io import BufferedIOBase

__all__ = ["RequestBody"]


class RequestBody:
    """``wsgi.input`` limited to Content-Length, so ``read()`` never waits for more."""

    def __init__(self, stream: BufferedIOBase, length: int) -> None:
        self._stream = stream
        self._remaining = length

    def read(self, size: int | None = -1) -> bytes:
        return self._take(self._stream.read, size)

    def readline(self, size: int | None = -1) -> bytes:
        return self._take(self._stream.readline, size)

    def readlines(self, hint: int = -1) -> list[bytes]:
        return list(self)  # the hint is advisory (PEP 3333)

    def __iter__(self) -> Iterator[bytes]:
        while line := self.readline():
            yield line

    def _take(self, reader: Callable[[int], bytes], size: int | None) -> bytes:
        wanted = self._remaining if size is None or size < 0 else min(size, self._remaining)
        data = reader(wanted) if wanted else b""
        self._remaining -= len(data)
        return data
