"""The REST functions over real HTTPS with mutual TLS on 127.0.0.1: the guide's REST
examples posted as they are, and Table 4's refusals, as a client on the network sees them
(the same checks in process are in test_rest.py)."""

from __future__ import annotations

import http.client
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from adapter.mock import MockApp, MockServer, TlsFiles, build_server_context
from adapter.mock.certs import CertificateSet
from tests.mock.conftest import PASSWORDS, basic, client_context
from tests.mock.test_rest import (
    _AGREEMENTS,
    FIXTURES,
    INTERVAL,
    _examples,
    _password,
    _prepare,
    assert_shaped_like,
    example_app,
    load,
    schema_for,
)


def https_post(
    app: MockApp, certs: CertificateSet, path: str, body: bytes, headers: dict[str, str]
) -> tuple[int, Any]:
    files = TlsFiles(
        cert_file=certs.server_cert, key_file=certs.server_key, client_ca_file=certs.ca_cert
    )
    with MockServer(app, port=0, tls=build_server_context(files)) as server:
        connection = http.client.HTTPSConnection(
            "127.0.0.1", server.port, context=client_context(certs), timeout=10
        )
        try:
            connection.request("POST", path, body, {"Content-Type": "application/json", **headers})
            response = connection.getresponse()
            return response.status, json.loads(response.read())
        finally:
            connection.close()


@pytest.mark.parametrize(
    ("function", "request_file", "response_file"),
    _examples(),
    ids=lambda v: v if isinstance(v, str) else v.name,
)
def test_guide_example_posted_as_is_over_mutual_tls_gets_a_valid_answer(
    certificates: CertificateSet, function: str, request_file: Path, response_file: Path
) -> None:
    request = load(request_file)
    agreement = load(FIXTURES / "NewAgreement" / "request.json")
    app = example_app({**request, "_": agreement} if function in _AGREEMENTS else request)
    request = _prepare(function, app, request)
    requestor = request.get("GreenButtonRequest", request)["requestorID"]
    auth = {"Authorization": basic(requestor, _password(app, requestor))}

    status, data = https_post(
        app, certificates, f"/{function}/", json.dumps(request).encode(), auth
    )

    assert status == 200, data
    example = load(response_file)
    assert_shaped_like(data, example)
    jsonschema.validate(data, load(schema_for(function, example)))


@pytest.mark.parametrize(
    ("headers", "status", "error"),
    [
        ({}, 403, "Basic authentication header is missing."),
        ({"Authorization": basic("", "x")}, 400, "Please provide username."),
        ({"Authorization": basic("CSPAPIUser1", "")}, 400, "Please provide password."),
        ({"Authorization": basic("CSPAPIUser1", "wrong")}, 401, "Incorrect username or password."),
        (
            {"Authorization": basic("bobby@123", PASSWORDS["bobby@123"])},
            401,
            "Authorization failure",
        ),
    ],
)
def test_table_4_refusals_over_mutual_tls(
    certificates: CertificateSet, headers: dict[str, str], status: int, error: str
) -> None:
    app = example_app(INTERVAL)

    answer = https_post(
        app, certificates, "/v2/15minintervalreads/", json.dumps(INTERVAL).encode(), headers
    )

    assert answer == (status, {"error": error})
