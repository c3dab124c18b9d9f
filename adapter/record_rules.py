"""The rules request records check on construction, taken from the bundled XSDs (wire
profile): patterns, lengths and enumerations. A broken rule raises ``ConfigurationError``
naming the field, the value and the rule, before any XML is built.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from datetime import date

from adapter.errors import ConfigurationError

__all__ = [
    "AGREEMENT_DURATIONS",
    "DATA_TYPES",
    "DELIVERY_MODES",
    "ENERGY_REPORT_FORMATS",
    "FLAGS",
    "HISTORICAL_DURATIONS",
    "LANGUAGES",
    "METER_REPORT_FORMATS",
    "MY_AGREEMENTS_FILTERS",
    "PREMISE_REPORT_FORMATS",
    "PREMISE_REQUESTER_TYPES",
    "READING_TYPES",
    "REPORT_FREQUENCIES",
    "REQUESTER_TYPES",
    "SUBSCRIPTION_REPORT_FORMATS",
    "SUBSCRIPTION_TYPES",
    "VERSIONS",
    "check_choice",
    "check_date_order",
    "check_email",
    "check_esiid",
    "check_esiids",
    "check_int",
    "check_items",
    "check_requester",
    "check_text",
    "check_trans_id",
    "new_trans_id",
]


def _both_cases(*values: str) -> frozenset[str]:
    # The XSDs enumerate each code in upper and lower case, and nothing in between.
    return frozenset(v for value in values for v in (value.upper(), value.lower()))


REQUESTER_TYPES = _both_cases("REP", "RES", "BUSINESS", "CSP", "TDSP", "REG")
PREMISE_REQUESTER_TYPES = REQUESTER_TYPES | {"NON"}
DELIVERY_MODES = _both_cases("FTP", "EML", "API")
ENERGY_REPORT_FORMATS = _both_cases("MARS", "CSV", "JSON")
METER_REPORT_FORMATS = _both_cases("CSV", "JSON", "XML")
PREMISE_REPORT_FORMATS = _both_cases("CSV", "JSON")
SUBSCRIPTION_REPORT_FORMATS = _both_cases("LSE", "CSV", "JSON", "XML")
VERSIONS = _both_cases("A", "L")
READING_TYPES = _both_cases("C", "G", "A")
FLAGS = _both_cases("Y", "N")
SUBSCRIPTION_TYPES = frozenset({"REPENROLL", "CSPENROLL", "SCHEDULE", "SCHEDULES"})
DATA_TYPES = _both_cases("DAILY", "INTERVAL", "MONTHLY") | {"Historical 15 min Interval LSE"}
REPORT_FREQUENCIES = _both_cases("DAILY", "MONTHLY", "WEEKLY", "YEARLY")
HISTORICAL_DURATIONS = frozenset({3, 6, 9, 12, 24})
AGREEMENT_DURATIONS = frozenset({3, 6, 9, 12, 24, 36})
# wire profile, ERRATA E-11: the guide's own request sends "English"
LANGUAGES = _both_cases("ENGLISH", "SPANISH") | {"English", "Spanish"}
MY_AGREEMENTS_FILTERS = frozenset({"PEN", "ACT", "COM", "NACOM"})

_TRANS_ID = re.compile(r"[a-zA-Z0-9]{1,32}")
# The XSDs allow 9 to 64 characters; ERCOT's ESI IDs are digits (17 or 22 in practice).
_ESIID = re.compile(r"[0-9]{9,64}")
# NewAgreement's printed pattern, whose "[a-z0-9.-.]" is the range "." to "." (ERRATA).
_EMAIL = re.compile(r"[a-z0-9._%+-]+@[a-z0-9.]+\.[a-z]{2,4}")


def new_trans_id() -> str:
    """A fresh transaction ID that fits every operation's ``[a-zA-Z0-9]{1,32}``."""
    return uuid.uuid4().hex


