"""Settings of ``smt reports pull``: a ``[reports]`` table in the TOML file, then the
environment (``SMT_REPORTS_*``), then the command line, which wins. Secrets (the login
password, the SSH key's and the client certificate's passwords, the PGP passphrase) come
only from the environment or from files named in the table, never from the command line.

.. code-block:: toml

    [reports]
    via = "sftp"                    # or "ftps" (the 2020 era)
    host = "sftp.smartmetertexas.net"
    port = 22                       # 21 for ftps
    username = "CSPAPIUser1"
    ssh_key_file = "~/.ssh/smt_ed25519"     # sftp; or password_file / SMT_REPORTS_PASSWORD
    known_hosts = "~/.ssh/known_hosts"      # or fingerprint = "SHA256:..."
    # cert_file = "client.pem"  cert_key_file = "client-key.pem"  ca_file = "ca.pem"  (ftps)
    destination = "reports"
    gnupghome = "~/.smt/gnupg"
    pgp_key_file = "smt-private.asc"        # imported into gnupghome
    # pgp_passphrase_file = "..."           # or SMT_PGP_PASSPHRASE
    delete_remote = false
    folders = ["adhocusage", "intervaldata"]
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from adapter.cli.config import load_toml
from adapter.errors import ConfigurationError
from adapter.reports.settings import ReportSettings
from adapter.transport.ftps import FtpsSettings
from adapter.transport.http import Timeouts
from adapter.transport.sftp import SftpSettings
from adapter.transport.tls import ClientCertificate

__all__ = ["ENVIRONMENT", "load_pull_settings"]

_PATHS = {
    "ssh_key_file", "known_hosts", "cert_file", "cert_key_file", "pkcs12_file", "ca_file",
    "destination", "ledger", "work_folder", "gnupghome", "pgp_key_file", "password_file",
    "ssh_key_password_file", "cert_password_file", "pgp_passphrase_file",
}  # fmt: skip
_OTHERS = {
    "via", "host", "port", "username", "fingerprint", "delete_remote", "folders",
    "max_bytes", "max_ratio", "max_members", "settle_seconds", "timeouts",
}  # fmt: skip
ENVIRONMENT = {
    "SMT_REPORTS_VIA": "via",
    "SMT_REPORTS_HOST": "host",
    "SMT_REPORTS_PORT": "port",
    "SMT_REPORTS_USERNAME": "username",
    "SMT_REPORTS_SSH_KEY_FILE": "ssh_key_file",
    "SMT_REPORTS_KNOWN_HOSTS": "known_hosts",
    "SMT_REPORTS_FINGERPRINT": "fingerprint",
    "SMT_REPORTS_DESTINATION": "destination",
    "SMT_REPORTS_LEDGER": "ledger",
    "SMT_GNUPGHOME": "gnupghome",
    "SMT_PGP_KEY_FILE": "pgp_key_file",
}
# command-line option (argparse dest) -> key
_OPTIONS = {
    "via": "via", "host": "host", "port": "port", "username": "username",
    "ssh_key": "ssh_key_file", "known_hosts": "known_hosts", "fingerprint": "fingerprint",
    "cert": "cert_file", "cert_key": "cert_key_file", "ca_file": "ca_file",
    "destination": "destination", "ledger": "ledger", "gnupghome": "gnupghome",
    "pgp_key": "pgp_key_file", "folders": "folders",
}  # fmt: skip


def load_pull_settings(
    args: argparse.Namespace, environ: Mapping[str, str] | None = None
) -> tuple[ReportSettings, SftpSettings | FtpsSettings]:
    """The report settings and the transport's, from ``args.config`` (or ``$SMT_CONFIG``
    or ``./smt.toml``), the environment and ``args``. Raises ``ConfigurationError``
    naming the key and the rule."""
    env = os.environ if environ is None else environ
    path = args.config or (Path(env["SMT_CONFIG"]) if env.get("SMT_CONFIG") else None)
    if path is None and Path("smt.toml").is_file():
        path = Path("smt.toml")
    table = _read_table(path) if path is not None else {}
    base = path.parent if path is not None else Path.cwd()
    table = {k: (_under(base, v) if k in _PATHS else v) for k, v in table.items()}
    unknown = sorted(set(table) - _PATHS - _OTHERS)
    if unknown:
        raise _error(unknown[0], unknown[0], "not a setting of [reports]")
    for variable, key in ENVIRONMENT.items():
        if env.get(variable):
            table[key] = _under(Path.cwd(), env[variable]) if key in _PATHS else env[variable]
    for dest, key in _OPTIONS.items():
        value = getattr(args, dest, None)
        if value is not None:
            table[key] = _under(Path.cwd(), str(value)) if key in _PATHS else value
    if getattr(args, "delete_remote", False):
        table["delete_remote"] = True
    table.setdefault("username", env.get("SMT_USERNAME", ""))
    return _report_settings(table, env), _transport_settings(table, env)


def _report_settings(table: dict[str, Any], env: Mapping[str, str]) -> ReportSettings:
    if "destination" not in table:
        raise _error("destination", "", "required: where the reports go (--destination)")
    options: dict[str, Any] = {
        key: table[key]
        for key in ("delete_remote", "max_bytes", "max_ratio", "max_members", "settle_seconds")
        if key in table
    }
    if "folders" in table:
        folders = table["folders"]
        if not isinstance(folders, list) or not all(isinstance(f, str) for f in folders):
            raise _error("folders", repr(folders), 'must be a list of names: ["adhocusage"]')
        options["folders"] = tuple(folders)
    if not isinstance(options.get("delete_remote", False), bool):
        raise _error("delete_remote", repr(table["delete_remote"]), "must be true or false")
    return ReportSettings(
        destination=table["destination"],
        ledger=table.get("ledger"),
        work_folder=table.get("work_folder"),
        gnupghome=table.get("gnupghome"),
        private_key_file=table.get("pgp_key_file"),
        passphrase=_secret(env, "SMT_PGP_PASSPHRASE", table.get("pgp_passphrase_file")),
        **options,
    )


def _transport_settings(
    table: dict[str, Any], env: Mapping[str, str]
) -> SftpSettings | FtpsSettings:
    via = str(table.get("via", "sftp")).lower()
    if via not in ("sftp", "ftps"):
        raise _error("via", via, "must be sftp or ftps")
    try:
        port = int(table.get("port", 22 if via == "sftp" else 21))
    except (TypeError, ValueError):
        raise _error("port", repr(table.get("port")), "must be a number") from None
    raw = table.get("timeouts", {})
    if not isinstance(raw, dict) or set(raw) - {"connect", "read"}:
        raise _error("timeouts", repr(raw), "a table of connect and read seconds")
    timeouts = Timeouts(**raw)
    password = _secret(env, "SMT_REPORTS_PASSWORD", table.get("password_file"))
    host, username = str(table.get("host", "")), str(table.get("username", ""))
    if via == "sftp":
        return SftpSettings(
            host=host,
            port=port,
            username=username,
            key_file=table.get("ssh_key_file"),
            key_password=_secret(env, "SMT_SSH_KEY_PASSWORD", table.get("ssh_key_password_file")),
            password=password,
            known_hosts=table.get("known_hosts"),
            fingerprint=table.get("fingerprint"),
            timeouts=timeouts,
        )
    if password is None:
        raise _error("password_file", "", "FTPS needs SMT_REPORTS_PASSWORD or password_file")
    if "cert_file" not in table and "pkcs12_file" not in table:
        raise _error("cert_file", "", "FTPS needs the client certificate SMT registered")
    certificate = ClientCertificate(
        cert_file=table.get("cert_file"),
        key_file=table.get("cert_key_file"),
        pkcs12_file=table.get("pkcs12_file"),
        password=_secret(env, "SMT_KEY_PASSWORD", table.get("cert_password_file")),
    )
    return FtpsSettings(
        host=host,
        port=port,
        username=username,
        password=password,
        certificate=certificate,
        ca_file=table.get("ca_file"),
        timeouts=timeouts,
    )


def _read_table(path: Path) -> dict[str, Any]:
    reports = load_toml(path).get("reports", {})
    if not isinstance(reports, dict):
        raise _error("", str(path), "[reports] must be a table")
    return dict(reports)


def _under(base: Path, value: object) -> Path:
    if not isinstance(value, str | Path):
        raise _error("path", repr(value), "must be text naming a file or folder")
    path = Path(value).expanduser()
    return path if path.is_absolute() else base / path


def _secret(env: Mapping[str, str], variable: str, file: Path | None) -> str | None:
    if env.get(variable):
        return env[variable]
    if file is None:
        return None
    try:  # the first line, without its line break
        return file.read_text(encoding="utf-8").splitlines()[0]
    except (OSError, IndexError, UnicodeDecodeError) as exc:
        raise _error("secret file", str(file), "cannot be read as one line of text") from exc


def _error(key: str, value: str, rule: str) -> ConfigurationError:
    name = f"reports.{key}" if key else "reports"
    return ConfigurationError(f"{name}: {value!r} {rule}", field=name, value=value)
