"""Streaming parser of Green Button (NAESB ESPI) feeds: what ``/greenbutton/`` answers and
what SMT delivers as ``.XML`` reports (``schemas/espi/espi-subset.xsd``).

Each ``espi:IntervalReading`` becomes a ``GreenButtonReading``: its ``timePeriod``
(``start`` in epoch seconds, ``duration`` in seconds) and its ``value`` in Wh times
10**``powerOfTenMultiplier``, turned into kWh exactly (``Decimal``, never a float).
``ReadingType/flowDirection`` 1 is consumption (C), 19 surplus generation (G);
``ReadingQuality/quality`` 0 (valid) is actual (A), any other code estimated (E). The
ESIID comes from the UsagePoint's ``Subscription/<ESIID>/UsagePoint`` link unless given.

The feed is read with ``iterparse`` and every reading is freed once read, so memory does
not grow with the feed. A reading that lacks a field goes to ``dead_letters`` (line and
the element's XML); a feed that is not well-formed, or has a DOCTYPE, ends there with
one dead letter, after the readings before the fault.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import IO

from lxml import etree

from adapter.interval_columns import CHICAGO, IntervalReading
from adapter.reports.dead_letters import DeadLetters
from adapter.xml.parsing import parser_options

__all__ = ["GreenButtonReading", "iter_green_button_readings"]

_A, _E = "{http://www.w3.org/2005/Atom}", "{http://naesb.org/espi}"
_DIRECTIONS = {"1": "C", "19": "G"}
_USAGE_POINT = re.compile(r"/Subscription/([^/]+)/UsagePoint\b")


@dataclass(frozen=True, slots=True, kw_only=True)
class GreenButtonReading:
    """One ESPI IntervalReading: ``seconds`` long from ``start_utc`` (``start_local`` in
    Central time), ``kwh`` exact, ``quality`` A or E, ``direction`` C or G."""

    esiid: str
    start_utc: datetime
    start_local: datetime
    seconds: int
    kwh: Decimal
    quality: str
    direction: str

    def as_interval_reading(self) -> IntervalReading:
        """The same reading as the decoder's record (no revision time: ESPI has none).
        Raises ``ValueError`` when it is not a 15-minute reading."""
        if self.seconds != 900:
            raise ValueError(f"a {self.seconds}-second reading is not a 15-minute interval")
        return IntervalReading(
            esiid=self.esiid,
            start_utc=self.start_utc,
            start_local=self.start_local,
            kwh=self.kwh,
            quality=self.quality,
            direction=self.direction,
            revised=None,
        )


class _Feed:
    """What the feed said before its readings: ESIID, direction and multiplier."""

    def __init__(self, esiid: str | None) -> None:
        self.esiid = esiid
        self.direction = "C"
        self.power = 0

    def note(self, element: etree._Element) -> None:
        tag, text = element.tag, (element.text or "").strip()
        if tag == f"{_A}link" and self.esiid is None:
            found = _USAGE_POINT.search(element.get("href", ""))
            if found:
                self.esiid = found.group(1)
        elif tag == f"{_E}flowDirection":
            self.direction = _DIRECTIONS.get(text, self.direction)
        elif tag == f"{_E}powerOfTenMultiplier" and re.fullmatch(r"-?\d{1,2}", text):
            self.power = int(text)

    def reading(self, element: etree._Element) -> GreenButtonReading:
        """Raises ``ValueError`` naming the missing or malformed field."""
        values = {}
        for path in ("timePeriod/start", "timePeriod/duration", "value"):
            text = element.findtext("/".join(f"{_E}{part}" for part in path.split("/")))
            if text is None or not re.fullmatch(r"-?\d+", text.strip()):
                raise ValueError(f"IntervalReading {path} {text!r} is not an integer")
            values[path] = text.strip()
        quality = element.findtext(f"{_E}ReadingQuality/{_E}quality", "0").strip()
        if self.esiid is None:
            raise ValueError("the feed names no ESIID (no Subscription/<ESIID>/UsagePoint link)")
        try:
            kwh = Decimal(values["value"]).scaleb(self.power - 3)
        except InvalidOperation:  # pragma: no cover - the pattern above admits integers only
            raise ValueError(f"value {values['value']!r} is not a number") from None
        start = datetime.fromtimestamp(int(values["timePeriod/start"]), UTC)
        return GreenButtonReading(
            esiid=self.esiid,
            start_utc=start,
            start_local=start.astimezone(CHICAGO),
            seconds=int(values["timePeriod/duration"]),
            kwh=kwh,
            quality="A" if quality == "0" else "E",
            direction=self.direction,
        )


def iter_green_button_readings(
    stream: IO[bytes],
    *,
    dead_letters: DeadLetters,
    source: str = "<stream>",
    esiid: str | None = None,
) -> Iterator[GreenButtonReading]:
    """The readings of a Green Button feed read from the binary ``stream``, in document
    order. Never raises for bad input: bad readings, a DOCTYPE and XML that is not
    well-formed go to ``dead_letters``."""
    feed = _Feed(esiid)
    tags = (f"{_A}link", f"{_E}flowDirection", f"{_E}powerOfTenMultiplier",
            f"{_E}IntervalReading")  # fmt: skip
    context = etree.iterparse(stream, events=("start", "end"), **parser_options())
    checked = False
    try:
        for event, element in context:
            if not checked:
                checked = True
                if element.getroottree().docinfo.doctype:
                    reason = "a DOCTYPE is not allowed in a Green Button feed"
                    dead_letters.add(source=source, line=1, reason=reason, raw="")
                    return
            if event != "end" or element.tag not in tags:
                continue
            if element.tag != f"{_E}IntervalReading":
                feed.note(element)
                continue
            try:
                reading = feed.reading(element)
            except ValueError as exc:
                raw = etree.tostring(element, encoding="unicode", with_tail=False)
                line = element.sourceline or 0
                dead_letters.add(source=source, line=line, reason=str(exc), raw=raw)
            else:
                yield reading
            element.clear(keep_tail=True)
            while element.getprevious() is not None:
                del element.getparent()[0]
    except etree.XMLSyntaxError as exc:
        line = exc.lineno or 0
        dead_letters.add(source=source, line=line, reason=f"not well-formed XML: {exc}", raw="")
