"""Settings of the mock's report delivery: the drop folder (``[mock.reports]``) and the
servers that serve it (``[mock.sftp]``, ``[mock.ftps]``). Frozen, keyword-only, checked
on construction; every error names the setting, the value and the rule.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn, TypeVar

from adapter.errors import ConfigurationError

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
            _fail("reports.growing_seconds", repr(self.growing_seconds), "0 to 600 seconds")


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
            _fail("sftp.port", str(self.port), "between 0 and 65535")
        if self.drop_after_bytes is not None and self.drop_after_bytes < 0:
            _fail("sftp.drop_after_bytes", str(self.drop_after_bytes), "0 or more")


@dataclass(frozen=True, slots=True, kw_only=True)
class FtpsSettings:
    """The FTPS server: its port (SMT's is 21, which needs root) and the passive data
    ports (the guide's 35000-35100)."""

    port: int = 2121
    passive_ports: tuple[int, int] = (35000, 35100)

    def __post_init__(self) -> None:
        if not 0 <= self.port <= 65535:
            _fail("ftps.port", str(self.port), "between 0 and 65535")
        low, high = self.passive_ports
        if not 1024 <= low <= high <= 65535:
            _fail("ftps.passive_ports", f"{low}-{high}", "a range within 1024-65535")


def reports_from_mapping(raw: Any, *, base_dir: Path) -> ReportSettings:
    """``[mock.reports]``: ``drop_root`` (required), ``zip``, ``pgp_public_key``,
    ``growing_seconds``; relative paths are taken from ``base_dir``."""
    table = _table(raw, "mock.reports")
    _only(table, "mock.reports", {"drop_root", "zip", "pgp_public_key", "growing_seconds"})
    if "drop_root" not in table:
        _fail("mock.reports.drop_root", "(missing)", "required when [mock.reports] is given")
    values: dict[str, Any] = {
        "drop_root": base_dir / _typed(table, "drop_root", str, "mock.reports.drop_root")
    }
    if "zip" in table:
        values["zip"] = _typed(table, "zip", bool, "mock.reports.zip")
    if "pgp_public_key" in table:
        key = base_dir / _typed(table, "pgp_public_key", str, "mock.reports.pgp_public_key")
        if not key.is_file():
            _fail("mock.reports.pgp_public_key", str(key), "an existing key file")
        values["pgp_public_key"] = key
    if "growing_seconds" in table:
        values["growing_seconds"] = float(
            _typed(table, "growing_seconds", (int, float), "mock.reports.growing_seconds")
        )
    return _prefixed(lambda: ReportSettings(**values))


def sftp_from_mapping(raw: Any, *, base_dir: Path) -> SftpSettings:
    """``[mock.sftp]``: ``port``, ``host_key_file``, ``authorized_keys``, ``passwords``,
    ``drop_after_bytes``."""
    table = _table(raw, "mock.sftp")
    keys = {"port", "host_key_file", "authorized_keys", "passwords", "drop_after_bytes"}
    _only(table, "mock.sftp", keys)
    values: dict[str, Any] = {}
    for key, kind in (("port", int), ("passwords", bool), ("drop_after_bytes", int)):
        if key in table:
            values[key] = _typed(table, key, kind, f"mock.sftp.{key}")
    if "host_key_file" in table:
        values["host_key_file"] = base_dir / _typed(
            table, "host_key_file", str, "mock.sftp.host_key_file"
        )
    if "authorized_keys" in table:
        path = base_dir / _typed(table, "authorized_keys", str, "mock.sftp.authorized_keys")
        if not path.is_file():
            _fail("mock.sftp.authorized_keys", str(path), "an existing file")
        values["authorized_keys"] = path
    return _prefixed(lambda: SftpSettings(**values))


def ftps_from_mapping(raw: Any) -> FtpsSettings:
    """``[mock.ftps]``: ``port``, ``passive_ports`` (``[low, high]``)."""
    table = _table(raw, "mock.ftps")
    _only(table, "mock.ftps", {"port", "passive_ports"})
    values: dict[str, Any] = {}
    if "port" in table:
        values["port"] = _typed(table, "port", int, "mock.ftps.port")
    if "passive_ports" in table:
        ports = table["passive_ports"]
        if (
            not isinstance(ports, list)
            or len(ports) != 2
            or not all(isinstance(p, int) and not isinstance(p, bool) for p in ports)
        ):
            _fail("mock.ftps.passive_ports", repr(ports), "[low, high], two port numbers")
        values["passive_ports"] = (ports[0], ports[1])
    return _prefixed(lambda: FtpsSettings(**values))


def _typed(table: Mapping[str, Any], key: str, kind: type | tuple[type, ...], where: str) -> Any:
    value = table[key]
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        _fail(where, repr(value), f"a {getattr(kind, '__name__', 'number')}")
    return value


def _table(raw: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(raw, Mapping):
        _fail(where, repr(raw), "a table")
    return raw


def _only(table: Mapping[str, Any], where: str, known: set[str]) -> None:
    for key in table:
        if key not in known:  # its value is not echoed: a misspelt key may hold a secret
            name = f"{where}.{key}"
            raise ConfigurationError(
                f"{name}: no such setting; the keys of [{where}] are {', '.join(sorted(known))}",
                field=name,
                value=key,
            )


def _prefixed(build: Callable[[], _T]) -> _T:
    """Run a constructor; re-raise its ConfigurationError with the setting's full name."""
    try:
        return build()
    except ConfigurationError as exc:
        name = exc.field if exc.field.startswith("mock") else f"mock.{exc.field}"
        raise ConfigurationError(
            str(exc).replace(exc.field, name, 1), field=name, value=exc.value
        ) from None


def _fail(name: str, value: str, rule: str) -> NoReturn:
    raise ConfigurationError(f"{name} = {value}: must be {rule}", field=name, value=value)
