"""Collecting violations while a message is checked, with a cap on how many are kept."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NoReturn, TypedDict, Unpack

from lxml import etree

from adapter.xml.diagnostics import describe
from adapter.xml.locating import readable_path, resolve
from adapter.xml.violations import Violation

__all__ = ["Findings", "StopCheck", "Where"]


class Where(TypedDict, total=False):
    """Where a violation is and what it is about (all optional)."""

    line: int | None
    path: str | None
    value: str | None
    expected: str | None


class StopCheck(Exception):  # noqa: N818 - control flow, not an error
    """Ends a check early: nothing more can be learned, or the cap is reached."""


@dataclass
class Findings:
    """The violations of one message, in the order found, at most ``limit`` of them."""

    source: str
    limit: int
    violations: list[Violation] = field(default_factory=list)

    def add(self, rule: str, message: str, **where: Unpack[Where]) -> None:
        """Add a violation (``where``: line, path, value, expected)."""
        if len(self.violations) >= self.limit:
            self.violations.append(
                Violation(
                    source=self.source,
                    rule="truncated",
                    message=f"stopped after {self.limit} violations",
                )
            )
            raise StopCheck
        self.violations.append(Violation(source=self.source, rule=rule, message=message, **where))

    def stop(self, rule: str, message: str, **where: Unpack[Where]) -> NoReturn:
        """Add a violation after which checking this message cannot go on."""
        self.add(rule, message, **where)
        raise StopCheck

    def unreadable(self, exc: OSError | ValueError) -> NoReturn:
        """Record that the document could not be read at all (a folder, a missing file, a
        name the OS refuses) and stop."""
        reason = getattr(exc, "strerror", None) or exc
        self.stop("unreadable", f"cannot read the file: {reason}")

    def not_well_formed(self, exc: etree.XMLSyntaxError) -> NoReturn:
        """Record a parse failure (including libxml2's size and depth limits) and stop.

        The exception's own text can be a consequence ("no element found"); the first error
        in its log is the cause, with its line."""
        cause = next(
            (e for e in exc.error_log if e.level >= etree.ErrorLevels.ERROR and e.message),
            None,
        )
        message = (cause.message if cause else str(exc.msg or exc)).strip()
        line = (cause.line if cause else exc.lineno) or None
        if "Excessive depth" in message:
            rule, text = "too-deep", "elements are nested more than 256 levels deep"
        elif any(mark in message for mark in _SIZE_LIMITS):
            rule, text = "text-too-large", "a text or attribute value exceeds 10,000,000 bytes"
        else:
            rule, text = "not-well-formed", f"the document is not well-formed XML: {message}"
        self.stop(rule, text, line=line)

    def record(self, entry: etree._LogEntry, element: etree._Element | None) -> None:
        """Record one libxml2 validation error; ``element`` is the node it is about.

        The line comes from the element when it is known: libxml2 caps the line it stores
        for an element at 65535, while lxml's ``sourceline`` recovers larger ones from the
        element's text (exact when the element holds text, a neighbour's otherwise). When
        neither can say, the violation says "at line 65535 or later"."""
        text = "".join(element.itertext()) if element is not None else None
        finding = describe(entry.message, text)
        line = element.sourceline if element is not None else None
        message = finding.message
        if entry.line == _LINE_CAP and (line is None or line < _LINE_CAP):
            line = _LINE_CAP
            message += " (at line 65535 or later: libxml2 records no larger line for this element)"
        self.add(
            finding.rule,
            message,
            line=line or entry.line or None,
            path=readable_path(element) if element is not None else entry.path,
            value=finding.value,
            expected=finding.expected,
        )

    def record_log(self, schema: etree.XMLSchema, validated: etree._Element) -> None:
        """Record every error of a failed ``schema.validate`` call on ``validated`` (the
        element its error paths start from); a failure that libxml2 left unexplained is
        still recorded, never taken for success."""
        entries = list(schema.error_log)
        for entry in entries:
            self.record(entry, resolve(validated, entry.path, skip_first=True))
        if not entries:
            self.add("schema", "libxml2 rejected the document without giving a reason")


_LINE_CAP = 65535
_SIZE_LIMITS = (
    "Text node too long",
    "huge text node",
    "Buffer size limit exceeded",
    "AttValue length too long",
)
