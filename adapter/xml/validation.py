"""Validating SMT SOAP messages against the bundled contract.

One check per message: the head of the document names the operation (``head``); the body
is then validated item by item, in memory bounded by one item (``streaming``). libxml2 does
the validating; every problem comes back as a ``Violation`` with a line, a path, the rule
and the value, in document order.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from adapter.contract import Direction, Operation, Profile, find_operation, load_services
from adapter.errors import SchemaViolationError
from adapter.xml.findings import Findings, StopCheck
from adapter.xml.head import Head, Node, has_doctype, read_head
from adapter.xml.names import SOAP12_ENVELOPE, SOAP_ENVELOPE, local, tag_of
from adapter.xml.parsing import DEFAULT_LIMITS, Limits, Source, safe_parser
from adapter.xml.schemaset import (
    PayloadType,
    envelope_schema,
    find_payload_type,
    item_schemas,
    payload_roots,
    payload_schema,
    schema_lock,
    skeleton_schema,
)
from adapter.xml.streaming import validate_items, validate_whole
from adapter.xml.violations import Violation

__all__ = ["CheckResult", "MessageValidator", "Source", "iter_violations", "validate"]

# A valid message up to this size is checked in one pass: parsed whole, validated whole.
_SMALL = 256 * 1024
_ENVELOPE = f"{{{SOAP_ENVELOPE}}}Envelope"
_BODY = f"{{{SOAP_ENVELOPE}}}Body"


@dataclass(frozen=True, slots=True)
class CheckResult:
    """The outcome for one message: what it is and everything wrong with it.

    ``body_element`` is the Clark name of the SOAP Body's first child (or of the root of a
    bare payload); ``operation`` and ``direction`` are set when that element is an
    operation wrapper of the contract. ``document`` is the parsed message when a small
    valid one was read whole (None otherwise): a caller may use it instead of parsing
    again."""

    source: str
    profile: Profile
    violations: tuple[Violation, ...]
    body_element: str | None = None
    operation: Operation | None = None
    direction: Direction | None = None
    document: etree._Element | None = field(default=None, repr=False, compare=False)

    @property
    def valid(self) -> bool:
        return not self.violations


class MessageValidator:
    """Validates SMT SOAP messages (or bare payloads) against one profile of the contract.

    ``payload_type`` switches from whole SOAP messages to bare payloads of that type
    (``EnergyDataRequest``, ``meterinformation:Acknowledgement``, ``{ns}Name``). The
    envelope schema compiles when the validator is built, so a broken bundle fails here;
    per-payload schemas compile on first use, or all at once with ``warm()``. One validator
    may serve many threads: call ``warm()`` first when other threads parse XML meanwhile."""

    def __init__(
        self,
        profile: Profile = Profile.WIRE,
        *,
        payload_type: str | PayloadType | None = None,
        limits: Limits = DEFAULT_LIMITS,
    ) -> None:
        self.profile = profile
        self.limits = limits
        self.payload_type = (
            find_payload_type(payload_type) if isinstance(payload_type, str) else payload_type
        )
        envelope_schema(profile)

    def warm(self, direction: Direction | None = None) -> None:
        """Compile now every schema this validator may need (for one direction of the
        operations, or both), so that none is compiled while other threads parse XML:
        lxml makes that unsafe (see ``adapter.xml.schemaset``)."""
        if self.payload_type is not None:
            for root in payload_roots(self.profile, self.payload_type):
                payload_schema(self.profile, self.payload_type, root)
            return
        skeleton_schema(self.profile)
        for service in load_services():
            for operation in service.operations:
                if direction in (None, Direction.REQUEST):
                    item_schemas(self.profile, operation.request_element)
                if direction in (None, Direction.RESPONSE):
                    item_schemas(self.profile, operation.response_element)

    def check(self, source: Source) -> CheckResult:
        """Validate one message and return everything found; never raises for bad input."""
        if isinstance(source, bytes) and self.payload_type is None:
            passed = self._pass_small(source)
            if passed is not None:
                return passed
        name = _printable(source)
        findings = Findings(name, self.limits.max_violations)
        head: Head | None = None
        found: tuple[Operation, Direction] | None = None
        try:
            self._check_size(source, findings)
            head = read_head(source, findings, root_only=self.payload_type is not None)
            if self.payload_type is not None:
                self._check_payload(source, head.root, self.payload_type, findings)
            else:
                found = self._check_envelope(head, findings)
                if found is None:  # a SOAP Fault
                    validate_whole(source, envelope_schema(self.profile), findings)
                else:
                    operation, direction = found
                    wrapper = (
                        operation.request_element
                        if direction is Direction.REQUEST
                        else operation.response_element
                    )
                    validate_items(
                        source,
                        wrapper=wrapper,
                        items=item_schemas(self.profile, wrapper),
                        skeleton=skeleton_schema(self.profile),
                        findings=findings,
                    )
        except StopCheck:
            pass
        body = None if head is None else (head.root if self.payload_type else head.body_child)
        return CheckResult(
            source=name,
            profile=self.profile,
            violations=_in_document_order(findings.violations),
            body_element=None if body is None else body.tag,
            operation=None if found is None else found[0],
            direction=None if found is None else found[1],
        )

    def iter_violations(self, source: Source) -> Iterator[Violation]:
        """Every violation of one message, in document order."""
        yield from self.check(source).violations

    def validate(self, source: Source) -> CheckResult:
        """Validate one message; raise ``SchemaViolationError`` (carrying every violation)
        if it breaks the contract, else return the result."""
        result = self.check(source)
        if result.violations:
            raise SchemaViolationError(result.source, result.violations)
        return result

    def _pass_small(self, document: bytes) -> CheckResult | None:
        """The result for a small message that is valid as a whole, from one parse and one
        validation (an SMT request or a one-day answer); None when it is large, odd or
        invalid, for the full check to find and place every problem."""
        if len(document) > min(_SMALL, self.limits.max_bytes):
            return None
        try:
            root = etree.fromstring(document, safe_parser())
        except etree.XMLSyntaxError:
            return None
        if has_doctype(root):
            return None
        body = next(root.iterchildren(_BODY), None) if root.tag == _ENVELOPE else None
        child = None if body is None else next(body.iterchildren("*"), None)
        found = None if child is None else find_operation(tag_of(child))
        if child is None or found is None:
            return None
        schema = envelope_schema(self.profile)
        with schema_lock(schema):
            if not schema.validate(root):
                return None
        return CheckResult(
            source=_printable(document),
            profile=self.profile,
            violations=(),
            body_element=tag_of(child),
            operation=found[0],
            direction=found[1],
            document=root,
        )

    def _check_size(self, source: Source, findings: Findings) -> None:
        if isinstance(source, bytes):
            size = len(source)
        else:
            try:
                size = Path(source).stat().st_size
            except (OSError, ValueError) as exc:
                findings.unreadable(exc)
        if size == 0:
            findings.stop("empty", "the file is empty; a SOAP message was expected")
        if size > self.limits.max_bytes:
            findings.stop(
                "too-large",
                f"the document is {size} bytes; at most {self.limits.max_bytes} are accepted",
                value=str(size),
                expected=str(self.limits.max_bytes),
            )

    def _check_envelope(self, head: Head, findings: Findings) -> tuple[Operation, Direction] | None:
        """The operation the Body's first child opens; ``None`` for a SOAP Fault."""
        root = head.root
        if root.tag == f"{{{SOAP12_ENVELOPE}}}Envelope":
            findings.stop(
                "not-an-envelope",
                f"this is a SOAP 1.2 envelope; SMT's services speak SOAP 1.1 ({SOAP_ENVELOPE})",
                line=root.line,
                path=root.path,
                value=root.tag,
            )
        if root.tag != f"{{{SOAP_ENVELOPE}}}Envelope":
            findings.stop(
                "not-an-envelope",
                f"the root element <{local(root.tag)}> is not a SOAP 1.1 Envelope; "
                "to check a bare payload, name its type (--type)",
                line=root.line,
                path=root.path,
                value=root.tag,
            )
        child = head.body_child
        if child is None:
            problem = (
                "is empty; it must hold an operation element" if head.body_seen else "is missing"
            )
            findings.stop(
                "missing-element", f"the SOAP Body {problem}", line=root.line, path=root.path
            )
        if child.tag == f"{{{SOAP_ENVELOPE}}}Fault":
            return None
        found = find_operation(child.tag)
        if found is None:
            findings.stop(
                "unknown-operation",
                _unknown_operation(child),
                line=child.line,
                path=child.path,
                value=child.tag,
            )
        return found

    def _check_payload(
        self, source: Source, root: Node, payload: PayloadType, findings: Findings
    ) -> None:
        roots = payload_roots(self.profile, payload)
        if root.tag not in roots:
            sent_as = ", ".join(f"<{local(r)}>" for r in sorted(roots)) or "no element"
            hint = (
                "; this is a whole SOAP message: leave out --type"
                if root.tag == f"{{{SOAP_ENVELOPE}}}Envelope"
                else ""
            )
            namespace = root.tag[1:].partition("}")[0] if root.tag.startswith("{") else ""
            where = f" in namespace {namespace}" if namespace else ""
            findings.stop(
                "unexpected-element",
                f"the payload root is <{local(root.tag)}>{where}; SMT sends payload type "
                f"{payload.label} as {sent_as}{hint}",
                line=root.line,
                path=root.path,
                value=root.tag,
                expected=", ".join(sorted(roots)),
            )
        validate_whole(source, payload_schema(self.profile, payload, root.tag), findings)


