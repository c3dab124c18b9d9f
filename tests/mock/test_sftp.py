"""The mock's SFTP server, with paramiko's real client over loopback: the host key is
checked, each account sees only its folder, downloads resume after drop-mid-download."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import paramiko
import pytest

from adapter.mock.config import DEFAULT_ACCOUNTS
from adapter.mock.sftp import SftpServer
from adapter.mock.ssh_keys import format_fingerprint, load_host_key, read_authorized_keys

REPORT = "adhocusage/IntervalMeterUsage5b878d4e072917e2a11fcd59.CSV.630630258"
PASSWORD = "smt-mock-CSPAPIUser1"
DATA = os.urandom(100_000)
ESCAPES = (
    "../bobby@123/secret.csv",
    "/../bobby@123/secret.csv",
    "adhocusage/../../bobby@123/secret.csv",
    "adhocusage/escape/secret.csv",
)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    folder = tmp_path / "drop" / "CSPAPIUser1" / "adhocusage"
    folder.mkdir(parents=True)
    (folder / REPORT.split("/")[1]).write_bytes(DATA)
    (folder / ".half.part").write_bytes(b"x")  # the drop's temporary names stay hidden
    other = tmp_path / "drop" / "bobby@123"
    other.mkdir()
    (other / "secret.csv").write_text("bobby's")
    return tmp_path / "drop"


@pytest.fixture
def server(root: Path, tmp_path: Path) -> Iterator[SftpServer]:
    host_key, created = load_host_key(tmp_path / "keys" / "host_key")
    assert created
    with SftpServer(root, accounts=DEFAULT_ACCOUNTS, host_key=host_key) as running:
        yield running


def _client(
    server: SftpServer, *, password: str | None = PASSWORD, pkey: paramiko.PKey | None = None
) -> paramiko.SSHClient:
    client = paramiko.SSHClient()
    client.set_missing_host_key_policy(paramiko.RejectPolicy())
    client.get_host_keys().add(f"[127.0.0.1]:{server.port}", "ssh-ed25519", server.host_key)
    client.connect(
        "127.0.0.1", server.port, username="CSPAPIUser1", password=password, pkey=pkey,
        look_for_keys=False, allow_agent=False, timeout=10,
    )  # fmt: skip
    return client


def test_an_account_lists_reads_and_removes_its_reports(server: SftpServer) -> None:
    with _client(server) as client, client.open_sftp() as sftp:
        assert sftp.listdir("/") == ["adhocusage"]
        assert sftp.listdir("adhocusage") == [REPORT.split("/")[1]]
        assert sftp.stat(REPORT).st_size == len(DATA)
        with sftp.open(REPORT) as handle:
            handle.seek(90_000)
            assert handle.read() == DATA[90_000:]
        sftp.rename(REPORT, REPORT + ".done")
        sftp.remove(REPORT + ".done")
        assert sftp.listdir("adhocusage") == []


def test_the_host_key_is_checked_and_its_fingerprint_known(
    server: SftpServer, tmp_path: Path
) -> None:
    assert server.fingerprint == format_fingerprint(server.host_key)
    assert server.fingerprint.startswith("SHA256:") and "=" not in server.fingerprint
    again, created = load_host_key(tmp_path / "keys" / "host_key")  # reused, not replaced
    assert not created and format_fingerprint(again) == server.fingerprint
    other, _ = load_host_key(tmp_path / "other_key")
    client = paramiko.SSHClient()
    client.set_missing_host_key_policy(paramiko.RejectPolicy())
    client.get_host_keys().add(f"[127.0.0.1]:{server.port}", "ssh-ed25519", other)
    with pytest.raises(paramiko.BadHostKeyException):
        client.connect(
            "127.0.0.1", server.port, username="CSPAPIUser1", password=PASSWORD,
            look_for_keys=False, allow_agent=False, timeout=10,
        )  # fmt: skip
    client.close()


def test_a_wrong_password_is_refused(server: SftpServer) -> None:
    with pytest.raises(paramiko.AuthenticationException):
        _client(server, password="wrong")


def test_public_key_authentication(root: Path, tmp_path: Path) -> None:
    key, _ = load_host_key(tmp_path / "client_key")  # any Ed25519 key will do
    listed = tmp_path / "authorized_keys"
    listed.write_text(f"# service ID, key\nCSPAPIUser1 {key.get_name()} {key.get_base64()} me\n")
    host_key, _ = load_host_key(tmp_path / "host_key")
    with SftpServer(
        root,
        accounts=DEFAULT_ACCOUNTS,
        host_key=host_key,
        authorized_keys=read_authorized_keys(listed),
        passwords=False,
    ) as server:
        with _client(server, password=None, pkey=key) as client, client.open_sftp() as sftp:
            assert sftp.listdir("adhocusage")
        with pytest.raises(paramiko.AuthenticationException):
            _client(server)  # passwords are off


def test_paths_stay_inside_the_account_folder(server: SftpServer, root: Path) -> None:
    (root / "CSPAPIUser1" / "adhocusage" / "escape").symlink_to(root / "bobby@123")
    with _client(server) as client, client.open_sftp() as sftp:
        for path in ESCAPES:
            with pytest.raises(PermissionError):
                sftp.open(path)
        assert "escape" not in sftp.listdir("adhocusage")
        with pytest.raises(PermissionError):
            sftp.remove("../bobby@123/secret.csv")
        with pytest.raises(PermissionError):
            sftp.open("adhocusage/new.csv", "w")
        with pytest.raises(PermissionError):
            sftp.mkdir("new")
    assert (root / "bobby@123" / "secret.csv").exists()


def test_drop_mid_download_cuts_once_and_the_download_resumes(root: Path, tmp_path: Path) -> None:
    host_key, _ = load_host_key(tmp_path / "host_key")
    with SftpServer(
        root, accounts=DEFAULT_ACCOUNTS, host_key=host_key, drop_after_bytes=40_000
    ) as server:
        received = b""
        with _client(server) as client, client.open_sftp() as sftp:
            handle = sftp.open(REPORT)
            with pytest.raises((OSError, EOFError, paramiko.SSHException)):  # noqa: PT012
                while chunk := handle.read(8192):
                    received += chunk
        # the client holds what it read before the cut (its buffering decides how much)
        assert 0 < len(received) <= 40_000 and received == DATA[: len(received)]
        with _client(server) as client, client.open_sftp() as sftp, sftp.open(REPORT) as handle:
            handle.seek(len(received))
            received += handle.read()
        assert received == DATA
