"""House rules that keep the architecture visible: pure modules stay pure, modules stay
small and well named, the public API is curated and its README examples run."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

import adapter
from tests.conftest import ROOT

PACKAGE = ROOT / "adapter"
PURE = [
    PACKAGE / "contract.py",
    PACKAGE / "errors.py",
    *sorted((PACKAGE / "xml").glob("*.py")),
    *sorted(PACKAGE.glob("*records.py")),
    PACKAGE / "record_rules.py",
    PACKAGE / "field_reader.py",
    PACKAGE / "atomic.py",
    PACKAGE / "interval.py",
    PACKAGE / "interval_calendar.py",
    PACKAGE / "interval_columns.py",
    PACKAGE / "rd_totals.py",
    PACKAGE / "interval_sources.py",
    PACKAGE / "exports.py",
    PACKAGE / "soap" / "__init__.py",
    PACKAGE / "soap" / "answers.py",
    PACKAGE / "soap" / "payloads.py",
    PACKAGE / "soap" / "interval_pipeline.py",
    PACKAGE / "soap" / "interval_stream.py",
    *sorted((PACKAGE / "rest").glob("*.py")),
    *(
        PACKAGE / "reports" / f"{name}.py"
        for name in (
            "__init__",
            "archive",
            "cells",
            "csv_reports",
            "dead_letters",
            "dispatch",
            "green_button",
            "layouts",
            "ledger",
            "lse",
            "names",
            "pgp",  # the gpg binary through python-gnupg: no network
            "settings",
            "staging",
        )
    ),
]
TRANSPORTS = {
    "socket",
    "ssl",
    "http",
    "urllib.request",
    "requests",
    "httpx",
    "paramiko",
    "ftplib",
    "zeep",
}


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", PURE, ids=lambda p: str(p.relative_to(ROOT)))
def test_pure_modules_import_no_transport(path: Path) -> None:
    for name in _imports(path):
        assert not any(name == t or name.startswith(t + ".") for t in TRANSPORTS), name


def test_zeep_stays_in_the_envelope_builder() -> None:
    # envelopes.py builds requests with zeep (offline, from the bundled WSDLs); zeep brings
    # requests along, so it is the one soap module that may not join PURE.
    imports = _imports(PACKAGE / "soap" / "envelopes.py")
    transports = {
        name for name in imports if any(name == t or name.startswith(t + ".") for t in TRANSPORTS)
    }
    assert transports <= {"zeep", "zeep.transports"}, transports
    for path in PACKAGE.rglob("*.py"):
        if path.name != "envelopes.py" and "mock" not in path.parts:
            assert not any(n == "zeep" or n.startswith("zeep.") for n in _imports(path)), path


def test_modules_stay_small_and_are_named_for_what_they_hold() -> None:
    for path in PACKAGE.rglob("*.py"):
        assert len(path.read_text().splitlines()) <= 400, path
        assert path.stem not in {"utils", "helpers", "manager", "misc", "common"}, path


def test_the_public_api_is_explicit_and_importable() -> None:
    assert len(adapter.__all__) == len(set(adapter.__all__))
    for name in adapter.__all__:
        assert hasattr(adapter, name), name


def test_every_public_name_is_documented_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text()
    for name in adapter.__all__:
        if name != "__version__":
            assert f"`{name}" in readme or f" {name}," in readme or f"{name}`" in readme, name


@pytest.mark.parametrize("number", [0, 1, 2])
def test_each_readme_python_example_runs_and_prints_what_it_says(number: int) -> None:
    readme = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", readme, re.S)
    assert len(blocks) == 3  # the mock in process, the client, the validator
    block = blocks[number]
    expected = [line[2:] for line in block.splitlines() if line.startswith("# ")]
    result = subprocess.run(
        [sys.executable, "-c", block], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == expected
