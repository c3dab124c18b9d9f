"""A rich progress bar of bytes downloaded, on stderr; shown on a terminal only (the
caller decides), so that logs and pipes get no control characters."""

from __future__ import annotations

from typing import Self

from rich.console import Console
from rich.progress import DownloadColumn, TransferSpeedColumn
from rich.progress import Progress as RichProgress

from adapter.transport.remote_files import Progress

__all__ = ["TransferProgress"]


class TransferProgress:
    """A rich progress bar of bytes downloaded, or nothing when ``shown`` is False."""

    def __init__(self, shown: bool) -> None:
        self._bar: RichProgress | None = None
        if shown:
            self._bar = RichProgress(
                *RichProgress.get_default_columns(),
                DownloadColumn(),
                TransferSpeedColumn(),
                console=Console(stderr=True),
                transient=True,
            )

    def __enter__(self) -> Self:
        if self._bar is not None:
            self._bar.start()
        return self

    def __exit__(self, *_: object) -> None:
        if self._bar is not None:
            self._bar.stop()

    def track(self, name: str, size: int) -> Progress | None:
        """A callback advancing a new bar for ``name`` (None when nothing is shown)."""
        bar = self._bar
        if bar is None:
            return None
        task = bar.add_task(name, total=size)
        return lambda n: bar.advance(task, n)
