"""``SoapClient``: one method per SMT SOAP operation, records in and records out.

Each call runs the one-way pipeline of DESIGN.md: record -> envelope (built from the
bundled WSDL) -> schema check (``wire`` by default) -> HTTPS (the settings' security era)
-> Fault/status check -> schema check of the answer -> records. Nothing is sent that breaks
the contract, and nothing comes back unchecked.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any, TypeVar, cast

from adapter.clients.exchange import (
    MAX_ANSWER_BYTES,
    SAFE_OPERATIONS,
    SOAP_MEDIA,
    Answer,
    Exchange,
    Outgoing,
)
from adapter.contract import Direction, Operation, Profile, Service, load_services
from adapter.errors import ConfigurationError, MalformedResponseError
from adapter.interval import IntervalReading, decode_days
from adapter.records import (
    Acknowledgement,
    Agreement,
    AgreementEsiid,
    AgreementEsiidsRequest,
    AgreementReceipt,
    Confirmation,
    DailyReads,
    EnergyDataRequest,
    IntervalData,
    IntervalDay,
    MeterAttributes,
    MeterInformationRequest,
    MonthlyBilling,
    MyAgreementsRequest,
    NewAgreementRequest,
    NewSubscriptionRequest,
    PremiseAttributes,
    PremiseInformationRequest,
    Subscription,
    SubscriptionListRequest,
    SubscriptionReceipt,
    TerminateAgreementRequest,
    Termination,
    Token,
    TokenRequest,
    UnsubscriptionRequest,
)
from adapter.settings import AuthProfile, ClientSettings
from adapter.soap import build_request, check_answer, parse_answer
from adapter.soap.interval_stream import iter_interval_days
from adapter.transport.http import HttpsTransport
from adapter.transport.tls import build_client_context
from adapter.xml.validation import MessageValidator

__all__ = ["SoapClient"]

_INTERVAL = "processIntervalEnergyData"
T = TypeVar("T")


class SoapClient:
    """A client of SMT's SOAP services.

    ``transport`` defaults to HTTPS with the settings' TLS (mutual TLS under the
    certificate profile); pass another ``HttpsTransport`` to change timeouts or trust.
    Every method raises only ``AdapterError`` subclasses: ``SchemaViolationError`` before
    sending, ``TransportError``/``AuthenticationError``/``AmbiguousOutcomeError`` on the
    way, ``ServiceFaultError`` and ``MalformedResponseError`` for the answer."""

    def __init__(
        self,
        settings: ClientSettings,
        *,
        transport: HttpsTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.settings = settings
        if transport is None:
            certificate = (
                settings.certificate if settings.security is AuthProfile.CERTIFICATE else None
            )
            context = build_client_context(ca_file=settings.ca_file, certificate=certificate)
            transport = HttpsTransport(context=context, timeouts=settings.timeouts)
        self.exchange = Exchange(settings, transport, sleep=sleep)
        self._validator = _request_validator(settings.profile)
        self._operations: dict[str, tuple[Service, Operation]] = {
            op.name: (service, op) for service in load_services() for op in service.operations
        }

    def call(self, operation_name: str, request: Any) -> Any:
        """Send ``request`` (the operation's request record) and return its answer record:
        the synchronous data or an ``Acknowledgement``."""
        service, operation = self._operation(operation_name)
        envelope = self._envelope(operation, request)

        def read(answer: Answer) -> tuple[int, str | None, bytes]:
            return answer.status, answer.content_type, answer.read(MAX_ANSWER_BYTES)

        safe = operation.name in SAFE_OPERATIONS and not getattr(request, "delivery_mode", None)
        status, content_type, body = self.exchange.call(
            self._outgoing(service, operation, envelope), read, safe=safe
        )
        return parse_answer(operation, check_answer(operation, status, content_type, body))

    # One method per operation. Reads answer with their records (one per ESIID) or, when
    # the request names a deliveryMode, with the Acknowledgement of the report to come.

    def interval_data(
        self, request: EnergyDataRequest
    ) -> tuple[IntervalData, ...] | Acknowledgement:
        """processIntervalEnergyData: 15-minute data (RD strings; decode them with
        ``adapter.interval.decode_days``, or use ``iter_interval_readings``)."""
        return cast("tuple[IntervalData, ...] | Acknowledgement", self.call(_INTERVAL, request))

    def daily_reads(self, request: EnergyDataRequest) -> tuple[DailyReads, ...] | Acknowledgement:
        """processDailyRegisteredReads: daily register reads."""
        answer = self.call("processDailyRegisteredReads", request)
        return cast("tuple[DailyReads, ...] | Acknowledgement", answer)

    def monthly_billing(
        self, request: EnergyDataRequest
    ) -> tuple[MonthlyBilling, ...] | Acknowledgement:
        """processMonthlyBillingInformation: billing periods."""
        answer = self.call("processMonthlyBillingInformation", request)
        return cast("tuple[MonthlyBilling, ...] | Acknowledgement", answer)

    def meter_attributes(
        self, request: MeterInformationRequest
    ) -> tuple[MeterAttributes, ...] | Acknowledgement:
        """prosessMeterInformation (SMT's spelling): meter attributes."""
        answer = self.call("prosessMeterInformation", request)
        return cast("tuple[MeterAttributes, ...] | Acknowledgement", answer)

    def premise_attributes(
        self, request: PremiseInformationRequest
    ) -> tuple[PremiseAttributes, ...] | Acknowledgement:
        """processPremiseInformation: premise attributes."""
        answer = self.call("processPremiseInformation", request)
        return cast("tuple[PremiseAttributes, ...] | Acknowledgement", answer)

    def new_subscription(self, request: NewSubscriptionRequest) -> SubscriptionReceipt:
        """newSubscription. Never re-sent on its own: a lost answer raises
        ``AmbiguousOutcomeError`` (list the subscriptions before trying again)."""
        return self._single(SubscriptionReceipt, "newSubscription", request)

    def cancel_subscription(self, request: UnsubscriptionRequest) -> Confirmation:
        """unSubscription. Never re-sent on its own."""
        return self._single(Confirmation, "unSubscription", request)

    def list_subscriptions(self, request: SubscriptionListRequest) -> tuple[Subscription, ...]:
        """subscription: the service ID's subscriptions."""
        return cast("tuple[Subscription, ...]", self.call("subscription", request))

    def new_agreement(self, request: NewAgreementRequest) -> AgreementReceipt:
        """newAgreement: SMT e-mails the customer; the agreement is pending until they
        answer. Never re-sent on its own (``AmbiguousOutcomeError``)."""
        return self._single(AgreementReceipt, "newAgreement", request)

    def list_agreements(self, request: MyAgreementsRequest) -> tuple[Agreement, ...]:
        """myAgreements, optionally one agreement or one status (PEN, ACT, COM, NACOM)."""
        return cast("tuple[Agreement, ...]", self.call("myAgreements", request))

    def agreement_esiids(self, request: AgreementEsiidsRequest) -> tuple[AgreementEsiid, ...]:
        """agreementESIIDs: the ESIIDs (and meters) an agreement covers."""
        return cast("tuple[AgreementEsiid, ...]", self.call("agreementESIIDs", request))

    def terminate_agreements(self, request: TerminateAgreementRequest) -> tuple[Termination, ...]:
        """terminateAgreement. Never re-sent on its own; terminating an agreement that is
        not active raises ``ServiceFaultError`` with SMT's reason per agreement."""
        return cast("tuple[Termination, ...]", self.call("terminateAgreement", request))

    def token(self, request: TokenRequest) -> Token:
        """processTokenGenerator, the SOAP token service (the client itself uses
        ``POST /v2/token/`` under the token profile)."""
        return self._single(Token, "processTokenGenerator", request)

    def _single(self, kind: type[T], operation: str, request: Any) -> T:
        return _expect(kind, self.call(operation, request), operation)

    def iter_interval_days(self, request: EnergyDataRequest) -> Iterator[IntervalDay]:
        """processIntervalEnergyData answered synchronously, streamed: one ``IntervalDay``
        at a time, each payload validated as it arrives, with memory that does not grow
        with the answer (a DUNS-wide request). A Fault or an error status is read whole."""
        service, operation = self._operation(_INTERVAL)
        if getattr(request, "delivery_mode", None):
            raise ConfigurationError(
                "delivery_mode: a streamed interval answer is the synchronous one; "
                "leave deliveryMode out (or use call() for the acknowledgement)",
                field="delivery_mode",
                value=str(request.delivery_mode),
            )
        envelope = self._envelope(operation, request)  # checked now, not at the first next()
        return self._stream_days(service, operation, envelope)

    def _stream_days(
        self, service: Service, operation: Operation, envelope: bytes
    ) -> Iterator[IntervalDay]:
        with self.exchange.open(self._outgoing(service, operation, envelope)) as answer:
            if answer.status != 200:
                body = answer.read(MAX_ANSWER_BYTES)
                check_answer(operation, answer.status, answer.content_type, body)
                raise MalformedResponseError(
                    f"{_INTERVAL}: HTTP {answer.status} without a SOAP Fault",
                    operation=_INTERVAL,
                )
            yield from iter_interval_days(answer.response.stream, validate=True)

    def iter_interval_readings(self, request: EnergyDataRequest) -> Iterator[IntervalReading]:
        """``iter_interval_days`` decoded into 15-minute ``IntervalReading`` records (each
        day checked whole as it arrives: see ``adapter.interval``)."""
        return decode_days(self.iter_interval_days(request))

    def _outgoing(self, service: Service, operation: Operation, envelope: bytes) -> Outgoing:
        return Outgoing(
            name=operation.name,
            url=f"{self.settings.base_url}{service.path}",
            body=envelope,
            headers={
                "Content-Type": "text/xml; charset=utf-8",
                "SOAPAction": f'"{operation.soap_action}"',
                "Accept": "text/xml",
            },
            media=SOAP_MEDIA,
            basic_only=operation.name == "processTokenGenerator",
        )

    def _operation(self, name: str) -> tuple[Service, Operation]:
        try:
            return self._operations[name]
        except KeyError:
            raise ConfigurationError(
                f"operation {name!r} does not exist; use one of {', '.join(self._operations)}",
                field="operation",
                value=name,
            ) from None

    def _envelope(self, operation: Operation, request: Any) -> bytes:
        requestor = getattr(request, "requestor_id", None)
        if requestor is not None and requestor != self.settings.username:
            # SMT answers 401 "Authorization failure"; say why before anything is sent
            raise ConfigurationError(
                f"requestor_id {requestor!r} is not the service ID this client authenticates "
                f"with ({self.settings.username!r}): SMT refuses such a request",
                field="requestor_id",
                value=str(requestor),
            )
        envelope = build_request(operation, request)
        self._validator.validate(envelope)
        return envelope


def _expect(kind: type[T], answer: Any, operation: str) -> T:
    if not isinstance(answer, kind):  # e.g. an Acknowledgement where SMT owes the data
        raise MalformedResponseError(
            f"{operation}: SMT answered with {type(answer).__name__}, not {kind.__name__}",
            operation=operation,
        )
    return answer


_VALIDATORS: dict[Profile, MessageValidator] = {}
_VALIDATORS_LOCK = threading.Lock()


def _request_validator(profile: Profile) -> MessageValidator:
    """One validator per profile and process, its request schemas compiled up front: lxml
    must not compile a schema while another thread parses (``adapter.xml.schemaset``)."""
    with _VALIDATORS_LOCK:
        if profile not in _VALIDATORS:
            validator = MessageValidator(profile)
            validator.warm(Direction.REQUEST)
            _VALIDATORS[profile] = validator
        return _VALIDATORS[profile]
