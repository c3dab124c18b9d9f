"""The bundled REST JSON Schemas (``schemas/rest/``, JSON Schema 2020-12) and checking a
JSON document against them, as ``Violation`` records whose ``path`` is a JSON pointer.

Validation comes in a pair: ``iter_json_violations`` yields every problem, the callers
(``validate_body``, ``parse_answer``) raise. A schema file that is missing or broken raises
``ContractError``.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError, ValidationError

from adapter.contract import bundle_root
from adapter.errors import ContractError
from adapter.xml.violations import Violation

__all__ = ["find_schema_path", "format_json_pointer", "iter_json_violations"]

_lock = threading.Lock()
_validators: dict[str, Draft202012Validator] = {}


def find_schema_path(name: str) -> str:
    """The bundled file of schema ``name`` (e.g. ``meterInfo.request``)."""
    return str(bundle_root() / "schemas" / "rest" / f"{name}.schema.json")


def _validator(name: str) -> Draft202012Validator:
    with _lock:
        found = _validators.get(name)
        if found is None:
            path = find_schema_path(name)
            try:
                with open(path, encoding="utf-8") as handle:
                    schema = json.load(handle)
                Draft202012Validator.check_schema(schema)
            except (OSError, ValueError, SchemaError) as exc:
                raise ContractError(f"REST schema {path} is unusable: {exc}", path=path) from exc
            found = _validators[name] = Draft202012Validator(schema)
        return found


def format_json_pointer(parts: Any) -> str:
    """The RFC 6901 pointer of a jsonschema path (``/esiid/0``); ``""`` is the root."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def iter_json_violations(name: str, document: object, *, source: str) -> Iterator[Violation]:
    """Every way ``document`` breaks schema ``name``, in document order: ``rule`` is the
    JSON Schema keyword (``pattern``, ``enum``, ``required``, ``maxLength``, ...), ``path``
    the JSON pointer of the offending value, ``value`` that value (or the missing or
    unexpected property's name), ``expected`` what the keyword admits."""
    errors = sorted(_validator(name).iter_errors(document), key=lambda e: list(e.path))
    for error in errors:
        yield _violation(error, source)


def _violation(error: ValidationError, source: str) -> Violation:
    rule = str(error.validator)
    keyword_value: Any = error.validator_value
    schema: Any = error.schema
    path = format_json_pointer(error.absolute_path)
    value: object = error.instance
    expected: object = keyword_value
    if rule == "required" and isinstance(error.instance, dict):
        missing = [p for p in keyword_value if p not in error.instance]
        value = missing[0] if missing else None
        path = f"{path}/{value}"
    elif rule == "additionalProperties" and isinstance(error.instance, dict):
        known = schema.get("properties", {}) if isinstance(schema, dict) else {}
        extra = [p for p in error.instance if p not in known]
        value = extra[0] if extra else None
        path = f"{path}/{value}"
        expected = sorted(known)
    return Violation(
        source=source,
        rule=rule,
        message=error.message,
        path=path,
        value=None if value is None else value if isinstance(value, str) else json.dumps(value),
        expected=expected if isinstance(expected, str) else json.dumps(expected),
    )
