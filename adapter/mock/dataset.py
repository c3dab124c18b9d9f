"""The mock's deterministic synthetic data set: which ESIIDs exist, who may see them, their
meter and premise attributes, and (through ``adapter.mock.intervals``) their readings.

Everything is a pure function of the seed, the account specs and the pinned points: the
same inputs give the same ESIIDs, attributes and readings in every run and whatever range
is asked for. Pinned points carry exact values from the interface guide's examples.
"""

from __future__ import annotations

import hashlib
import itertools
import random
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from adapter.mock.intervals import ReadingHistory, find_read_cycle
from adapter.mock.records import (
    BillingPeriod,
    IntervalDay,
    MeterAttributes,
    PremiseAttributes,
    RegisterRead,
    format_date,
)
from adapter.tdu import TDUS, find_tdu

__all__ = [
    "MAX_INTERVAL_DAYS",
    "TDUS",
    "AccountSpec",
    "BillingPeriod",
    "DataSet",
    "IntervalDay",
    "MeterAttributes",
    "PinnedPoint",
    "PremiseAttributes",
    "RegisterRead",
    "ServicePoint",
    "find_tdu",
]

MAX_INTERVAL_DAYS = 400  # the mock's cap on one interval request
_ESIID = re.compile(r"[0-9]{17,64}")  # MeterData/PremiseData ESIID: at least 17 characters


def is_esiid(text: str) -> bool:
    """Whether ``text`` has the shape of an ESIID: 17 to 64 digits."""
    return _ESIID.fullmatch(text) is not None


def _check_esiid(esiid: str, where: str) -> None:
    if not is_esiid(esiid):
        raise ValueError(f"{where}: ESIID {esiid!r} must be 17 to 64 digits")


@dataclass(frozen=True, slots=True, kw_only=True)
class AccountSpec:
    """What the mock's configuration says about one SMT service ID."""

    service_id: str
    requester_type: str  # REP, CSP, RES, TDSP, ...
    duns: str
    esiid_count: int = 4  # synthetic ESIIDs to generate
    generation_every: int = 3  # every Nth generated ESIID has rooftop solar; 0 for none
    esiids: tuple[str, ...] = ()  # explicit ESIIDs this service ID sees as well

    def __post_init__(self) -> None:
        if self.esiid_count < 0 or self.generation_every < 0:
            raise ValueError(f"account {self.service_id}: counts must not be negative")
        for esiid in self.esiids:
            _check_esiid(esiid, f"account {self.service_id}")


@dataclass(frozen=True, slots=True, kw_only=True)
class ServicePoint:
    """One ESIID: its TDU, the service ID that may see it, and its attributes."""

    esiid: str
    tdu: str
    owner: str
    generation: bool  # rooftop generation: G interval rows besides C
    meter: MeterAttributes
    premise: PremiseAttributes


@dataclass(frozen=True, slots=True, kw_only=True)
class PinnedPoint:
    """A service point with exact values (the guide's examples). Attributes left None are
    synthesized (``meter_number`` then sets the meter serial number and utility meter ID);
    readings outside the pinned records are synthesized consistently around them."""

    esiid: str
    owner: str
    tdu: str
    generation: bool = False
    meter: MeterAttributes | None = None
    premise: PremiseAttributes | None = None
    meter_number: str | None = None
    interval_days: tuple[IntervalDay, ...] = ()
    register_reads: tuple[RegisterRead, ...] = ()
    billing_periods: tuple[BillingPeriod, ...] = ()

    def __post_init__(self) -> None:
        _check_esiid(self.esiid, "pinned point")
        if self.tdu not in TDUS:
            raise ValueError(f"pinned {self.esiid}: TDU {self.tdu!r} is not one of {list(TDUS)}")
        records: tuple[IntervalDay | RegisterRead | BillingPeriod, ...] = (
            *self.interval_days,
            *self.register_reads,
            *self.billing_periods,
        )
        if any(record.esiid != self.esiid for record in records):
            raise ValueError(f"pinned {self.esiid}: a pinned record names another ESIID")


@dataclass(frozen=True, slots=True)
class _Territory:
    company: str  # utilityCompanyId
    rate_class: str
    meters: tuple[tuple[str, str, int], ...]  # (manufacturer, model, serial number digits)
    places: tuple[tuple[str, str, str], ...]  # (locality, ERCOT weather zone, zip codes)


