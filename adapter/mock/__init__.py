"""The local SMT: ``smt mock`` as a library, for tests that start it in process.

``MockApp`` is the WSGI application (every SOAP service, the token endpoints, the admin
endpoint), ``MockServer`` serves it over HTTP or HTTPS with client certificates, and
``write_certificate_set`` makes throwaway certificates for that. Needs Python 3.11
(spyne 2.14).
"""

from adapter.mock.app import MockApp
from adapter.mock.certs import CertificateSet, write_certificate_set
from adapter.mock.config import Account, MockSettings, SecurityProfile, TlsSettings
from adapter.mock.scenarios import ScenarioSettings
from adapter.mock.server import MockServer, TlsFiles, build_server_context

__all__ = [
    "Account",
    "CertificateSet",
    "MockApp",
    "MockServer",
    "MockSettings",
    "ScenarioSettings",
    "SecurityProfile",
    "TlsFiles",
    "TlsSettings",
    "build_server_context",
    "write_certificate_set",
]
