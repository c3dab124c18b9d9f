"""Typed access to the fields of a JSON answer, mirroring ``adapter.soap.payloads``'s
``PayloadReader``: every reader raises ``MalformedResponseError`` naming the function and
the field when a value cannot be what the contract says (missing, not a date, not a
number). Pure: no transport.
"""

from __future__ import annotations

from typing import Any

from adapter.errors import MalformedResponseError, ServiceFaultError
from adapter.field_reader import FieldReader
from adapter.soap.answers import SUCCESS_CODES

__all__ = ["JsonReader", "check_status", "fault_pairs", "item_readers"]


class JsonReader(FieldReader):
    """One JSON object (or an item of one) of the answer to ``operation``; ``where`` is
    its JSON pointer, used in error messages."""

    def __init__(self, operation: str, data: dict[str, Any], where: str = "") -> None:
        self.operation = operation
        self.data = data
        self.where = where

    def bad(self, name: str, problem: str) -> MalformedResponseError:
        return MalformedResponseError(
            f"{self.operation}: {self.where}/{name} {problem}", operation=self.operation
        )

    def raw(self, name: str) -> Any:
        return self.data.get(name)

    def get_any_case(self, name: str) -> Any:
        """The value of ``name`` matched in any letter case (``REASON``, ``ESIID``)."""
        if name in self.data:
            return self.data[name]
        folded = name.lower()
        return next((v for k, v in self.data.items() if k.lower() == folded), None)

    def optional(self, name: str) -> str | None:
        """The stripped text of ``name`` (numbers as text); None when absent, null or empty."""
        value = self.data.get(name)
        if value is None or isinstance(value, (dict, list, bool)):
            return None
        return str(value).strip() or None

    def child(self, name: str) -> JsonReader | None:
        value = self.data.get(name)
        if value is None:
            return None
        if not isinstance(value, dict):
            raise self.bad(name, "is not a JSON object")
        return JsonReader(self.operation, value, f"{self.where}/{name}")


def item_readers(reader: JsonReader, name: str) -> list[JsonReader]:
    """Readers of the objects in list ``name`` (absent or null: none)."""
    items = reader.data.get(name)
    if items is None:
        return []
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise reader.bad(name, "is not a list of JSON objects")
    return [
        JsonReader(reader.operation, i, f"{reader.where}/{name}/{n}") for n, i in enumerate(items)
    ]


def fault_pairs(
    reader: JsonReader, name: str, key: str, reason: str
) -> tuple[tuple[str, str], ...]:
    """(key, reason) of each fault in list ``name``; keys matched in any letter case, as
    SMT writes ``esiid``/``ESIID`` and ``reason``/``REASON`` (ERRATA J-05)."""
    pairs = []
    for item in item_readers(reader, name):
        found, why = item.get_any_case(key), item.get_any_case(reason)
        if found is None:
            raise item.bad(key, "is missing")
        pairs.append((str(found).strip(), "" if why is None else str(why).strip()))
    return tuple(pairs)


def check_status(
    reader: JsonReader, faults: tuple[tuple[str, str], ...] = (), *, key: str = "statusReason"
) -> tuple[str | None, str | None]:
    """(statusCode, reason); raises ``ServiceFaultError`` unless a success (``SUCCESS_CODES``)."""
    code, reason = reader.optional("statusCode"), reader.optional(key)
    if code is not None and code not in SUCCESS_CODES:
        listed = "".join(f"; {k}: {why}" for k, why in faults[:3])
        raise ServiceFaultError(
            f"{reader.operation}: SMT refused the request: statusCode {code} "
            f"({reason or 'no reason given'}){listed}",
            operation=reader.operation,
            status_code=code,
            status_reason=reason,
            fault_esiids=faults,
        )
    return code, reason
