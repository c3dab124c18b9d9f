"""Frozen records shared by the SOAP client, the REST client and the report parsers.

Each record is what SMT sent, typed: dates as ``date``, amounts as ``Decimal``, codes as
text exactly as SMT wrote them. They never hold zeep objects or raw dicts. Request records
check their fields against the XSDs (wire profile) on construction and raise
``ConfigurationError`` naming the field, the value and the rule.

Subscription and agreement records live in ``adapter.subscription_records`` and
``adapter.agreement_records`` (to keep modules small) and are re-exported here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from adapter.agreement_records import (
    Agreement,
    AgreementEsiid,
    AgreementEsiidsRequest,
    AgreementReceipt,
    AgreementRef,
    CustomerMeter,
    MyAgreementsRequest,
    NewAgreementRequest,
    TerminateAgreementRequest,
    Termination,
)
from adapter.errors import ConfigurationError
from adapter.record_rules import (
    DELIVERY_MODES,
    ENERGY_REPORT_FORMATS,
    FLAGS,
    METER_REPORT_FORMATS,
    PREMISE_REPORT_FORMATS,
    PREMISE_REQUESTER_TYPES,
    READING_TYPES,
    REQUESTER_TYPES,
    VERSIONS,
    check_choice,
    check_date_order,
    check_esiid,
    check_esiids,
    check_items,
    check_requester,
    check_text,
    new_trans_id,
)
from adapter.subscription_records import (
    Confirmation,
    NewSubscriptionRequest,
    Subscription,
    SubscriptionListRequest,
    SubscriptionReceipt,
    UnsubscriptionRequest,
)

__all__ = [
    "Acknowledgement",
    "Agreement",
    "AgreementEsiid",
    "AgreementEsiidsRequest",
    "AgreementReceipt",
    "AgreementRef",
    "BillingPeriod",
    "Confirmation",
    "CustomerMeter",
    "DailyReads",
    "EnergyDataRequest",
    "EsiidMeter",
    "FaultEsiid",
    "IntervalData",
    "IntervalDay",
    "MeterAttributes",
    "MeterInformationRequest",
    "MonthlyBilling",
    "MyAgreementsRequest",
    "NewAgreementRequest",
    "NewSubscriptionRequest",
    "PremiseAttributes",
    "PremiseInformationRequest",
    "RegisterRead",
    "Subscription",
    "SubscriptionListRequest",
    "SubscriptionReceipt",
    "TerminateAgreementRequest",
    "Termination",
    "Token",
    "TokenRequest",
    "UnsubscriptionRequest",
]


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


@dataclass(frozen=True, slots=True, kw_only=True)
class FaultEsiid:
    """An ESIID SMT refused in a request, and why (``reason`` as SMT wrote it)."""

    esiid: str
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Acknowledgement:
    """SMT accepted an asynchronous request (one with a deliveryMode): the report will come
    later by FTP/SFTP or e-mail, under ``correlation_id``. ``status_code`` is SMT's text
    (``0000``), None when SMT left it out."""

    trans_id: str
    correlation_id: str
    status_code: str | None
    status_reason: str | None
    fault_esiids: tuple[FaultEsiid, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class EnergyDataRequest:
    """A request for interval data, daily register reads or monthly billing reads (the
    three EnergyData operations share it). Without ``delivery_mode`` SMT answers at once;
    with one it acknowledges and delivers a report. Raises ``ConfigurationError`` on
    construction when a field breaks the XSD (ESIIDs, dates in order, enumerations)."""

    requestor_id: str
    requester_type: str
    start_date: date
    end_date: date
    esiids: tuple[str, ...]
    version: str = "L"
    reading_type: str | None = None
    delivery_mode: str | None = None
    report_format: str | None = None
    requester_authentication_id: str | None = None
    terms_and_conditions: str = "Y"
    trans_id: str = field(default_factory=new_trans_id)

    def __post_init__(self) -> None:
        check_requester(
            requestor_id=self.requestor_id,
            requestor_max=32,
            authentication_id=self.requester_authentication_id,
            trans_id=self.trans_id,
        )
        check_choice("requester_type", self.requester_type, REQUESTER_TYPES)
        check_date_order(self.start_date, self.end_date)
        check_esiids("esiids", self.esiids, required=True)
        check_choice("version", self.version, VERSIONS)
        if self.reading_type is not None:
            check_choice("reading_type", self.reading_type, READING_TYPES)
        if self.delivery_mode is not None:
            check_choice("delivery_mode", self.delivery_mode, DELIVERY_MODES)
        if self.report_format is not None:
            check_choice("report_format", self.report_format, ENERGY_REPORT_FORMATS)
        check_choice("terms_and_conditions", self.terms_and_conditions, FLAGS)


@dataclass(frozen=True, slots=True, kw_only=True)
class IntervalData:
    """The synchronous interval answer for one ESIID: one ``IntervalDay`` per day."""

    trans_id: str
    esiid: str
    days: tuple[IntervalDay, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class RegisterRead:
    """One day's register reads (kWh). ``revision`` is SMT's revision timestamp text."""

    read_date: date
    revision: str | None
    start_reading: Decimal
    end_reading: Decimal
    kwh: Decimal


@dataclass(frozen=True, slots=True, kw_only=True)
class DailyReads:
    """The synchronous daily-register-reads answer for one ESIID."""

    trans_id: str
    esiid: str
    reads: tuple[RegisterRead, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class BillingPeriod:
    """One monthly billing period as SMT reports it (kWh, kW and kVA)."""

    start_date: date
    end_date: date
    revision: str | None
    actual_kwh: Decimal
    metered_kw: Decimal
    billed_kw: Decimal
    metered_kva: Decimal
    billed_kva: Decimal


@dataclass(frozen=True, slots=True, kw_only=True)
class MonthlyBilling:
    """The synchronous monthly-billing answer for one ESIID."""

    trans_id: str
    esiid: str
    periods: tuple[BillingPeriod, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class EsiidMeter:
    """One item of a meter-attributes request: an ESIID, optionally one meter of it.
    Raises ``ConfigurationError`` on construction when either breaks the XSD."""

    esiid: str
    meter_number: str | None = None

    def __post_init__(self) -> None:
        check_esiid("esiid", self.esiid)
        if self.meter_number is not None:
            check_text("meter_number", self.meter_number, max_length=30)


@dataclass(frozen=True, slots=True, kw_only=True)
class MeterInformationRequest:
    """A request for meter attributes (``prosessMeterInformation``). No ``meters`` asks
    for every meter of the requestor's DUNS. Raises ``ConfigurationError`` on construction
    when a field breaks the XSD."""

    requestor_id: str
    requester_type: str
    meters: tuple[EsiidMeter, ...] = ()
    version: str = "L"
    delivery_mode: str | None = None
    report_format: str | None = None
    requester_authentication_id: str | None = None
    terms_and_conditions: str | None = "Y"
    trans_id: str = field(default_factory=new_trans_id)

    def __post_init__(self) -> None:
        check_requester(
            requestor_id=self.requestor_id,
            requestor_max=100,
            authentication_id=self.requester_authentication_id,
            trans_id=self.trans_id,
        )
        check_choice("requester_type", self.requester_type, REQUESTER_TYPES)
        check_items("meters", self.meters, required=False)
        for index, meter in enumerate(self.meters):
            if not isinstance(meter, EsiidMeter):
                raise ConfigurationError(
                    f"meters[{index}] {meter!r} is not allowed: must be an EsiidMeter",
                    field=f"meters[{index}]",
                    value=str(meter),
                )
        check_choice("version", self.version, VERSIONS)
        if self.delivery_mode is not None:
            check_choice("delivery_mode", self.delivery_mode, DELIVERY_MODES)
        if self.report_format is not None:
            check_choice("report_format", self.report_format, METER_REPORT_FORMATS)
        if self.terms_and_conditions is not None:
            check_choice("terms_and_conditions", self.terms_and_conditions, FLAGS)


@dataclass(frozen=True, slots=True, kw_only=True)
class MeterAttributes:
    """One meter's attributes (``MeterData``), codes as SMT sent them."""

    trans_id: str
    esiid: str
    utility_company_id: str | None
    meter_serial_number: str
    utility_meter_id: str
    kwh_meter_multiplier: Decimal
    configured_channels: str
    manufacturer_name: str
    test_date: date | None
    meter_class: str
    installation_date: date | None
    initial_provision_date: date | None
    communication_indicator: str
    instrument_rated: str
    current_transformers_ratio: str | None
    potential_transformers_ratio: str | None
    esi_firmware_version: str
    han_protocol: str | None
    smart_energy_profile: str
    interval_setting: str
    reverse_flow_handling: str
    dg_channel: str | None
    disconnect: str
    meter_status: str | None
    meter_phases: str | None
    meter_model: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class PremiseInformationRequest:
    """A request for premise attributes (``processPremiseInformation``). No ``esiids``
    asks for every premise of the requestor's DUNS. Raises ``ConfigurationError`` on
    construction when a field breaks the XSD."""

    requestor_id: str
    requester_type: str
    esiids: tuple[str, ...] = ()
    version: str = "L"
    delivery_mode: str | None = None
    report_format: str | None = None
    requester_authentication_id: str | None = None
    terms_and_conditions: str = "Y"
    trans_id: str = field(default_factory=new_trans_id)

    def __post_init__(self) -> None:
        check_requester(
            requestor_id=self.requestor_id,
            requestor_max=100,
            authentication_id=self.requester_authentication_id,
            authentication_max=16,
            trans_id=self.trans_id,
        )
        check_choice("requester_type", self.requester_type, PREMISE_REQUESTER_TYPES)
        check_esiids("esiids", self.esiids, required=False)
        check_choice("version", self.version, VERSIONS)
        if self.delivery_mode is not None:
            check_choice("delivery_mode", self.delivery_mode, DELIVERY_MODES)
        if self.report_format is not None:
            check_choice("report_format", self.report_format, PREMISE_REPORT_FORMATS)
        check_choice("terms_and_conditions", self.terms_and_conditions, FLAGS)


