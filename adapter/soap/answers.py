"""Checking SMT's SOAP answers and turning them into records.

Two steps, in the order data flows: ``check_answer`` makes sure the answer is a SOAP
envelope of the contract (a SOAP Fault raises ``ServiceFaultError``; anything else that is
not the operation's schema-valid answer raises ``MalformedResponseError``);
``parse_answer`` turns the checked envelope into records, raising ``ServiceFaultError``
when SMT's own ``statusCode`` says the request failed. Pure: no transport, no zeep.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from lxml import etree

from adapter.contract import Direction, Operation, Profile
from adapter.errors import MalformedResponseError, ServiceFaultError
from adapter.field_reader import build_agreement, build_agreement_esiid
from adapter.records import (
    Acknowledgement,
    Agreement,
    AgreementEsiid,
    AgreementReceipt,
    Confirmation,
    DailyReads,
    FaultEsiid,
    IntervalData,
    MeterAttributes,
    MonthlyBilling,
    PremiseAttributes,
    Subscription,
    SubscriptionReceipt,
    Termination,
    Token,
)
from adapter.soap.payloads import (
    PayloadReader,
    parse_daily_reads,
    parse_interval_data,
    parse_meter_attributes,
    parse_monthly_billing,
    parse_premise_attributes,
)
from adapter.xml.head import has_doctype
from adapter.xml.names import SOAP_ENVELOPE, local, tag_of
from adapter.xml.parsing import DEFAULT_LIMITS, safe_parser
from adapter.xml.validation import MessageValidator

__all__ = ["SUCCESS_CODES", "Answer", "check_answer", "parse_answer"]

SUCCESS_CODES = frozenset({"0000", "0", "ACK"})
"""statusCode values that mean success: ``0000`` (SOAP), ``0`` (REST acknowledgements),
``ACK`` (newAgreement, and each agreement whose termination started)."""

Answer = (
    Acknowledgement
    | tuple[IntervalData, ...]
    | tuple[DailyReads, ...]
    | tuple[MonthlyBilling, ...]
    | tuple[MeterAttributes, ...]
    | tuple[PremiseAttributes, ...]
    | SubscriptionReceipt
    | Confirmation
    | tuple[Subscription, ...]
    | AgreementReceipt
    | tuple[Agreement, ...]
    | tuple[AgreementEsiid, ...]
    | tuple[Termination, ...]
    | Token
)
"""What ``parse_answer`` returns: a synchronous answer's records (one per ESIID where SMT
sends one payload per ESIID), an ``Acknowledgement``, or the operation's result record."""

_ENVELOPE = f"{{{SOAP_ENVELOPE}}}Envelope"
_BODY = f"{{{SOAP_ENVELOPE}}}Body"
_FAULT = f"{{{SOAP_ENVELOPE}}}Fault"
_XML_TYPES = ("text/xml", "application/xml", "application/soap+xml")

_validator_lock = threading.Lock()
_validators: list[MessageValidator] = []


def check_answer(
    operation: Operation, status: int, content_type: str | None, body: bytes
) -> etree._Element:
    """The checked envelope of SMT's answer to ``operation``.

    Raises ``ServiceFaultError`` (``status``, ``fault_code`` as the code's local name,
    e.g. ``Client``, ``fault_string``) when the answer is a SOAP Fault, whatever the HTTP
    status; ``MalformedResponseError`` when it is not XML, declares a DOCTYPE, is not a
    SOAP 1.1 envelope, carries another operation's payload, comes with an HTTP error
    status, or breaks the wire schema (then ``violations`` lists every problem)."""
    name = operation.name

    def malformed(message: str) -> MalformedResponseError:
        return MalformedResponseError(f"{name}: {message}", operation=name)

    media = (content_type or "").partition(";")[0].strip().lower()
    if content_type is not None and media not in _XML_TYPES and not media.endswith("+xml"):
        raise malformed(f"the answer is {media or 'untyped'}, not XML (HTTP {status})")
    if len(body) > DEFAULT_LIMITS.max_bytes:
        raise malformed(f"the answer is {len(body)} bytes, more than SMT ever sends")
    result = _validator().check(body)
    root = result.document
    if root is None:
        try:
            root = etree.fromstring(body, safe_parser())
        except etree.XMLSyntaxError as exc:
            raise MalformedResponseError(
                f"{name}: the answer is not XML (HTTP {status}): {exc}", operation=name
            ) from exc
    if has_doctype(root):
        raise malformed("the answer declares a DOCTYPE, which SMT never sends")
    if root.tag != _ENVELOPE:
        raise malformed(f"the answer's root <{local(tag_of(root))}> is not a SOAP 1.1 Envelope")
    soap_body = root.find(_BODY)
    child = None if soap_body is None else next(soap_body.iterchildren("*"), None)
    if child is None:
        raise malformed("the answer's SOAP Body is missing or empty")
    if child.tag == _FAULT:
        raise _service_fault(name, status, child)
    if child.tag != operation.response_element:
        raise malformed(
            f"the answer carries <{local(tag_of(child))}> ({tag_of(child)}); "
            f"{operation.response_element} was expected"
        )
    if not 200 <= status < 300:
        raise malformed(f"HTTP {status} came with a payload instead of a SOAP Fault")
    if result.violations:
        raise MalformedResponseError(
            f"{name}: the answer breaks the SMT contract: {result.violations[0].format()}",
            operation=name,
            violations=result.violations,
        )
    return root


