"""Reading SMT's response payloads: typed access to their unqualified children, and the
parsers of the synchronous EnergyData, MeterInformation and PremiseInformation payloads.

Every reader raises ``MalformedResponseError`` when a value cannot be what the contract
says (a missing element, a date that is not one, an amount that is not a number).
"""

from __future__ import annotations

from lxml import etree

from adapter.errors import MalformedResponseError
from adapter.field_reader import (
    FieldReader,
    build_billing_period,
    build_meter_attributes,
    build_premise_attributes,
    build_register_read,
)
from adapter.records import (
    DailyReads,
    IntervalData,
    IntervalDay,
    MeterAttributes,
    MonthlyBilling,
    PremiseAttributes,
)
from adapter.xml.names import local, tag_of

__all__ = [
    "PayloadReader",
    "parse_daily_reads",
    "parse_interval_data",
    "parse_meter_attributes",
    "parse_monthly_billing",
    "parse_premise_attributes",
]


class PayloadReader(FieldReader):
    """One payload element (or an item of one) of the answer to ``operation``."""

    def __init__(self, operation: str, element: etree._Element) -> None:
        self.operation = operation
        self.element = element
        self.name = local(tag_of(element))

    def bad(self, name: str, problem: str) -> MalformedResponseError:
        return MalformedResponseError(
            f"{self.operation}: <{self.name}>/<{name}> {problem}", operation=self.operation
        )

    def optional(self, name: str) -> str | None:
        """The stripped text of child ``name``; None when absent or empty."""
        text = self.element.findtext(name)
        return text.strip() or None if text is not None else None

    def items(self, path: str) -> list[PayloadReader]:
        return [PayloadReader(self.operation, e) for e in self.element.iterfind(path)]


def parse_interval_data(payload: PayloadReader) -> IntervalData:
    """An ``IntervalEnergyDataSyncResponse``: one ``IntervalDay`` per ``energyData``, its
    RD text kept as sent (decoding is ``adapter.interval``'s job)."""
    esiid = payload.text("esiid")
    return IntervalData(
        trans_id=payload.text("trans_id"),
        esiid=esiid,
        days=tuple(
            IntervalDay(
                esiid=esiid,
                day=row.required_date("DT"),
                reading_type=row.text("RT"),
                revision=row.optional("RevTS"),
                rd=(row.element.findtext("RD") or "").strip(),
            )
            for row in payload.items("energyDataList/energyData")
        ),
    )


def parse_daily_reads(payload: PayloadReader) -> DailyReads:
    """A ``DailyRegisteredReadSyncResponse``."""
    return DailyReads(
        trans_id=payload.text("trans_id"),
        esiid=payload.text("esiid"),
        reads=tuple(
            build_register_read(row) for row in payload.items("registeredReadList/registeredRead")
        ),
    )


def parse_monthly_billing(payload: PayloadReader) -> MonthlyBilling:
    """A ``MonthlyBillingDataSyncResponse``."""
    return MonthlyBilling(
        trans_id=payload.text("trans_id"),
        esiid=payload.text("esiid"),
        periods=tuple(
            build_billing_period(row) for row in payload.items("billingDataList/billingData")
        ),
    )


def parse_meter_attributes(payload: PayloadReader) -> MeterAttributes:
    """A ``MeterInformationResponse`` and its ``MeterData``."""
    data = _only(payload, "MeterData")
    return build_meter_attributes(payload.text("trans_id"), payload.text("esiid"), data)


def parse_premise_attributes(payload: PayloadReader) -> PremiseAttributes:
    """A ``PremiseInformationResponse`` and its ``PremiseData``."""
    data = _only(payload, "PremiseData")
    return build_premise_attributes(payload.text("trans_id"), payload.text("esiid"), data)


def _only(payload: PayloadReader, name: str) -> PayloadReader:
    found = payload.items(name)
    if len(found) != 1:
        raise MalformedResponseError(
            f"{payload.operation}: <{payload.name}> holds {len(found)} <{name}>, not one",
            operation=payload.operation,
        )
    return found[0]
