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


@dataclass(frozen=True, slots=True)
class _Subject:
    """What a message is about: ``<element>`` or ``attribute 'a' of <element>``."""

    element: str  # Clark name as libxml2 prints it
    attribute: str | None
    text: str | None

    @property
    def name(self) -> str:
        shown = f"<{_local(self.element)}>"
        return f"attribute {self.attribute!r} of {shown}" if self.attribute else shown


Build = Callable[[re.Match[str], _Subject], Finding]


def _length(kind: str, limit_word: str) -> Build:
    def build(m: re.Match[str], s: _Subject) -> Finding:
        shown = f"value {s.text!r}" if s.text is not None and not s.attribute else "the value"
        return Finding(
            rule=kind,
            expected=m["limit"],
            value=None if s.attribute else s.text,
            message=f"{shown} of {s.name} is {m['length']} characters long; "
            f"{limit_word} {m['limit']} allowed",
        )

    return build


def _pattern(m: re.Match[str], s: _Subject) -> Finding:
    return Finding(
        rule="pattern",
        expected=m["pattern"],
        value=m["value"],
        message=f"value {m['value']!r} of {s.name} does not match the pattern {m['pattern']}",
    )


def _enumeration(m: re.Match[str], s: _Subject) -> Finding:
    allowed = ", ".join(v.strip().strip("'") for v in m["set"].split("', '"))
    return Finding(
        rule="enumeration",
        expected=allowed,
        value=m["value"],
        message=f"value {m['value']!r} of {s.name} is not one of: {allowed}",
    )


def _datatype(m: re.Match[str], s: _Subject) -> Finding:
    kind = m["type"] or "value of its type"
    return Finding(
        rule="datatype",
        expected=m["type"],
        value=m["value"],
        message=f"value {m['value']!r} of {s.name} is not a valid {kind}",
    )


def _undeclared_prefix(m: re.Match[str], s: _Subject) -> Finding:
    return Finding(
        rule="datatype",
        expected="xs:QName",
        value=m["value"],
        message=f"value {m['value']!r} of {s.name} uses a prefix that no namespace declaration "
        "in scope binds",
    )


def _unexpected(m: re.Match[str], s: _Subject) -> Finding:
    expected = _expected(m["expected"], s.element)
    tail = f"; expected {expected}" if expected else ""
    return Finding(
        rule="unexpected-element",
        expected=expected,
        value=_local(s.element),
        message=f"element {_shown(s.element, m['expected'])} is not allowed here{tail}",
    )


def _missing(m: re.Match[str], s: _Subject) -> Finding:
    expected = _expected(m["expected"], s.element)
    return Finding(
        rule="missing-element",
        expected=expected,
        message=f"element {s.name} is incomplete: {expected} is missing",
    )


def _undeclared(m: re.Match[str], s: _Subject) -> Finding:
    return Finding(
        rule="undeclared-element",
        value=_local(s.element),
        message=f"element {_shown(s.element, s.element)} is not declared by the SMT contract",
    )


def _text_in_element_only(m: re.Match[str], s: _Subject) -> Finding:
    return Finding(
        rule="unexpected-text",
        value=s.text.strip() if s.text else None,
        message=f"element {s.name} holds text where only child elements are allowed",
    )


def _children_in_simple(m: re.Match[str], s: _Subject) -> Finding:
    return Finding(
        rule="unexpected-element",
        value=_local(s.element),
        message=f"element {s.name} holds child elements where only a value is allowed",
    )


def _missing_attribute(m: re.Match[str], s: _Subject) -> Finding:
    return Finding(
        rule="attribute",
        value=m["attribute"],
        message=f"element {s.name} lacks its required attribute {m['attribute']!r}",
    )


def _not_nillable(m: re.Match[str], s: _Subject) -> Finding:
    return Finding(
        rule="nillable",
        message=f"element {s.name} carries xsi:nil but the contract does not allow it to be nil",
    )


_RULES: list[tuple[re.Pattern[str], Build]] = [
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
        _length("maxLength", "at most"),
    ),
    (
        re.compile(
            r"\[facet 'minLength'\] The value has a length of '(?P<length>\d+)'; this "
            r"underruns the allowed minimum length of '(?P<limit>\d+)'\.$"
        ),
        _length("minLength", "at least"),
    ),
    (
        re.compile(
            r"\[facet 'length'\] The value has a length of '(?P<length>\d+)'; this "
            r"differs from the allowed length of '(?P<limit>\d+)'\.$"
        ),
        _length("length", "exactly"),
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
            r"The QName value '(?P<value>[^']*)' has no corresponding namespace declaration"
        ),
        _undeclared_prefix,
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
    (re.compile(r"The element is not 'nillable'"), _not_nillable),
    (
        re.compile(r"The attribute '(?P<attribute>[^']*)' is required but missing"),
        _missing_attribute,
    ),
]


def describe(message: str, text: str | None = None) -> Finding:
    """Read one libxml2 validation message. ``text`` is the element's text when known: the
    length facets do not quote the value, so it comes from the document."""
    message = message.strip()
    found = _SUBJECT.match(message)
    subject = _Subject(
        element=found["element"] if found else "?",
        attribute=found["attribute"] if found else None,
        text=text,
    )
    body = message[found.end() :] if found else message
    for pattern, build in _RULES:
        match = pattern.search(body)
        if match:
            finding = build(match, subject)
            if subject.attribute and finding.rule in ("unexpected-element", "missing-element"):
                break
            return finding
    if subject.attribute:
        return Finding(rule="attribute", value=subject.attribute, message=f"{subject.name}: {body}")
    return Finding(rule="schema", message=f"{subject.name}: {body}")


def _local(name: str) -> str:
    return name.rpartition("}")[2]


def _namespace(name: str) -> str:
    return name[1:].partition("}")[0] if name.startswith("{") else ""


def _names(raw: str | None) -> list[str]:
    return [n.strip() for n in raw.split(",")] if raw else []


def _shown(name: str, context: str | None) -> str:
    """``<x>``, spelled out with its namespace when a same-named element in another
    namespace (or none) is in ``context`` (so that the sentence is not ambiguous)."""
    if "*" in name:
        return _wildcard(name)
    twins = [n for n in _names(context) if _local(n) == _local(name) and n != name]
    if not twins:
        return f"<{_local(name)}>"
    namespace = _namespace(name)
    return (
        f"<{_local(name)}> in namespace {namespace}"
        if namespace
        else f"unqualified <{_local(name)}>"
    )


def _wildcard(token: str) -> str:
    if token.startswith("##other"):
        namespace = _namespace(token.removeprefix("##other"))
        return (
            f"any element outside namespace {namespace}" if namespace else "any qualified element"
        )
    return "any element"


def _expected(raw: str | None, subject: str) -> str | None:
    names = _names(raw)
    if not names:
        return None
    context = ", ".join([*names, subject])
    shown = [_shown(n, context) for n in names]
    return shown[0] if len(shown) == 1 else "one of " + ", ".join(shown)