_LG, _ITRON, _ELSTER = "Landis+Gyr", "Itron", "Honeywell (Elster)"
_TERRITORIES = {
    "ONCOR": _Territory("ONCOR", "R1", ((_LG, "FOCUS AXR-SD", 9), (_LG, "FOCUS AX-SD", 9)), (
        ("DALLAS", "NCENT", "75204 75214 75228 75243"), ("FORT WORTH", "NCENT", "76109 76116"),
        ("ARLINGTON", "NCENT", "76013 76017"), ("PLANO", "NCENT", "75023 75075"),
        ("IRVING", "NCENT", "75038 75062"), ("GARLAND", "NCENT", "75040 75043"),
    )),
    "CENTERPOINT": _Territory("CENTERPOINT", "RS", ((_ITRON, "CENTRON OW", 8),), (
        ("HOUSTON", "COAST", "77005 77019 77024 77055 77079 77096"),
        ("PASADENA", "COAST", "77502 77504"), ("KATY", "COAST", "77449 77494"),
        ("SUGAR LAND", "COAST", "77478 77479"), ("BAYTOWN", "COAST", "77520 77521"),
    )),
    "AEP_CENTRAL": _Territory("AEP TEXAS CENTRAL", "R", (
        (_ITRON, "CENTRON OW", 8), (_LG, "FOCUS AXR-SD", 9)), (
        ("CORPUS CHRISTI", "SOUTH", "78404 78411 78412 78413 78414 78418"),
        ("VICTORIA", "SOUTH", "77901 77904"), ("MCALLEN", "SOUTH", "78501 78504"),
        ("HARLINGEN", "SOUTH", "78550 78552"), ("LAREDO", "SOUTH", "78041 78045"),
    )),
    "AEP_NORTH": _Territory("AEP TEXAS NORTH", "R", (
        (_LG, "FOCUS AX-SD", 9), (_ELSTER, "REX2", 10)), (
        ("ABILENE", "WEST", "79601 79602 79603 79605 79606"),
        ("SAN ANGELO", "WEST", "76901 76903 76904"), ("VERNON", "NORTH", "76384"),
    )),
    "TNMP": _Territory("TNMP", "R", (("Aclara", "I-210+c", 10), (_ELSTER, "REX2", 10)), (
        ("LEWISVILLE", "NCENT", "75057 75067 75077"), ("LEAGUE CITY", "COAST", "77573"),
        ("FRIENDSWOOD", "COAST", "77546"), ("TEXAS CITY", "COAST", "77590 77591"),
        ("DICKINSON", "COAST", "77539"),
    )),
}  # fmt: skip
_STREETS = ("ELM", "OAK", "MAIN", "PECAN", "CEDAR", "MAGNOLIA", "BLUEBONNET", "LIVE OAK",
            "MESQUITE", "WILLOW", "SAN JACINTO", "LAMAR", "TRAVIS", "HOLLY", "MOCKINGBIRD",
            "PRAIRIE VIEW", "RIVER BEND", "LONE STAR", "TIMBERLINE", "CYPRESS CREEK")  # fmt: skip
_STREET_TYPES = ("ST", "DR", "LN", "AVE", "BLVD", "CT", "RD", "TRL", "WAY", "PKWY", "CIR")


def _rng(seed: int, *key: object) -> random.Random:
    digest = hashlib.sha256(":".join(map(str, (seed, *key))).encode()).digest()
    return random.Random(digest)  # noqa: S311 - reproducible test data, not security


