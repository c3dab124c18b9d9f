"""CSPAuthorization (3.2.1.5): energy-data sharing agreements between a CSP and a retail
customer, with their lifecycle.

A new agreement waits for the customer ("Pending - Customer Authorization"); the mock's
admin endpoint plays the customer (``decide_agreement``). Only an active agreement can be
terminated; terminating any other fails as in the guide's example ("This Agreement is
not ACTIVE:<number>").
"""

from __future__ import annotations

import calendar
from dataclasses import replace
from datetime import date

from lxml import etree

from adapter.mock.backend import Call, MockBackend
from adapter.mock.payloads import add, read_optional, read_required
from adapter.mock.records import format_date
from adapter.mock.soap import SoapFault
from adapter.mock.state import Agreement, AgreementMeter

__all__ = [
    "DECISIONS",
    "answer_agreement_esiids",
    "answer_my_agreements",
    "answer_new_agreement",
    "answer_terminate_agreement",
    "decide_agreement",
]

PENDING = "Pending - Customer Authorization"
ACTIVE = "Active - Authorization Confirmed"
TERMINATED = "Non Active - Terminated by CSP"
# What the customer (the admin endpoint) may decide: agreement status, ESIID status.
DECISIONS = {
    "authorize": (ACTIVE, "Active"),
    "reject": ("Non Active - Rejected", "Inactive"),
    "time-out": ("Non Active - Timed Out", "Inactive"),
}


# myAgreements' statusReason filter (3.2.1.5): PEN - Pending, ACT - Active, COM - Completed,
# NACOM - Not Accepted Completed; the agreement statuses each one selects.
_STATUS_FILTERS = {
    "PEN": {PENDING},
    "ACT": {ACTIVE, "Active - Expiring in 30 days or less", "Active - Expiring in 15 days or less"},
    "COM": {
        "Non Active - Terminated by Customer", TERMINATED, "Non Active - Expired",
        "Non Active - Moved Out",
    },
    "NACOM": {"Non Active - Rejected", "Non Active - Timed Out", "Non Active - Reported as SPAM"},
}  # fmt: skip


def answer_new_agreement(
    call: Call, payload: etree._Element, backend: MockBackend
) -> etree._Element:
    account = call.account
    if account.requester_type.upper() != "CSP":
        raise SoapFault(
            "Client",
            f"requestorID {account.service_id} is a {account.requester_type} requester; "
            "only CSP requesters make energy data sharing agreements",
        )
    meters = []
    for index, item in enumerate(payload.iterfind("customerMeterList/customerMeter"), 1):
        esiid = read_required(item, "ESIID")
        meter_number = read_required(item, "meterNumber")
        point = backend.data.point(esiid)
        if point is None or point.meter.meter_number != meter_number:
            raise SoapFault(
                "Client",
                f"customerMeterList/customerMeter[{index}]: ESIID {esiid} with meterNumber "
                f"{meter_number} is not a meter SMT knows",
            )
        meters.append(
            AgreementMeter(
                esiid=esiid,
                meter_number=meter_number,
                puct_number=read_required(item, "PUCTRORNumber"),
                status="Pending",
            )
        )
    months = int(read_required(payload, "agreementDuration"))
    start = backend.today()
    number = backend.state.add_agreement(
        owner=account.service_id,
        csp_name=account.csp_name or account.service_id,
        duns=account.duns,
        email=read_required(payload, "retailCustomerEmail"),
        start=start,
        end=_add_months(start, months),
        status=PENDING,
        language=read_optional(payload, "customerLanguagePreference"),
        meters=tuple(meters),
    )
    root = etree.Element("newAgreementResponse")
    add(root, "trans_id", read_required(payload, "trans_id"))
    add(root, "agreementNumber", str(number))
    add(root, "statusCode", "ACK")
    add(root, "statusReason", "Success")
    return root


def answer_my_agreements(
    call: Call, payload: etree._Element, backend: MockBackend
) -> etree._Element:
    text = read_optional(payload, "agreementNumber")
    number = None if text is None else _agreement_number(text)
    status = read_optional(payload, "statusReason")
    agreements = [
        a
        for a in backend.state.agreements_of(call.account.service_id)
        if (number is None or a.number == number)
        and (status is None or a.status in _STATUS_FILTERS[status.upper()])
    ]
    if not agreements:
        # agreementStatusList must hold at least one agreement: no empty list on the wire.
        wanted = "".join(
            f" with {name} {value!r}"
            for name, value in (("agreementNumber", text), ("statusReason", status))
            if value is not None
        )
        raise SoapFault(
            "Client", f"requestorID {call.account.service_id} has no agreements{wanted}"
        )
    root = etree.Element("myAgreementsResponse")
    add(root, "trans_id", read_required(payload, "trans_id"))
    add(root, "statusCode", "0000")
    add(root, "statusReason", "Success")
    listed = add(root, "agreementStatusList")
    for agreement in agreements:
        item = add(listed, "agreementStatus")
        add(item, "agreementNumber", str(agreement.number))
        add(item, "startDate", format_date(agreement.start))
        add(item, "endDate", format_date(agreement.end))
        add(item, "CSPName", agreement.csp_name)
        add(item, "requesterAuthenticationID", agreement.duns)
        add(item, "retailCustomerEmail", agreement.email)
        add(item, "status", agreement.status)
    return root


