"""Settings of the mock's report delivery: the drop folder (``[mock.reports]``) and the
servers that serve it (``[mock.sftp]``, ``[mock.ftps]``). Frozen, keyword-only, checked
on construction; every error names the setting, the value and the rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from adapter.mock.setting_checks import as_table, fail, only, prefixed, typed

__all__ = [
    "FtpsSettings",
    "ReportSettings",
    "SftpSettings",
    "ftps_from_mapping",
    "reports_from_mapping",
    "sftp_from_mapping",
]

_T = TypeVar("_T")


@dataclass(frozen=True, slots=True, kw_only=True)
class ReportSettings:
    """Where reports are dropped (``<drop_root>/<service_id>/adhocusage/`` and
    ``intervaldata/``), whether they are zipped, and the PGP public key (an armoured or
    binary key file) they are encrypted to, ASCII-armoured, when one is given.
    ``growing_seconds`` is the pause between the halves of a ``growing-file``."""

    drop_root: Path
    zip: bool = False
    pgp_public_key: Path | None = None
    growing_seconds: float = 1.0

    def __post_init__(self) -> None:
        if not 0 <= self.growing_seconds <= 600:
            fail("reports.growing_seconds", repr(self.growing_seconds), "0 to 600 seconds")


@dataclass(frozen=True, slots=True, kw_only=True)
class SftpSettings:
    """The SFTP server: its port, its host key (an OpenSSH private key file, made when
    missing; None: ``.smt-mock/sftp_host_key``), the public keys of each account
    (``<service_id> <key type> <base64>`` per line), whether account passwords are
    accepted too, and ``drop_after_bytes`` (the ``drop-mid-download`` scenario when set)."""

    port: int = 2222
    host_key_file: Path | None = None
    authorized_keys: Path | None = None
    passwords: bool = True
    drop_after_bytes: int | None = None

    def __post_init__(self) -> None:
        if not 0 <= self.port <= 65535:
            fail("sftp.port", str(self.port), "between 0 and 65535")
        if self.drop_after_bytes is not None and self.drop_after_bytes < 0:
            fail("sftp.drop_after_bytes", str(self.drop_after_bytes), "0 or more")


@dataclass(frozen=True, slots=True, kw_only=True)
class FtpsSettings:
    """The FTPS server: its port (SMT's is 21, which needs root) and the passive data
    ports (the guide's 35000-35100)."""

    port: int = 2121
    passive_ports: tuple[int, int] = (35000, 35100)

    def __post_init__(self) -> None:
        if not 0 <= self.port <= 65535:
            fail("ftps.port", str(self.port), "between 0 and 65535")
        low, high = self.passive_ports
        if not 1024 <= low <= high <= 65535:
            fail("ftps.passive_ports", f"{low}-{high}", "a range within 1024-65535")


def reports_from_mapping(raw: Any, *, base_dir: Path) -> ReportSettings:
    """``[mock.reports]``: ``drop_root`` (required), ``zip``, ``pgp_public_key``,
    ``growing_seconds``; relative paths are taken from ``base_dir``."""
    table = as_table(raw, "mock.reports")
    only(table, "mock.reports", {"drop_root", "zip", "pgp_public_key", "growing_seconds"})
    if "drop_root" not in table:
        fail("mock.reports.drop_root", "(missing)", "required when [mock.reports] is given")
    values: dict[str, Any] = {
        "drop_root": base_dir / typed(table, "drop_root", str, "mock.reports.drop_root")
    }
    if "zip" in table:
        values["zip"] = typed(table, "zip", bool, "mock.reports.zip")
    if "pgp_public_key" in table:
        key = base_dir / typed(table, "pgp_public_key", str, "mock.reports.pgp_public_key")
        if not key.is_file():
            fail("mock.reports.pgp_public_key", str(key), "an existing key file")
        values["pgp_public_key"] = key
    if "growing_seconds" in table:
        values["growing_seconds"] = float(
            typed(table, "growing_seconds", (int, float), "mock.reports.growing_seconds")
        )
    return prefixed(lambda: ReportSettings(**values))


def sftp_from_mapping(raw: Any, *, base_dir: Path) -> SftpSettings:
    """``[mock.sftp]``: ``port``, ``host_key_file``, ``authorized_keys``, ``passwords``,
    ``drop_after_bytes``."""
    table = as_table(raw, "mock.sftp")
    keys = {"port", "host_key_file", "authorized_keys", "passwords", "drop_after_bytes"}
    only(table, "mock.sftp", keys)
    values: dict[str, Any] = {}
    for key, kind in (("port", int), ("passwords", bool), ("drop_after_bytes", int)):
        if key in table:
            values[key] = typed(table, key, kind, f"mock.sftp.{key}")
    if "host_key_file" in table:
        values["host_key_file"] = base_dir / typed(
            table, "host_key_file", str, "mock.sftp.host_key_file"
        )
    if "authorized_keys" in table:
        path = base_dir / typed(table, "authorized_keys", str, "mock.sftp.authorized_keys")
        if not path.is_file():
            fail("mock.sftp.authorized_keys", str(path), "an existing file")
        values["authorized_keys"] = path
    return prefixed(lambda: SftpSettings(**values))


def ftps_from_mapping(raw: Any) -> FtpsSettings:
    """``[mock.ftps]``: ``port``, ``passive_ports`` (``[low, high]``)."""
    table = as_table(raw, "mock.ftps")
    only(table, "mock.ftps", {"port", "passive_ports"})
    values: dict[str, Any] = {}
    if "port" in table:
        values["port"] = typed(table, "port", int, "mock.ftps.port")
    if "passive_ports" in table:
        ports = table["passive_ports"]
        if (
            not isinstance(ports, list)
            or len(ports) != 2
            or not all(isinstance(p, int) and not isinstance(p, bool) for p in ports)
        ):
            fail("mock.ftps.passive_ports", repr(ports), "[low, high], two port numbers")
        values["passive_ports"] = (ports[0], ports[1])
    return prefixed(lambda: FtpsSettings(**values))
