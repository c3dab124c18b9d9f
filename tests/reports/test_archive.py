"""ZIP extraction refuses bombs (declared, by ratio, and streamed past lying headers),
path traversal and extra members, and leaves nothing behind when it refuses."""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path

import pytest

from adapter.errors import ArchiveError
from adapter.reports.archive import extract_members, extract_single
from tests.reports.keys import zip_bytes

CSV = b"ESIID,USAGE_DATE\n1008901000000000000001,01/02/2025\n"


def _zip(tmp_path: Path, members: dict[str, bytes]) -> Path:
    path = tmp_path / "r.zip"
    path.write_bytes(zip_bytes(members))
    return path


def _out(tmp_path: Path) -> Path:
    out = tmp_path / "out"
    out.mkdir()
    return out


def test_the_one_member_is_extracted_by_its_last_name_part(tmp_path: Path) -> None:
    out = _out(tmp_path)
    path = extract_single(_zip(tmp_path, {"sub/r.CSV": CSV}), out, max_bytes=1000, max_ratio=100)
    assert path == out / "r.CSV"
    assert path.read_bytes() == CSV
    assert [p.name for p in out.iterdir()] == ["r.CSV"]


@pytest.mark.parametrize(
    "name", ["../evil.csv", "/etc/evil.csv", "a/../../evil.csv", "c:evil.csv", "a\\..\\evil"]
)
def test_a_member_name_that_leaves_the_folder_is_refused(tmp_path: Path, name: str) -> None:
    out = _out(tmp_path)
    with pytest.raises(ArchiveError, match="traversal"):
        extract_single(_zip(tmp_path, {name: CSV}), out, max_bytes=1000, max_ratio=100)
    assert list(out.iterdir()) == []


def test_more_members_than_allowed_are_refused(tmp_path: Path) -> None:
    out = _out(tmp_path)
    archive = _zip(tmp_path, {"a.csv": CSV, "b.csv": CSV})
    with pytest.raises(ArchiveError, match="2 files"):
        extract_single(archive, out, max_bytes=1000, max_ratio=100)
    paths = extract_members(archive, out, max_bytes=1000, max_ratio=100, max_members=2)
    assert sorted(p.name for p in paths) == ["a.csv", "b.csv"]


def test_declared_sizes_over_the_cap_are_refused(tmp_path: Path) -> None:
    out = _out(tmp_path)
    with pytest.raises(ArchiveError, match="declared sizes"):
        extract_single(
            _zip(tmp_path, {"a.csv": b"x" * 5000}), out, max_bytes=4096, max_ratio=10_000
        )
    assert list(out.iterdir()) == []


def test_a_bomb_over_the_ratio_cap_is_refused(tmp_path: Path) -> None:
    out = _out(tmp_path)
    with pytest.raises(ArchiveError, match="ratio"):
        extract_single(
            _zip(tmp_path, {"a.csv": b"\0" * 10_000_000}), out, max_bytes=10**9, max_ratio=100
        )
    assert list(out.iterdir()) == []


def _lie_about_size(path: Path, declared: int) -> None:
    """Rewrite the (local and central) uncompressed size fields of the only member."""
    data = bytearray(path.read_bytes())
    local = data.find(b"PK\x03\x04")
    struct.pack_into("<I", data, local + 22, declared)
    central = data.find(b"PK\x01\x02")
    struct.pack_into("<I", data, central + 24, declared)
    path.write_bytes(bytes(data))


def test_a_bomb_whose_headers_lie_is_stopped_while_streaming(tmp_path: Path) -> None:
    out = _out(tmp_path)
    archive = _zip(tmp_path, {"a.csv": b"y" * 1_000_000})
    _lie_about_size(archive, 100)
    with zipfile.ZipFile(archive) as check:
        assert check.infolist()[0].file_size == 100
    with pytest.raises(ArchiveError):
        extract_single(archive, out, max_bytes=2000, max_ratio=10**9)
    assert list(out.iterdir()) == []


def test_a_file_that_is_not_a_zip_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "r.zip"
    path.write_bytes(CSV)
    with pytest.raises(ArchiveError, match="not a readable ZIP") as caught:
        extract_single(path, _out(tmp_path), max_bytes=1000, max_ratio=100, remote_name="x")
    assert caught.value.remote_name == "x"
