"""Reading just the head of a document: its root element, and for a SOAP envelope the
Body's first child, which names the operation. Nothing else is kept."""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from adapter.xml.findings import Findings
from adapter.xml.locating import readable_path
from adapter.xml.names import SOAP_ENVELOPE, tag_of
from adapter.xml.parsing import Source, open_source, parser_options

__all__ = ["DOCTYPE_REFUSED", "Head", "Node", "has_doctype", "read_head"]

DOCTYPE_REFUSED = (
    "the document declares a DOCTYPE; SOAP messages must not (SOAP 1.1 section 3), "
    "and entities and external DTDs are never resolved"
)
_CHUNK = 64 * 1024
_BODY = f"{{{SOAP_ENVELOPE}}}Body"
_DOCTYPE_MARKS = tuple("<!DOCTYPE".encode(codec) for codec in ("utf-8", "utf-16-le", "utf-16-be"))
_MARK_SPAN = max(len(mark) for mark in _DOCTYPE_MARKS)


@dataclass(frozen=True, slots=True)
class Node:
    """An element seen in the head: its Clark name, line and readable path."""

    tag: str
    line: int | None
    path: str


@dataclass(frozen=True, slots=True)
class Head:
    """The root element, whether a SOAP Body was seen, and the Body's first child."""

    root: Node
    body_seen: bool = False
    body_child: Node | None = None


def read_head(source: Source, findings: Findings, *, root_only: bool) -> Head:
    """Parse just far enough to see the root (and, unless ``root_only``, the SOAP Body's
    first child). A DOCTYPE stops the check before anything it declares is used."""
    parser = etree.XMLPullParser(events=("start", "end"), **parser_options())
    top: etree._Element | None = None
    body: etree._Element | None = None
    doctype, window = False, b""
    try:
        with open_source(source) as stream:
            while chunk := stream.read(_CHUNK):
                if top is None:
                    doctype = doctype or any(m in window + chunk for m in _DOCTYPE_MARKS)
                    window = (window + chunk)[-_MARK_SPAN:]
                parser.feed(chunk)
                for event, element in parser.read_events():
                    if top is None:
                        _refuse_doctype(element, findings)
                        top = element
                        if root_only:
                            return Head(_node(top))
                    parent = element.getparent()
                    if event == "start" and parent is top and tag_of(element) == _BODY:
                        body = element
                    elif event == "start" and body is not None and parent is body:
                        return Head(_node(top), body_seen=True, body_child=_node(element))
                    elif event == "end" and element is body:
                        return Head(_node(top), body_seen=True)
                    elif event == "end" and parent is not None:
                        parent.remove(element)  # read and not needed: keep memory flat
            parser.close()
    except etree.XMLSyntaxError as exc:
        if top is None and doctype:
            # libxml2 may give up inside the DTD itself (entity amplification): same refusal
            findings.stop("doctype", DOCTYPE_REFUSED, line=exc.lineno or None)
        findings.not_well_formed(exc)
    except (OSError, ValueError) as exc:
        findings.unreadable(exc)
    if top is None:
        findings.stop("not-well-formed", "the document holds no element")
    return Head(_node(top), body_seen=body is not None)


def _node(element: etree._Element) -> Node:
    return Node(tag_of(element), element.sourceline, readable_path(element))


def has_doctype(root: etree._Element) -> bool:
    """Whether the document of ``root`` declares a DOCTYPE (internal subset or external)."""
    info = root.getroottree().docinfo
    return bool(info.internalDTD is not None or info.doctype or info.system_url)


def _refuse_doctype(root: etree._Element, findings: Findings) -> None:
    info = root.getroottree().docinfo
    if has_doctype(root):
        findings.stop("doctype", DOCTYPE_REFUSED, line=root.sourceline, value=info.doctype or None)
