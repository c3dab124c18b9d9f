"""``smt reports pull``: take the report files SMT dropped (SFTP with a key, 2025; or
FTPS with a client certificate, 2020) into a local folder, each exactly once, through the
no-loss ledger. ``add_pull(actions)`` registers it under ``smt reports``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from adapter.transport.remote_files import FileTransport


__all__ = ["add_pull"]

EXIT_STATUS = (
    "Exit status: 0 every finished file taken in (files still being written are left for "
    "the next run), 1 a file was refused (it cannot be decrypted, unzipped, verified or "
    "parsed: left on the server and in the ledger; or its name could leave its folder), 2 "
    "usage or settings error, 3 transport, host key or authentication failure (what was "
    "done so far is kept; run again to resume)."
)


def add_pull(actions: Any) -> None:
    """Register ``pull`` on the ``smt reports`` subcommands."""
    pull = actions.add_parser(
        "pull",
        help="download, decrypt, unzip, check and place SMT's report files, each once",
        description=(
            "List the remote folders twice a moment apart, then take in every finished "
            "file: download (resuming a .part), verify its size, record its SHA-256, "
            "decrypt (gpg, private GNUPGHOME), unzip (capped against ZIP bombs), parse "
            "(bad rows to <file>.dead-letters.csv), rename into --destination/<folder>/, "
            "record it in the ledger and, with --delete-remote, remove the remote file. "
            "Settings come from [reports] in the TOML file and SMT_REPORTS_* variables; "
            "secrets only from the environment or files. " + EXIT_STATUS
        ),
    )
    pull.add_argument("--via", choices=["sftp", "ftps"], help="protocol (default sftp)")
    pull.add_argument("--host")
    pull.add_argument("--port", type=int)
    pull.add_argument("--username", help="the SMT service ID (default $SMT_USERNAME)")
    pull.add_argument("--ssh-key", type=Path, metavar="FILE", help="SFTP private key")
    pull.add_argument("--known-hosts", type=Path, metavar="FILE", help="pins the host key")
    pull.add_argument("--fingerprint", metavar="SHA256:...", help="pins the host key")
    pull.add_argument("--cert", type=Path, metavar="PEM", help="FTPS client certificate")
    pull.add_argument("--cert-key", type=Path, metavar="PEM", help="its key, if apart")
    pull.add_argument("--ca-file", type=Path, metavar="PEM", help="trust this CA (FTPS)")
    pull.add_argument("--destination", type=Path, metavar="DIR")
    pull.add_argument("--ledger", type=Path, metavar="FILE", help="SQLite ledger")
    pull.add_argument("--gnupghome", type=Path, metavar="DIR", help="private GNUPGHOME")
    pull.add_argument("--pgp-key", type=Path, metavar="FILE", help="import this secret key")
    pull.add_argument(
        "--folder", dest="folders", action="append", metavar="NAME",
        help="remote folder to pull (repeatable; default adhocusage and intervaldata)",
    )  # fmt: skip
    pull.add_argument(
        "--delete-remote", action="store_true", help="remove each remote file once recorded"
    )
    pull.add_argument(
        "--config", type=Path, metavar="FILE",
        help="TOML file with a [reports] table (default: $SMT_CONFIG, else ./smt.toml)",
    )  # fmt: skip
    pull.set_defaults(run=_run_pull)


def _run_pull(args: argparse.Namespace) -> int:
    # loaded when the command runs: smt's other commands never pay for the client side
    from adapter.cli.pull_config import load_pull_settings
    from adapter.clients.reports import ReportClient
    from adapter.transport.ftps import FtpsSettings, FtpsTransport
    from adapter.transport.sftp import SftpTransport

    settings, connection = load_pull_settings(args)
    transport: FileTransport
    if isinstance(connection, FtpsSettings):
        transport = FtpsTransport(connection)
    else:
        transport = SftpTransport(connection)
    with transport, ReportClient(settings, transport, progress=sys.stderr.isatty()) as client:
        summary = client.pull()
    for path in summary.placed:
        print(f"placed {path}")
    print(
        f"{len(summary.placed)} file(s) placed, {summary.records} record(s), "
        f"{summary.dead_letters} with dead letters, {len(summary.skipped)} taken in before, "
        f"{len(summary.duplicates)} duplicate(s), {len(summary.growing)} still being written"
    )
    for remote, reason in summary.failed:
        print(f"smt reports pull: {remote}: {reason}", file=sys.stderr)
    for remote, reason in summary.refused:
        print(f"smt reports pull: refused the remote name {remote!r}: {reason}", file=sys.stderr)
    return 1 if summary.failed or summary.refused else 0
