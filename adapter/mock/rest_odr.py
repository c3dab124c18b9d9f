"""On-demand reads and report status (3.1.1.7-3.1.1.9).

``/odr/`` acknowledges with a correlationId (statusCode "0", as the guide prints it);
``/odrstatus/`` says PEN until ``[mock.odr] delay_seconds`` have passed, then COMPLETED
with the meter's register reading, or FAILED / T-FAILED when the ODR was sent with the
``odr-failed`` / ``odr-t-failed`` scenario. An ESIID gets at most ``max_per_hour`` ODRs
an hour: the next is answered with SMT's 5031.

``/reportrequeststatus/`` answers for every correlationId the mock handed out, by SOAP or
REST: SUBMITTED until the same delay has passed, then COMPLETED.

ODRs are kept with the other acknowledged requests (operation ``odr``); an ODR has no
report format, so that column keeps the outcome the scenario chose.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from adapter.mock.backend import NOT_VISIBLE
from adapter.mock.records import format_revision
from adapter.mock.rest_calls import JsonAnswer, RestCall, RestError, read_text

__all__ = ["ODR_OPERATION", "answer_odr", "answer_odr_status", "answer_report_status"]

ODR_OPERATION = "odr"
_OUTCOMES = {None: "COMPLETED", "odr-failed": "FAILED", "odr-t-failed": "T-FAILED"}
_REASONS = {
    "PEN": "Request Submitted by API",
    "COMPLETED": "Request completed successfully",
    "FAILED": "Meter did not respond to the on-demand read",
    "T-FAILED": "On-demand read timed out at the TDU",
}
# reportType of /reportrequeststatus/ per stored operation (the guide prints only
# SMTMeterDataSearch; the others are named after it)
_REPORT_TYPES = {
    "processIntervalEnergyData": "SMTIntervalDataSearch",
    "processDailyRegisteredReads": "SMTDailyReadSearch",
    "processMonthlyBillingInformation": "SMTMonthlyBillingSearch",
    "prosessMeterInformation": "SMTMeterDataSearch",
    "processPremiseInformation": "SMTPremiseDataSearch",
    "greenbutton": "SMTGreenButton",
    ODR_OPERATION: "SMTOnDemandRead",
}


def answer_odr(rest: RestCall) -> JsonAnswer:
    """``POST /odr/``; the caller holds the state exclusively."""
    request = rest.request
    esiid = read_text(request, "ESIID")
    mode = read_text(request, "deliveryMode").upper()
    point = rest.backend.visible_point(rest.account, esiid)
    if point is None:
        raise RestError("4005", f"{esiid}: {NOT_VISIBLE}")
    meter = read_text(request, "meterNumber", required=False)
    if meter and meter != point.meter.meter_number:
        raise RestError("4002", f"meterNumber {meter} is not the meter of ESIID {esiid}")
    now = rest.call.now
    recent = [
        row
        for row in _requests(rest)
        if row["operation"] == ODR_OPERATION
        and esiid in row["esiids"]
        and now - datetime.fromisoformat(row["received"]) < timedelta(hours=1)
    ]
    if len(recent) >= rest.odr.max_per_hour:
        raise RestError(
            "5031", f"too many on-demand reads for this ESIID in the last hour: {esiid}"
        )
    scenario = None if rest.scenario is None else rest.scenario.name
    correlation_id = rest.backend.state.record_request(
        owner=rest.account.service_id,
        operation=ODR_OPERATION,
        trans_id=rest.trans_id,
        received=now,
        delivery_mode=mode,
        report_format=_OUTCOMES.get(scenario, "COMPLETED"),
        esiids=[esiid],
        faults=[],
    )
    if mode == "API" and rest.callbacks is not None:
        trans_id, backend, owner = rest.trans_id, rest.backend, rest.account.service_id

        def report() -> Any:
            row = next(
                r
                for r in backend.state.snapshot()["requests"]
                if r["correlation_id"] == correlation_id and r["owner"] == owner
            )
            return _odr_status(rest, trans_id, row, force_done=True)

        rest.callbacks.schedule(rest.odr.delay_seconds, report, f"odr {correlation_id}")
    return 200, {
        "trans_id": rest.trans_id,
        "correlationId": correlation_id,
        "statusCode": "0",
        "statusReason": "Request submitted successfully for further processing",
    }


def answer_odr_status(rest: RestCall) -> JsonAnswer:
    """``POST /odrstatus/``."""
    row = _find(rest, read_text(rest.request, "correlationId"), odr=True)
    return 200, _odr_status(rest, rest.trans_id, row)


def answer_report_status(rest: RestCall) -> JsonAnswer:
    """``POST /reportrequeststatus/``."""
    row = _find(rest, read_text(rest.request, "correlationId"), odr=False)
    done = _is_done(rest, row)
    if row["operation"] == ODR_OPERATION:
        status = row["report_format"] if done else "SUBMITTED"
    else:
        status = "COMPLETED" if done else "SUBMITTED"
    reason = {"SUBMITTED": "Request has been submitted", "COMPLETED": "Report generated"}
    return 200, {
        "trans_id": rest.trans_id,
        "AdhocStatusResponse": [
            {
                "correlationId": row["correlation_id"],
                "reportType": _REPORT_TYPES.get(row["operation"], row["operation"]),
                "requestDate": datetime.fromisoformat(row["received"]).strftime(
                    "%Y-%m-%d %H:%M:%S"
                ),
                "status": status,
                "statusCode": "0000" if status in reason else "0001",
                "statusReason": reason.get(status, _REASONS.get(status, status)),
            }
        ],
    }


def _odr_status(
    rest: RestCall, trans_id: str, row: dict[str, Any], *, force_done: bool = False
) -> dict[str, Any]:
    received = datetime.fromisoformat(row["received"])
    status = row["report_format"] if force_done or _is_done(rest, row) else "PEN"
    read: dict[str, Any] = {"registeredRead": None, "readDate": format_revision(received)}
    if status == "COMPLETED":
        read_at = received + timedelta(seconds=rest.odr.delay_seconds)
        read = {
            "registeredRead": _register_at(rest, row["esiids"][0], read_at),
            "readDate": format_revision(read_at),
        }
    return {
        "trans_id": trans_id,
        "correlationId": row["correlation_id"],
        "statusCode": status,
        "statusReason": _REASONS[status],
        "odrRead": read,
    }


def _register_at(rest: RestCall, esiid: str, moment: datetime) -> str:
    """The kWh register at ``moment``: the day's start reading plus its share of the day's
    consumption so far (consistent with the daily register reads)."""
    read = rest.backend.data.register_reads(esiid, moment.date(), moment.date())[0]
    midnight = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    share = Decimal((moment - midnight).total_seconds()) / Decimal(86_400)
    return str((read.start_reading + read.kwh * share).quantize(Decimal("0.001")))


def _is_done(rest: RestCall, row: dict[str, Any]) -> bool:
    received = datetime.fromisoformat(row["received"])
    return rest.backend.now() - received >= timedelta(seconds=rest.odr.delay_seconds)


def _find(rest: RestCall, correlation_id: str, *, odr: bool) -> dict[str, Any]:
    for row in _requests(rest):
        if row["correlation_id"] == correlation_id.strip() and (
            row["owner"] == rest.account.service_id
        ):
            if odr and row["operation"] != ODR_OPERATION:
                break
            return row
    kind = "on-demand read" if odr else "request"
    raise RestError(
        "4004", f"correlationId {correlation_id} is no {kind} of {rest.account.service_id}"
    )


def _requests(rest: RestCall) -> list[dict[str, Any]]:
    requests: list[dict[str, Any]] = rest.backend.state.snapshot()["requests"]
    return requests
