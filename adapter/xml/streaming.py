"""Validating a message's body item by item, in memory bounded by one item.

An operation wrapper holds items: one payload per ESIID in a synchronous response, the
request payload, an acknowledgement. Each item is validated on its own as soon as it has
been parsed, then emptied (its children, text and attributes freed; its tail kept). Last,
the skeleton (envelope, wrapper, emptied items and anything else) is validated against
the skeleton schema, whose wrappers accept any content in their items: it checks which
items stand where, and everything around them.
"""

from __future__ import annotations

from lxml import etree

from adapter.xml.findings import Findings
from adapter.xml.names import tag_of
from adapter.xml.parsing import Source, open_source, parser_options, safe_parser
from adapter.xml.schemaset import schema_lock

__all__ = ["validate_items", "validate_whole"]


def validate_items(
    source: Source,
    *,
    wrapper: str,
    items: dict[str, etree.XMLSchema],
    skeleton: etree.XMLSchema,
    findings: Findings,
) -> None:
    """Validate the children of ``wrapper`` with ``items`` (keyed by child name), then the
    rest of the document with ``skeleton``."""
    tags = [name if name.startswith("{") else f"{{}}{name}" for name in items]
    try:
        with open_source(source) as stream:
            context = etree.iterparse(stream, events=("end",), tag=tags, **parser_options())
            for _, item in context:
                parent = item.getparent()
                if parent is None or tag_of(parent) != wrapper:
                    continue  # a same-named element deeper down: part of an item
                schema = items[tag_of(item)]
                with schema_lock(schema):
                    if not schema.validate(item):
                        findings.record_log(schema, item)
                item.clear(keep_tail=True)
            root = context.root
    except etree.XMLSyntaxError as exc:
        findings.not_well_formed(exc)
    except (OSError, ValueError) as exc:
        findings.unreadable(exc)
    if root is None:
        findings.stop("not-well-formed", "the document holds no element")
    with schema_lock(skeleton):
        if not skeleton.validate(root.getroottree()):
            findings.record_log(skeleton, root)


def validate_whole(source: Source, schema: etree.XMLSchema, findings: Findings) -> None:
    """Parse the whole document and validate it with ``schema`` (SOAP Faults and bare
    payloads: small documents without items)."""
    try:
        with open_source(source) as stream:
            tree = etree.parse(stream, safe_parser())
    except etree.XMLSyntaxError as exc:
        findings.not_well_formed(exc)
    except (OSError, ValueError) as exc:
        findings.unreadable(exc)
    root = tree.getroot()
    with schema_lock(schema):
        if not schema.validate(tree):
            findings.record_log(schema, root)
