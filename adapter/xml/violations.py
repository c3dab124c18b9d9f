"""The record of one contract violation, and its one-line text form."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Violation"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Violation:
    """One way a document breaks the contract.

    ``rule`` is a stable identifier (``pattern``, ``enumeration``, ``maxLength``,
    ``unexpected-element``, ``missing-element``, ``datatype``, ``not-well-formed``,
    ``doctype``, ``too-large``, ``empty``, ``unknown-operation``, ...); ``expected`` says
    what the rule admits (the pattern, the allowed values, the expected elements);
    ``value`` is the offending value or element name, when there is one; ``message`` is a
    sentence for people. ``line`` and ``path`` locate the problem; ``path`` uses the
    document's own prefixes."""

    source: str
    rule: str
    message: str
    line: int | None = None
    path: str | None = None
    value: str | None = None
    expected: str | None = None

    def format(self) -> str:
        """``source:line: path: [rule] message``, the line ``smt validate`` prints."""
        where = self.source if self.line is None else f"{self.source}:{self.line}"
        path = f" {self.path}:" if self.path else ""
        return f"{where}:{path} [{self.rule}] {self.message}"

    def as_dict(self) -> dict[str, str | int | None]:
        return {
            "source": self.source,
            "line": self.line,
            "path": self.path,
            "rule": self.rule,
            "value": self.value,
            "expected": self.expected,
            "message": self.message,
        }