def answer_agreement_esiids(
    call: Call, payload: etree._Element, backend: MockBackend
) -> etree._Element:
    number = read_required(payload, "agreementNumber")
    agreement = _own_agreement(call, backend, number)
    if agreement is None or not agreement.meters:
        why = "is not one of yours" if agreement is None else "holds no ESIID"
        raise SoapFault("Client", f"agreementNumber {number} {why}")
    root = etree.Element("agreementESIIDsResponse")
    add(root, "trans_id", read_required(payload, "trans_id"))
    add(root, "statusCode", "0000")
    add(root, "statusReason", "Success")
    listed = add(root, "AgreementESIIDList")
    for meter in agreement.meters:
        item = add(listed, "agreementESIID")
        add(item, "ESIID", meter.esiid)
        add(item, "meterNumber", meter.meter_number)
        add(item, "PUCTRORNumber", meter.puct_number)
        add(item, "status", meter.status)
        add(item, "startDate", format_date(agreement.start))
        add(item, "endDate", format_date(agreement.end))
    return root


def answer_terminate_agreement(
    call: Call, payload: etree._Element, backend: MockBackend
) -> etree._Element:
    initiated: list[str] = []
    faults: list[tuple[str, str, str]] = []
    for item in payload.iterfind("agreementList/agreement"):
        number = read_required(item, "agreementNumber")
        email = read_required(item, "retailCustomerEmail")
        agreement = _own_agreement(call, backend, number)
        if agreement is None:
            faults.append(
                (number, email, f"Agreement cannot be terminated: No such Agreement:{number}")
            )
        elif agreement.email.lower() != email.lower():
            faults.append(
                (
                    number,
                    email,
                    f"Agreement cannot be terminated: retailCustomerEmail does not match:{number}",
                )
            )
        elif not agreement.status.startswith("Active"):
            faults.append(
                (
                    number,
                    email,
                    f"Agreement cannot be terminated: This Agreement is not ACTIVE:{number}",
                )
            )
        else:
            backend.state.set_agreement_status(agreement.number, TERMINATED, "Inactive")
            initiated.append(str(agreement.number))
    root = etree.Element("terminateAgreementResponse")
    add(root, "trans_id", read_required(payload, "trans_id"))
    add(root, "statusCode", "0001" if faults else "0000")
    if not faults:
        reason = "Agreement termination successful"
    else:
        reason = (
            "Agreement termination partially successful"
            if initiated
            else "Agreement termination failed"
        )
    add(root, "statusReason", reason)
    if initiated:
        listed = add(root, "terminateInitiatedList")
        for number in initiated:
            entry = add(listed, "agreement")
            add(entry, "agreementNumber", number)
            add(entry, "statusCode", "ACK")
            add(entry, "statusReason", "Success")
    if faults:
        listed = add(root, "agreementFaultList")
        for number, email, why in faults:
            entry = add(listed, "agreement")
            add(entry, "agreementNumber", number)
            add(entry, "retailCustomerEmail", email)
            add(entry, "statusReason", why)
    return root  # fmt: skip


def decide_agreement(backend: MockBackend, number: int, decision: str) -> Agreement:
    """Play the customer: authorize, reject or let a pending agreement time out."""
    if decision not in DECISIONS:
        raise ValueError(f"decision {decision!r}: use one of {', '.join(DECISIONS)}")
    agreement = backend.state.agreement(number)
    if agreement is None:
        raise LookupError(f"agreement {number} does not exist")
    if agreement.status != PENDING:
        raise ValueError(f"agreement {number} is {agreement.status!r}, not pending")
    status, meter_status = DECISIONS[decision]
    backend.state.set_agreement_status(number, status, meter_status)
    return replace(
        agreement,
        status=status,
        meters=tuple(replace(meter, status=meter_status) for meter in agreement.meters),
    )


def _agreement_number(text: str) -> int | None:
    """An xsd:integer as SMT reads it (``0118518`` and ``+118518`` are 118518)."""
    try:
        return int(text)
    except ValueError:
        return None


def _own_agreement(call: Call, backend: MockBackend, number: str) -> Agreement | None:
    parsed = _agreement_number(number)
    agreement = None if parsed is None else backend.state.agreement(parsed)
    if agreement is None or agreement.owner != call.account.service_id:
        return None
    return agreement


def _add_months(start: date, months: int) -> date:
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))
