"""The wheel carries the contract: installed into a fresh virtual environment, away from
the checkout, ``smt validate`` finds the bundled schemas and validates a fixture.

Offline: the wheel is built without build isolation, and the fresh environment borrows
this one's dependencies through a .pth file instead of downloading them."""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

from tests.conftest import ROOT, SOAP_FIXTURES


def _run(*command: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("wheel")
    built = _run(
        sys.executable,
        "-m",
        "build",
        "--wheel",
        "--no-isolation",
        "--outdir",
        work / "dist",
        ROOT,
        cwd=work,
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = (work / "dist").glob("smt_adapter-*.whl")
    env = work / "env"
    venv.create(env, with_pip=True)
    python = env / "bin" / "python"
    purelib = Path(
        _run(
            python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])", cwd=work
        ).stdout.strip()
    )
    (purelib / "borrowed-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    install = _run(python, "-m", "pip", "install", "--no-deps", "--no-index", wheel, cwd=work)
    assert install.returncode == 0, install.stderr
    return env


def test_the_installed_package_is_the_wheel_not_the_checkout(
    installed: Path, tmp_path: Path
) -> None:
    where = _run(
        installed / "bin" / "python",
        "-c",
        "import adapter; print(adapter.__file__); print(adapter.bundle_root())",
        cwd=tmp_path,
    )
    module, bundle = where.stdout.split()
    assert module.startswith(str(installed)) and bundle.startswith(str(installed))
    assert bundle.endswith("adapter/_bundled")


def test_smt_validate_runs_from_the_installed_wheel(installed: Path, tmp_path: Path) -> None:
    shutil.copy(
        SOAP_FIXTURES / "energydata" / "processIntervalEnergyData.response.xml",
        tmp_path / "message.xml",
    )
    smt = installed / "bin" / "smt"
    ok = _run(smt, "validate", "message.xml", cwd=tmp_path)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    guide = _run(smt, "validate", "--profile", "guide", "message.xml", cwd=tmp_path)
    assert guide.returncode == 1 and "[maxLength]" in guide.stdout


def test_the_wheel_carries_every_schema_and_wsdl(installed: Path, tmp_path: Path) -> None:
    bundle = Path(
        _run(
            installed / "bin" / "python",
            "-c",
            "import adapter; print(adapter.bundle_root())",
            cwd=tmp_path,
        ).stdout.strip()
    )
    shipped = sorted(str(p.relative_to(bundle)) for p in bundle.rglob("*") if p.is_file())
    expected = sorted(
        str(p.relative_to(ROOT))
        for folder in ("schemas", "wsdl")
        for p in (ROOT / folder).rglob("*")
        if p.is_file()
    )
    assert shipped == expected
