"""Reading what a client sent: the path, the body (refused before it is read when too
large), the mock's own URL as the client addressed it, and the SOAP payload."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from typing import Any

from lxml import etree

from adapter.mock.replies import Refusal, Reply
from adapter.xml.names import SOAP_ENVELOPE
from adapter.xml.parsing import safe_parser

__all__ = [
    "find_payload",
    "from_loopback",
    "parse_envelope",
    "read_base_url",
    "read_body",
    "read_path",
]

# A Host header is echoed into the WSDL's address: only a plain host[:port] is.
_HOST = re.compile(r"(?:[A-Za-z0-9._-]+|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?")


def read_path(environ: Mapping[str, Any]) -> str:
    return str(environ.get("PATH_INFO", "") or "/")


def read_base_url(environ: Mapping[str, Any]) -> str:
    """``scheme://host:port`` as the client called the mock (its Host header, when that
    is a plain host name or address)."""
    scheme = environ.get("wsgi.url_scheme", "http")
    host = str(environ.get("HTTP_HOST", ""))
    if not _HOST.fullmatch(host):
        host = f"{environ.get('SERVER_NAME')}:{environ.get('SERVER_PORT')}"
    return f"{scheme}://{host}"


def from_loopback(environ: Mapping[str, Any]) -> bool:
    """Whether the client is on this machine (in process, REMOTE_ADDR is absent)."""
    address = environ.get("REMOTE_ADDR")
    if address is None:
        return True
    try:
        peer = ipaddress.ip_address(str(address))
    except ValueError:
        return False
    mapped = getattr(peer, "ipv4_mapped", None)  # ::ffff:127.0.0.1 on a dual-stack socket
    return bool(peer.is_loopback or (mapped is not None and mapped.is_loopback))


def read_body(environ: Mapping[str, Any], limit: int) -> bytes:
    """The request body, refused before it is read when its length is unknown or over
    ``limit``."""
    length_text = environ.get("CONTENT_LENGTH") or ""
    if not length_text.isdigit():
        raise Refusal(Reply.text(411, "a Content-Length header is required"))
    length = int(length_text)
    if length > limit:
        raise Refusal(
            Reply.text(413, f"the body is {length} bytes; the mock accepts at most {limit}")
        )
    body = bytes(environ["wsgi.input"].read(length))
    if len(body) != length:
        raise Refusal(Reply.text(400, f"the body ended after {len(body)} of {length} bytes"))
    return body


def parse_envelope(body: bytes) -> etree._Element:
    """A request the validator passed, parsed (when it did not keep its own parse)."""
    return etree.fromstring(body, safe_parser())


_BODY = f"{{{SOAP_ENVELOPE}}}Body"


def find_payload(root: etree._Element) -> etree._Element:
    """The operation wrapper's first element child."""
    for body in root.iterchildren(_BODY):
        for wrapper in body.iterchildren("*"):
            for payload in wrapper.iterchildren("*"):
                return payload
    raise Refusal(Reply.fault("Client", "the operation wrapper holds no payload element"))
