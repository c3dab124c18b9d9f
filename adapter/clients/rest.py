"""``RestClient``: SMT's REST functions (guide 3.1), with the same records, settings,
security eras and retry rule as ``SoapClient``.

The certificate era calls the 2020 paths (``/15minintervalreads/``) with mutual TLS and
HTTP Basic; the token era calls their ``/v2/`` twins with a bearer token. Bodies are built
from the request records and checked against the JSON Schemas in ``schemas/rest/`` before
they are sent; answers are checked against theirs and parsed into the records the SOAP
client returns. On-demand reads are counted in a local ledger (``adapter.quota``) and
refused before sending when they would break SMT's limits.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Iterator
from typing import Any, TypeVar, cast

from adapter.clients.exchange import MAX_ANSWER_BYTES, Answer, Exchange, Outgoing
from adapter.errors import (
    ConfigurationError,
    MalformedResponseError,
    QuotaExceededError,
    ServiceFaultError,
    TransportError,
)
from adapter.interval import IntervalReading, decode_days
from adapter.quota import OdrQuota
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
    UnsubscriptionRequest,
)
from adapter.rest import (
    ODR_HOURLY_LIMIT_CODE,
    RestFunction,
    build_body,
    find_function,
    parse_answer,
    validate_body,
)
from adapter.rest_records import (
    GreenButtonReport,
    GreenButtonRequest,
    OdrStatus,
    OdrStatusRequest,
    OnDemandReadRequest,
    ReportStatus,
    ReportStatusRequest,
)
from adapter.settings import AuthProfile, ClientSettings
from adapter.transport.http import HttpsTransport
from adapter.transport.tls import build_client_context

__all__ = ["ODR_FINAL_STATUSES", "RestClient"]

T = TypeVar("T")
JSON_MEDIA = frozenset({"application/json", "text/json", "text/plain"})
XML_MEDIA = frozenset({"text/xml", "application/xml", "application/atom+xml"})
ODR_FINAL_STATUSES = frozenset({"COMPLETED", "FAILED", "T-FAILED"})


class RestClient:
    """A client of SMT's REST functions; every method raises only ``AdapterError``
    subclasses (see ``SoapClient``), plus ``QuotaExceededError`` for on-demand reads."""

    def __init__(
        self,
        settings: ClientSettings,
        *,
        transport: HttpsTransport | None = None,
        quota: OdrQuota | None = None,
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
        self.quota = quota  # needed by on_demand_read only
        self._sleep = sleep

    def call(self, function: str | RestFunction, request: Any) -> Any:
        """Send ``request`` to ``function`` (a name such as ``meterInfo`` or a path) and
        return its records (see ``adapter.rest.parse_answer``)."""
        found, outgoing = self._prepare(function, request)
        return self._send(found, outgoing, request)

    def _prepare(self, function: str | RestFunction, request: Any) -> tuple[RestFunction, Outgoing]:
        """The checked request, ready to send: raises before anything leaves."""
        found = function if isinstance(function, RestFunction) else find_function(function)
        requestor = getattr(request, "requestor_id", None)
        if requestor is not None and requestor != self.settings.username:
            raise ConfigurationError(
                f"requestor_id {requestor!r} is not the service ID this client authenticates "
                f"with ({self.settings.username!r}): SMT refuses such a request",
                field="requestor_id",
                value=str(requestor),
            )
        body = build_body(found, request)
        validate_body(found, body)
        token_era = self.settings.security is AuthProfile.TOKEN
        green = found.name == "greenbutton"  # its synchronous answer is XML
        return found, Outgoing(
            name=found.name,
            url=f"{self.settings.base_url}{found.v2_path if token_era else found.path}",
            body=json.dumps(body).encode(),
            headers={
                "Content-Type": "application/json",
                "Accept": "application/xml, application/json" if green else "application/json",
            },
            media=JSON_MEDIA | XML_MEDIA if green else JSON_MEDIA,
        )

    def _send(self, found: RestFunction, outgoing: Outgoing, request: Any) -> Any:
        def read(answer: Answer) -> tuple[int, str | None, bytes]:
            return answer.status, answer.content_type, answer.read(MAX_ANSWER_BYTES)

        safe = found.repeatable and not getattr(request, "delivery_mode", None)
        status, content_type, data = self.exchange.call(outgoing, read, safe=safe)
        return parse_answer(found, status, data, content_type)

    # The data functions answer with records, or with the Acknowledgement of a report.

    def interval_data(
        self, request: EnergyDataRequest
    ) -> tuple[IntervalData, ...] | Acknowledgement:
        return cast(
            "tuple[IntervalData, ...] | Acknowledgement", self.call("15minintervalreads", request)
        )

    def iter_interval_readings(self, request: EnergyDataRequest) -> Iterator[IntervalReading]:
        """The interval answer decoded into 15-minute readings (a REST answer is read
        whole: for DUNS-wide requests the SOAP client streams)."""
        answer = self.interval_data(request)
        if isinstance(answer, Acknowledgement):
            raise MalformedResponseError(
                "15minintervalreads: SMT acknowledged a report instead of answering with data",
                operation="15minintervalreads",
            )
        return decode_days(day for data in answer for day in data.days)

    def daily_reads(self, request: EnergyDataRequest) -> tuple[DailyReads, ...] | Acknowledgement:
        return cast("tuple[DailyReads, ...] | Acknowledgement", self.call("dailyreads", request))

    def monthly_billing(
        self, request: EnergyDataRequest
    ) -> tuple[MonthlyBilling, ...] | Acknowledgement:
        answer = self.call("monthlybillingInformation", request)
        return cast("tuple[MonthlyBilling, ...] | Acknowledgement", answer)

    def green_button(self, request: GreenButtonRequest) -> GreenButtonReport | Acknowledgement:
        return cast("GreenButtonReport | Acknowledgement", self.call("greenbutton", request))

    def meter_attributes(
        self, request: MeterInformationRequest
    ) -> tuple[MeterAttributes, ...] | Acknowledgement:
        return cast(
            "tuple[MeterAttributes, ...] | Acknowledgement", self.call("meterInfo", request)
        )

    def premise_attributes(
        self, request: PremiseInformationRequest
    ) -> tuple[PremiseAttributes, ...] | Acknowledgement:
        answer = self.call("premiseInfo", request)
        return cast("tuple[PremiseAttributes, ...] | Acknowledgement", answer)

    def on_demand_read(self, request: OnDemandReadRequest) -> Acknowledgement:
        """Ask the meter for a read now. Refused before sending (``QuotaExceededError``,
        with the instant the next read is allowed) when it would break a quota of the
        ledger given as ``quota``; SMT's own 5031 refusal raises the same error. A read that
        never left gives its slot back. Never re-sent on its own."""
        if self.quota is None:
            raise ConfigurationError(
                "an on-demand read needs the ledger that counts them: "
                "RestClient(settings, quota=OdrQuota(path))",
                field="quota",
                value="None",
            )
        found, outgoing = self._prepare("odr", request)  # a request refused here spends nothing
        reservation = self.quota.reserve(request.esiid)
        try:
            answer = self._send(found, outgoing, request)
        except TransportError as exc:
            if not exc.sent:
                self.quota.release(reservation)  # it never left: it spent nothing
            raise
        except ServiceFaultError as exc:
            if exc.status_code == ODR_HOURLY_LIMIT_CODE:
                raise QuotaExceededError(
                    f"on-demand read of ESIID {request.esiid} refused by SMT (code 5031: "
                    f"{exc.status_reason or 'too many reads of this ESIID this hour'})",
                    esiid=request.esiid,
                    limit="SMT's reads an hour for this ESIID (5031)",
                    next_allowed=None,
                ) from exc
            raise  # SMT answered (and may count it): the slot stays spent
        return _expect(Acknowledgement, answer, "odr")

    def odr_status(self, request: OdrStatusRequest) -> OdrStatus:
        return _expect(OdrStatus, self.call("odrstatus", request), "odrstatus")

    def wait_for_odr(
        self,
        correlation_id: str,
        *,
        interval: float = 30.0,
        timeout: float = 900.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> OdrStatus:
        """Poll ``/odrstatus/`` no faster than every ``interval`` seconds until the read is
        COMPLETED, FAILED or T-FAILED (returned: the caller decides what a failure means).
        Raises ``ServiceFaultError`` (``status_code`` the last status, e.g. PEN) when
        ``timeout`` passes first, and ``ConfigurationError`` for an interval or timeout that
        is not a finite number above 0."""
        for name, value in (("interval", interval), ("timeout", timeout)):
            if not math.isfinite(value) or value <= 0:
                raise ConfigurationError(
                    f"{name} {value}: must be a finite number of seconds above 0",
                    field=name,
                    value=str(value),
                )
        deadline = clock() + timeout
        while True:
            status = self.odr_status(
                OdrStatusRequest(requestor_id=self.settings.username, correlation_id=correlation_id)
            )
            if status.status_code.upper() in ODR_FINAL_STATUSES:
                return status
            if clock() + interval > deadline:
                raise ServiceFaultError(
                    f"odrstatus: the on-demand read {correlation_id} is still "
                    f"{status.status_code} after {timeout:g} s; ask again later "
                    f"(smt odr-status {correlation_id})",
                    operation="odrstatus",
                    status_code=status.status_code,
                    status_reason=status.status_reason,
                )
            self._sleep(interval)

    def report_status(self, request: ReportStatusRequest) -> ReportStatus:
        return _expect(
            ReportStatus, self.call("reportrequeststatus", request), "reportrequeststatus"
        )

    def new_subscription(self, request: NewSubscriptionRequest) -> SubscriptionReceipt:
        return _expect(
            SubscriptionReceipt, self.call("NewSubscription", request), "NewSubscription"
        )

    def cancel_subscription(self, request: UnsubscriptionRequest) -> Confirmation:
        return _expect(Confirmation, self.call("UnSubscription", request), "UnSubscription")

    def list_subscriptions(self, request: SubscriptionListRequest) -> tuple[Subscription, ...]:
        return cast("tuple[Subscription, ...]", self.call("Mysubscriptions", request))

    def new_agreement(self, request: NewAgreementRequest) -> AgreementReceipt:
        return _expect(AgreementReceipt, self.call("NewAgreement", request), "NewAgreement")

    def agreement_esiids(self, request: AgreementEsiidsRequest) -> tuple[AgreementEsiid, ...]:
        return cast("tuple[AgreementEsiid, ...]", self.call("AgreementESIIDs", request))

    def terminate_agreements(self, request: TerminateAgreementRequest) -> tuple[Termination, ...]:
        return cast("tuple[Termination, ...]", self.call("Terminateagreement", request))

    def list_agreements(self, request: MyAgreementsRequest) -> tuple[Agreement, ...]:
        return cast("tuple[Agreement, ...]", self.call("myagreements", request))


def _expect(kind: type[T], answer: Any, function: str) -> T:
    if not isinstance(answer, kind):
        raise MalformedResponseError(
            f"{function}: SMT answered with {type(answer).__name__}, not {kind.__name__}",
            operation=function,
        )
    return answer
