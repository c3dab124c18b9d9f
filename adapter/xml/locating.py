"""Locating elements: readable paths for people, and following libxml2's node paths."""

from __future__ import annotations

from lxml import etree

__all__ = ["readable_path", "resolve", "tag_of"]


def tag_of(element: etree._Element) -> str:
    """The element's Clark name as ``str`` (lxml types tags loosely)."""
    return str(element.tag)


def readable_path(element: etree._Element) -> str:
    """``/soapenv:Envelope/soapenv:Body/...`` with the document's own prefixes, and a
    position wherever an element has same-named siblings."""
    steps = []
    node: etree._Element | None = element
    while node is not None:
        steps.append(_step(node))
        node = node.getparent()
    return "/" + "/".join(reversed(steps))


def _step(node: etree._Element) -> str:
    qname = etree.QName(node)
    name = f"{node.prefix}:{qname.localname}" if node.prefix else qname.localname
    parent = node.getparent()
    if parent is None:
        return name
    same = list(parent.iterchildren(tag_of(node)))
    if len(same) < 2:
        return name
    return f"{name}[{same.index(node) + 1}]"


def resolve(start: etree._Element, path: str | None, *, skip_first: bool) -> etree._Element | None:
    """Follow a libxml2 node path (``/a:b/c[2]/*[3]``) from ``start``, which stands for the
    path's first step. ``*[n]`` is the n-th element child (libxml2's form for elements in a
    default namespace); ``name[n]`` counts same-named siblings."""
    if not path or not path.startswith("/"):
        return None
    steps = path[1:].split("/")
    node = start
    for step in steps[1:] if skip_first else steps:
        name, _, index = step.partition("[")
        position = int(index.rstrip("]")) if index else 1
        if name == "*":
            candidates = [c for c in node.iterchildren() if isinstance(c.tag, str)]
        else:
            prefix, _, local = name.rpartition(":")
            candidates = [
                c
                for c in node.iterchildren()
                if isinstance(c.tag, str)
                and etree.QName(c).localname == local
                and (c.prefix or "") == prefix
            ]
        if len(candidates) < position:
            return node if name.endswith("()") else None
        node = candidates[position - 1]
    return node
