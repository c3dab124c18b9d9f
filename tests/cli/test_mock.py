"""``smt mock`` and ``smt mock certs``: the commands a user runs from a fresh install."""

from __future__ import annotations

import base64
import hashlib
import http.client
import os
import re
import socket
import ssl
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from adapter.cli import main
from tests.mock.conftest import basic, guide_request, operation_of

INTERVAL = guide_request("energydata", "processIntervalEnergyData")
HEADERS = {
    "Content-Type": "text/xml; charset=utf-8",
    "SOAPAction": f'"{operation_of("processIntervalEnergyData").soap_action}"',
}


def test_mock_certs_writes_a_ca_server_client_and_pkcs12(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["mock", "certs", str(tmp_path / "certs")]) == 0
    names = {p.name for p in (tmp_path / "certs").iterdir()}
    assert {
        "ca.pem",
        "server.pem",
        "server-key.pem",
        "client.pem",
        "client-key.pem",
        "client.p12",
    } <= names
    assert "CSPAPIUser1" in capsys.readouterr().out


def test_mock_certs_refuses_to_overwrite_without_force(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["mock", "certs", str(tmp_path)]) == 0
    assert main(["mock", "certs", str(tmp_path)]) == 2
    error = capsys.readouterr().err
    assert "already holds" in error and "--force" in error
    assert main(["mock", "certs", str(tmp_path), "--force"]) == 0


def test_unknown_config_key_is_refused_naming_the_setting(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "mock.toml"
    config.write_text('[mock]\nport = 8443\ncolour = "blue"\n')
    assert main(["mock", "--config", str(config)]) == 2
    assert "mock.colour" in capsys.readouterr().err


def test_busy_port_is_a_usage_error_naming_the_port(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["mock", "--insecure", "--port", str(port)]) == 2
    assert f"127.0.0.1:{port}" in capsys.readouterr().err


def start(args: list[str], cwd: Path) -> tuple[subprocess.Popen[str], list[str]]:
    """Start ``smt mock`` and read its banner up to the credentials."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "adapter", "mock", "--port", "0", *args],
        cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
    )  # fmt: skip
    assert process.stdout is not None
    lines: list[str] = []
    for line in process.stdout:
        lines.append(line.rstrip())
        if line.startswith("try:"):
            break
    return process, lines


@pytest.fixture
def stop() -> Iterator[list[subprocess.Popen[str]]]:
    started: list[subprocess.Popen[str]] = []
    yield started
    for process in started:
        process.terminate()
        process.wait(timeout=10)


def test_insecure_mock_prints_its_url_and_credentials_and_answers_curl_like_clients(
    tmp_path: Path, stop: list[subprocess.Popen[str]]
) -> None:
    process, lines = start(["--insecure"], tmp_path)
    stop.append(process)
    url = re.search(r"serving SMT at (http://\S+)", lines[0])
    assert url, lines
    assert any("CSPAPIUser1 / smt-mock-CSPAPIUser1" in line for line in lines)
    parts = urlsplit(url.group(1))
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    connection.request("POST", "/energydata/", body=INTERVAL, headers=HEADERS)
    assert connection.getresponse().status == 200


def test_default_mock_uses_mutual_tls_with_throwaway_certificates_it_prints(
    tmp_path: Path, stop: list[subprocess.Popen[str]]
) -> None:
    process, lines = start([], tmp_path)
    stop.append(process)
    url = re.search(r"serving SMT at (https://\S+) \(security: certificate\)", lines[0])
    assert url, lines
    certs = tmp_path / ".smt-mock" / "certs"
    assert any(str(certs) in line for line in lines)
    context = ssl.create_default_context(cafile=str(certs / "ca.pem"))
    context.load_cert_chain(str(certs / "client.pem"), str(certs / "client-key.pem"))
    parts = urlsplit(url.group(1))
    connection = http.client.HTTPSConnection(
        parts.hostname, parts.port, context=context, timeout=10
    )
    headers = {**HEADERS, "Authorization": basic("CSPAPIUser1", "smt-mock-CSPAPIUser1")}
    connection.request("POST", "/energydata/", body=INTERVAL, headers=headers)
    assert connection.getresponse().status == 200


def test_mock_serves_the_report_drop_over_sftp_and_ftps_when_asked(
    tmp_path: Path, stop: list[subprocess.Popen[str]]
) -> None:
    import ftplib

    import paramiko

    process, lines = start(["--sftp-port", "0", "--ftps-port", "0"], tmp_path)
    stop.append(process)
    assert process.stdout is not None
    for line in process.stdout:
        lines.append(line.rstrip())
        if "FTPS:" in line:
            break
    sftp_line = next(line for line in lines if "SFTP:" in line)
    ftps_line = next(line for line in lines if "FTPS:" in line)
    sftp_port = int(re.search(r"sftp -P (\d+)", sftp_line).group(1))  # type: ignore[union-attr]
    ftps_port = int(re.search(r":(\d+), PROT P", ftps_line).group(1))  # type: ignore[union-attr]
    fingerprint = re.search(r"host key (SHA256:\S+),", sftp_line).group(1)  # type: ignore[union-attr]

    transport = paramiko.Transport(("127.0.0.1", sftp_port))
    try:
        transport.connect(username="CSPAPIUser1", password="smt-mock-CSPAPIUser1")
        key = transport.get_remote_server_key()
        assert fingerprint.endswith(
            base64.b64encode(hashlib.sha256(key.asbytes()).digest()).decode().rstrip("=")
        )
        listing = paramiko.SFTPClient.from_transport(transport).listdir("/")  # type: ignore[union-attr]
    finally:
        transport.close()
    assert listing == [] or set(listing) <= {"adhocusage", "intervaldata"}

    certs = tmp_path / ".smt-mock" / "certs"
    context = ssl.create_default_context(cafile=str(certs / "ca.pem"))
    context.load_cert_chain(str(certs / "client.pem"), str(certs / "client-key.pem"))
    ftps = ftplib.FTP_TLS(context=context, timeout=10)
    try:
        ftps.connect("127.0.0.1", ftps_port)
        ftps.auth()
        ftps.login("CSPAPIUser1", "smt-mock-CSPAPIUser1")
        assert ftps.pwd() == "/"
    finally:
        ftps.close()
