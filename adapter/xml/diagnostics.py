"""Turning libxml2's validation messages into violations that name the rule and the value.

libxml2 words its messages for people; this module recognises the common ones and says
the same thing as fields (``rule``, ``expected``, ``value``) plus a sentence of our own.
Messages it does not recognise are kept whole under the rule ``schema``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["Finding", "describe"]

_SUBJECT = re.compile(r"^Element '(?P<element>[^']*)'(?:, attribute '(?P<attribute>[^']*)')?: ")


@dataclass(frozen=True, slots=True)
class Finding:
    """What a libxml2 message means: the rule, what it expects, the value, a sentence."""

    rule: str
    message: str
    value: str | None = None
    expected: str | None = None


def _facet_length(
    kind: str, limit_word: str
) -> Callable[[re.Match[str], str, str | None], Finding]:
    def build(m: re.Match[str], element: str, text: str | None) -> Finding:
        shown = f"value {text!r}" if text is not None else "the value"
        return Finding(
            rule=kind,
            expected=m["limit"],
            value=text,
            message=f"{shown} of <{element}> is {m['length']} characters long; "
            f"{limit_word} {m['limit']} allowed",
        )

    return build


def _pattern(m: re.Match[str], element: str, text: str | None) -> Finding:
    return Finding(
        rule="pattern",
        expected=m["pattern"],
        value=m["value"],
        message=f"value {m['value']!r} of <{element}> does not match the pattern {m['pattern']}",
    )


def _enumeration(m: re.Match[str], element: str, text: str | None) -> Finding:
    allowed = ", ".join(v.strip().strip("'") for v in m["set"].split("', '"))
    return Finding(
        rule="enumeration",
        expected=allowed,
        value=m["value"],
        message=f"value {m['value']!r} of <{element}> is not one of: {allowed}",
    )


def _datatype(m: re.Match[str], element: str, text: str | None) -> Finding:
    kind = m["type"] or "its type"
    return Finding(
        rule="datatype",
        expected=m["type"],
        value=m["value"],
        message=f"value {m['value']!r} of <{element}> is not a valid {kind}",
    )


def _unexpected(m: re.Match[str], element: str, text: str | None) -> Finding:
    expected = _expected_list(m["expected"])
    tail = f"; expected {expected}" if expected else ""
    return Finding(
        rule="unexpected-element",
        expected=expected,
        value=element,
        message=f"element <{element}> is not allowed here{tail}",
    )


def _missing(m: re.Match[str], element: str, text: str | None) -> Finding:
    expected = _expected_list(m["expected"])
    return Finding(
        rule="missing-element",
        expected=expected,
        message=f"element <{element}> is incomplete: {expected} is missing",
    )


def _undeclared(m: re.Match[str], element: str, text: str | None) -> Finding:
    return Finding(
        rule="undeclared-element",
        value=element,
        message=f"element <{element}> is not declared by the SMT contract",
    )


def _text_in_element_only(m: re.Match[str], element: str, text: str | None) -> Finding:
    return Finding(
        rule="unexpected-text",
        value=text.strip() if text else None,
        message=f"element <{element}> holds text where only child elements are allowed",
    )


def _children_in_simple(m: re.Match[str], element: str, text: str | None) -> Finding:
    return Finding(
        rule="unexpected-element",
        value=element,
        message=f"element <{element}> holds child elements where only a value is allowed",
    )


_RULES: list[tuple[re.Pattern[str], Callable[[re.Match[str], str, str | None], Finding]]] = [
    (
        re.compile(
            r"\[facet 'pattern'\] The value '(?P<value>.*)' is not accepted by the "
            r"pattern '(?P<pattern>.*)'\.$",
            re.S,
        ),
        _pattern,
    ),
    (
        re.compile(
            r"\[facet 'enumeration'\] The value '(?P<value>.*)' is not an element of "
            r"the set \{(?P<set>.*)\}\.$",
            re.S,
        ),
        _enumeration,
    ),
    (
        re.compile(
            r"\[facet 'maxLength'\] The value has a length of '(?P<length>\d+)'; this "
            r"exceeds the allowed maximum length of '(?P<limit>\d+)'\.$"
        ),
        _facet_length("maxLength", "at most"),
    ),
    (
        re.compile(
            r"\[facet 'minLength'\] The value has a length of '(?P<length>\d+)'; this "
            r"underruns the allowed minimum length of '(?P<limit>\d+)'\.$"
        ),
        _facet_length("minLength", "at least"),
    ),
    (
        re.compile(
            r"\[facet 'length'\] The value has a length of '(?P<length>\d+)'; this "
            r"differs from the allowed length of '(?P<limit>\d+)'\.$"
        ),
        _facet_length("length", "exactly"),
    ),
    (
        re.compile(
            r"^'(?P<value>.*)' is not a valid value of the (?:local )?(?:atomic|list|union)"
            r" type(?: '(?P<type>[^']*)')?\.$",
            re.S,
        ),
        _datatype,
    ),
    (
        re.compile(
            r"This element is not expected\.(?: Expected is (?:one of )?\( (?P<expected>.*) \)\.)?$"
        ),
        _unexpected,
    ),
    (
        re.compile(
            r"Missing child element\(s\)\. Expected is (?:one of )?\( (?P<expected>.*) \)\.$"
        ),
        _missing,
    ),
    (re.compile(r"No matching global (?:element )?declaration available"), _undeclared),
    (re.compile(r"Character content other than whitespace is not allowed"), _text_in_element_only),
    (
        re.compile(r"Element content is not allowed, because the content type is a simple type"),
        _children_in_simple,
    ),
]


def describe(message: str, text: str | None = None) -> Finding:
    """Read one libxml2 validation message. ``text`` is the element's text when known: the
    length facets do not quote the value, so it comes from the document."""
    message = message.strip()
    subject = _SUBJECT.match(message)
    element = _short(subject["element"]) if subject else "?"
    body = message[subject.end() :] if subject else message
    if subject and subject["attribute"]:
        return Finding(
            rule="attribute",
            value=subject["attribute"],
            message=f"attribute {subject['attribute']!r} of <{element}>: {body}",
        )
    for pattern, build in _RULES:
        found = pattern.search(body)
        if found:
            return build(found, element, text)
    return Finding(rule="schema", message=f"<{element}>: {body}")


def _short(name: str) -> str:
    return name.rpartition("}")[2]


def _expected_list(raw: str | None) -> str | None:
    if not raw:
        return None
    names = [f"<{_short(n.strip())}>" for n in raw.split(",")]
    return names[0] if len(names) == 1 else "one of " + ", ".join(names)
