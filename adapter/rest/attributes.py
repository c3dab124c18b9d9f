"""Meter and premise attributes from their JSON answers (``MeterData``, ``PremiseData``),
into the records the SOAP side returns. Readers raise ``MalformedResponseError`` when a
value cannot be read. Pure: no transport.
"""

from __future__ import annotations

from adapter.field_reader import build_meter_attributes, build_premise_attributes
from adapter.records import MeterAttributes, PremiseAttributes
from adapter.rest.fields import JsonReader

__all__ = ["parse_meter_attributes", "parse_premise_attributes"]


def parse_meter_attributes(answer: JsonReader, data: JsonReader) -> MeterAttributes:
    """One ``MeterData`` item of a ``MeterSearchResponse``."""
    return build_meter_attributes(answer.text("trans_id"), data.text("ESIID"), data)


def parse_premise_attributes(answer: JsonReader, data: JsonReader) -> PremiseAttributes:
    """One ``PremiseData`` item of a ``PremiseSearchResponse``."""
    return build_premise_attributes(answer.text("trans_id"), data.text("ESIID"), data)
