"""One SOAP exchange with SMT, and the retry rule around it.

Orchestration only: the envelope comes built and validated, the answer leaves checked and
parsed by ``adapter.soap``; this module adds the headers of the security era, reads SMT's
HTTP refusals (Table 4), refreshes a token once on a 401, and repeats only the calls that
are safe to repeat.
"""

from __future__ import annotations

import base64
import json
import random
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from adapter.contract import Operation, Service
from adapter.errors import AmbiguousOutcomeError, AuthenticationError, TransportError
from adapter.settings import AuthProfile, ClientSettings, RetryPolicy
from adapter.transport.http import HttpResponse, HttpsTransport
from adapter.transport.token import TokenSource

__all__ = ["SAFE_OPERATIONS", "Answer", "Exchange", "backoff_delays"]

T = TypeVar("T")

# Reads, lists and the token: repeating them changes nothing at SMT (unless a read asks
# for a report: see SoapClient). newSubscription, newAgreement, unSubscription and
# terminateAgreement are never sent twice on our own.
SAFE_OPERATIONS = frozenset(
    {
        "processIntervalEnergyData",
        "processDailyRegisteredReads",
        "processMonthlyBillingInformation",
        "prosessMeterInformation",
        "processPremiseInformation",
        "subscription",
        "myAgreements",
        "agreementESIIDs",
        "processTokenGenerator",
    }
)

_RETRYABLE_STATUS = frozenset({500, 502, 503, 504})
_GATEWAY_STATUS = frozenset({502, 504})  # a proxy's: SMT behind it may have acted
_AUTH_STATUS = frozenset({400, 401, 403})
MAX_ANSWER_BYTES = 256 * 1024 * 1024  # a whole-body read; bigger answers must stream


def backoff_delays(
    policy: RetryPolicy, rng: Callable[[], float] = random.random
) -> Iterator[float]:
    """The waits between tries: exponential, capped, with full jitter (so that many
    clients failing together do not come back together)."""
    for attempt in range(policy.attempts - 1):
        yield rng() * min(policy.max_delay, policy.base_delay * 2**attempt)


@dataclass(frozen=True, slots=True)
class Answer:
    """An HTTP answer that may hold SOAP: status, Content-Type and the open response."""

    status: int
    content_type: str | None
    response: HttpResponse


