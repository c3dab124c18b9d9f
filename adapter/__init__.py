"""smt-adapter: a SOAP-first integration adapter for Smart Meter Texas (SMT).

The public surface is listed in ``__all__``; everything else is internal. The client side
(``SoapClient``, its settings, TLS and certificates) loads on first use, so that validating
messages or decoding readings never pays for zeep, requests or cryptography.
"""

from typing import TYPE_CHECKING, Any

from adapter.contract import (
    Direction,
    Operation,
    Profile,
    Service,
    bundle_root,
    find_operation,
    load_services,
)
from adapter.errors import (
    AdapterError,
    AmbiguousOutcomeError,
    AuthenticationError,
    CertificateError,
    ConfigurationError,
    ContractError,
    MalformedResponseError,
    ReadingError,
    SchemaViolationError,
    ServiceFaultError,
    TransportError,
)
from adapter.exports import write_readings
from adapter.interval import IntervalReading, decode_day, decode_days
from adapter.records import IntervalDay
from adapter.xml.parsing import Limits
from adapter.xml.schemaset import PayloadType, find_payload_type, list_payload_types
from adapter.xml.validation import CheckResult, MessageValidator, iter_violations, validate
from adapter.xml.violations import Violation

if TYPE_CHECKING:
    from adapter.certs import CertificateReport, inspect_certificate
    from adapter.clients import SoapClient
    from adapter.settings import AuthProfile, ClientSettings, RetryPolicy
    from adapter.transport import ClientCertificate, Timeouts

__version__ = "0.1.0"

_ON_FIRST_USE = {
    "CertificateReport": "adapter.certs",
    "inspect_certificate": "adapter.certs",
    "SoapClient": "adapter.clients",
    "AuthProfile": "adapter.settings",
    "ClientSettings": "adapter.settings",
    "RetryPolicy": "adapter.settings",
    "ClientCertificate": "adapter.transport",
    "Timeouts": "adapter.transport",
}


def __getattr__(name: str) -> Any:
    module = _ON_FIRST_USE.get(name)
    if module is None:
        raise AttributeError(f"module 'adapter' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # the next lookup is a plain one
    return value


__all__ = [
    "AdapterError",
    "AmbiguousOutcomeError",
    "AuthProfile",
    "AuthenticationError",
    "CertificateError",
    "CertificateReport",
    "CheckResult",
    "ClientCertificate",
    "ClientSettings",
    "ConfigurationError",
    "ContractError",
    "Direction",
    "IntervalDay",
    "IntervalReading",
    "Limits",
    "MalformedResponseError",
    "MessageValidator",
    "Operation",
    "PayloadType",
    "Profile",
    "ReadingError",
    "RetryPolicy",
    "SchemaViolationError",
    "Service",
    "ServiceFaultError",
    "SoapClient",
    "Timeouts",
    "TransportError",
    "Violation",
    "__version__",
    "bundle_root",
    "decode_day",
    "decode_days",
    "find_operation",
    "find_payload_type",
    "inspect_certificate",
    "iter_violations",
    "list_payload_types",
    "load_services",
    "validate",
    "write_readings",
]
