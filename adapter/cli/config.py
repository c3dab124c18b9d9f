"""Client settings for the ``smt`` commands: a ``[client]`` table in a TOML file, then the
environment (``SMT_*``), which wins. Secrets come only from the environment or from files
named in either, never from a command-line value, and never appear in output.

.. code-block:: toml

    [client]
    endpoint = "uat"              # uat, production, or a base URL
    username = "CSPAPIUser1"      # the SMT service ID (also the requestorID)
    security = "certificate"      # or "token"
    cert_file = "client.pem"      # PEM certificate and chain ...
    key_file = "client-key.pem"   # ... and its key, or:
    # pkcs12_file = "client.p12"
    ca_file = "ca.pem"            # trust this CA instead of the system's
    password_file = "~/.smt/password"   # or SMT_PASSWORD
    # key_password_file = "..."         # or SMT_KEY_PASSWORD
    [client.timeouts]
    connect = 10
    read = 60
    [client.retries]
    attempts = 3
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from adapter.errors import ConfigurationError
from adapter.quota import OdrLimits, OdrQuota
from adapter.settings import AuthProfile, ClientSettings, RetryPolicy
from adapter.transport.http import Timeouts
from adapter.transport.tls import ClientCertificate

__all__ = ["ENVIRONMENT", "load_client_settings", "load_odr_quota", "load_toml"]

_KEYS = {
    "endpoint",
    "username",
    "security",
    "cert_file",
    "key_file",
    "pkcs12_file",
    "ca_file",
    "password_file",
    "key_password_file",
    "token_url",
    "timeouts",
    "retries",
    "odr",
}
_PATHS = {"cert_file", "key_file", "pkcs12_file", "ca_file", "password_file", "key_password_file"}
# environment variable -> key of [client] it overrides
ENVIRONMENT = {
    "SMT_ENDPOINT": "endpoint",
    "SMT_USERNAME": "username",
    "SMT_SECURITY": "security",
    "SMT_CERT_FILE": "cert_file",
    "SMT_KEY_FILE": "key_file",
    "SMT_PKCS12_FILE": "pkcs12_file",
    "SMT_CA_FILE": "ca_file",
    "SMT_PASSWORD_FILE": "password_file",
    "SMT_KEY_PASSWORD_FILE": "key_password_file",
    "SMT_TOKEN_URL": "token_url",
}


def load_client_settings(
    config: Path | None, environ: Mapping[str, str] | None = None
) -> ClientSettings:
    """Settings from ``config`` (or ``$SMT_CONFIG``, or ``./smt.toml`` if present) and the
    environment. Raises ``ConfigurationError`` naming the key and the rule."""
    env = os.environ if environ is None else environ
    path = config or (Path(env["SMT_CONFIG"]) if env.get("SMT_CONFIG") else None)
    if path is None and Path("smt.toml").is_file():
        path = Path("smt.toml")
    table: dict[str, Any] = {}
    base = Path.cwd()
    if path is not None:
        table = _read_table(path)
        base = path.parent
    for variable, key in ENVIRONMENT.items():
        if env.get(variable):
            value = env[variable]
            if key in _PATHS:  # relative to where the command runs, not to the file
                value = str(Path.cwd() / Path(value).expanduser())
            table[key] = value
    unknown = sorted(set(table) - _KEYS)
    if unknown:
        raise ConfigurationError(
            f"client.{unknown[0]}: not a setting; use one of {', '.join(sorted(_KEYS))}",
            field=f"client.{unknown[0]}",
            value=unknown[0],
        )
    password = _secret(env, "SMT_PASSWORD", table.get("password_file"), base, "password")
    if password is None:
        raise ConfigurationError(
            "password: set SMT_PASSWORD, or name a file in client.password_file "
            "(or SMT_PASSWORD_FILE)",
            field="client.password",
            value="",
        )
    key_password = _secret(
        env, "SMT_KEY_PASSWORD", table.get("key_password_file"), base, "key_password"
    )
    security = AuthProfile.parse(_text(table, "security", "certificate"), field_name="security")
    certificate = _certificate(table, base, key_password)
    ca_file = _path(table, "ca_file", base)
    return ClientSettings(
        base_url=_text(table, "endpoint", "uat"),
        username=_text(table, "username", ""),
        password=password,
        security=security,
        certificate=certificate if security is AuthProfile.CERTIFICATE else None,
        ca_file=ca_file,
        token_url=table.get("token_url"),
        timeouts=Timeouts(**_numbers(table, "timeouts", {"connect", "read"})),
        retries=RetryPolicy(**_numbers(table, "retries", {"attempts", "base_delay", "max_delay"})),
    )


def load_odr_quota(config: Path | None, environ: Mapping[str, str] | None = None) -> OdrQuota:
    """The on-demand read ledger and limits of ``[client.odr]`` (``ledger``,
    ``per_esiid_hour``, ``per_esiid_day``, ``per_tdu_day``); ``$SMT_ODR_LEDGER`` names
    the ledger file too. Defaults: SMT's limits, in the user's state folder
    (``$XDG_STATE_HOME/smt-adapter/odr.sqlite``, else ``~/.local/state/...``)."""
    env = os.environ if environ is None else environ
    path = config or (Path(env["SMT_CONFIG"]) if env.get("SMT_CONFIG") else None)
    if path is None and Path("smt.toml").is_file():
        path = Path("smt.toml")
    table = _read_table(path).get("odr", {}) if path is not None else {}
    if not isinstance(table, dict):
        raise ConfigurationError(
            "client.odr must be a table", field="client.odr", value=repr(table)
        )
    limits = {k: v for k, v in table.items() if k != "ledger"}
    for name in limits:
        if name not in ("per_esiid_hour", "per_esiid_day", "per_tdu_day"):
            raise ConfigurationError(
                f"client.odr.{name}: not a setting; use ledger, per_esiid_hour, "
                "per_esiid_day or per_tdu_day",
                field=f"client.odr.{name}",
                value=name,
            )
    ledger = env.get("SMT_ODR_LEDGER") or table.get("ledger")
    if ledger is None:
        state = env.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
        where = Path(state) / "smt-adapter" / "odr.sqlite"
    else:
        where = Path(str(ledger)).expanduser()
        if not where.is_absolute():
            where = (path.parent if path is not None and "ledger" in table else Path.cwd()) / where
    return OdrQuota(where, OdrLimits(**limits))


def load_toml(path: Path) -> dict[str, Any]:
    """The whole config file; ``ConfigurationError`` (field ``config``) when it cannot be
    read or is not TOML."""
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except OSError as exc:
        raise ConfigurationError(
            f"config {str(path)!r}: {exc.strerror}", field="config", value=str(path)
        ) from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigurationError(
            f"config {str(path)!r} is not valid TOML: {exc}", field="config", value=str(path)
        ) from exc


def _read_table(path: Path) -> dict[str, Any]:
    client = load_toml(path).get("client", {})
    if not isinstance(client, dict):
        raise ConfigurationError(
            f"config {str(path)!r}: [client] must be a table", field="client", value=str(client)
        )
    return dict(client)


def _text(table: Mapping[str, Any], key: str, default: str) -> str:
    value = table.get(key, default)
    if not isinstance(value, str):
        raise ConfigurationError(
            f"client.{key}: {value!r} must be text", field=f"client.{key}", value=repr(value)
        )
    return value


def _path(table: Mapping[str, Any], key: str, base: Path) -> Path | None:
    if key not in table:
        return None
    path = Path(_text(table, key, "")).expanduser()
    return path if path.is_absolute() else base / path


def _secret(
    env: Mapping[str, str], variable: str, file_value: Any, base: Path, name: str
) -> str | None:
    if env.get(variable):
        return env[variable]
    if file_value is None:
        return None
    path = _path({"file": file_value}, "file", base)
    assert path is not None
    try:
        # the first line, without its line break: files written by editors end with one
        return path.read_text(encoding="utf-8").splitlines()[0]
    except (OSError, IndexError, UnicodeDecodeError) as exc:
        raise ConfigurationError(
            f"client.{name}_file {str(path)!r} cannot be read as one line of text",
            field=f"client.{name}_file",
            value=str(path),
        ) from exc


def _certificate(
    table: Mapping[str, Any], base: Path, password: str | None
) -> ClientCertificate | None:
    cert, key = _path(table, "cert_file", base), _path(table, "key_file", base)
    bundle = _path(table, "pkcs12_file", base)
    if cert is None and bundle is None:
        return None
    for key_name, path in (("cert_file", cert), ("key_file", key), ("pkcs12_file", bundle)):
        if path is not None and not path.is_file():
            raise ConfigurationError(
                f"client.{key_name}: {str(path)!r} is not a file",
                field=f"client.{key_name}",
                value=str(path),
            )
    return ClientCertificate(cert_file=cert, key_file=key, pkcs12_file=bundle, password=password)


def _numbers(table: Mapping[str, Any], key: str, allowed: set[str]) -> dict[str, Any]:
    raw = table.get(key, {})
    if not isinstance(raw, dict):
        raise ConfigurationError(
            f"client.{key} must be a table", field=f"client.{key}", value=repr(raw)
        )
    for name, value in raw.items():
        if name not in allowed:
            raise ConfigurationError(
                f"client.{key}.{name}: not a setting; use one of {', '.join(sorted(allowed))}",
                field=f"client.{key}.{name}",
                value=name,
            )
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigurationError(
                f"client.{key}.{name}: {value!r} must be a number",
                field=f"client.{key}.{name}",
                value=repr(value),
            )
    return dict(raw)
