"""Reading request payloads and writing response payloads, in the wire's names.

SMT's payload children are unqualified; only a few payload roots are qualified (the
MeterInformation request and the MeterInformation/PremiseInformation responses), and the
handlers pass those names in Clark notation.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from lxml import etree

from adapter.mock.soap import SoapFault

__all__ = [
    "Acknowledgement",
    "add",
    "add_fault_list",
    "add_fields",
    "build_acknowledgement",
    "build_sync_root",
    "read_all",
    "read_optional",
    "read_required",
]


def add(parent: etree._Element, name: str, text: str | None = None) -> etree._Element:
    """Append an unqualified child (``text`` None writes an empty element)."""
    child = etree.SubElement(parent, name)
    if text is not None:
        child.text = text
    return child


def add_fields(
    parent: etree._Element, name: str, fields: Iterable[tuple[str, str]]
) -> etree._Element:
    """Append ``<name>`` holding one unqualified child per (element, text), in order."""
    record = add(parent, name)
    for element, text in fields:
        add(record, element, text)
    return record


def read_optional(payload: etree._Element, path: str) -> str | None:
    """The stripped text at ``path`` (unqualified names), None if absent or empty."""
    # a plain child name, the common case, is looked up in C (find() parses the path)
    found = next(payload.iterchildren(path), None) if "/" not in path else payload.find(path)
    text = None if found is None else found.text
    return text.strip() or None if text is not None else None


def read_required(payload: etree._Element, path: str) -> str:
    value = read_optional(payload, path)
    if value is None:  # the schema check makes this rare: an element of spaces only
        raise SoapFault("Client", f"{path}: a value is required, got an empty element")
    return value


def read_all(payload: etree._Element, path: str) -> list[str]:
    """Every non-empty text at ``path``, in document order, each once."""
    seen: dict[str, None] = {}
    for found in _iter_path(payload, path):
        if found.text and found.text.strip():
            seen.setdefault(found.text.strip(), None)
    return list(seen)


def _iter_path(payload: etree._Element, path: str) -> Iterator[etree._Element]:
    # ``list/item`` (the request lists) is walked in C; iterfind() parses the path each time
    outer, _, inner = path.partition("/")
    if not inner or "/" in inner:
        yield from payload.iterfind(path)
        return
    for parent in payload.iterchildren(outer):
        yield from parent.iterchildren(inner)


@dataclass(frozen=True, slots=True, kw_only=True)
class Acknowledgement:
    """The answer to an asynchronous request: the report will be delivered later."""

    trans_id: str
    correlation_id: str
    status_code: str
    status_reason: str
    faults: Sequence[tuple[str, str]] = ()  # (esiid, reason)


def build_acknowledgement(
    tag: str, ack: Acknowledgement, *, fault_list: str, fault_item: str = "faultESIID"
) -> etree._Element:
    """An ``Acknowledgement`` payload; ``fault_list`` is the service's name for the fault
    list (``faultESIIDList`` for EnergyData, ``faultESIIDs`` for the attribute services)."""
    root = etree.Element(tag)
    add(root, "trans_id", ack.trans_id)
    add(root, "correlationId", ack.correlation_id)
    add(root, "statusCode", ack.status_code)
    add(root, "statusReason", ack.status_reason)
    add_fault_list(root, fault_list, fault_item, ack.faults)
    return root


def build_sync_root(tag: str, request: etree._Element, esiid: str) -> etree._Element:
    """A synchronous payload's opening: ``trans_id`` (echoed) and ``esiid``."""
    root = etree.Element(tag)
    add(root, "trans_id", read_required(request, "trans_id"))
    add(root, "esiid", esiid)
    return root


def add_fault_list(
    root: etree._Element,
    list_name: str,
    item_name: str,
    faults: Iterable[tuple[str, str]],
    *,
    reason_name: str = "reason",
) -> None:
    """Append a list of (esiid, reason) faults; nothing when there are none."""
    faults = list(faults)
    if not faults:
        return
    listed = add(root, list_name)
    for esiid, reason in faults:
        item = add(listed, item_name)
        add(item, "esiid", esiid)
        add(item, reason_name, reason)
