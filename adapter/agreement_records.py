"""Records of the CSPAuthorization service (3.2.1.5): energy-data sharing agreements
between a CSP and a retail customer. Re-exported by ``adapter.records``.

Request records raise ``ConfigurationError`` on construction when a field breaks the XSD.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from adapter.errors import ConfigurationError
from adapter.record_rules import (
    AGREEMENT_DURATIONS,
    FLAGS,
    LANGUAGES,
    MY_AGREEMENTS_FILTERS,
    check_choice,
    check_email,
    check_esiid,
    check_int,
    check_items,
    check_requester,
    check_text,
    new_trans_id,
)

__all__ = [
    "Agreement",
    "AgreementEsiid",
    "AgreementEsiidsRequest",
    "AgreementReceipt",
    "AgreementRef",
    "CustomerMeter",
    "MyAgreementsRequest",
    "NewAgreementRequest",
    "TerminateAgreementRequest",
    "Termination",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class CustomerMeter:
    """One meter an agreement covers: its ESIID, meter number and the REP's PUCT number."""

    esiid: str
    meter_number: str
    puct_ror_number: int

    def __post_init__(self) -> None:
        check_esiid("esiid", self.esiid)
        check_text("meter_number", self.meter_number, max_length=18)
        check_int("puct_ror_number", self.puct_ror_number)


@dataclass(frozen=True, slots=True, kw_only=True)
class AgreementRef:
    """One agreement to terminate, named by number and the customer's e-mail."""

    agreement_number: int
    retail_customer_email: str

    def __post_init__(self) -> None:
        check_int("agreement_number", self.agreement_number)
        check_text("retail_customer_email", self.retail_customer_email, max_length=100)


def _check_all(name: str, items: tuple[object, ...], kind: type) -> None:
    check_items(name, items, required=True)
    for index, item in enumerate(items):
        if not isinstance(item, kind):
            raise ConfigurationError(
                f"{name}[{index}] {item!r} is not allowed: must be a {kind.__name__}",
                field=f"{name}[{index}]",
                value=str(item),
            )


@dataclass(frozen=True, slots=True, kw_only=True)
class NewAgreementRequest:
    """Ask a retail customer to share the energy data of ``meters`` for
    ``agreement_duration`` months (SMT e-mails the customer)."""

    requestor_id: str
    requester_authentication_id: str
    retail_customer_email: str
    agreement_duration: int
    meters: tuple[CustomerMeter, ...]
    customer_language_preference: str | None = None
    terms_and_conditions: str = "Y"
    trans_id: str = field(default_factory=new_trans_id)

    def __post_init__(self) -> None:
        check_requester(
            requestor_id=self.requestor_id,
            requestor_max=32,
            authentication_id=self.requester_authentication_id,
            trans_id=self.trans_id,
        )
        check_email("retail_customer_email", self.retail_customer_email)
        check_choice("agreement_duration", self.agreement_duration, AGREEMENT_DURATIONS)
        if self.customer_language_preference is not None:
            check_choice(
                "customer_language_preference", self.customer_language_preference, LANGUAGES
            )
        _check_all("meters", self.meters, CustomerMeter)
        check_choice("terms_and_conditions", self.terms_and_conditions, FLAGS)


@dataclass(frozen=True, slots=True, kw_only=True)
class MyAgreementsRequest:
    """List the requestor's agreements, optionally one number or one status group
    (``status_filter``: PEN pending, ACT active, COM completed, NACOM not accepted; sent
    as ``statusReason``)."""

    requestor_id: str
    agreement_number: int | None = None
    status_filter: str | None = None
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
        if self.agreement_number is not None:
            check_int("agreement_number", self.agreement_number)
        if self.status_filter is not None:
            check_choice("status_filter", self.status_filter, MY_AGREEMENTS_FILTERS)
        check_choice("terms_and_conditions", self.terms_and_conditions, FLAGS)


@dataclass(frozen=True, slots=True, kw_only=True)
class AgreementEsiidsRequest:
    """List the ESIIDs of one agreement."""

    requestor_id: str
    agreement_number: int
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
        check_int("agreement_number", self.agreement_number)
        check_choice("terms_and_conditions", self.terms_and_conditions, FLAGS)


@dataclass(frozen=True, slots=True, kw_only=True)
class TerminateAgreementRequest:
    """Terminate one or more active agreements."""

    requestor_id: str
    agreements: tuple[AgreementRef, ...]
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
        _check_all("agreements", self.agreements, AgreementRef)
        check_choice("terms_and_conditions", self.terms_and_conditions, FLAGS)


@dataclass(frozen=True, slots=True, kw_only=True)
class AgreementReceipt:
    """SMT created an agreement (``status_code`` ``ACK``); the customer has yet to act."""

    trans_id: str
    agreement_number: int
    status_code: str
    status_reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Agreement:
    """One agreement of the myAgreements list; ``status`` is SMT's text, e.g.
    ``Active - Authorization Confirmed``."""

    agreement_number: int
    start_date: date
    end_date: date
    csp_name: str
    requester_authentication_id: str
    retail_customer_email: str
    status: str


@dataclass(frozen=True, slots=True, kw_only=True)
class AgreementEsiid:
    """One ESIID of an agreement; ``status`` is SMT's text (``Active``, ``Pending``...)."""

    esiid: str
    meter_number: str
    puct_ror_number: int
    status: str
    start_date: date
    end_date: date


@dataclass(frozen=True, slots=True, kw_only=True)
class Termination:
    """An agreement whose termination SMT started (``status_code`` ``ACK``)."""

    agreement_number: int
    status_code: str
    status_reason: str