def parse_answer(operation: Operation, envelope: etree._Element) -> Answer:
    """The records in an envelope that ``check_answer`` passed.

    Raises ``ServiceFaultError`` (``status_code``, ``status_reason``, ``fault_esiids`` as
    (esiid, reason) pairs; for terminateAgreement (agreementNumber, reason) pairs) when
    SMT's statusCode is not a success (``SUCCESS_CODES``), and ``MalformedResponseError``
    when a value cannot be read (a date that is not one, an amount that is not a
    number) or the operation has no parser."""
    wrapper = envelope.find(f"{_BODY}/{{*}}*")
    if wrapper is None or wrapper.tag != operation.response_element:
        raise MalformedResponseError(
            f"{operation.name}: the envelope holds no {operation.response_element}",
            operation=operation.name,
        )
    parse = _PARSERS.get(operation.name)
    if parse is None:
        raise MalformedResponseError(
            f"{operation.name}: no parser for this operation", operation=operation.name
        )
    payloads = [PayloadReader(operation.name, item) for item in wrapper.iterchildren("*")]
    if not payloads:
        raise MalformedResponseError(
            f"{operation.name}: the answer's wrapper is empty", operation=operation.name
        )
    return parse(payloads)


def _validator() -> MessageValidator:
    with _validator_lock:
        if not _validators:
            validator = MessageValidator(Profile.WIRE)
            # compile every response schema now: lxml must not compile while others parse
            validator.warm(Direction.RESPONSE)
            _validators.append(validator)
        return _validators[0]


def _service_fault(name: str, status: int, fault: etree._Element) -> ServiceFaultError:
    code = (fault.findtext("faultcode") or "").strip()
    text = (fault.findtext("faultstring") or "").strip()
    return ServiceFaultError(
        f"{name}: SMT answered with a SOAP Fault ({code or 'no code'}): {text}",
        operation=name,
        status=status,
        fault_code=local(code) or None,
        fault_string=text or None,
    )


def _check_status(
    payload: PayloadReader,
    faults: tuple[tuple[str, str], ...] = (),
    *,
    required: bool = True,
) -> tuple[str | None, str | None]:
    """(statusCode, statusReason); raises ``ServiceFaultError`` unless a success."""
    code = payload.text("statusCode") if required else payload.optional("statusCode")
    reason = payload.optional("statusReason")
    if code is not None and code not in SUCCESS_CODES:
        listed = "".join(f"; {key}: {why}" for key, why in faults[:3])
        more = f" (and {len(faults) - 3} more)" if len(faults) > 3 else ""
        raise ServiceFaultError(
            f"{payload.operation}: SMT refused the request: statusCode {code} "
            f"({reason or 'no reason given'}){listed}{more}",
            operation=payload.operation,
            status_code=code,
            status_reason=reason,
            fault_esiids=faults,
        )
    return code, reason


def _fault_pairs(
    payload: PayloadReader, path: str, key: str, reason: str
) -> tuple[tuple[str, str], ...]:
    return tuple((item.text(key), item.optional(reason) or "") for item in payload.items(path))


def _acknowledgement(payload: PayloadReader) -> Acknowledgement:
    # EnergyData calls the list faultESIIDList, the attribute services faultESIIDs
    faults = _fault_pairs(payload, "faultESIIDList/faultESIID", "esiid", "reason")
    faults += _fault_pairs(payload, "faultESIIDs/faultESIID", "esiid", "reason")
    code, reason = payload.optional("statusCode"), payload.optional("statusReason")
    if not _partly_accepted(code, reason, faults):
        code, reason = _check_status(payload, faults, required=False)
    return Acknowledgement(
        trans_id=payload.text("trans_id"),
        correlation_id=payload.text("correlationId"),
        status_code=code,
        status_reason=reason,
        fault_esiids=tuple(FaultEsiid(esiid=e, reason=r) for e, r in faults),
    )


def _partly_accepted(
    code: str | None, reason: str | None, faults: tuple[tuple[str, str], ...]
) -> bool:
    # SMT says 0001 both for "rejected" and for "submitted successfully ... with some
    # faultESIIDs" (ERRATA N-07): the latter will deliver a report, so its correlationId
    # is the caller's to keep; the faults travel in the Acknowledgement.
    return code == "0001" and bool(faults) and "submitted successfully" in (reason or "").lower()


