"""The records of the mock's data set, holding what goes on the wire: meter and premise
attributes (MeterData, PremiseData), interval days (one RD row), daily register reads and
monthly billing periods. Dates render as MM/DD/YYYY, revisions as MM/DD/YYYY HH:MM:SS
(naive America/Chicago wall-clock time, as SMT prints them).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, fields
from datetime import date, datetime, tzinfo
from decimal import Decimal, InvalidOperation
from typing import ClassVar

__all__ = [
    "SLOT_COUNT",
    "BillingPeriod",
    "IntervalDay",
    "MeterAttributes",
    "PremiseAttributes",
    "RegisterRead",
    "format_date",
    "format_revision",
    "format_slot",
    "parse_slot",
]

SLOT_COUNT = 100  # an RD row always has 100 slots, whatever the day's length


@functools.lru_cache(maxsize=1024)  # an answer repeats the days of its range, ESIID by ESIID
def format_date(day: date) -> str:
    return day.strftime("%m/%d/%Y")


def format_revision(moment: datetime) -> str:
    # keyed with the zone too: instants that compare equal in two zones print differently
    return _format_revision(moment, moment.tzinfo)


@functools.lru_cache(maxsize=4096)  # the same days are asked for again and again
def _format_revision(moment: datetime, _zone: tzinfo | None) -> str:
    return moment.strftime("%m/%d/%Y %H:%M:%S")


def format_slot(wh: int, flag: str) -> str:
    """SMT's slot text: kWh with at most 3 decimals, trailing zeros and the leading zero
    dropped (221 Wh -> ".221-A", 1177 -> "1.177-A", 0 -> "0-A", 200 -> ".2-E")."""
    whole, milli = divmod(wh, 1000)
    text = f"{whole}.{milli:03d}".rstrip("0").rstrip(".")
    return f"{text[1:] if text.startswith('0.') else text}-{flag}"


def parse_slot(text: str) -> tuple[int, str] | None:
    """(Wh, flag) of a slot text, None for an empty slot; ValueError if malformed."""
    if not text:
        return None
    value, _, flag = text.rpartition("-")
    try:
        wh = Decimal(value) * 1000
        exact = wh.is_finite() and wh == wh.to_integral_value() and wh >= 0
    except InvalidOperation:
        exact = False
    if flag not in ("A", "E") or not exact:
        raise ValueError(f"slot {text!r} is not '<kWh, at most 3 decimals>-<A or E>'")
    return int(wh), flag


# Wire names that are not the camel case of the field name.
_WIRE_NAMES = {
    "esiid": "ESIID",
    "kwh_meter_multiplier": "KWHMeterMultiplier",
    "han_protocol": "HANProtocol",
    "dg_channel": "DGChannel",
    "ams_profile_effective_date": "AMSPROFILEEffectiveDate",
}


def _name_elements(cls: type) -> tuple[tuple[str, str], ...]:
    def wire(name: str) -> str:
        head, *rest = name.split("_")
        return _WIRE_NAMES.get(name, head + "".join(word.capitalize() for word in rest))

    return tuple((f.name, wire(f.name)) for f in fields(cls))


def _list_present(record: MeterAttributes | PremiseAttributes) -> tuple[tuple[str, str], ...]:
    pairs = ((element, getattr(record, name)) for name, element in record.ELEMENTS)
    return tuple((element, value) for element, value in pairs if value is not None)


@dataclass(frozen=True, slots=True, kw_only=True)
class MeterAttributes:
    """MeterData, one field per element in schema order; None leaves an optional element
    out. ``ELEMENTS`` pairs each field with its element name, in schema order."""

    ELEMENTS: ClassVar[tuple[tuple[str, str], ...]]

    utility_company_id: str | None
    esiid: str
    meter_serial_number: str
    utility_meter_id: str
    kwh_meter_multiplier: str
    configured_channels: str
    manufacturer_name: str
    test_date: str
    meter_class: str
    installation_date: str
    initial_provision_date: str
    communication_indicator: str
    instrument_rated: str
    current_transformers_ratio: str | None = None
    potential_transformers_ratio: str | None = None
    esi_firmware_version: str
    han_protocol: str | None = None
    smart_energy_profile: str
    interval_setting: str
    reverse_flow_handling: str
    dg_channel: str | None = None
    disconnect: str
    meter_status: str | None = None
    meter_phases: str | None = None
    meter_model: str | None = None

    @property
    def meter_number(self) -> str:
        """The number an agreement names the meter by: its serial number."""
        return self.meter_serial_number

    def list_elements(self) -> tuple[tuple[str, str], ...]:
        """(element, text) of every element present, in schema order."""
        return _list_present(self)


@dataclass(frozen=True, slots=True, kw_only=True)
class PremiseAttributes:
    """PremiseData, one field per element in schema order; None leaves an optional element
    out. ``ELEMENTS`` pairs each field with its element name, in schema order."""

    ELEMENTS: ClassVar[tuple[tuple[str, str], ...]]

    utility_company_id: str | None
    esiid: str
    service_voltage: str
    premise_status: str
    time_zone: str
    fractional_house_address: str | None = None
    leading_directional: str | None = None
    street_name: str
    street_type: str | None = None
    trailing_directional: str | None = None
    house_number: str | None = None
    unit_designation: str | None = None
    locality: str
    state: str
    zipcode: str
    zipcode_plus4: str
    meter_read_cycle: str
    load_profile: str
    rate_class_code: str | None = None
    ams_profile_effective_date: str | None = None

    def list_elements(self) -> tuple[tuple[str, str], ...]:
        """(element, text) of every element present, in schema order."""
        return _list_present(self)


MeterAttributes.ELEMENTS = _name_elements(MeterAttributes)
PremiseAttributes.ELEMENTS = _name_elements(PremiseAttributes)


@dataclass(frozen=True, slots=True, kw_only=True)
class IntervalDay:
    """One RD row: one day of one ESIID and reading type (C consumption, G surplus
    generation). ``slots`` holds exactly 100 slot texts, "" for an empty slot."""

    esiid: str
    day: date
    reading_type: str
    revision: datetime
    slots: tuple[str, ...]

    def __post_init__(self) -> None:
        if len(self.slots) != SLOT_COUNT:
            raise ValueError(f"{self.esiid} {self.day}: {len(self.slots)} slots, not 100")
        if self.reading_type not in ("C", "G"):
            raise ValueError(f"{self.esiid} {self.day}: reading type {self.reading_type!r}")
        for text in self.slots:
            parse_slot(text)  # a malformed pinned slot fails here, not on the wire

    @property
    def rd(self) -> str:
        return ",".join(self.slots)

    @property
    def dt_text(self) -> str:
        return format_date(self.day)

    @property
    def revision_text(self) -> str:
        return format_revision(self.revision)


@dataclass(frozen=True, slots=True, kw_only=True)
class RegisterRead:
    """One daily register read: the cumulative kWh register at the start and at the end of
    ``read_date``, and the day's consumption."""

    esiid: str
    read_date: date
    revision: datetime
    start_reading: Decimal
    end_reading: Decimal
    kwh: Decimal

    def __post_init__(self) -> None:
        if self.end_reading - self.start_reading != self.kwh:
            raise ValueError(f"{self.esiid} {self.read_date}: kwh {self.kwh} is not end - start")

    @property
    def read_date_text(self) -> str:
        return format_date(self.read_date)

    @property
    def revision_text(self) -> str:
        return format_revision(self.revision)


@dataclass(frozen=True, slots=True, kw_only=True)
class BillingPeriod:
    """One monthly billing read. Its consumption is that of the days from ``start`` up to,
    not including, ``end``: the next period starts on ``end``."""

    esiid: str
    start: date
    end: date
    revision: datetime
    actual_kwh: int
    metered_kw: Decimal | int = 0  # the demand fields are 0 for residential premises
    billed_kw: Decimal | int = 0
    metered_kva: Decimal | int = 0
    billed_kva: Decimal | int = 0

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise ValueError(f"{self.esiid}: billing period {self.start}..{self.end} is empty")

    @property
    def start_text(self) -> str:
        return format_date(self.start)

    @property
    def end_text(self) -> str:
        return format_date(self.end)

    @property
    def revision_text(self) -> str:
        return format_revision(self.revision)
