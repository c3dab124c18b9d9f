"""One exchange with SMT, SOAP or REST, and the retry rule around it.

Orchestration only: the request comes built and checked, the answer leaves to be checked
and parsed by ``adapter.soap`` or ``adapter.rest``; this module adds the headers of the
security era, reads SMT's HTTP refusals (Table 4), refreshes a token once on a 401, and
repeats only the calls that are safe to repeat.
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

from adapter.errors import AmbiguousOutcomeError, AuthenticationError, TransportError
from adapter.settings import AuthProfile, ClientSettings, RetryPolicy
from adapter.transport.http import HttpResponse, HttpsTransport
from adapter.transport.token import TokenSource

__all__ = [
    "MAX_ANSWER_BYTES",
    "SAFE_OPERATIONS",
    "SOAP_MEDIA",
    "Answer",
    "Exchange",
    "Outgoing",
    "backoff_delays",
]

T = TypeVar("T")

# The SOAP operations that are reads, lists or the token: repeating them changes nothing at
# SMT (unless a read asks for a report: see SoapClient). newSubscription, newAgreement,
# unSubscription and terminateAgreement are never sent twice on our own. (REST functions
# say it themselves: adapter.rest.RestFunction.repeatable.)
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
    """An HTTP answer in one of the media the caller takes: status, Content-Type and the
    open response (``body`` when it had to be read to be screened)."""

    status: int
    content_type: str | None
    response: HttpResponse
    body: bytes | None = None

    def read(self, max_bytes: int = MAX_ANSWER_BYTES) -> bytes:
        return self.body if self.body is not None else self.response.read(max_bytes)


@dataclass(frozen=True, slots=True, kw_only=True)
class Outgoing:
    """One request: ``name`` (the operation or function, for messages), where it goes,
    its body and headers (without Authorization), the answer media it takes, and whether
    it always goes with HTTP Basic (the token services themselves)."""

    name: str
    url: str
    body: bytes
    headers: Mapping[str, str]
    media: frozenset[str]
    basic_only: bool = False


SOAP_MEDIA = frozenset({"text/xml", "application/xml", "application/soap+xml"})


class Exchange:
    """Sends requests to SMT the way the settings say; one per client, thread-safe."""

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

    def call(self, outgoing: Outgoing, read: Callable[[Answer], T], *, safe: bool) -> T:
        """POST ``outgoing`` and return ``read(answer)`` (the answer in one of its media,
        any HTTP status, its body unread). Reading the body is part of the try, so an
        answer lost halfway is handled like one never received; ``read`` may raise a
        ``TransportError`` itself (e.g. SMT's JSON 500). ``safe`` calls (reads, lists;
        never one that starts a report or changes SMT's state) are tried again.

        Raises ``AuthenticationError`` for Table 4 refusals, ``TransportError`` when no
        usable answer came, ``AmbiguousOutcomeError`` when a call that is never repeated
        was sent and its answer was lost (or a gateway says it timed out upstream)."""
        delays = backoff_delays(self.settings.retries) if safe else iter(())
        while True:
            try:
                with self.open(outgoing) as answer:
                    return read(answer)
            except TransportError as exc:
                if not safe:
                    raise _unrepeated(outgoing.name, exc) from exc
                delay = next(delays, None) if exc.retryable else None
                if delay is None:
                    raise
                self._sleep(delay)

    @contextmanager
    def open(self, outgoing: Outgoing) -> Iterator[Answer]:
        """POST once and yield the answer, its body still unread; for answers read as a
        stream, which cannot be tried again once records have left."""
        answer = self._send_once(outgoing)
        try:
            yield answer
        finally:
            answer.response.close()

    def _send_once(self, outgoing: Outgoing) -> Answer:
        headers = dict(outgoing.headers)
        for fresh_token in (False, True):
            try:
                headers["Authorization"], token = self._authorization(outgoing)
            except TransportError as exc:
                exc.sent = False  # the token call failed: the request itself never left
                raise
            response = self.transport.post(outgoing.url, outgoing.body, headers)
            if response.status == 401 and token is not None and not fresh_token:
                response.close()  # an expired or revoked token: fetch a new one, once
                assert self.tokens is not None
                self.tokens.invalidate(token)  # unless another thread already did
                continue
            break
        try:
            return self._screen(outgoing, response)
        except BaseException:
            response.close()
            raise

    def _authorization(self, outgoing: Outgoing) -> tuple[str, str | None]:
        """The Authorization header, and the bearer token in it (None for Basic)."""
        if self.tokens is None or outgoing.basic_only:
            pair = f"{self.settings.username}:{self.settings.password}".encode()
            return "Basic " + base64.b64encode(pair).decode("ascii"), None
        token = self.tokens.bearer()
        return f"Bearer {token}", token

    def _screen(self, outgoing: Outgoing, response: HttpResponse) -> Answer:
        """Pass on an answer in the caller's media; turn SMT's HTTP refusals (Table 4's
        ``{"error": ...}`` bodies) and foreign error pages into exceptions."""
        content_type = response.header("Content-Type")
        media = (content_type or "").split(";")[0].strip().lower()
        status = response.status
        refusal = status in _AUTH_STATUS or status in _RETRYABLE_STATUS
        if media in outgoing.media and not (refusal and media == "application/json"):
            return Answer(status, content_type, response)  # a Fault is the parser's
        detail = _describe_body(response, media)
        body = _json_object(detail)
        if media in outgoing.media and not _is_table_4(body):
            # a JSON answer of SMT's own about the request (e.g. {errorCode, ...})
            return Answer(status, content_type, response, detail.encode())
        name, url = outgoing.name, outgoing.url
        if status in _AUTH_STATUS:
            raise AuthenticationError(
                f"{name}: SMT refused the call at {url} with HTTP {status}"
                f"{_smt_message(body, detail)}",
                url=url,
                status=status,
                body=body,
            )
        raise TransportError(
            f"{name}: {url} answered HTTP {status} {response.reason} with "
            f"{media or 'no Content-Type'}{_smt_message(body, detail)}",
            url=url,
            status=status,
            retryable=status in _RETRYABLE_STATUS,
            sent=True,
        )


def _unrepeated(name: str, exc: TransportError) -> TransportError:
    """What a failed call that is never repeated becomes: ambiguous when it was sent and
    no answer of SMT's came back, else the error, marked as not to be retried blindly."""
    # no status, a success cut off halfway, or a gateway that gave up waiting for SMT
    lost = exc.status is None or exc.status < 400 or exc.status in _GATEWAY_STATUS
    if exc.sent and lost and not isinstance(exc, AuthenticationError):
        return AmbiguousOutcomeError(
            f"{name}: the request was sent to {exc.url} but no answer of SMT's "
            f"came back ({exc}); SMT may have acted on it. It is not sent again on its "
            "own: look (list subscriptions or agreements) before you retry",
            url=exc.url,
            operation=name,
        )
    exc.retryable = False
    return exc


def _is_table_4(body: Mapping[str, Any]) -> bool:
    # Table 4's refusals are {"error": "..."} and nothing else
    return set(body) == {"error"} and isinstance(body["error"], str)


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
