"""The REST functions that read data (3.1.1.1-3.1.1.3, 3.1.1.5, 3.1.1.6): interval data,
daily register reads, monthly billing reads, meter and premise attributes.

Each JSON request becomes the SOAP side's payload and goes through the SOAP side's
handler, so that a REST answer carries the same data (the same RD for an ESIID-day) and
an acknowledgement the same correlation ID sequence and wording. Only the names change,
to the guide's REST examples: ``energyData``, ``registeredReads``, ``billingData`` (with
``actualeWh``, as printed), ``faultESIIDs`` / ``faultESIIDMeters`` with ``REASON``.

A synchronous answer for one ESIID is one object, as in the guide; for several it is an
array of such objects (the guide shows no such answer). With deliveryMode API the
acknowledgement is followed, after ``[mock.odr] delay_seconds``, by the report POSTed to
``[mock.callbacks] url``: the synchronous answer with the correlationId added.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from lxml import etree

from adapter.mock.attributes import answer_meter_information, answer_premise_information
from adapter.mock.energy import answer_energy_data
from adapter.mock.rest_calls import (
    JsonAnswer,
    RestCall,
    build_payload,
    convert_record,
    read_list,
    read_text,
    read_texts,
)
from adapter.mock.soap import Payloads

__all__ = ["ENERGY_FUNCTIONS", "answer_attributes", "answer_energy"]

# path name -> the SOAP operation whose handler answers it
ENERGY_FUNCTIONS: Mapping[str, str] = {
    "15minintervalreads": "processIntervalEnergyData",
    "dailyreads": "processDailyRegisteredReads",
    "monthlybillingInformation": "processMonthlyBillingInformation",
    "meterInfo": "prosessMeterInformation",
    "premiseInfo": "processPremiseInformation",
}

# the list of a synchronous answer: its SOAP name and item, its REST name, renamed fields
_SYNC_LISTS = {
    "energyDataList": ("energyData", {}),
    "registeredReadList": ("registeredReads", {}),
    "billingDataList": ("billingData", {"actualkWh": "actualeWh"}),
}
# REST fault lists of the acknowledgements: (list name, ESIID field, reason field)
_FAULTS = {
    "processIntervalEnergyData": ("faultESIIDs", "esiid", "reason"),
    "processDailyRegisteredReads": ("faultESIIDs", "esiid", "reason"),
    "processMonthlyBillingInformation": ("faultESIIDs", "esiid", "reason"),
    "prosessMeterInformation": ("faultESIIDMeters", "esiid", "REASON"),
    "processPremiseInformation": ("faultESIIDs", "ESIID", "REASON"),
}


def answer_energy(rest: RestCall) -> JsonAnswer:
    """``/15minintervalreads/``, ``/dailyreads/``, ``/monthlybillingInformation/``."""
    request = rest.request
    operation = ENERGY_FUNCTIONS[rest.function]
    fields = [
        (name, read_text(request, name, required=name in ("startDate", "endDate")))
        for name in ("startDate", "endDate", "readingType", "version")
    ]
    esiids = read_texts(request, "esiid")

    def build(mode: str | None) -> etree._Element:
        return build_payload(
            [("trans_id", rest.trans_id), *fields, *_delivery(request, mode)],
            [("ESIIDList", "ESIID", esiids)],
        )

    handler = answer_energy_data
    return _answer(rest, operation, handler, build)


def answer_attributes(rest: RestCall) -> JsonAnswer:
    """``/meterInfo/`` and ``/premiseInfo/``."""
    request = rest.request
    operation = ENERGY_FUNCTIONS[rest.function]
    if rest.function == "meterInfo":
        meters = [_meter_item(item) for item in read_list(request, "ESIIDMeterList")]

        def build(mode: str | None) -> etree._Element:
            return build_payload(
                [("trans_id", rest.trans_id), *_delivery(request, mode)],
                [("ESIIDMeterList", "ESIIDMeter", [m for m in meters if m])],
            )

        return _answer(rest, operation, answer_meter_information, build)
    esiids = read_texts(request, "esiid") or read_texts(request, "ESIID")

    def build_premise(mode: str | None) -> etree._Element:
        return build_payload(
            [("trans_id", rest.trans_id), *_delivery(request, mode)],
            [("ESIIDList", "ESIID", esiids)],
        )

    return _answer(rest, operation, answer_premise_information, build_premise)


Handler = Callable[..., Payloads]


def _answer(
    rest: RestCall,
    operation: str,
    handler: Handler,
    build: Callable[[str | None], etree._Element],
) -> JsonAnswer:
    mode = read_text(rest.request, "deliveryMode", required=False).upper() or None
    call = rest.with_operation(operation)
    answers = handler(call, build(mode), rest.backend)
    converted = convert_answers(operation, answers)
    if mode == "API" and rest.callbacks is not None and isinstance(converted, dict):
        correlation_id = converted.get("correlationId")
        visible = not converted.get(_FAULTS[operation][0])

        def report() -> Any:
            sync = convert_answers(operation, handler(call, build(None), rest.backend))
            for item in sync if isinstance(sync, list) else [sync]:
                item["correlationId"] = correlation_id
            return sync

        if visible:
            rest.callbacks.schedule(rest.odr.delay_seconds, report, f"{operation} {correlation_id}")
    return 200, converted


def convert_answers(operation: str, answers: Payloads) -> Any:
    """The SOAP handler's payloads as the guide's REST JSON."""
    items = answers if isinstance(answers, list) else [answers]
    first = items[0]
    if etree.QName(first).localname == "Acknowledgement":
        return _acknowledgement(operation, first)
    if operation in ("prosessMeterInformation", "processPremiseInformation"):
        data_name = "MeterData" if operation == "prosessMeterInformation" else "PremiseData"
        records = [
            convert_record(child)
            for item in items
            for child in item.iterfind("*")
            if etree.QName(child).localname == data_name
        ]
        return {
            "trans_id": first.findtext("trans_id"),
            "statusCode": "0000",
            "statusReason": "Success",
            data_name: records,
        }
    converted = [_sync(item) for item in items]
    return converted[0] if len(converted) == 1 else converted


def _sync(item: etree._Element) -> dict[str, Any]:
    answer: dict[str, Any] = {
        "trans_id": item.findtext("trans_id"),
        "esiid": item.findtext("esiid"),
    }
    for child in item.iterchildren("*"):
        if child.tag in _SYNC_LISTS:
            name, rename = _SYNC_LISTS[child.tag]
            answer[name] = [convert_record(row, rename) for row in child.iterchildren("*")]
    return answer


def _acknowledgement(operation: str, ack: etree._Element) -> dict[str, Any]:
    answer: dict[str, Any] = {
        name: ack.findtext(name)
        for name in ("trans_id", "correlationId", "statusCode", "statusReason")
    }
    list_name, esiid_name, reason_name = _FAULTS[operation]
    faults = [
        {esiid_name: fault.findtext("esiid"), reason_name: fault.findtext("reason")}
        for fault in ack.iterfind("*/faultESIID")
    ]
    if faults:
        answer[list_name] = faults
    return answer


def _delivery(request: Mapping[str, Any], mode: str | None) -> list[tuple[str, str | None]]:
    report = read_text(request, "reportFormat", required=False)
    if mode == "API" and not report:
        report = "JSON"  # "the only report format delivered through API is JSON"
    return [("deliveryMode", mode), ("reportFormat", report or None)]


def _meter_item(item: Any) -> dict[str, str]:
    if not isinstance(item, dict):
        return {}
    fields = {"esiid": read_text(item, "esiid", required=False)}
    meter = read_text(item, "meterNumber", required=False)
    if meter:
        fields["meterNumber"] = meter
    return fields if fields["esiid"] else {}
