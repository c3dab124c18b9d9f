"""Locating elements: readable paths for people, and following libxml2's node paths.

Both run in libxml2's XPath engine, so that an element among 70,000 siblings costs no
more to locate than one among three."""

from __future__ import annotations

import re

from lxml import etree

from adapter.xml.names import tag_of

__all__ = ["readable_path", "resolve"]

_STEP = re.compile(r"^(?:(?P<prefix>[^:\[\]/]+):)?(?P<name>[^:\[\]/]+)(?:\[(?P<position>\d+)\])?$")
_PRECEDING_TWINS = etree.XPath(
    "count(preceding-sibling::*[local-name() = $name and namespace-uri() = $namespace])"
)


def readable_path(element: etree._Element) -> str:
    """``/soapenv:Envelope/soapenv:Body/...`` with the document's own prefixes, and a
    position wherever an element has same-named siblings."""
    steps = []
    node: etree._Element | None = element
    while node is not None:
        steps.append(_step(node))
        node = node.getparent()
    return "/" + "/".join(reversed(steps))


def resolve(start: etree._Element, path: str | None, *, skip_first: bool) -> etree._Element | None:
    """Follow a libxml2 node path (``/a:b/c[2]/*[3]``) from ``start``, which stands for the
    path's first step when ``skip_first``. ``*[n]`` is the n-th element child (libxml2's
    form for elements in a default namespace); ``name[n]`` counts same-named siblings."""
    if not path or not path.startswith("/"):
        return None
    steps = path[1:].split("/")
    steps = steps[1:] if skip_first else steps
    matches = [_STEP.match(step) for step in steps]
    if not all(matches) or not steps:
        return start if not steps else None
    prefixes = {m["prefix"] for m in matches if m and m["prefix"]}
    if prefixes <= set(start.nsmap):
        namespaces = {p: start.nsmap[p] for p in prefixes}
        found = start.xpath("./" + "/".join(steps), namespaces=namespaces)
        if isinstance(found, list) and found and isinstance(found[0], etree._Element):
            return found[0]
        return None
    return _walk(start, steps)


def _walk(start: etree._Element, steps: list[str]) -> etree._Element | None:
    """Step by step, for paths whose prefixes are declared below ``start``."""
    node = start
    for step in steps:
        match = _STEP.match(step)
        if match is None:
            return None
        position = int(match["position"] or 1)
        if match["name"] == "*" and not match["prefix"]:
            candidates = [c for c in node.iterchildren() if isinstance(c.tag, str)]
        else:
            candidates = [
                c
                for c in node.iterchildren()
                if isinstance(c.tag, str)
                and etree.QName(c).localname == match["name"]
                and (c.prefix or "") == (match["prefix"] or "")
            ]
        if len(candidates) < position:
            return None
        node = candidates[position - 1]
    return node


def _step(node: etree._Element) -> str:
    qname = etree.QName(node)
    name = f"{node.prefix}:{qname.localname}" if node.prefix else qname.localname
    if node.getparent() is None:
        return name
    before = int(_PRECEDING_TWINS(node, name=qname.localname, namespace=qname.namespace or ""))
    after = next(node.itersiblings(tag_of(node)), None) is not None
    return f"{name}[{before + 1}]" if before or after else name
