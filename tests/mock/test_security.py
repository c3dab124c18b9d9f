"""Security, both eras, over real HTTPS on 127.0.0.1: mutual TLS + HTTP Basic (2020) and
bearer tokens (2025), and the exact refusals of the guide's Table 4."""

from __future__ import annotations

import http.client
import json
import ssl
import time
from urllib.parse import urlsplit

import jwt
import pytest

from adapter.mock.app import MockApp
from adapter.mock.certs import CertificateSet
from adapter.mock.server import MockServer
from tests.mock.conftest import (
    TOKEN_SECRET,
    basic,
    client_context,
    guide_request,
    operation_of,
    path_of,
)

INTERVAL = guide_request("energydata", "processIntervalEnergyData")
ACTION = f'"{operation_of("processIntervalEnergyData").soap_action}"'


def post(
    server: MockServer,
    context: ssl.SSLContext,
    path: str,
    body: bytes,
    headers: dict[str, str],
) -> tuple[int, bytes, dict[str, str]]:
    url = urlsplit(server.base_url)
    connection = http.client.HTTPSConnection(url.hostname, url.port, context=context, timeout=10)
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read(), dict(response.getheaders())
    finally:
        connection.close()


def soap_headers(**extra: str) -> dict[str, str]:
    return {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": ACTION, **extra}


def test_client_certificate_and_basic_credentials_get_the_answer(
    mtls_mock: tuple[MockServer, MockApp], certificates: CertificateSet
) -> None:
    server, _ = mtls_mock
    status, body, headers = post(
        server, client_context(certificates), "/energydata/", INTERVAL,
        soap_headers(Authorization=basic("CSPAPIUser1", "smt-mock-CSPAPIUser1")),
    )  # fmt: skip
    assert status == 200
    assert headers["Content-Type"].startswith("text/xml")
    assert b"IntervalEnergyDataSyncResponse" in body


def test_client_without_certificate_is_refused_during_the_handshake(
    mtls_mock: tuple[MockServer, MockApp], certificates: CertificateSet
) -> None:
    server, _ = mtls_mock
    with pytest.raises((ssl.SSLError, ConnectionError)):
        post(
            server, client_context(certificates, with_certificate=False), "/energydata/",
            INTERVAL, soap_headers(Authorization=basic("CSPAPIUser1", "smt-mock-CSPAPIUser1")),
        )  # fmt: skip


@pytest.mark.filterwarnings("ignore:ssl.TLSVersion.TLSv1_1 is deprecated:DeprecationWarning")
def test_tls_below_1_2_is_refused(
    mtls_mock: tuple[MockServer, MockApp], certificates: CertificateSet
) -> None:
    server, _ = mtls_mock
    context = client_context(certificates)
    context.minimum_version = ssl.TLSVersion.MINIMUM_SUPPORTED
    context.maximum_version = ssl.TLSVersion.TLSv1_1
    with pytest.raises((ssl.SSLError, ConnectionError)):
        post(server, context, "/energydata/", INTERVAL, soap_headers())


@pytest.mark.parametrize(
    ("authorization", "status", "error"),
    [
        (None, 403, "Basic authentication header is missing."),
        (basic("", "smt-mock-CSPAPIUser1"), 400, "Please provide username."),
        (basic("CSPAPIUser1", ""), 400, "Please provide password."),
        (basic("CSPAPIUser1", "wrong"), 401, "Incorrect username or password."),
        (basic("nobody", "smt-mock-CSPAPIUser1"), 401, "Incorrect username or password."),
        (basic("bobby@123", "smt-mock-bobby"), 401, "Authorization failure"),
    ],
    ids=["missing", "no-username", "no-password", "wrong-password", "unknown-user", "other-id"],
)
def test_basic_authentication_failures_answer_with_table_4(
    mtls_mock: tuple[MockServer, MockApp],
    certificates: CertificateSet,
    authorization: str | None,
    status: int,
    error: str,
) -> None:
    server, _ = mtls_mock
    headers = soap_headers() if authorization is None else soap_headers(Authorization=authorization)
    got_status, body, got_headers = post(
        server, client_context(certificates), "/energydata/", INTERVAL, headers
    )
    assert (got_status, json.loads(body)) == (status, {"error": error})
    assert got_headers["Content-Type"] == "application/json"


def fetch_token(
    server: MockServer, context: ssl.SSLContext, **credentials: str
) -> tuple[int, dict[str, str]]:
    status, body, _ = post(
        server, context, "/v2/token/", json.dumps(credentials).encode(),
        {"Content-Type": "application/json"},
    )  # fmt: skip
    return status, json.loads(body)


def test_token_endpoint_issues_an_expiring_signed_jwt(
    token_mock: tuple[MockServer, MockApp], certificates: CertificateSet
) -> None:
    server, _ = token_mock
    context = client_context(certificates, with_certificate=False)
    status, answer = fetch_token(
        server, context, username="CSPAPIUser1", password="smt-mock-CSPAPIUser1"
    )
    assert status == 200
    assert answer["statusCode"] == "0000" and answer["tokenType"] == "Bearer"
    assert answer["expiresIn"] == "120"
    claims = jwt.decode(answer["accessToken"], options={"verify_signature": False})
    assert claims["sub"] == "CSPAPIUser1"
    assert claims["exp"] - claims["iat"] == 120
    time.strptime(answer["expiresAt"], "%m/%d/%Y %H:%M:%S")


def test_bearer_token_authorizes_a_soap_call(
    token_mock: tuple[MockServer, MockApp], certificates: CertificateSet
) -> None:
    server, _ = token_mock
    context = client_context(certificates, with_certificate=False)
    _, answer = fetch_token(
        server, context, username="CSPAPIUser1", password="smt-mock-CSPAPIUser1"
    )
    status, body, _ = post(
        server, context, "/energydata/", INTERVAL,
        soap_headers(Authorization=f"Bearer {answer['accessToken']}"),
    )  # fmt: skip
    assert status == 200 and b"IntervalEnergyDataSyncResponse" in body


@pytest.mark.parametrize(
    ("credentials", "status", "error"),
    [
        ({"password": "x"}, 400, "Please provide username."),
        ({"username": "CSPAPIUser1"}, 400, "Please provide password."),
        ({"username": "CSPAPIUser1", "password": "wrong"}, 401, "Incorrect username or password."),
    ],
    ids=["no-username", "no-password", "wrong-password"],
)
def test_token_endpoint_refusals_answer_with_table_4(
    token_mock: tuple[MockServer, MockApp],
    certificates: CertificateSet,
    credentials: dict[str, str],
    status: int,
    error: str,
) -> None:
    server, _ = token_mock
    got = fetch_token(server, client_context(certificates, with_certificate=False), **credentials)
    assert got == (status, {"error": error})


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer", "Bearer not.a.jwt", "expired", "forged", "Basic Q1NQQVBJVXNlcjE6eA=="],
    ids=["missing", "empty", "garbage", "expired", "forged", "basic-instead"],
)
def test_token_era_refuses_calls_without_a_valid_bearer_token(
    token_mock: tuple[MockServer, MockApp], certificates: CertificateSet, authorization: str | None
) -> None:
    server, _ = token_mock
    now = int(time.time())
    if authorization == "expired":
        token = jwt.encode(
            {"sub": "CSPAPIUser1", "iss": "smt-mock", "iat": now - 300, "exp": now - 60},
            TOKEN_SECRET,
            algorithm="HS256",
        )
        authorization = f"Bearer {token}"
    elif authorization == "forged":
        token = jwt.encode(
            {"sub": "CSPAPIUser1", "iss": "smt-mock", "iat": now, "exp": now + 60},
            "another-key-of-at-least-32-characters!",
            algorithm="HS256",
        )
        authorization = f"Bearer {token}"
    headers = soap_headers() if authorization is None else soap_headers(Authorization=authorization)
    status, body, _ = post(
        server,
        client_context(certificates, with_certificate=False),
        "/energydata/",
        INTERVAL,
        headers,
    )
    assert (status, json.loads(body)) == (401, {"error": "Authentication failure"})


def test_soap_token_service_issues_a_token_that_authorizes_calls(
    token_mock: tuple[MockServer, MockApp], certificates: CertificateSet
) -> None:
    from tests.conftest import SOAP_FIXTURES

    server, _ = token_mock
    context = client_context(certificates, with_certificate=False)
    request = (SOAP_FIXTURES / "token/generated/processTokenGenerator.request.xml").read_bytes()
    request = request.replace(b"example-password-not-a-secret", b"smt-mock-CSPAPIUser1")
    action = f'"{operation_of("processTokenGenerator").soap_action}"'
    status, body, _ = post(
        server, context, path_of("processTokenGenerator"), request,
        {"Content-Type": "text/xml", "SOAPAction": action},
    )  # fmt: skip
    assert status == 200, body
    from lxml import etree

    token = etree.fromstring(body).findtext(".//accessToken")
    assert token
    status, body, _ = post(
        server, context, "/energydata/", INTERVAL, soap_headers(Authorization=f"Bearer {token}")
    )
    assert status == 200
