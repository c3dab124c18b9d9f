"""``TokenSource`` against the mock's real ``POST /v2/token/`` (the 2025 token era, HTTPS
without client certificates), and against small servers that answer something else."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from typing import Any

import pytest

from adapter.errors import AuthenticationError, TransportError
from adapter.mock import MockServer, MockSettings, SecurityProfile
from adapter.mock.certs import CertificateSet, write_certificate_set
from adapter.transport import HttpsTransport, Timeouts, TokenSource, build_client_context
from tests.mock.conftest import GUIDE_DAY, PASSWORDS, TOKEN_SECRET, guide_request, operation_of
from tests.mock.conftest import path_of as soap_path_of
from tests.transport import CountingApp, serve_mock

USER = "CSPAPIUser1"
WRONG = "hunter2-is-not-it"
StartResponse = Callable[[str, list[tuple[str, str]]], Any]


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> CertificateSet:
    return write_certificate_set(tmp_path_factory.mktemp("pki"))


@pytest.fixture
def token_era(certs: CertificateSet) -> Iterator[tuple[MockServer, CountingApp]]:
    settings = MockSettings(
        security=SecurityProfile.TOKEN, today=GUIDE_DAY, port=0, token_secret=TOKEN_SECRET
    )
    with serve_mock(
        certs, client_ca=None, settings=replace(settings, token_lifetime_seconds=3600)
    ) as served:
        yield served


def transport_for(certs: CertificateSet) -> HttpsTransport:
    return HttpsTransport(
        context=build_client_context(ca_file=certs.ca_cert), timeouts=Timeouts(connect=5, read=5)
    )


def source_for(
    server: MockServer, certs: CertificateSet, *, password: str = PASSWORDS[USER], **kw: Any
) -> TokenSource:
    return TokenSource(
        url=f"{server.base_url}/v2/token/",
        username=USER,
        password=password,
        transport=transport_for(certs),
        **kw,
    )


def test_the_token_is_fetched_once_reused_and_accepted_by_a_soap_call(
    token_era: tuple[MockServer, CountingApp], certs: CertificateSet
) -> None:
    server, app = token_era
    source = source_for(server, certs)

    token = source.bearer()
    assert source.bearer() == token
    assert app.paths == ["/v2/token/"]

    operation = "processIntervalEnergyData"
    response = transport_for(certs).post(
        server.base_url + soap_path_of(operation),
        guide_request("energydata", operation),
        {
            "Content-Type": "text/xml; charset=utf-8",
            "SOAPAction": f'"{operation_of(operation).soap_action}"',
            "Authorization": f"Bearer {token}",
        },
    )
    with response:
        assert response.status == 200


def test_the_token_is_refreshed_within_the_margin_before_expiry(
    token_era: tuple[MockServer, CountingApp], certs: CertificateSet
) -> None:
    server, app = token_era
    clock = Clock()
    source = source_for(server, certs, refresh_margin_seconds=60, clock=clock)

    first = source.bearer()
    clock.now += 3600 - 61  # 61 s of the mock's 3600 left: still good
    assert source.bearer() == first
    clock.now += 2  # 59 s left: inside the margin
    second = source.bearer()

    assert second != first
    assert app.paths == ["/v2/token/", "/v2/token/"]


def test_invalidate_fetches_once_more_and_a_stale_invalidate_keeps_the_fresh_token(
    token_era: tuple[MockServer, CountingApp], certs: CertificateSet
) -> None:
    server, app = token_era
    source = source_for(server, certs)
    first = source.bearer()

    source.invalidate()
    second = source.bearer()
    source.invalidate(first)  # another thread's 401 with the old token arrives late

    assert second != first and source.bearer() == second
    assert len(app.paths) == 2


def test_concurrent_callers_share_one_fetch(
    token_era: tuple[MockServer, CountingApp], certs: CertificateSet
) -> None:
    server, app = token_era
    source = source_for(server, certs)
    start = threading.Barrier(8)
    seen: list[str] = []

    def call() -> None:
        start.wait()
        seen.append(source.bearer())

    threads = [threading.Thread(target=call) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(seen) == 8 and len(set(seen)) == 1
    assert app.paths == ["/v2/token/"]


def test_a_wrong_password_is_an_authentication_error_with_status_and_body(
    token_era: tuple[MockServer, CountingApp], certs: CertificateSet
) -> None:
    server, _ = token_era
    source = source_for(server, certs, password=WRONG)

    with pytest.raises(AuthenticationError) as caught:
        source.bearer()

    error = caught.value
    assert error.status == 401
    assert error.body == {"error": "Incorrect username or password."}
    assert f"{server.base_url}/v2/token/" in str(error) and "401" in str(error)
    assert "Incorrect username or password." in str(error)
    assert WRONG not in str(error) and WRONG not in repr(source)
    assert not error.retryable


def plain_server(status: str, body: bytes, content_type: str) -> MockServer:
    def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        start_response(status, [("Content-Type", content_type)])
        return [body]

    return MockServer(app)


@pytest.mark.parametrize(
    ("body", "content_type", "why"),
    [
        (b'{"statusCode": "0000", "tokenType": "Bearer"}', "application/json", "no accessToken"),
        (b'{"accessToken": "t", "expiresIn": "soon"}', "application/json", "no expiresIn"),
        (b'{"accessToken": "t", "expiresIn": "60", "tokenType": "MAC"}', "application/json", "MAC"),
        (b"<html>welcome</html>", "text/html", "not JSON"),
        (b"[1, 2]", "application/json", "no accessToken"),
    ],
)
def test_a_200_that_is_not_a_token_is_an_authentication_error(
    body: bytes, content_type: str, why: str
) -> None:
    with plain_server("200 OK", body, content_type) as server:
        source = TokenSource(
            url=f"{server.base_url}/v2/token/",
            username=USER,
            password=WRONG,
            transport=HttpsTransport(context=None, timeouts=Timeouts(connect=5, read=5)),
        )
        with pytest.raises(AuthenticationError, match=why) as caught:
            source.bearer()

    assert caught.value.status == 200
    assert WRONG not in str(caught.value)


def test_a_server_error_page_stays_a_retryable_transport_error() -> None:
    with plain_server("503 Service Unavailable", b"<html>down</html>", "text/html") as server:
        source = TokenSource(
            url=f"{server.base_url}/v2/token/",
            username=USER,
            password=WRONG,
            transport=HttpsTransport(context=None, timeouts=Timeouts(connect=5, read=5)),
        )
        with pytest.raises(TransportError) as caught:
            source.bearer()

    assert not isinstance(caught.value, AuthenticationError)
    assert (caught.value.status, caught.value.retryable) == (503, True)


def test_table_4s_server_error_is_a_retryable_authentication_error() -> None:
    body = json.dumps({"error": "Something went wrong. Please try again later."}).encode()
    with plain_server("500 Internal Server Error", body, "application/json") as server:
        source = TokenSource(
            url=f"{server.base_url}/v2/token/",
            username=USER,
            password=WRONG,
            transport=HttpsTransport(context=None, timeouts=Timeouts(connect=5, read=5)),
        )
        with pytest.raises(AuthenticationError, match="Something went wrong") as caught:
            source.bearer()

    assert (caught.value.status, caught.value.retryable) == (500, True)


def test_a_short_lived_token_is_not_refetched_on_every_call() -> None:
    body = json.dumps({"accessToken": "short", "expiresIn": "30", "tokenType": "Bearer"})
    clock = Clock()
    with plain_server("200 OK", body.encode(), "application/json") as server:
        source = TokenSource(
            url=f"{server.base_url}/v2/token/",
            username=USER,
            password=WRONG,
            transport=HttpsTransport(context=None, timeouts=Timeouts(connect=5, read=5)),
            refresh_margin_seconds=60,
            clock=clock,
        )
        assert source.bearer() == "short"
        server.shutdown()  # a second fetch would now fail
        clock.now += 14
        assert source.bearer() == "short"
        clock.now += 2  # past half of its 30 s
        with pytest.raises(TransportError):
            source.bearer()
