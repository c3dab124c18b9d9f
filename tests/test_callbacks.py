"""Receiving SMT's callback reports over real HTTPS on 127.0.0.1: stored once, atomically,
refused with a reason when they are not reports."""

from __future__ import annotations

import http.client
import json
import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest

from adapter.callbacks import CallbackReceiver
from adapter.mock import MockServer, TlsFiles, build_server_context, write_certificate_set
from adapter.mock.certs import CertificateSet

REPORT = {
    "trans_id": "A12",
    "correlationId": "441888",
    "esiid": "10443720008107413",
    "energyData": [{"DT": "04/20/2019", "RevTS": "04/21/2019 09:49:58", "RT": "C", "RD": ""}],
}


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> CertificateSet:
    return write_certificate_set(tmp_path_factory.mktemp("pki"))


@pytest.fixture
def receiver(certs: CertificateSet, tmp_path: Path) -> Iterator[tuple[MockServer, Path]]:
    folder = tmp_path / "reports"
    tls = build_server_context(TlsFiles(cert_file=certs.server_cert, key_file=certs.server_key))
    with MockServer(CallbackReceiver(folder), port=0, tls=tls) as server:
        yield server, folder


def push(server: MockServer, certs: CertificateSet, body: bytes) -> tuple[int, dict[str, str]]:
    context = ssl.create_default_context(cafile=str(certs.ca_cert))
    connection = http.client.HTTPSConnection("127.0.0.1", server.port, context=context, timeout=10)
    try:
        connection.request("POST", "/", body, {"Content-Type": "application/json"})
        response = connection.getresponse()
        return response.status, json.loads(response.read())
    finally:
        connection.close()


def test_a_report_is_stored_under_its_correlation_id(
    receiver: tuple[MockServer, Path], certs: CertificateSet
) -> None:
    server, folder = receiver
    body = json.dumps(REPORT).encode()

    status, answer = push(server, certs, body)

    assert status == 200 and answer == {"correlationId": "441888", "stored": "441888.json"}
    assert (folder / "441888.json").read_bytes() == body
    assert [p.name for p in folder.iterdir()] == ["441888.json"]  # no temporary left


def test_the_same_report_twice_is_stored_once(
    receiver: tuple[MockServer, Path], certs: CertificateSet
) -> None:
    server, folder = receiver
    body = json.dumps(REPORT).encode()
    push(server, certs, body)

    status, answer = push(server, certs, body)

    assert status == 200 and answer["stored"] == "duplicate"
    assert len(list(folder.iterdir())) == 1


def test_another_report_under_a_stored_correlation_id_is_refused_not_written_over(
    receiver: tuple[MockServer, Path], certs: CertificateSet
) -> None:
    server, folder = receiver
    first = json.dumps(REPORT).encode()
    push(server, certs, first)

    status, answer = push(server, certs, json.dumps({**REPORT, "trans_id": "B7"}).encode())

    assert status == 409 and "441888" in answer["error"]
    assert (folder / "441888.json").read_bytes() == first


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (b"{not json", "not JSON"),
        (b"[1, 2]", "correlationId"),
        (json.dumps({"trans_id": "A12"}).encode(), "correlationId"),
        (json.dumps({"correlationId": "../../etc/passwd"}).encode(), "correlationId"),
    ],
)
def test_a_malformed_body_is_refused_and_nothing_is_stored(
    receiver: tuple[MockServer, Path], certs: CertificateSet, body: bytes, words: str
) -> None:
    server, folder = receiver

    status, answer = push(server, certs, body)

    assert status == 400 and words in answer["error"]
    assert list(folder.iterdir()) == []


def _call(receiver: CallbackReceiver, body: bytes, length: str) -> tuple[str, dict[str, str]]:
    import io

    seen: dict[str, str] = {}
    environ = {"REQUEST_METHOD": "POST", "CONTENT_LENGTH": length, "wsgi.input": io.BytesIO(body)}
    data = b"".join(receiver(environ, lambda status, headers: seen.update(status=status)))
    return seen["status"], json.loads(data)


@pytest.mark.parametrize(
    ("body", "length", "words"),
    [
        (b"{}", "-1", "Content-Length"),
        (b"{", "10", "ended after 1 bytes"),
        (b"[" * 100_000 + b"]" * 100_000, "200000", "not JSON"),
    ],
)
def test_a_body_that_lies_about_itself_is_refused(
    tmp_path: Path, body: bytes, length: str, words: str
) -> None:
    status, answer = _call(CallbackReceiver(tmp_path), body, length)

    assert status.startswith("400") and words in answer["error"]
    assert list(tmp_path.iterdir()) == []


def test_two_receivers_on_one_folder_never_write_over_each_other(tmp_path: Path) -> None:
    first, second = CallbackReceiver(tmp_path), CallbackReceiver(tmp_path)
    one = json.dumps(REPORT).encode()
    other = json.dumps({**REPORT, "trans_id": "B7"}).encode()

    assert _call(first, one, str(len(one)))[0].startswith("200")
    assert _call(second, other, str(len(other)))[0].startswith("409")
    assert (tmp_path / "441888.json").read_bytes() == one
    assert [p.name for p in tmp_path.iterdir()] == ["441888.json"]
