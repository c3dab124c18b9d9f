"""Namespaces and element names shared by the XML modules."""

from __future__ import annotations

from lxml import etree

__all__ = ["SOAP12_ENVELOPE", "SOAP_ENVELOPE", "XSD", "clark", "local", "tag_of"]

XSD = "http://www.w3.org/2001/XMLSchema"
SOAP_ENVELOPE = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12_ENVELOPE = "http://www.w3.org/2003/05/soap-envelope"


def tag_of(element: etree._Element) -> str:
    """The element's Clark name as ``str`` (lxml types tags loosely)."""
    return str(element.tag)


def clark(node: etree._Element, qname: str) -> str:
    """Resolve a prefixed name written in ``node`` (``tns:Foo``) to ``{namespace}Foo``."""
    prefix, _, name = qname.rpartition(":")
    return f"{{{node.nsmap.get(prefix or None, '')}}}{name}"


def local(name: str) -> str:
    """The local part of a Clark (``{ns}x``) or prefixed (``p:x``) name."""
    return name.rpartition("}")[2].rpartition(":")[2]
