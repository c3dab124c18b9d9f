"""Reading SMT's response payloads: typed access to their unqualified children, and the
parsers of the synchronous EnergyData, MeterInformation and PremiseInformation payloads.

Every reader raises ``MalformedResponseError`` when a value cannot be what the contract
says (a missing element, a date that is not one, an amount that is not a number).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from lxml import etree

from adapter.errors import MalformedResponseError
from adapter.records import (
    BillingPeriod,
    DailyReads,
    IntervalData,
    IntervalDay,
    MeterAttributes,
    MonthlyBilling,
    PremiseAttributes,
    RegisterRead,
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


class PayloadReader:
    """One payload element (or an item of one) of the answer to ``operation``."""

    def __init__(self, operation: str, element: etree._Element) -> None:
        self.operation = operation
        self.element = element
        self.name = local(tag_of(element))

    def _bad(self, name: str, problem: str) -> MalformedResponseError:
        return MalformedResponseError(
            f"{self.operation}: <{self.name}>/<{name}> {problem}", operation=self.operation
        )

    def optional(self, name: str) -> str | None:
        """The stripped text of child ``name``; None when absent or empty."""
        text = self.element.findtext(name)
        return text.strip() or None if text is not None else None

    def text(self, name: str) -> str:
        value = self.optional(name)
        if value is None:
            raise self._bad(name, "is missing or empty")
        return value

    def items(self, path: str) -> list[PayloadReader]:
        return [PayloadReader(self.operation, e) for e in self.element.iterfind(path)]

    def integer(self, name: str) -> int:
        value = self.text(name)
        try:
            return int(value)
        except ValueError:
            raise self._bad(name, f"{value!r} is not an integer") from None

    def decimal(self, name: str) -> Decimal:
        value = self.text(name)
        try:
            number = Decimal(value)
        except InvalidOperation:
            raise self._bad(name, f"{value!r} is not a number") from None
        if not number.is_finite():
            raise self._bad(name, f"{value!r} is not a number")
        return number

    def optional_date(self, name: str) -> date | None:
        value = self.optional(name)
        if value is None:
            return None
        # SMT writes MM/DD/YYYY, sometimes followed by a time; ISO in a few list answers
        for fmt, size in (("%m/%d/%Y", 10), ("%Y-%m-%d", 10)):
            try:
                return datetime.strptime(value[:size], fmt).date()
            except ValueError:
                continue
        raise self._bad(name, f"{value!r} is not a date (MM/DD/YYYY)")

    def required_date(self, name: str) -> date:
        value = self.optional_date(name)
        if value is None:
            raise self._bad(name, "is missing or empty")
        return value

    def optional_timestamp(self, name: str) -> datetime | None:
        value = self.optional(name)
        if value is None:
            return None
        try:
            return datetime.strptime(value, "%m/%d/%Y %H:%M:%S")
        except ValueError:
            pass
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            raise self._bad(name, f"{value!r} is not a timestamp") from None

    def required_timestamp(self, name: str) -> datetime:
        value = self.optional_timestamp(name)
        if value is None:
            raise self._bad(name, "is missing or empty")
        return value


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
            RegisterRead(
                read_date=row.required_date("readDate"),
                revision=row.optional("revisionDate"),
                start_reading=row.decimal("startReading"),
                end_reading=row.decimal("endReading"),
                kwh=row.decimal("energyDataKwh"),
            )
            for row in payload.items("registeredReadList/registeredRead")
        ),
    )


def parse_monthly_billing(payload: PayloadReader) -> MonthlyBilling:
    """A ``MonthlyBillingDataSyncResponse``."""
    return MonthlyBilling(
        trans_id=payload.text("trans_id"),
        esiid=payload.text("esiid"),
        periods=tuple(
            BillingPeriod(
                start_date=row.required_date("startDate"),
                end_date=row.required_date("endDate"),
                revision=row.optional("revisionDate"),
                actual_kwh=row.decimal("actualkWh"),
                metered_kw=row.decimal("meteredKW"),
                billed_kw=row.decimal("billedKW"),
                metered_kva=row.decimal("meteredKVA"),
                billed_kva=row.decimal("billedKVA"),
            )
            for row in payload.items("billingDataList/billingData")
        ),
    )


def parse_meter_attributes(payload: PayloadReader) -> MeterAttributes:
    """A ``MeterInformationResponse`` and its ``MeterData``."""
    data = _only(payload, "MeterData")
    return MeterAttributes(
        trans_id=payload.text("trans_id"),
        esiid=payload.text("esiid"),
        utility_company_id=data.optional("utilityCompanyId"),
        meter_serial_number=data.text("meterSerialNumber"),
        utility_meter_id=data.text("utilityMeterId"),
        kwh_meter_multiplier=data.decimal("KWHMeterMultiplier"),
        configured_channels=data.text("configuredChannels"),
        manufacturer_name=data.text("manufacturerName"),
        test_date=data.optional_date("testDate"),
        meter_class=data.text("meterClass"),
        installation_date=data.optional_date("installationDate"),
        initial_provision_date=data.optional_date("initialProvisionDate"),
        communication_indicator=data.text("communicationIndicator"),
        instrument_rated=data.text("instrumentRated"),
        current_transformers_ratio=data.optional("currentTransformersRatio"),
        potential_transformers_ratio=data.optional("potentialTransformersRatio"),
        esi_firmware_version=data.text("esiFirmwareVersion"),
        han_protocol=data.optional("HANProtocol"),
        smart_energy_profile=data.text("smartEnergyProfile"),
        interval_setting=data.text("intervalSetting"),
        reverse_flow_handling=data.text("reverseFlowHandling"),
        dg_channel=data.optional("DGChannel"),
        disconnect=data.text("disconnect"),
        meter_status=data.optional("meterStatus"),
        meter_phases=data.optional("meterPhases"),
        meter_model=data.optional("meterModel"),
    )


def parse_premise_attributes(payload: PayloadReader) -> PremiseAttributes:
    """A ``PremiseInformationResponse`` and its ``PremiseData``."""
    data = _only(payload, "PremiseData")
    return PremiseAttributes(
        trans_id=payload.text("trans_id"),
        esiid=payload.text("esiid"),
        utility_company_id=data.optional("utilityCompanyId"),
        service_voltage=data.text("serviceVoltage"),
        premise_status=data.text("premiseStatus"),
        time_zone=data.text("timeZone"),
        fractional_house_address=data.optional("fractionalHouseAddress"),
        leading_directional=data.optional("leadingDirectional"),
        street_name=data.text("streetName"),
        street_type=data.optional("streetType"),
        trailing_directional=data.optional("trailingDirectional"),
        house_number=data.optional("houseNumber"),
        unit_designation=data.optional("unitDesignation"),
        locality=data.text("locality"),
        state=data.text("state"),
        zipcode=data.text("zipcode"),
        zipcode_plus4=data.text("zipcodePlus4"),
        meter_read_cycle=data.text("meterReadCycle"),
        load_profile=data.text("loadProfile"),
        rate_class_code=data.optional("rateClassCode"),
        ams_profile_effective_date=data.optional_date("AMSPROFILEEffectiveDate"),
    )


def _only(payload: PayloadReader, name: str) -> PayloadReader:
    found = payload.items(name)
    if len(found) != 1:
        raise MalformedResponseError(
            f"{payload.operation}: <{payload.name}> holds {len(found)} <{name}>, not one",
            operation=payload.operation,
        )
    return found[0]
