"""Streaming the days out of a processIntervalEnergyData response, in bounded memory.

A DUNS-wide synchronous answer holds one ``IntervalEnergyDataSyncResponse`` per ESIID,
each with up to two years of ``energyData`` days: tens of megabytes. The response is read
with lxml's ``iterparse``; each ESIID's payload is validated on its own against the
bundled ``wire`` schema as soon as it has been parsed (as ``adapter.xml.streaming`` does
for ``smt validate``), its days are handed out, and it is emptied before the next one is
read. The skeleton around the payloads (envelope, wrapper) is validated last.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator
from contextlib import ExitStack, suppress
from datetime import date
from pathlib import Path
from typing import BinaryIO, NoReturn, TypeVar

from lxml import etree

from adapter.contract import Profile
from adapter.errors import MalformedResponseError, ServiceFaultError
from adapter.interval import DayReadings, decode_fields
from adapter.interval_columns import parse_dt
from adapter.records import IntervalDay
from adapter.soap.interval_pipeline import Payload, TotalsWorker, decode_payloads, usable_cpus
from adapter.xml.findings import Findings, StopCheck
from adapter.xml.names import SOAP_ENVELOPE, local, tag_of
from adapter.xml.parsing import DEFAULT_LIMITS, parser_options
from adapter.xml.schemaset import item_schemas, schema_lock, skeleton_schema

__all__ = ["iter_interval_day_readings", "iter_interval_days", "iter_payloads"]

T = TypeVar("T")

_OPERATION = "processIntervalEnergyData"
_WRAPPER = "{http://schemas.esb.ams.com/meterusagesource}processIntervalEnergyDataResponse"
_ITEM = "IntervalEnergyDataSyncResponse"
_FAULT = f"{{{SOAP_ENVELOPE}}}Fault"
_BODY = f"{{{SOAP_ENVELOPE}}}Body"
_WORKER_BYTES = 16_000_000  # from this size on, a file is decoded with a worker (two CPUs)
_LOG = logging.getLogger("adapter.soap")
_FIELDS = ("DT", "RevTS", "RT", "RD")
# Compiled once; an lxml XPath serialises its own calls, so threads may share them.
_FIELD_TEXTS = etree.XPath("energyDataList/energyData/*/text()", smart_strings=False)
_new = object.__new__
_SET_DAY = tuple(
    IntervalDay.__dict__[name].__set__
    for name in ("esiid", "day", "reading_type", "revision", "rd")
)
_ENTRY_COUNT = etree.XPath("count(energyDataList/energyData)")
_SPLIT_TEXT = etree.XPath("boolean(energyDataList/energyData/*[text()[2]])")


def iter_interval_day_readings(
    source: Path | BinaryIO, *, validate: bool = True, worker: bool | None = None
) -> Iterator[DayReadings]:
    """``iter_interval_days``, each day decoded into checked columns as it is read (the
    same as ``iter_day_readings(iter_interval_days(...))``, without the ``IntervalDay`` in
    between); raises what both raise.

    With ``worker`` the days' totals are summed in a second process while this one parses
    (``adapter.soap.interval_pipeline``): the same days, checks and errors, in about two
    thirds of the time for a DUNS-wide answer on two cores. ``None`` (the default)
    decides: a file of at least 16 MB on a machine with two CPUs or more."""
    if worker is None:
        worker = _worth_a_worker(source)
    if worker:
        try:
            totals = TotalsWorker()
        except OSError as exc:
            _LOG.warning("no RD totals worker (%s): decoding in this process", exc)
        else:
            return _in_worker(source, validate, totals)
    return _stream(source, validate, decode_fields)


def iter_interval_days(source: Path | BinaryIO, *, validate: bool = True) -> Iterator[IntervalDay]:
    """The days of a processIntervalEnergyData SOAP response (a file or a binary stream),
    ESIID by ESIID, in document order, never holding more than one ESIID's payload.

    With ``validate`` (the default) each payload is checked against the bundled ``wire``
    schema before any of its days is handed out, and the envelope around the payloads once
    the document has been read. Raises ``MalformedResponseError`` (with ``violations``)
    when the document is not well-formed, carries a DOCTYPE, is larger than the parsing
    limit, is not a processIntervalEnergyData response, or breaks the schema — the last
    two only at the end, after the days before them were handed out; ``ServiceFaultError``
    when SMT answered with a SOAP Fault; ``ReadingError`` when a DT is not a date (the
    schema admits any 10 characters). RD strings are not decoded here (see
    ``adapter.interval.decode_day``)."""
    return _stream(source, validate, _interval_day)


def _stream(source: Path | BinaryIO, validate: bool, make: Callable[..., T]) -> Iterator[T]:
    for esiid, texts in iter_payloads(source, validate):
        fields = iter(texts)
        for dt, revision, reading_type, rd in zip(fields, fields, fields, fields, strict=True):
            yield make(
                esiid, parse_dt(esiid, dt), reading_type.strip(), revision.strip() or None, rd
            )


def _in_worker(
    source: Path | BinaryIO, validate: bool, worker: TotalsWorker
) -> Iterator[DayReadings]:
    try:
        yield from decode_payloads(iter_payloads(source, validate), worker)
    finally:
        worker.close()


def _worth_a_worker(source: Path | BinaryIO) -> bool:
    if not isinstance(source, Path) or usable_cpus() < 2:
        return False
    try:
        return source.stat().st_size >= _WORKER_BYTES
    except OSError:
        return False  # the stream says what is wrong with the file


def iter_payloads(source: Path | BinaryIO, validate: bool = True) -> Iterator[Payload]:
    """Each ESIID's payload as read (its ESIID and its days' texts, four a day), validated
    first unless ``validate`` is false; raises as ``iter_interval_days`` does, the
    envelope's errors once the last payload has been handed out."""
    name = os.fspath(source) if isinstance(source, Path) else "<stream>"
    with ExitStack() as stack:
        if isinstance(source, Path):
            _check_size(source, name)
            stream: BinaryIO = stack.enter_context(source.open("rb"))
        else:
            stream = source
        etree.clear_error_log()
        schema = item_schemas(Profile.WIRE, _WRAPPER)[_ITEM] if validate else None
        context = etree.iterparse(
            stream, events=("end",), tag=[f"{{}}{_ITEM}", _FAULT], **parser_options()
        )
        checked_head = False
        try:
            for _, item in context:
                if not checked_head:
                    _reject_doctype(item, name)
                    checked_head = True
                parent = item.getparent()
                if item.tag == _FAULT or parent is None or tag_of(parent) != _WRAPPER:
                    continue  # a Fault is reported once the document is read
                if schema is not None:
                    with schema_lock(schema):
                        if not schema.validate(item):
                            _fail(name, "the payload breaks the SMT contract", schema, item)
                yield (item.findtext("esiid") or "").strip(), _texts_of(item, schema is not None)
                item.clear(keep_tail=True)  # keep memory bounded by one ESIID
            root = context.root
        except etree.XMLSyntaxError as exc:
            findings = Findings(name, DEFAULT_LIMITS.max_violations)
            with suppress(StopCheck):
                findings.not_well_formed(exc)
            raise _malformed(findings) from exc
    if root is None:
        raise MalformedResponseError(f"{name}: the document holds no element", operation=_OPERATION)
    if not checked_head:
        _reject_doctype(root, name)
    _check_body(root, name)
    if validate:
        skeleton = skeleton_schema(Profile.WIRE)
        with schema_lock(skeleton):
            if not skeleton.validate(root.getroottree()):
                _fail(name, "the envelope breaks the SMT contract", skeleton, root)


