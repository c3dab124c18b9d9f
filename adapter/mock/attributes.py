"""MeterInformation (3.2.1.2) and PremiseInformation (3.2.1.3): the attributes of one
ESIID synchronously, or of several (or all of the requestor's) acknowledged for later
delivery. Their response payloads are qualified, unlike EnergyData's.
"""

from __future__ import annotations

from collections.abc import Sequence

from lxml import etree

from adapter.mock.backend import NOT_VISIBLE, Call, MockBackend
from adapter.mock.dataset import ServicePoint
from adapter.mock.energy import acknowledge
from adapter.mock.payloads import add, build_acknowledgement, read_all, read_optional, read_required

__all__ = ["answer_meter_information", "answer_premise_information"]

_METER_NS = "http://BIM_MeterInformationSOAP"
_PREMISE_NS = "http://BIM_PremiseInformationSOAP"


def answer_meter_information(
    call: Call, payload: etree._Element, backend: MockBackend
) -> etree._Element:
    esiids = read_all(payload, "ESIIDMeterList/ESIIDMeter/esiid")
    point = _synchronous_point(call, payload, backend, esiids)
    if point is None:
        return _acknowledgement(
            call, payload, backend, esiids, _METER_NS, fault_word="faultESIIDMeters"
        )
    root = _sync_root(f"{{{_METER_NS}}}MeterInformationResponse", payload, point)
    data = add(root, "MeterData")
    for element, text in point.meter.list_elements():
        add(data, element, text)
    return root


def answer_premise_information(
    call: Call, payload: etree._Element, backend: MockBackend
) -> etree._Element:
    esiids = read_all(payload, "ESIIDList/ESIID")
    point = _synchronous_point(call, payload, backend, esiids)
    if point is None:
        return _acknowledgement(
            call, payload, backend, esiids, _PREMISE_NS, fault_word="faultESIIDs"
        )
    root = _sync_root(f"{{{_PREMISE_NS}}}PremiseInformationResponse", payload, point)
    data = add(root, "PremiseData")
    for element, text in point.premise.list_elements():
        add(data, element, text)
    return root


def _synchronous_point(
    call: Call, payload: etree._Element, backend: MockBackend, esiids: Sequence[str]
) -> ServicePoint | None:
    """The one visible ESIID of a synchronous request; None when it is asynchronous."""
    if read_optional(payload, "deliveryMode") is not None or len(esiids) != 1:
        return None
    return backend.visible_point(call.account, esiids[0])


def _acknowledgement(
    call: Call,
    payload: etree._Element,
    backend: MockBackend,
    esiids: Sequence[str],
    namespace: str,
    *,
    fault_word: str,
) -> etree._Element:
    if not esiids:  # no list: every ESIID the requestor may see (its whole DUNS)
        esiids = [p.esiid for p in backend.points_of(call.account)]
    faults = [(e, NOT_VISIBLE) for e in esiids if backend.visible_point(call.account, e) is None]
    ack = acknowledge(call, backend, payload, esiids=esiids, faults=faults, fault_word=fault_word)
    return build_acknowledgement(f"{{{namespace}}}Acknowledgement", ack, fault_list="faultESIIDs")


def _sync_root(tag: str, payload: etree._Element, point: ServicePoint) -> etree._Element:
    root = etree.Element(tag)
    add(root, "trans_id", read_required(payload, "trans_id"))
    add(root, "esiid", point.esiid)
    return root
