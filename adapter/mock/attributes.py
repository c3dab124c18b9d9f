"""MeterInformation (3.2.1.2) and PremiseInformation (3.2.1.3): attributes of ESIIDs,
synchronously (one payload per ESIID, ERRATA I-06) when the request names no
deliveryMode, or acknowledged for later delivery. Without an ESIID list a request covers
every ESIID the requestor may see (its whole DUNS). Their response payloads are
qualified, unlike EnergyData's.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from lxml import etree

from adapter.mock.backend import NOT_VISIBLE, Call, MockBackend
from adapter.mock.dataset import ServicePoint
from adapter.mock.energy import acknowledge, synchronous_points
from adapter.mock.payloads import (
    add,
    build_acknowledgement,
    build_sync_root,
    read_all,
    read_optional,
)
from adapter.mock.soap import Payloads

__all__ = ["answer_meter_information", "answer_premise_information"]

_METER_NS = "http://BIM_MeterInformationSOAP"
_PREMISE_NS = "http://BIM_PremiseInformationSOAP"

Attributes = Callable[[ServicePoint], tuple[tuple[str, str], ...]]


def answer_meter_information(call: Call, payload: etree._Element, backend: MockBackend) -> Payloads:
    return _answer(
        call, payload, backend,
        esiids=read_all(payload, "ESIIDMeterList/ESIIDMeter/esiid"),
        namespace=_METER_NS, payload_name="MeterInformationResponse", data_name="MeterData",
        attributes=lambda point: point.meter.list_elements(), fault_word="faultESIIDMeters",
    )  # fmt: skip


def answer_premise_information(
    call: Call, payload: etree._Element, backend: MockBackend
) -> Payloads:
    return _answer(
        call, payload, backend,
        esiids=read_all(payload, "ESIIDList/ESIID"),
        namespace=_PREMISE_NS, payload_name="PremiseInformationResponse", data_name="PremiseData",
        attributes=lambda point: point.premise.list_elements(), fault_word="faultESIIDs",
    )  # fmt: skip


def _answer(
    call: Call,
    payload: etree._Element,
    backend: MockBackend,
    *,
    esiids: Sequence[str],
    namespace: str,
    payload_name: str,
    data_name: str,
    attributes: Attributes,
    fault_word: str,
) -> Payloads:
    if not esiids:
        esiids = [point.esiid for point in backend.points_of(call.account)]
    faults = [(e, NOT_VISIBLE) for e in esiids if backend.visible_point(call.account, e) is None]
    if read_optional(payload, "deliveryMode") is not None or faults or not esiids:
        ack = acknowledge(
            call, backend, payload, esiids=esiids, faults=faults, fault_word=fault_word
        )
        return build_acknowledgement(
            f"{{{namespace}}}Acknowledgement", ack, fault_list="faultESIIDs"
        )
    answers = []
    for point in synchronous_points(call, backend, esiids):
        root = build_sync_root(f"{{{namespace}}}{payload_name}", payload, point.esiid)
        data = add(root, data_name)
        for element, text in attributes(point):
            add(data, element, text)
        answers.append(root)
    return answers
