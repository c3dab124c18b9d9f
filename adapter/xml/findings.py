"""Collecting violations while a message is checked, with a cap on how many are kept."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NoReturn

from lxml import etree

from adapter.xml.diagnostics import describe
from adapter.xml.locating import readable_path
from adapter.xml.violations import Violation

__all__ = ["Findings", "StopCheck"]


class StopCheck(Exception):  # noqa: N818 - control flow, not an error
    """Ends a check early: nothing more can be learned, or the cap is reached."""


@dataclass
class Findings:
    """The violations of one message, in the order found, at most ``limit`` of them."""

    source: str
    limit: int
    violations: list[Violation] = field(default_factory=list)

    def add(
        self,
        rule: str,
        message: str,
        *,
        line: int | None = None,
        path: str | None = None,
        value: str | None = None,
        expected: str | None = None,
    ) -> None:
        if len(self.violations) >= self.limit:
            self.violations.append(
                Violation(
                    source=self.source,
                    rule="truncated",
                    message=f"stopped after {self.limit} violations",
                )
            )
            raise StopCheck
        self.violations.append(
            Violation(
                source=self.source,
                rule=rule,
                message=message,
                line=line,
                path=path,
                value=value,
                expected=expected,
            )
        )

    def stop(
        self,
        rule: str,
        message: str,
        *,
        line: int | None = None,
        path: str | None = None,
        value: str | None = None,
        expected: str | None = None,
    ) -> NoReturn:
        """Add a violation after which checking this message cannot go on."""
        self.add(rule, message, line=line, path=path, value=value, expected=expected)
        raise StopCheck

    def not_well_formed(self, exc: etree.XMLSyntaxError) -> NoReturn:
        """Record a parse failure (including libxml2's size and depth limits) and stop."""
        message = str(exc.msg or exc)
        if "Text node too long" in message or "huge text node" in message:
            rule, text = "text-too-large", "a text node is larger than 10,000,000 bytes"
        elif "Excessive depth" in message:
            rule, text = "too-deep", "elements are nested more than 256 levels deep"
        else:
            rule, text = "not-well-formed", f"the document is not well-formed XML: {message}"
        self.stop(rule, text, line=exc.lineno or None)

    def record(self, entry: etree._LogEntry, element: etree._Element | None) -> None:
        """Record one libxml2 validation error; ``element`` is the node it is about."""
        text = element.text if element is not None else None
        finding = describe(entry.message, text)
        self.add(
            finding.rule,
            finding.message,
            line=entry.line or (element.sourceline if element is not None else None),
            path=readable_path(element) if element is not None else entry.path,
            value=finding.value,
            expected=finding.expected,
        )