def iter_violations(
    source: Source,
    *,
    profile: Profile = Profile.WIRE,
    payload_type: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> Iterator[Violation]:
    """Every violation of one message (see ``MessageValidator``)."""
    validator = MessageValidator(profile, payload_type=payload_type, limits=limits)
    return validator.iter_violations(source)


def validate(
    source: Source,
    *,
    profile: Profile = Profile.WIRE,
    payload_type: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> CheckResult:
    """Validate one message; raise ``SchemaViolationError`` if it breaks the contract."""
    return MessageValidator(profile, payload_type=payload_type, limits=limits).validate(source)


def _printable(source: Source) -> str:
    """A name for the source that any terminal, JSON or XML report can carry."""
    if isinstance(source, bytes):
        return "<bytes>"
    name = os.fspath(source).encode("utf-8", "backslashreplace").decode("utf-8")
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in name)


def _in_document_order(violations: list[Violation]) -> tuple[Violation, ...]:
    """Items are checked before the skeleton around them; report everything by line (a
    ``truncated`` marker stays last)."""
    marker = [v for v in violations if v.rule == "truncated"]
    rest = [v for v in violations if v.rule != "truncated"]
    rest.sort(key=lambda v: (v.line is None, v.line or 0))
    return (*rest, *marker)


def _unknown_operation(child: Node) -> str:
    name = local(child.tag)
    namespace = child.tag[1:].partition("}")[0] if child.tag.startswith("{") else "(none)"
    homes = [
        service.namespace
        for service in load_services()
        for op in service.operations
        if name in (local(op.request_element), local(op.response_element))
    ]
    hint = f"; <{name}> is an operation of namespace {homes[0]}" if homes else ""
    return f"<{name}> in namespace {namespace} is not an operation of the SMT SOAP contract{hint}"