def _synchronous(
    parse_one: Callable[[PayloadReader], object],
) -> Callable[[list[PayloadReader]], Answer]:
    """A parser for a wrapper holding an Acknowledgement or one payload per ESIID."""

    def parse(payloads: list[PayloadReader]) -> Answer:
        if payloads[0].name == "Acknowledgement":
            return _acknowledgement(payloads[0])
        return tuple(parse_one(p) for p in payloads)  # type: ignore[return-value]

    return parse


def _new_subscription(payloads: list[PayloadReader]) -> SubscriptionReceipt:
    payload = payloads[0]
    faults = _fault_pairs(
        payload, "customerESIIDFaultList/customerESIIDFault", "esiid", "reasonCode"
    ) + _fault_pairs(payload, "customerDUNSFaultList/customerDUNSFault", "duns", "reasonCode")
    code, reason = _check_status(payload, faults)
    return SubscriptionReceipt(
        trans_id=payload.optional("trans_id"),
        subscription_number=payload.optional("subscriptionNumber"),
        status_code=code or "",
        status_reason=reason or "",
    )


def _unsubscription(payloads: list[PayloadReader]) -> Confirmation:
    payload = payloads[0]
    faults = _fault_pairs(
        payload,
        "unsubscriptionESIIDsFaultList/unSubscriptionESIIDsFault",
        "esiid",
        "reasonCode",
    )
    code, reason = _check_status(payload, faults)
    return Confirmation(
        trans_id=payload.optional("trans_id"), status_code=code or "", status_reason=reason or ""
    )


def _subscriptions(payloads: list[PayloadReader]) -> tuple[Subscription, ...]:
    payload = payloads[0]
    _check_status(payload)
    return tuple(
        Subscription(
            subscription_number=item.optional("subscriptionNumber"),
            started=item.optional_timestamp("startDate"),
            report_format=item.text("reportformat"),
            delivery_type=item.text("deliveryType"),
            data_type=item.text("dataType"),
            status=item.text("status"),
            last_report=item.optional_date("lastSuccessfulReportDate"),
        )
        for item in payload.items("subscriptionList/subscription")
    )


def _new_agreement(payloads: list[PayloadReader]) -> AgreementReceipt:
    payload = payloads[0]
    code, reason = _check_status(payload)
    return AgreementReceipt(
        trans_id=payload.text("trans_id"),
        agreement_number=payload.integer("agreementNumber"),
        status_code=code or "",
        status_reason=reason or "",
    )


def _my_agreements(payloads: list[PayloadReader]) -> tuple[Agreement, ...]:
    payload = payloads[0]
    _check_status(payload)
    return tuple(
        build_agreement(item) for item in payload.items("agreementStatusList/agreementStatus")
    )


def _agreement_esiids(payloads: list[PayloadReader]) -> tuple[AgreementEsiid, ...]:
    payload = payloads[0]
    _check_status(payload)
    return tuple(
        build_agreement_esiid(item) for item in payload.items("AgreementESIIDList/agreementESIID")
    )


def _terminate_agreement(payloads: list[PayloadReader]) -> tuple[Termination, ...]:
    payload = payloads[0]
    faults = _fault_pairs(
        payload, "agreementFaultList/agreement", "agreementNumber", "statusReason"
    )
    _check_status(payload, faults)
    return tuple(
        Termination(
            agreement_number=item.integer("agreementNumber"),
            status_code=item.text("statusCode"),
            status_reason=item.optional("statusReason") or "",
        )
        for item in payload.items("terminateInitiatedList/agreement")
    )


def _token(payloads: list[PayloadReader]) -> Token:
    payload = payloads[0]
    _check_status(payload)
    return Token(
        access_token=payload.text("accessToken"),
        token_type=payload.text("tokenType"),
        expires_in=payload.integer("expiresIn"),
        issued_at=payload.required_timestamp("issuedAt"),
        expires_at=payload.required_timestamp("expiresAt"),
    )


_PARSERS: dict[str, Callable[[list[PayloadReader]], Answer]] = {
    "processIntervalEnergyData": _synchronous(parse_interval_data),
    "processDailyRegisteredReads": _synchronous(parse_daily_reads),
    "processMonthlyBillingInformation": _synchronous(parse_monthly_billing),
    "prosessMeterInformation": _synchronous(parse_meter_attributes),
    "processPremiseInformation": _synchronous(parse_premise_attributes),
    "newSubscription": _new_subscription,
    "unSubscription": _unsubscription,
    "subscription": _subscriptions,
    "newAgreement": _new_agreement,
    "myAgreements": _my_agreements,
    "agreementESIIDs": _agreement_esiids,
    "terminateAgreement": _terminate_agreement,
    "processTokenGenerator": _token,
}
