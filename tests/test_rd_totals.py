"""Day totals from RD texts, and the worker script that computes them."""

from __future__ import annotations

import ast
import struct
import subprocess
import sys
from array import array
from pathlib import Path

import pytest

from adapter import rd_totals
from adapter.rd_totals import UNUSUAL, day_units

NORMAL = ",".join([".1-A"] * 8 + [""] * 4 + [".25-E"] * 88)  # 8 x 100 + 88 x 250
DST_START = ",".join([".1-A"] * 8 + [""] * 8 + ["1-A"] * 84)
DST_END = ",".join(["2.5-A"] * 100)


@pytest.mark.parametrize(
    ("rd", "stop", "units"),
    [(NORMAL, 12, 8 * 100 + 88 * 250), (DST_START, 16, 800 + 84_000), (DST_END, 8, 250_000)],
)
def test_a_well_formed_day_totals_exactly_in_thousandths(rd: str, stop: int, units: int) -> None:
    assert day_units(rd, stop) == units


@pytest.mark.parametrize(
    ("what", "rd", "stop"),
    [
        ("99 slots", NORMAL[: NORMAL.rindex(",")], 12),
        ("a value where the day has none", NORMAL.replace(",,,,", ",.3-A,,,", 1), 12),
        ("an empty slot where the day has a value", NORMAL, 8),
        ("a negative value", NORMAL.replace(".25-E", "-.25-E", 1), 12),
        ("an unknown flag", NORMAL.replace(".25-E", ".25-X", 1), 12),
        ("two points", NORMAL.replace(".25-E", "1.2.5-E", 1), 12),
        ("four decimals", NORMAL.replace(".25-E", ".2501-E", 1), 12),
        ("a stop that is no day's", NORMAL, 0),
    ],
)
def test_anything_unusual_is_left_to_the_caller(what: str, rd: str, stop: int) -> None:
    assert day_units(rd, stop) == UNUSUAL, what


def run_worker(request: bytes) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-I", rd_totals.__file__], input=request, capture_output=True, timeout=30
    )


def frame(rds: list[str], stops: bytes) -> bytes:
    text = "\0".join(rds).encode()
    return rd_totals.FRAME.pack(len(rds), len(text)) + stops + text


def test_the_worker_answers_each_batch_in_order_then_ends() -> None:
    request = frame([NORMAL, DST_END], bytes([12, 8])) + frame([DST_START], bytes([12]))

    done = run_worker(request + rd_totals.FRAME.pack(0, 0))

    assert done.returncode == 0
    assert done.stdout[:1] == rd_totals.READY
    assert array("q", done.stdout[1:]).tolist() == [8 * 100 + 88 * 250, 250_000, UNUSUAL]


def test_a_request_that_does_not_hold_its_days_ends_the_worker_with_a_reason() -> None:
    lying = struct.pack("=II", 3, 4) + bytes([12, 12, 12]) + b".1-A"

    done = run_worker(lying)

    assert done.returncode == 2
    assert b"a request of 3 days does not hold them" in done.stderr


def test_the_worker_script_imports_nothing_but_the_standard_library() -> None:
    tree = ast.parse(Path(rd_totals.__file__).read_text())
    imported = {
        (node.module if isinstance(node, ast.ImportFrom) else alias.name).split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert imported - {"__future__"} <= sys.stdlib_module_names
