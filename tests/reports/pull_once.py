"""Run one pull against an SFTP server and SIGKILL this process at a chosen step: the
crash half of the ledger's kill tests. Usage: pull_once.py SETTINGS_JSON STEP"""

from __future__ import annotations

import json
import os
import signal
import sys
from pathlib import Path

from adapter.clients.reports import ReportClient
from adapter.reports.ledger import LedgerEntry
from adapter.reports.settings import ReportSettings
from adapter.transport.sftp import SftpSettings, SftpTransport


def main() -> None:
    config = json.loads(Path(sys.argv[1]).read_text())
    step = sys.argv[2]
    sftp = SftpSettings(
        host="127.0.0.1",
        port=config["port"],
        username=config["username"],
        key_file=Path(config["key_file"]),
        fingerprint=config["fingerprint"],
    )
    settings = ReportSettings(
        destination=Path(config["destination"]),
        gnupghome=Path(config["gnupghome"]),
        delete_remote=True,
        settle_seconds=0,
    )

    def hook(name: str, entry: LedgerEntry) -> None:
        if name == step:
            os.kill(os.getpid(), signal.SIGKILL)

    with SftpTransport(sftp) as transport, ReportClient(settings, transport, hook=hook) as client:
        client.pull()


if __name__ == "__main__":
    main()
