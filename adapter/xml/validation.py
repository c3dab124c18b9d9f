"""Validating SMT SOAP messages against the bundled contract.

One pass per message, in memory bounded by one payload item (one ESIID's data), not by
the document: the head of the document names the operation; the body is then parsed
streaming and each child of the operation wrapper is validated on its own and cleared;
last, the remaining skeleton (envelope, wrapper, emptied items) is validated for
structure. libxml2 does the validating; every problem comes back as a ``Violation`` with
a line, a path, the rule and the value.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from adapter.contract import Direction, Operation, Profile, find_operation, load_services
from adapter.errors import SchemaViolationError
from adapter.xml.findings import Findings, StopCheck
from adapter.xml.locating import readable_path, resolve, tag_of
from adapter.xml.parsing import DEFAULT_LIMITS, Limits, parser_options, safe_parser
from adapter.xml.schemaset import (
    SOAP_ENVELOPE,
    PayloadType,
    envelope_schema,
    find_payload_type,
    item_schemas,
    payload_schema,
)
from adapter.xml.violations import Violation

__all__ = ["CheckResult", "MessageValidator", "Source", "iter_violations", "validate"]

Source = str | os.PathLike[str] | bytes
_SOAP12_ENVELOPE = "http://www.w3.org/2003/05/soap-envelope"
_HEAD_CHUNK = 64 * 1024
_DOCTYPE_REFUSED = (
    "the document declares a DOCTYPE; SOAP messages must not (SOAP 1.1 section 3), "
    "and entities and external DTDs are never resolved"
)
_DOCTYPE_MARKS = tuple("<!DOCTYPE".encode(codec) for codec in ("utf-8", "utf-16-le", "utf-16-be"))


@dataclass(frozen=True, slots=True)
class CheckResult:
    """The outcome for one message: what it is and everything wrong with it.

    ``body_element`` is the Clark name of the SOAP Body's first child (or of the root of a
    bare payload); ``operation`` and ``direction`` are set when that element is an
    operation wrapper of the contract."""

    source: str
    profile: Profile
    violations: tuple[Violation, ...]
    body_element: str | None = None
    operation: Operation | None = None
    direction: Direction | None = None

    @property
    def valid(self) -> bool:
        return not self.violations


@dataclass(frozen=True, slots=True)
class _Head:
    root: etree._Element
    body_child: etree._Element | None
    body_seen: bool


class MessageValidator:
    """Validates SMT SOAP messages (or bare payloads) against one profile of the contract.

    ``payload_type`` switches from whole SOAP messages to bare payloads of that type
    (``EnergyDataRequest``, ``meterinformation:Acknowledgement``, ``{ns}Name``). The
    schemas compile when the validator is built, so a broken bundle fails here, once."""

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

    def check(self, source: Source) -> CheckResult:
        """Validate one message and return everything found; never raises for bad input."""
        name = "<bytes>" if isinstance(source, bytes) else os.fspath(source)
        findings = Findings(name, self.limits.max_violations)
        head: _Head | None = None
        operation: tuple[Operation, Direction] | None = None
        try:
            self._check_size(source, findings)
            head = self._read_head(source, findings)
            operation = self._check_head(head, findings)
            if self.payload_type is not None:
                self._validate_whole(
                    source,
                    payload_schema(self.profile, self.payload_type, tag_of(head.root)),
                    findings,
                )
            elif operation is None:
                self._validate_whole(source, envelope_schema(self.profile), findings)
            else:
                self._validate_streaming(source, operation[0], operation[1], findings)
        except StopCheck:
            pass
        body = None if head is None else (head.root if self.payload_type else head.body_child)
        return CheckResult(
            source=name,
            profile=self.profile,
            violations=tuple(findings.violations),
            body_element=None if body is None else tag_of(body),
            operation=None if operation is None else operation[0],
            direction=None if operation is None else operation[1],
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

    # -- stages ---------------------------------------------------------------------------

    def _check_size(self, source: Source, findings: Findings) -> None:
        if isinstance(source, bytes):
            size = len(source)
        else:
            try:
                size = Path(source).stat().st_size
            except OSError as exc:
                findings.stop("unreadable", f"cannot read the file: {exc.strerror or exc}")
        if size == 0:
            findings.stop("empty", "the file is empty; a SOAP message was expected")
        if size > self.limits.max_bytes:
            findings.stop(
                "too-large",
                f"the document is {size} bytes; at most {self.limits.max_bytes} are accepted",
                value=str(size),
                expected=str(self.limits.max_bytes),
            )

    def _read_head(self, source: Source, findings: Findings) -> _Head:
        """Parse just far enough to see the root, the Body and the Body's first child."""
        parser = etree.XMLPullParser(events=("start", "end"), **parser_options())
        root: etree._Element | None = None
        body: etree._Element | None = None
        prolog = b""
        try:
            with _open(source) as stream:
                while chunk := stream.read(_HEAD_CHUNK):
                    if root is None:
                        prolog += chunk
                    parser.feed(chunk)
                    for event, element in parser.read_events():
                        if root is None:
                            root = element
                            self._refuse_doctype(element, findings)
                            if self.payload_type is not None:
                                return _Head(root, None, False)
                        if (
                            event == "start"
                            and element.getparent() is root
                            and element.tag == f"{{{SOAP_ENVELOPE}}}Body"
                        ):
                            body = element
                        elif event == "start" and body is not None and element.getparent() is body:
                            return _Head(root, element, True)
                        elif event == "end" and element is body:
                            return _Head(root, None, True)
                parser.close()
        except etree.XMLSyntaxError as exc:
            if root is None and _declares_doctype(prolog):
                # libxml2 may give up inside the DTD itself (entity amplification): same refusal
                findings.stop("doctype", _DOCTYPE_REFUSED, line=exc.lineno or None)
            findings.not_well_formed(exc)
        except OSError as exc:
            findings.stop("unreadable", f"cannot read the file: {exc.strerror or exc}")
        if root is None:
            findings.stop("not-well-formed", "the document holds no element")
        return _Head(root, None, body is not None)

    def _refuse_doctype(self, root: etree._Element, findings: Findings) -> None:
        info = root.getroottree().docinfo
        if info.internalDTD is not None or info.doctype or info.system_url:
            findings.stop(
                "doctype",
                _DOCTYPE_REFUSED,
                line=root.sourceline,
                value=info.doctype or None,
            )

    def _check_head(self, head: _Head, findings: Findings) -> tuple[Operation, Direction] | None:
        root = head.root
        if self.payload_type is not None:
            self._check_payload_root(root, self.payload_type, findings)
            return None
        line, path = root.sourceline, readable_path(root)
        if tag_of(root) == f"{{{_SOAP12_ENVELOPE}}}Envelope":
            findings.stop(
                "not-an-envelope",
                f"this is a SOAP 1.2 envelope; SMT's services speak SOAP 1.1 ({SOAP_ENVELOPE})",
                line=line,
                path=path,
                value=tag_of(root),
            )
        if tag_of(root) != f"{{{SOAP_ENVELOPE}}}Envelope":
            findings.stop(
                "not-an-envelope",
                f"the root element <{etree.QName(root).localname}> is not a SOAP 1.1 Envelope; "
                "to check a bare payload, name its type (--type)",
                line=line,
                path=path,
                value=tag_of(root),
            )
        child = head.body_child
        if child is None:
            problem = (
                "is empty; it must hold an operation element" if head.body_seen else "is missing"
            )
            findings.stop("missing-element", f"the SOAP Body {problem}", line=line, path=path)
        if tag_of(child) == f"{{{SOAP_ENVELOPE}}}Fault":
            return None
        found = find_operation(tag_of(child))
        if found is None:
            findings.stop(
                "unknown-operation",
                _unknown_operation_message(child),
                line=child.sourceline,
                path=readable_path(child),
                value=tag_of(child),
            )
        return found

    def _check_payload_root(
        self, root: etree._Element, payload: PayloadType, findings: Findings
    ) -> None:
        line, path, tag = root.sourceline, readable_path(root), tag_of(root)
        if payload.kind == "element" and tag != payload.clark:
            findings.stop(
                "unexpected-element",
                f"the payload root is <{tag}>; payload type {payload.label} is the element "
                f"<{payload.clark}>",
                line=line,
                path=path,
                value=tag,
                expected=payload.clark,
            )
        if payload.kind == "type" and etree.QName(root).namespace:
            findings.stop(
                "unexpected-element",
                f"the payload root <{tag}> is namespace-qualified; SMT sends payloads of "
                f"type {payload.label} as unqualified elements",
                line=line,
                path=path,
                value=tag,
            )

    def _validate_whole(self, source: Source, schema: etree.XMLSchema, findings: Findings) -> None:
        try:
            with _open(source) as stream:
                tree = etree.parse(stream, safe_parser())
        except etree.XMLSyntaxError as exc:
            findings.not_well_formed(exc)
        if not schema.validate(tree):
            root = tree.getroot()
            for entry in schema.error_log:
                findings.record(entry, resolve(root, entry.path, skip_first=True))

    def _validate_streaming(
        self, source: Source, operation: Operation, direction: Direction, findings: Findings
    ) -> None:
        wrapper = (
            operation.request_element
            if direction is Direction.REQUEST
            else operation.response_element
        )
        items = item_schemas(self.profile, wrapper)
        shells: list[etree._Element] = []
        try:
            with _open(source) as stream:
                context = etree.iterparse(
                    stream,
                    events=("end",),
                    tag=[_tag_filter(name) for name in items],
                    **parser_options(),
                )
                for _, item in context:
                    parent = item.getparent()
                    if parent is None or tag_of(parent) != wrapper:
                        continue
                    schema = items[tag_of(item)]
                    if not schema.validate(item):
                        for entry in schema.error_log:
                            findings.record(entry, resolve(item, entry.path, skip_first=True))
                    item.clear(keep_tail=False)
                    shells.append(item)
                root = context.root
        except etree.XMLSyntaxError as exc:
            findings.not_well_formed(exc)
        if root is None:
            findings.stop("not-well-formed", "the document holds no element")
        emptied = {id(shell) for shell in shells}
        skeleton = envelope_schema(self.profile)
        if not skeleton.validate(root.getroottree()):
            for entry in skeleton.error_log:
                element = resolve(root, entry.path, skip_first=True)
                if element is not None and id(element) in emptied and not _about_placement(entry):
                    continue  # the item's own content was validated before it was emptied
                findings.record(entry, element)


