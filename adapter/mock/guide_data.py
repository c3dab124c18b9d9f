"""The interface guide's own ESIIDs, pinned to the values its examples print, so that the
guide's example requests get the guide's answers from the mock (SMT 2.0 Interface Guide,
sections 3.1.1.x and 3.2.1.x; the generated fixtures under fixtures/soap carry the same
values). Everything not printed in the guide is synthesized around these values.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from adapter.mock.dataset import PinnedPoint
from adapter.mock.records import (
    BillingPeriod,
    IntervalDay,
    MeterAttributes,
    PremiseAttributes,
    RegisterRead,
)

__all__ = ["guide_points"]

# The RD of the 15-minute interval example (3.2.1.1) exactly as printed: 99 slots, because
# the guide lost one of the four empty slots 8-11 of a normal day.
_GUIDE_RD = (
    ".2-A,.24-A,.221-A,.232-A,.21-A,.163-A,.192-A,.202-A,,,,.185-A,.21-A,.188-A,.174-A,"
    ".2-A,.214-A,.199-A,.19-A,.187-A,.18-A,.203-A,.192-A,.164-A,.196-A,.196-A,.196-A,"
    ".212-A,.16-A,1.177-A,1.225-A,1.246-A,.325-A,.211-A,.191-A,.253-A,.24-A,.197-A,"
    ".22-A,.222-A,.211-A,.234-A,.208-A,.18-A,.203-A,.221-A,.229-A,.236-A,.254-A,.217-A,"
    ".275-A,.233-A,.239-A,.253-A,.271-A,.26-A,.286-A,.282-A,.168-A,.218-A,.209-A,"
    ".762-A,.586-A,.222-A,.211-A,.708-A,.275-A,.474-A,.851-A,.475-A,.23-A,1.769-A,"
    "1.566-A,1.492-A,.658-A,.92-A,.821-A,.763-A,.637-A,.668-A,.275-A,.666-A,.731-A,"
    ".307-A,1.17-A,.662-A,.246-A,.232-A,.56-A,.794-A,.353-A,.259-A,.193-A,.2-A,.199-A,"
    ".223-A,.65-A,.714-A,.329-A"
)

_ONCOR = "10443720008107413"  # the ESIID of the interval, meter and premise examples
_CENTERPOINT = "1008901005102632580100"  # daily register and monthly billing examples
_AEP_NORTH = "10204049799602671"  # the meter of agreement 118518 (3.2.1.5)
_BOBBY = "10443720002506579001"  # bobby@123's subscriptions (3.2.1.4)
_NOT_VISIBLE = "10443720007526004"  # "ESIID NOT VISIBLE TO THIS USER" (3.1.1.5, 3.1.1.6)


def _repair_rd(printed: str) -> tuple[str, ...]:
    slots = printed.split(",")
    slots.insert(8, "")  # back to four empty slots 8-11: 100 slots, 96 values
    return tuple(slots)


def _oncor_point() -> PinnedPoint:
    meter = MeterAttributes(
        utility_company_id="ONCOR",
        esiid=_ONCOR,
        meter_serial_number="148239922",
        utility_meter_id="148239922",
        kwh_meter_multiplier="1",
        configured_channels="2",
        manufacturer_name="Landis+Gyr",
        test_date="03/15/2016",
        meter_class="200",
        installation_date="04/02/2016",
        initial_provision_date="04/05/2016",
        communication_indicator="AMS",
        instrument_rated="N",
        esi_firmware_version="4.12",
        han_protocol="ZigBee SEP 1.1",
        smart_energy_profile="1.1",
        interval_setting="15",
        reverse_flow_handling="N",
        disconnect="Y",
        meter_status="E",
        meter_phases="1",
        meter_model="FOCUS AXR-SD",
    )
    premise = PremiseAttributes(
        utility_company_id="ONCOR",
        esiid=_ONCOR,
        service_voltage="120/240",
        premise_status="A",
        time_zone="CST",
        street_name="ELM",
        street_type="ST",
        house_number="2101",
        locality="DALLAS",
        state="TX",
        zipcode="75201",
        zipcode_plus4="4017",
        meter_read_cycle="05",
        load_profile="RESLOWR_NCENT_NIDR_NOTOU_NWS",
        rate_class_code="R1",
        ams_profile_effective_date="04/05/2016",
    )
    day = IntervalDay(
        esiid=_ONCOR,
        day=date(2019, 4, 20),
        reading_type="C",
        revision=datetime(2019, 4, 21, 9, 49, 58),
        slots=_repair_rd(_GUIDE_RD),
    )
    return PinnedPoint(
        esiid=_ONCOR,
        owner="CSPAPIUser1",
        tdu="ONCOR",
        meter=meter,
        premise=premise,
        interval_days=(day,),
    )


def _centerpoint_point() -> PinnedPoint:
    reads = tuple(
        RegisterRead(
            esiid=_CENTERPOINT,
            read_date=day,
            revision=revision,
            start_reading=Decimal(start),
            end_reading=Decimal(end),
            kwh=Decimal(kwh),
        )
        for day, revision, start, end, kwh in (
            (date(2019, 7, 6), datetime(2019, 7, 7, 4, 11, 2), "77302.861", "77357.514", "54.653"),
            (date(2019, 7, 7), datetime(2019, 7, 8, 4, 9, 46), "77357.514", "77412.583", "55.069"),
        )
    )
    periods = tuple(
        BillingPeriod(esiid=_CENTERPOINT, start=start, end=end, revision=revision, actual_kwh=kwh)
        for start, end, revision, kwh in (
            (date(2019, 4, 25), date(2019, 5, 24), datetime(2019, 5, 29, 1, 22, 52), 683),
            (date(2019, 5, 24), date(2019, 6, 25), datetime(2019, 6, 27, 1, 33, 5), 1048),
        )
    )
    return PinnedPoint(
        esiid=_CENTERPOINT,
        owner="CSPAPIUser1",
        tdu="CENTERPOINT",
        register_reads=reads,
        billing_periods=periods,
    )


def guide_points() -> dict[str, PinnedPoint]:
    """The guide's ESIIDs by ESIID. 10443720007526004 belongs to a service ID no default
    account has, so that the guide's requestor CSPAPIUser1 cannot see it."""
    points = (
        _oncor_point(),
        _centerpoint_point(),
        PinnedPoint(
            esiid=_AEP_NORTH, owner="CSPAPIUser1", tdu="AEP_NORTH", meter_number="148239922"
        ),
        PinnedPoint(esiid=_BOBBY, owner="bobby@123", tdu="ONCOR"),
        PinnedPoint(esiid=_NOT_VISIBLE, owner="OTHERREP1", tdu="ONCOR"),
    )
    return {point.esiid: point for point in points}
