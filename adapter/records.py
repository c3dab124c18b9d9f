"""Frozen records shared by the SOAP client, the REST client and the report parsers.

Each record is what SMT sent, typed: dates as ``date``, amounts as ``Decimal``, codes as
text exactly as SMT wrote them. They never hold zeep objects or raw dicts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

__all__ = ["IntervalDay"]


@dataclass(frozen=True, slots=True, kw_only=True)
class IntervalDay:
    """One ESIID-day of 15-minute data as SMT sends it: the 100-slot ``RD`` string (see
    DESIGN.md, "Interval data facts"), not yet decoded. ``revision`` is SMT's ``RevTS``
    text (``MM/DD/YYYY HH:MM:SS``, Central time) or None when SMT left it empty."""

    esiid: str
    day: date
    reading_type: str  # C consumption, G generation (surplus)
    revision: str | None
    rd: str
