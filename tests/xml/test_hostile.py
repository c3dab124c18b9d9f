"""Hostile and broken inputs are reported as invalid, with a reason, and never reach the
network or the disk: a canary HTTP server on 127.0.0.1 must see no request."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest

from adapter import Limits, MessageValidator

SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
VALIDATOR = MessageValidator()


class _Canary(http.server.BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        self.hits.append(self.path)
        body = b'<!ENTITY leak "reached">'
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def canary() -> Iterator[str]:
    _Canary.hits = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Canary)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    assert _Canary.hits == [], f"the validator fetched {_Canary.hits}"


def _envelope(prolog: str, text: str) -> bytes:
    return (
        f'{prolog}<s:Envelope xmlns:s="{SOAP}"><s:Body><s:Fault><faultcode>s:Client</faultcode>'
        f"<faultstring>{text}</faultstring></s:Fault></s:Body></s:Envelope>"
    ).encode()


def test_an_external_entity_pointing_at_a_local_file_is_refused_unread(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE")
    data = _envelope(f'<!DOCTYPE x [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>', "&xxe;")
    (violation,) = VALIDATOR.check(data).violations
    assert violation.rule == "doctype"
    assert "TOP-SECRET-VALUE" not in violation.format()


def test_an_external_entity_pointing_at_the_network_is_never_fetched(canary: str) -> None:
    data = _envelope(f'<!DOCTYPE x [<!ENTITY xxe SYSTEM "{canary}/entity">]>', "&xxe;")
    assert [v.rule for v in VALIDATOR.check(data).violations] == ["doctype"]


def test_an_external_dtd_is_never_fetched(canary: str) -> None:
    data = _envelope(f'<!DOCTYPE x SYSTEM "{canary}/evil.dtd">', "text")
    assert [v.rule for v in VALIDATOR.check(data).violations] == ["doctype"]


def test_an_external_parameter_entity_is_never_fetched(canary: str) -> None:
    data = _envelope(f'<!DOCTYPE x [<!ENTITY % p SYSTEM "{canary}/p.dtd"> %p;]>', "&leak;")
    assert [v.rule for v in VALIDATOR.check(data).violations] in (["doctype"], ["not-well-formed"])


def test_a_billion_laughs_document_is_refused_without_expanding_it() -> None:
    entities = ['<!ENTITY lol "lol">'] + [
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
        for i in range(1, 10)
    ]
    data = _envelope(f"<!DOCTYPE x [{''.join(entities)}]>", "&lol9;")
    (violation,) = VALIDATOR.check(data).violations
    assert violation.rule == "doctype"


def test_a_text_node_over_ten_megabytes_is_refused() -> None:
    data = _envelope("", "a" * (10 * 1024 * 1024 + 1))
    (violation,) = VALIDATOR.check(data).violations
    assert violation.rule == "text-too-large"


def test_nesting_deeper_than_libxml2_allows_is_refused() -> None:
    depth = 5000
    data = _envelope("", "<a>" * depth + "</a>" * depth)
    (violation,) = VALIDATOR.check(data).violations
    assert violation.rule == "too-deep"


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "big.xml"
    path.write_bytes(_envelope("", "x" * 5000))
    (violation,) = MessageValidator(limits=Limits(max_bytes=4096)).check(path).violations
    assert (violation.rule, violation.expected) == ("too-large", "4096")


@pytest.mark.parametrize(
    ("content", "rule"),
    [
        (b"", "empty"),
        (b"   \n", "not-well-formed"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "not-well-formed"),
        (b"this is not XML", "not-well-formed"),
        (b'<s:Envelope xmlns:s="' + SOAP.encode() + b'"><s:Body>', "not-well-formed"),
    ],
    ids=["empty", "blank", "binary", "text", "truncated"],
)
def test_non_xml_input_is_invalid_with_a_reason(content: bytes, rule: str, tmp_path: Path) -> None:
    path = tmp_path / "input.xml"
    path.write_bytes(content)
    (violation,) = VALIDATOR.check(path).violations
    assert violation.rule == rule
    assert violation.message


def test_a_path_that_cannot_be_read_is_reported_not_raised(tmp_path: Path) -> None:
    (violation,) = VALIDATOR.check(tmp_path).violations
    assert violation.rule == "unreadable"