def _fail(field: str, value: object, rule: str, *, secret: bool = False) -> ConfigurationError:
    shown = "(hidden)" if secret else repr(value)
    return ConfigurationError(
        f"{field} {shown} is not allowed: {rule}",
        field=field,
        value="" if secret else str(value),
    )


def check_text(
    field: str,
    value: str,
    *,
    max_length: int,
    min_length: int = 1,
    pattern: re.Pattern[str] | None = None,
    rule: str = "",
    secret: bool = False,
) -> None:
    """Raise ``ConfigurationError`` unless ``value`` is a str of the allowed length (and
    matches ``pattern`` entirely, described by ``rule``)."""
    if not isinstance(value, str):
        raise _fail(field, value, "must be text", secret=secret)
    if not min_length <= len(value) <= max_length:
        raise _fail(field, value, f"must be {min_length} to {max_length} characters", secret=secret)
    if pattern is not None and pattern.fullmatch(value) is None:
        raise _fail(field, value, rule or f"must match {pattern.pattern}", secret=secret)


def check_trans_id(value: str) -> None:
    """Raise ``ConfigurationError`` unless ``value`` is 1 to 32 letters and digits."""
    check_text(
        "trans_id", value, max_length=32, pattern=_TRANS_ID, rule="must match [a-zA-Z0-9]{1,32}"
    )


def check_choice(field: str, value: object, choices: Iterable[object]) -> None:
    """Raise ``ConfigurationError`` unless ``value`` is one of ``choices`` (exactly)."""
    allowed = frozenset(choices)
    # bool is an int: True must not pass for 1
    if isinstance(value, bool) or value not in allowed:
        listed = ", ".join(sorted(str(c) for c in allowed))
        raise _fail(field, value, f"must be one of {listed}")


def check_esiid(field: str, value: str) -> None:
    """Raise ``ConfigurationError`` unless ``value`` is an ESIID: 9 to 64 digits."""
    check_text(field, value, max_length=64, pattern=_ESIID, rule="an ESIID is 9 to 64 digits")


def check_esiids(field: str, values: tuple[str, ...], *, required: bool) -> None:
    """Raise ``ConfigurationError`` unless every item is an ESIID (and, if ``required``,
    there is at least one)."""
    check_items(field, values, required=required)
    for index, value in enumerate(values):
        check_esiid(f"{field}[{index}]", value)


def check_items(field: str, values: object, *, required: bool) -> None:
    """Raise ``ConfigurationError`` unless ``values`` is a tuple (a str is refused: it
    would be read as one item per character), non-empty when ``required``."""
    if not isinstance(values, tuple):
        raise _fail(field, values, "must be a tuple")
    if required and not values:
        raise _fail(field, values, "must hold at least one item")


def check_email(field: str, value: str) -> None:
    """Raise ``ConfigurationError`` unless ``value`` fits NewAgreement's e-mail rule."""
    check_text(
        field,
        value,
        max_length=64,
        pattern=_EMAIL,
        rule="must be a lower-case e-mail address (the XSD's pattern)",
    )


def check_date_order(start: date, end: date) -> None:
    """Raise ``ConfigurationError`` unless both are dates and ``start`` <= ``end``."""
    for field, value in (("start_date", start), ("end_date", end)):
        if not isinstance(value, date):
            raise _fail(field, value, "must be a datetime.date")
    if start > end:
        raise _fail("end_date", end, f"must not be before start_date {start.isoformat()}")


def check_int(field: str, value: int) -> None:
    """Raise ``ConfigurationError`` unless ``value`` is a non-negative int (xsd:integer)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise _fail(field, value, "must be a non-negative integer")


def check_requester(
    *,
    requestor_id: str,
    requestor_max: int,
    authentication_id: str | None,
    authentication_max: int = 18,
    trans_id: str,
) -> None:
    """The checks every request shares; raises ``ConfigurationError``."""
    check_trans_id(trans_id)
    check_text("requestor_id", requestor_id, max_length=requestor_max)
    if authentication_id is not None:
        check_text("requester_authentication_id", authentication_id, max_length=authentication_max)