@dataclass(frozen=True, slots=True, kw_only=True)
class PremiseAttributes:
    """One premise's attributes (``PremiseData``), codes as SMT sent them."""

    trans_id: str
    esiid: str
    utility_company_id: str | None
    service_voltage: str
    premise_status: str
    time_zone: str
    fractional_house_address: str | None
    leading_directional: str | None
    street_name: str
    street_type: str | None
    trailing_directional: str | None
    house_number: str | None
    unit_designation: str | None
    locality: str
    state: str
    zipcode: str
    zipcode_plus4: str
    meter_read_cycle: str
    load_profile: str
    rate_class_code: str | None
    ams_profile_effective_date: date | None


@dataclass(frozen=True, slots=True, kw_only=True)
class TokenRequest:
    """A request to SMT's SOAP token service (2025). The password never shows in a repr
    or an error. Raises ``ConfigurationError`` on construction when either is empty or
    the username is longer than 100 characters."""

    username: str
    password: str = field(repr=False)

    def __post_init__(self) -> None:
        check_text("username", self.username, max_length=100)
        check_text("password", self.password, max_length=1_000_000, secret=True)


@dataclass(frozen=True, slots=True, kw_only=True)
class Token:
    """A bearer token from SMT's token service. ``issued_at`` and ``expires_at`` are as
    SMT wrote them (``MM/DD/YYYY HH:MM:SS``, SMT's local time), parsed without a zone."""

    access_token: str = field(repr=False)
    token_type: str
    expires_in: int
    issued_at: datetime
    expires_at: datetime
