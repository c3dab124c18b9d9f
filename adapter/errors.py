"""The adapter's exceptions: one tree, each carrying fields, not just text.

::

    AdapterError
     +-- ContractError          the bundled schemas or WSDLs are missing or do not compile
     +-- ConfigurationError     an argument or setting names something that does not exist
     +-- SchemaViolationError   a message breaks the SMT contract (.violations)

Library exceptions (lxml's, the OS's) are translated where they are caught, with
``raise ... from exc``, so callers only ever catch ``AdapterError``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from adapter.xml.violations import Violation

__all__ = [
    "AdapterError",
    "ConfigurationError",
    "ContractError",
    "SchemaViolationError",
]


class AdapterError(Exception):
    """Base of every exception the adapter raises on purpose."""


class ContractError(AdapterError):
    """Raised when the bundled contract cannot be used: a schema or WSDL file is missing,
    malformed or does not compile. This is a broken installation, never bad input."""

    def __init__(self, message: str, *, path: str | None = None) -> None:
        super().__init__(message)
        self.path = path


class ConfigurationError(AdapterError):
    """Raised when an argument names something that does not exist, e.g. an unknown
    schema profile or payload type. ``field`` and ``value`` name what was wrong."""

    def __init__(self, message: str, *, field: str, value: str) -> None:
        super().__init__(message)
        self.field = field
        self.value = value


class SchemaViolationError(AdapterError):
    """Raised by ``validate()`` when a message breaks the contract.

    ``violations`` holds every problem found, in document order; ``source`` names the
    message (a file path or ``<bytes>``)."""

    def __init__(self, source: str, violations: Sequence[Violation]) -> None:
        if violations:
            more = f" (and {len(violations) - 1} more)" if len(violations) > 1 else ""
            super().__init__(f"{violations[0].format()}{more}")
        else:
            super().__init__(f"{source}: breaks the SMT contract")
        self.source = source
        self.violations = tuple(violations)