def _texts_of(item: etree._Element, validated: bool) -> list[str]:
    # A validated payload fixes the children of every energyData (DT, RevTS, RT, RD, in this
    # order): their texts come in one XPath call, four per day, unless an element is empty
    # or holds more than one text node (then the texts would not line up). Otherwise, and
    # for an unvalidated payload, each day is read on its own.
    if validated:
        texts: list[str] = _FIELD_TEXTS(item)
        if len(texts) == 4 * _ENTRY_COUNT(item) and not _SPLIT_TEXT(item):
            return texts
    return [
        text for entry in item.iterfind("energyDataList/energyData") for text in _fields_of(entry)
    ]


def _interval_day(
    esiid: str, day: date, reading_type: str, revision: str | None, rd: str
) -> IntervalDay:
    record = _new(IntervalDay)  # the fields are checked: __init__ would only repeat that
    set_esiid, set_day, set_type, set_revision, set_rd = _SET_DAY
    set_esiid(record, esiid)
    set_day(record, day)
    set_type(record, reading_type)
    set_revision(record, revision)
    set_rd(record, rd)
    return record


def _fields_of(entry: etree._Element) -> tuple[str, ...]:
    children = list(entry)
    if [child.tag for child in children] == list(_FIELDS):
        return tuple(child.text or "" for child in children)
    return tuple(entry.findtext(name) or "" for name in _FIELDS)


def _check_size(path: Path, name: str) -> None:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise MalformedResponseError(
            f"{name}: cannot read the file: {exc.strerror or exc}", operation=_OPERATION
        ) from exc
    if size > DEFAULT_LIMITS.max_bytes:
        raise MalformedResponseError(
            f"{name}: {size} bytes; at most {DEFAULT_LIMITS.max_bytes} are accepted",
            operation=_OPERATION,
        )


def _reject_doctype(element: etree._Element, name: str) -> None:
    if element.getroottree().docinfo.doctype:
        raise MalformedResponseError(
            f"{name}: the document carries a DOCTYPE; SMT's messages never do",
            operation=_OPERATION,
        )


def _check_body(root: etree._Element, name: str) -> None:
    body = root.find(_BODY)
    child = None if body is None else next(body.iterchildren("*"), None)
    if child is not None and child.tag == _FAULT:
        code = (child.findtext("faultcode") or "").strip()
        text = (child.findtext("faultstring") or "").strip()
        raise ServiceFaultError(
            f"{_OPERATION}: SOAP Fault {code}: {text}",
            operation=_OPERATION,
            fault_code=code,
            fault_string=text,
        )
    if child is None or tag_of(child) != _WRAPPER:
        if body is None:
            found = "no SOAP Body"
        else:
            found = f"<{local(tag_of(body if child is None else child))}>"
        raise MalformedResponseError(
            f"{name}: {found} where a processIntervalEnergyDataResponse was expected",
            operation=_OPERATION,
        )


def _fail(name: str, what: str, schema: etree.XMLSchema, element: etree._Element) -> NoReturn:
    findings = Findings(name, DEFAULT_LIMITS.max_violations)
    with suppress(StopCheck):
        findings.record_log(schema, element)
    raise _malformed(findings, what)


def _malformed(findings: Findings, what: str = "") -> MalformedResponseError:
    violations = findings.violations
    first = violations[0].format() if violations else f"{findings.source}: {what}"
    more = f" (and {len(violations) - 1} more)" if len(violations) > 1 else ""
    return MalformedResponseError(
        f"{what + ': ' if what else ''}{first}{more}", operation=_OPERATION, violations=violations
    )
