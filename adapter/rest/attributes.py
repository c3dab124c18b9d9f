"""Meter and premise attributes from their JSON answers (``MeterData``, ``PremiseData``),
into the records the SOAP side returns. Readers raise ``MalformedResponseError`` when a
value cannot be read. Pure: no transport.
"""

from __future__ import annotations

from adapter.records import MeterAttributes, PremiseAttributes
from adapter.rest.fields import JsonReader

__all__ = ["parse_meter_attributes", "parse_premise_attributes"]


def parse_meter_attributes(answer: JsonReader, data: JsonReader) -> MeterAttributes:
    """One ``MeterData`` item of a ``MeterSearchResponse``."""
    return MeterAttributes(
        trans_id=answer.text("trans_id"),
        esiid=data.text("ESIID"),
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


def parse_premise_attributes(answer: JsonReader, data: JsonReader) -> PremiseAttributes:
    """One ``PremiseData`` item of a ``PremiseSearchResponse``."""
    return PremiseAttributes(
        trans_id=answer.text("trans_id"),
        esiid=data.text("ESIID"),
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
