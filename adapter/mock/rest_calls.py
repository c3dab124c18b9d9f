"""One REST call of section 3.1 after authentication: the JSON request and its reading,
the error body of a bad request, and the bridge to the SOAP side's handlers (a JSON
request becomes the payload element those handlers read, so that both sides share one
set of rules, one state and one data set).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from lxml import etree

from adapter.contract import Operation, load_services
from adapter.mock.backend import Call, MockBackend
from adapter.mock.callbacks import CallbackSender
from adapter.mock.config import Account, OdrSettings
from adapter.mock.payloads import add
from adapter.mock.scenarios import Scenario

__all__ = [
    "ERROR_KEYS",
    "JsonAnswer",
    "RestCall",
    "RestError",
    "build_payload",
    "find_operation",
    "read_list",
    "read_text",
    "read_texts",
]

# errorCode -> errorKey of the mock's error bodies (the guide names the fields, with
# maxLength 4, 25 and 128, but prints no codes; 5031 is SMT's ODR limit).
ERROR_KEYS: Mapping[str, str] = {
    "4000": "INVALID_JSON",
    "4001": "MISSING_FIELD",
    "4002": "INVALID_FIELD",
    "4003": "TERMS_NOT_ACCEPTED",
    "4004": "NOT_FOUND",
    "4005": "REQUEST_REFUSED",
    "5031": "ODR_LIMIT_EXCEEDED",
}

JsonAnswer = tuple[int, Any]  # HTTP status, JSON-ready data


class RestError(Exception):
    """A bad request, answered 400 with ``{errorCode, errorKey, errorMessage}``."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message[:128]

    @property
    def body(self) -> dict[str, str]:
        return {
            "errorCode": self.code,
            "errorKey": ERROR_KEYS[self.code],
            "errorMessage": self.message,
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class RestCall:
    """One authenticated REST request: its function, fields and the mock's world."""

    function: str  # the path's name, e.g. "15minintervalreads"
    request: Mapping[str, Any]
    account: Account
    backend: MockBackend
    call: Call  # for the SOAP side's handlers
    scenario: Scenario | None
    odr: OdrSettings
    callbacks: CallbackSender | None

    @property
    def trans_id(self) -> str:
        return read_text(self.request, "trans_id")

    def with_operation(self, name: str) -> Call:
        """The Call a SOAP handler expects, as if ``name`` had been called."""
        return Call(find_operation(name), self.call.account, self.call.now, self.call.environ)


def find_operation(name: str) -> Operation:
    return _OPERATIONS[name]


_OPERATIONS = {op.name: op for service in load_services() for op in service.operations}


def read_text(request: Mapping[str, Any], name: str, *, required: bool = True) -> str:
    """A field as text ("" when optional and absent); numbers are read as SMT reads them
    (``"agreementNumber": 119098`` and ``"119098"`` alike)."""
    value = request.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise RestError("4001", f"{name} is required")
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise RestError("4002", f"{name} must be a string, not {type(value).__name__}")
    return str(value).strip()


def read_list(request: Mapping[str, Any], name: str) -> list[Any]:
    value = request.get(name, [])
    if value is None:
        return []
    if not isinstance(value, list):
        raise RestError("4002", f"{name} must be an array")
    return value


def read_texts(request: Mapping[str, Any], name: str) -> list[str]:
    """An array of strings (or one string), each once, in order."""
    value = request.get(name)
    items = [value] if isinstance(value, str | int) else read_list(request, name)
    seen: dict[str, None] = {}
    for item in items:
        if isinstance(item, bool) or not isinstance(item, str | int):
            raise RestError("4002", f"{name} must be an array of strings")
        if str(item).strip():
            seen.setdefault(str(item).strip(), None)
    return list(seen)


def build_payload(
    fields: Sequence[tuple[str, str | None]],
    lists: Sequence[tuple[str, str, Sequence[Mapping[str, str] | str]]] = (),
) -> etree._Element:
    """The payload element a SOAP handler reads: one child per field with a value, then
    each list as ``<list><item>text</item></list>`` or ``<list><item><f>..</f></item>``."""
    root = etree.Element("payload")
    for name, text in fields:
        if text:
            add(root, name, text)
    for list_name, item_name, items in lists:
        listed = add(root, list_name)
        for item in items:
            if isinstance(item, str):
                add(listed, item_name, item)
                continue
            entry = add(listed, item_name)
            for name, text in item.items():
                add(entry, name, text)
    return root


def convert_record(
    element: etree._Element, rename: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """A flat XML record as a JSON object of strings, in element order."""
    names = rename or {}
    record: dict[str, Any] = {}
    for child in element.iterchildren("*"):
        name = etree.QName(child).localname
        record[names.get(name, name)] = child.text
    return record


Converter = Callable[[etree._Element], Any]