def iter_violations(
    source: Source,
    *,
    profile: Profile = Profile.WIRE,
    payload_type: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> Iterator[Violation]:
    """Every violation of one message (see ``MessageValidator``)."""
    return MessageValidator(profile, payload_type=payload_type, limits=limits).iter_violations(
        source
    )


def validate(
    source: Source,
    *,
    profile: Profile = Profile.WIRE,
    payload_type: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> CheckResult:
    """Validate one message; raise ``SchemaViolationError`` if it breaks the contract."""
    return MessageValidator(profile, payload_type=payload_type, limits=limits).validate(source)


# -- helpers ------------------------------------------------------------------------------


def _open(source: Source) -> io.BufferedIOBase:
    if isinstance(source, bytes):
        return io.BytesIO(source)
    return open(source, "rb")


def _declares_doctype(prolog: bytes) -> bool:
    return any(mark in prolog for mark in _DOCTYPE_MARKS)


def _about_placement(entry: etree._LogEntry) -> bool:
    """Whether an error concerns where an element stands (its parent's content model) rather
    than what it holds."""
    return "This element is not expected" in entry.message


def _tag_filter(name: str) -> str:
    return name if name.startswith("{") else f"{{}}{name}"


def _unknown_operation_message(child: etree._Element) -> str:
    qname = etree.QName(child)
    homes = [
        service.namespace
        for service in load_services()
        for op in service.operations
        if qname.localname
        in (etree.QName(op.request_element).localname, etree.QName(op.response_element).localname)
    ]
    hint = f"; <{qname.localname}> is an operation of namespace {homes[0]}" if homes else ""
    namespace = qname.namespace or "(none)"
    return (
        f"<{qname.localname}> in namespace {namespace} is not an operation of the SMT SOAP "
        f"contract{hint}"
    )
