"""The SOAP client against the mock behind its real HTTPS server on 127.0.0.1, in both
security eras: mutual TLS with Basic (certificate) and bearer tokens (token)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from adapter.clients.rest import RestClient
from adapter.clients.soap import SoapClient
from adapter.mock import (
    MockApp,
    MockServer,
    MockSettings,
    SecurityProfile,
    TlsFiles,
    build_server_context,
)
from adapter.mock.certs import CertificateSet
from adapter.quota import OdrQuota
from adapter.settings import AuthProfile, ClientSettings, RetryPolicy
from adapter.transport.http import Timeouts
from adapter.transport.tls import ClientCertificate
from tests.mock.conftest import GUIDE_DAY, PASSWORDS, TOKEN_SECRET, certificates

__all__ = ["Era", "certificates", "era", "serve", "settings_for"]

FAST_RETRIES = RetryPolicy(attempts=3, base_delay=0.0, max_delay=0.0)


@dataclass(frozen=True)
class Era:
    """A running mock and how to reach it."""

    security: AuthProfile
    server: MockServer
    app: MockApp
    certs: CertificateSet

    def settings(self, username: str = "CSPAPIUser1", **changes: object) -> ClientSettings:
        return settings_for(self, username, **changes)

    def client(self, username: str = "CSPAPIUser1", **changes: object) -> SoapClient:
        return SoapClient(self.settings(username, **changes))

    def rest(self, ledger: Path, username: str = "CSPAPIUser1", **changes: object) -> RestClient:
        """A REST client counting its on-demand reads in ``ledger``."""
        return RestClient(self.settings(username, **changes), quota=OdrQuota(ledger))


def settings_for(era: Era, username: str, **changes: object) -> ClientSettings:
    values: dict[str, object] = {
        "base_url": era.server.base_url,
        "username": username,
        "password": PASSWORDS[username],
        "security": era.security,
        "ca_file": era.certs.ca_cert,
        "certificate": ClientCertificate(
            cert_file=era.certs.client_cert, key_file=era.certs.client_key
        ),
        "timeouts": Timeouts(connect=5, read=10),
        "retries": FAST_RETRIES,
    }
    values.update(changes)
    return ClientSettings(**values)  # type: ignore[arg-type]


@pytest.fixture
def serve(certificates: CertificateSet) -> Iterator[object]:
    """A factory: ``serve(security, **mock settings)`` starts a mock and returns its Era;
    every one started is stopped after the test."""
    started: list[MockServer] = []

    def start(security: AuthProfile = AuthProfile.CERTIFICATE, **mock: object) -> Era:
        profile = (
            SecurityProfile.CERTIFICATE
            if security is AuthProfile.CERTIFICATE
            else SecurityProfile.TOKEN
        )
        settings = MockSettings(
            security=profile,
            today=GUIDE_DAY,
            port=0,
            token_secret=TOKEN_SECRET,
            **mock,  # type: ignore[arg-type]
        )
        app = MockApp(settings)
        files = TlsFiles(
            cert_file=certificates.server_cert,
            key_file=certificates.server_key,
            client_ca_file=certificates.ca_cert if security is AuthProfile.CERTIFICATE else None,
        )
        server = MockServer(app, port=0, tls=build_server_context(files)).start()
        started.append(server)
        return Era(security, server, app, certificates)

    yield start
    for server in started:
        server.shutdown()


@pytest.fixture(params=[AuthProfile.CERTIFICATE, AuthProfile.TOKEN], ids=lambda p: p.value)
def era(request: pytest.FixtureRequest, serve: object) -> Era:
    return serve(request.param)  # type: ignore[operator,no-any-return]
