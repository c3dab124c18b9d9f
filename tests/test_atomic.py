"""Files are replaced whole or not at all, with a new file's permissions."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from adapter.atomic import replacing


def test_the_file_appears_whole_with_the_umask_permissions(tmp_path: Path) -> None:
    target = tmp_path / "readings.csv"
    mask = os.umask(0o022)
    os.umask(mask)

    with replacing(target) as temporary:
        temporary.write_bytes(b"a,b\r\n")
        assert not target.exists()  # nothing under the real name until the end

    assert target.read_bytes() == b"a,b\r\n"
    assert target.stat().st_mode & 0o777 == 0o666 & ~mask
    assert [p.name for p in tmp_path.iterdir()] == ["readings.csv"]


def test_an_error_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "readings.csv"
    target.write_text("old")

    def write_half(temporary: Path) -> None:
        temporary.write_text("half")
        raise RuntimeError("the writer failed")

    with pytest.raises(RuntimeError), replacing(target) as temporary:
        write_half(temporary)

    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["readings.csv"]
