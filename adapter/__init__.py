"""smt-adapter: a SOAP-first integration adapter for Smart Meter Texas (SMT).

The public surface is listed in ``__all__``; everything else is internal.
"""

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
    ConfigurationError,
    ContractError,
    SchemaViolationError,
)
from adapter.xml.parsing import Limits
from adapter.xml.schemaset import PayloadType, find_payload_type, list_payload_types
from adapter.xml.validation import CheckResult, MessageValidator, iter_violations, validate
from adapter.xml.violations import Violation

__version__ = "0.1.0"

__all__ = [
    "AdapterError",
    "CheckResult",
    "ConfigurationError",
    "ContractError",
    "Direction",
    "Limits",
    "MessageValidator",
    "Operation",
    "PayloadType",
    "Profile",
    "SchemaViolationError",
    "Service",
    "Violation",
    "__version__",
    "bundle_root",
    "find_operation",
    "find_payload_type",
    "iter_violations",
    "list_payload_types",
    "load_services",
    "validate",
]
