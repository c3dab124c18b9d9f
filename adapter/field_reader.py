"""Typed reading of SMT's answer fields, the same for a SOAP payload element and a JSON
object: ``FieldReader`` turns text into dates, numbers and timestamps, raising
``MalformedResponseError`` (from the subclass's ``bad``) naming the operation and the field
when a value cannot be what the contract says. Pure: no transport.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from adapter.errors import MalformedResponseError
from adapter.records import (
    Agreement,
    AgreementEsiid,
    BillingPeriod,
    MeterAttributes,
    PremiseAttributes,
    RegisterRead,
)

__all__ = [
    "FieldReader",
    "build_agreement",
    "build_agreement_esiid",
    "build_billing_period",
    "build_meter_attributes",
    "build_premise_attributes",
    "build_register_read",
]


class FieldReader(ABC):
    """Typed access to the fields of one answer item; subclasses say where text comes from
    (``optional``) and how a bad field is reported (``bad``)."""

    operation: str

    @abstractmethod
    def optional(self, name: str) -> str | None:
        """The stripped text of field ``name``; None when absent or empty."""

    @abstractmethod
    def bad(self, name: str, problem: str) -> MalformedResponseError:
        """The error for field ``name`` that has ``problem``."""

    def text(self, name: str) -> str:
        value = self.optional(name)
        if value is None:
            raise self.bad(name, "is missing or empty")
        return value

    def integer(self, name: str) -> int:
        value = self.text(name)
        try:
            return int(value)
        except ValueError:
            raise self.bad(name, f"{value!r} is not an integer") from None

    def decimal(self, name: str) -> Decimal:
        value = self.text(name)
        try:
            number = Decimal(value)
        except InvalidOperation:
            raise self.bad(name, f"{value!r} is not a number") from None
        if not number.is_finite():
            raise self.bad(name, f"{value!r} is not a number")
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
        raise self.bad(name, f"{value!r} is not a date (MM/DD/YYYY)")

    def required_date(self, name: str) -> date:
        value = self.optional_date(name)
        if value is None:
            raise self.bad(name, "is missing or empty")
        return value

    def optional_timestamp(self, name: str) -> datetime | None:
        """``MM/DD/YYYY HH:MM:SS`` or ISO (``2019-08-05 03:09:08``), no zone; None if
        absent."""
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
            raise self.bad(name, f"{value!r} is not a timestamp") from None

    def required_timestamp(self, name: str) -> datetime:
        value = self.optional_timestamp(name)
        if value is None:
            raise self.bad(name, "is missing or empty")
        return value


# The items below carry the same field names in SOAP and REST: one mapping serves both.


def build_register_read(row: FieldReader) -> RegisterRead:
    """A ``registeredRead`` item."""
    return RegisterRead(
        read_date=row.required_date("readDate"),
        revision=row.optional("revisionDate"),
        start_reading=row.decimal("startReading"),
        end_reading=row.decimal("endReading"),
        kwh=row.decimal("energyDataKwh"),
    )


def build_billing_period(row: FieldReader, *, kwh_field: str = "actualkWh") -> BillingPeriod:
    """A ``billingData`` item; ``kwh_field`` names its kWh (REST sends ``actualeWh``)."""
    return BillingPeriod(
        start_date=row.required_date("startDate"),
        end_date=row.required_date("endDate"),
        revision=row.optional("revisionDate"),
        actual_kwh=row.decimal(kwh_field),
        metered_kw=row.decimal("meteredKW"),
        billed_kw=row.decimal("billedKW"),
        metered_kva=row.decimal("meteredKVA"),
        billed_kva=row.decimal("billedKVA"),
    )


def build_agreement(item: FieldReader) -> Agreement:
    """An item of the agreement list (myAgreements)."""
    return Agreement(
        agreement_number=item.integer("agreementNumber"),
        start_date=item.required_date("startDate"),
        end_date=item.required_date("endDate"),
        csp_name=item.text("CSPName"),
        requester_authentication_id=item.text("requesterAuthenticationID"),
        retail_customer_email=item.text("retailCustomerEmail"),
        status=item.text("status"),
    )


def build_agreement_esiid(item: FieldReader) -> AgreementEsiid:
    """An item of an agreement's ESIID list (agreementESIIDs)."""
    return AgreementEsiid(
        esiid=item.text("ESIID"),
        meter_number=item.text("meterNumber"),
        puct_ror_number=item.integer("PUCTRORNumber"),
        status=item.text("status"),
        start_date=item.required_date("startDate"),
        end_date=item.required_date("endDate"),
    )


def build_meter_attributes(trans_id: str, esiid: str, data: FieldReader) -> MeterAttributes:
    """The ``MeterData`` fields (the same names in SOAP and REST) as a record."""
    return MeterAttributes(
        trans_id=trans_id,
        esiid=esiid,
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


def build_premise_attributes(trans_id: str, esiid: str, data: FieldReader) -> PremiseAttributes:
    """The ``PremiseData`` fields (the same names in SOAP and REST) as a record."""
    return PremiseAttributes(
        trans_id=trans_id,
        esiid=esiid,
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