def _synthesize_meter(
    seed: int, esiid: str, tdu: str, generation: bool, meter_number: str | None
) -> MeterAttributes:
    rng = _rng(seed, esiid, "meter")
    territory = _TERRITORIES[tdu]
    manufacturer, model, digits = rng.choice(territory.meters)
    number = meter_number or str(rng.randrange(10 ** (digits - 1), 10**digits))
    installed = date(2010, 3, 1) + timedelta(days=rng.randrange(3590))  # AMS era, to 2019
    return MeterAttributes(
        utility_company_id=territory.company,
        esiid=esiid,
        meter_serial_number=number,
        utility_meter_id=number,
        kwh_meter_multiplier="1",
        configured_channels="2" if generation else rng.choice(("1", "2")),
        manufacturer_name=manufacturer,
        test_date=format_date(installed - timedelta(days=rng.randint(10, 60))),
        meter_class=rng.choice(("200", "200", "200", "320")),
        installation_date=format_date(installed),
        initial_provision_date=format_date(installed + timedelta(days=rng.randint(1, 7))),
        communication_indicator="AMS",
        instrument_rated="N",
        esi_firmware_version=f"{rng.randint(3, 5)}.{rng.randint(0, 15)}",
        han_protocol="ZigBee SEP 1.1",
        smart_energy_profile="1.1",
        interval_setting="15",
        reverse_flow_handling="Y" if generation else "N",
        dg_channel="2" if generation else None,
        disconnect="Y",
        meter_status="E",
        meter_phases="1",
        meter_model=model,
    )


def _synthesize_premise(
    seed: int, esiid: str, tdu: str, generation: bool, provisioned: str, read_cycle: int | None
) -> PremiseAttributes:
    rng = _rng(seed, esiid, "premise")
    territory = _TERRITORIES[tdu]
    locality, zone, zips = rng.choice(territory.places)
    apartment = rng.random() < 0.12
    profile = "RESHIWR" if rng.random() < 0.3 else "RESLOWR"  # electric heating: high winter
    return PremiseAttributes(
        utility_company_id=territory.company,
        esiid=esiid,
        service_voltage="120/240",
        premise_status="A",
        time_zone="CST",
        leading_directional=rng.choice(("N", "S", "E", "W")) if rng.random() < 0.15 else None,
        street_name=rng.choice(_STREETS),
        street_type=rng.choice(_STREET_TYPES),
        house_number=str(rng.randint(100, 9999)),
        unit_designation=f"APT {rng.randint(1, 40)}{rng.randint(1, 30):02d}" if apartment else None,
        locality=locality,
        state="TX",
        zipcode=rng.choice(zips.split()),
        zipcode_plus4=f"{rng.randint(1, 9999):04d}",
        meter_read_cycle=f"{read_cycle or rng.randint(1, 20):02d}",
        load_profile=f"{profile}_{zone}_NIDR_NOTOU_{'PV' if generation else 'NWS'}",
        rate_class_code=territory.rate_class,
        ams_profile_effective_date=provisioned,
    )