class Exchange:
    """Sends envelopes to SMT the way the settings say; one per client, thread-safe."""

    def __init__(
        self,
        settings: ClientSettings,
        transport: HttpsTransport,
        *,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.settings = settings
        self.transport = transport
        self._sleep = sleep
        self.tokens: TokenSource | None = None
        if settings.security is AuthProfile.TOKEN:
            self.tokens = TokenSource(
                url=settings.token_endpoint,
                username=settings.username,
                password=settings.password,
                transport=transport,
            )

    def url(self, service: Service) -> str:
        return f"{self.settings.base_url}{service.path}"

    def call(
        self,
        service: Service,
        operation: Operation,
        envelope: bytes,
        read: Callable[[Answer], T],
        *,
        safe: bool,
    ) -> T:
        """POST ``envelope`` and return ``read(answer)`` (the answer: a SOAP envelope or
        Fault, any HTTP status, its body unread). Reading the body is part of the try, so
        an answer lost halfway is handled like one never received. ``safe`` calls (reads,
        lists; never one that starts a report or changes SMT's state) are tried again.

        Raises ``AuthenticationError`` for Table 4 refusals, ``TransportError`` when no
        SOAP answer came, ``AmbiguousOutcomeError`` when a call that is never repeated was
        sent and its answer was lost (or a gateway says it timed out upstream)."""
        delays = backoff_delays(self.settings.retries) if safe else iter(())
        while True:
            try:
                with self.open(service, operation, envelope) as answer:
                    return read(answer)
            except TransportError as exc:
                if not safe:
                    raise _unrepeated(operation, exc) from exc
                delay = next(delays, None) if exc.retryable else None
                if delay is None:
                    raise
                self._sleep(delay)

    @contextmanager
    def open(self, service: Service, operation: Operation, envelope: bytes) -> Iterator[Answer]:
        """POST ``envelope`` once and yield the answer, its body still unread; for answers
        read as a stream, which cannot be tried again once records have left."""
        answer = self._send_once(service, operation, envelope)
        try:
            yield answer
        finally:
            answer.response.close()

    def _send_once(self, service: Service, operation: Operation, envelope: bytes) -> Answer:
        url = self.url(service)
        headers = {
            "Content-Type": "text/xml; charset=utf-8",
            "SOAPAction": f'"{operation.soap_action}"',
            "Accept": "text/xml",
        }
        for fresh_token in (False, True):
            try:
                headers["Authorization"], token = self._authorization(operation)
            except TransportError as exc:
                exc.sent = False  # the token call failed: the SOAP request never left
                raise
            response = self.transport.post(url, envelope, headers)
            if response.status == 401 and token is not None and not fresh_token:
                response.close()  # an expired or revoked token: fetch a new one, once
                assert self.tokens is not None
                self.tokens.invalidate(token)  # unless another thread already did
                continue
            break
        try:
            return self._screen(url, operation, response)
        except BaseException:
            response.close()
            raise

    def _authorization(self, operation: Operation) -> tuple[str, str | None]:
        """The Authorization header, and the bearer token in it (None for Basic)."""
        if self.tokens is None or operation.name == "processTokenGenerator":
            pair = f"{self.settings.username}:{self.settings.password}".encode()
            return "Basic " + base64.b64encode(pair).decode("ascii"), None
        token = self.tokens.bearer()
        return f"Bearer {token}", token

    def _screen(self, url: str, operation: Operation, response: HttpResponse) -> Answer:
        """Pass on what may be SOAP; turn SMT's HTTP refusals into exceptions."""
        content_type = response.header("Content-Type")
        media = (content_type or "").split(";")[0].strip().lower()
        status = response.status
        if media in ("text/xml", "application/xml", "application/soap+xml"):
            return Answer(status, content_type, response)  # a Fault is read by the parser
        detail = _describe_body(response, media)
        if status in _AUTH_STATUS:
            body = _json_object(detail)
            raise AuthenticationError(
                f"{operation.name}: SMT refused the call at {url} with HTTP {status}"
                f"{_smt_message(body, detail)}",
                url=url,
                status=status,
                body=body,
            )
        raise TransportError(
            f"{operation.name}: {url} answered HTTP {status} {response.reason} with "
            f"{media or 'no Content-Type'} instead of SOAP"
            f"{_smt_message(_json_object(detail), detail)}",
            url=url,
            status=status,
            retryable=status in _RETRYABLE_STATUS,
            sent=True,
        )


def _unrepeated(operation: Operation, exc: TransportError) -> TransportError:
    """What a failed call that is never repeated becomes: ambiguous when it was sent and
    no answer of SMT's came back, else the error, marked as not to be retried blindly."""
    # no status, a success cut off halfway, or a gateway that gave up waiting for SMT
    lost = exc.status is None or exc.status < 400 or exc.status in _GATEWAY_STATUS
    if exc.sent and lost and not isinstance(exc, AuthenticationError):
        return AmbiguousOutcomeError(
            f"{operation.name}: the request was sent to {exc.url} but no answer of SMT's "
            f"came back ({exc}); SMT may have acted on it. It is not sent again on its "
            "own: look (list subscriptions or agreements) before you retry",
            url=exc.url,
            operation=operation.name,
        )
    exc.retryable = False
    return exc


def _describe_body(response: HttpResponse, media: str) -> str:
    try:
        text = response.read(64 * 1024).decode("utf-8", "replace")
    except TransportError:
        return ""
    return text if media == "application/json" else text[:300]


def _json_object(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _smt_message(body: Mapping[str, Any], text: str) -> str:
    if body:
        fields = ", ".join(f"{k}={v!r}" for k, v in body.items())
        return f" ({fields})"
    snippet = " ".join(text.split())[:120]
    return f" ({snippet!r})" if snippet else ""