class DataSet:
    """The mock's ESIIDs and everything SMT would report about them. Readings are made on
    demand (register readings are cached per ESIID); one instance may serve many threads.

    An ESIID listed explicitly by an account belongs to that account, even when pinned
    with another owner; ValueError if two accounts list the same ESIID, or if a pinned
    point's records contradict each other."""

    def __init__(
        self,
        *,
        seed: int,
        accounts: Sequence[AccountSpec],
        pinned: Mapping[str, PinnedPoint] | None = None,
    ) -> None:
        self.seed = seed
        self._points: dict[str, ServicePoint] = {}
        self._owned: dict[str, list[ServicePoint]] = {}
        self._histories: dict[str, ReadingHistory] = {}
        claims: dict[str, str] = {}  # explicitly listed ESIID -> its account
        for account in accounts:
            for esiid in account.esiids:
                owner = claims.setdefault(esiid, account.service_id)
                if owner != account.service_id:
                    raise ValueError(
                        f"ESIID {esiid} is listed by both {owner} and {account.service_id}"
                    )
        for esiid, pin in (pinned or {}).items():
            self._add(esiid, pin.tdu, claims.get(esiid, pin.owner), pin.generation, pin)
        for esiid, owner in claims.items():
            if esiid not in self._points:  # an unknown prefix gets Oncor's attributes
                self._add(esiid, find_tdu(esiid) or "ONCOR", owner, False)
        for account in accounts:
            every = account.generation_every
            for index in range(account.esiid_count):
                tdu, esiid = self._generate_esiid(account.service_id, index)
                generation = every > 0 and (index + 1) % every == 0
                self._add(esiid, tdu, account.service_id, generation)

    def _generate_esiid(self, service_id: str, index: int) -> tuple[str, str]:
        """The TDUs take turns; within a TDU, so do its prefixes."""
        tdu = list(TDUS)[index % len(TDUS)]
        prefix = TDUS[tdu][index // len(TDUS) % len(TDUS[tdu])]
        for attempt in itertools.count():
            digest = hashlib.sha256(f"{self.seed}:{service_id}:{index}:{attempt}".encode())
            digits = str(int(digest.hexdigest(), 16))
            # CenterPoint ESIIDs have 22 digits, ending in 100; the others have 17.
            esiid = prefix + digits[:12] + "100" if tdu == "CENTERPOINT" else (prefix + digits)[:17]
            if esiid not in self._points:
                return tdu, esiid
        raise AssertionError("unreachable")  # pragma: no cover

    def _add(
        self, esiid: str, tdu: str, owner: str, generation: bool, pin: PinnedPoint | None = None
    ) -> None:
        meter = pin.meter if pin else None
        if meter is None:
            number = pin.meter_number if pin else None
            meter = _synthesize_meter(self.seed, esiid, tdu, generation, number)
        premise = pin.premise if pin else None
        if premise is None:
            provisioned = meter.initial_provision_date
            # Pinned billing periods fix the read cycle: the synthetic months must match.
            days = [p.start for p in pin.billing_periods] if pin else []
            pinned_cycle = find_read_cycle(days) if days else None
            premise = _synthesize_premise(
                self.seed, esiid, tdu, generation, provisioned, pinned_cycle
            )
        point = ServicePoint(
            esiid=esiid, tdu=tdu, owner=owner, generation=generation, meter=meter, premise=premise
        )
        self._points[esiid] = point
        self._owned.setdefault(owner, []).append(point)
        cycle = premise.meter_read_cycle
        self._histories[esiid] = ReadingHistory(
            seed=self.seed,
            esiid=esiid,
            generation=generation,
            read_cycle=int(cycle) if cycle.isdigit() else 1,
            pinned_days=pin.interval_days if pin else (),
            pinned_reads=pin.register_reads if pin else (),
            pinned_periods=pin.billing_periods if pin else (),
        )

    def point(self, esiid: str) -> ServicePoint | None:
        return self._points.get(esiid)

    def points_of(self, service_id: str) -> tuple[ServicePoint, ...]:
        """The service points ``service_id`` may see: pinned, listed, then generated."""
        return tuple(self._owned.get(service_id, ()))

    def _history(self, esiid: str) -> ReadingHistory:
        history = self._histories.get(esiid)
        if history is None:
            raise KeyError(f"the data set has no ESIID {esiid}")
        return history

    def interval_days(
        self, esiid: str, start: date, end: date, reading_type: str
    ) -> list[IntervalDay]:
        """RD rows of ``start``..``end`` (inclusive), day by day, C before G. ``reading_type``
        is C, G or A (both); only generation points have G rows. KeyError for an unknown
        ESIID; ValueError for another reading type or a range over 400 days."""
        if reading_type not in ("C", "G", "A"):
            raise ValueError(f"reading type {reading_type!r}: must be C, G or A")
        count = (end - start).days + 1
        if count > MAX_INTERVAL_DAYS:
            raise ValueError(
                f"interval range {start}..{end} spans {count} days; "
                f"the mock serves at most {MAX_INTERVAL_DAYS} per request"
            )
        history = self._history(esiid)
        wanted = ("C", "G") if reading_type == "A" else (reading_type,)
        rows: list[IntervalDay] = []
        for n in range(count):
            by_type = history.interval_rows(start + timedelta(days=n))
            rows.extend(by_type[rt] for rt in wanted if rt in by_type)
        return rows

    def register_reads(self, esiid: str, start: date, end: date) -> list[RegisterRead]:
        """Daily register reads of ``start``..``end`` (inclusive); KeyError if unknown."""
        history = self._history(esiid)
        count = (end - start).days + 1
        return [history.register_read(start + timedelta(days=n)) for n in range(count)]

    def billing_periods(self, esiid: str, start: date, end: date) -> list[BillingPeriod]:
        """Monthly billing periods whose days overlap ``start``..``end``; KeyError if unknown."""
        return self._history(esiid).billing_periods(start, end)
