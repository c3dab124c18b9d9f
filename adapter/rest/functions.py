"""The REST functions of section 3.1: their paths (as the guide spells them, case and
all), the request record each takes, what each answers, and whether a call may be repeated
when its outcome is unknown. Pure data: no transport.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from adapter.agreement_records import (
    AgreementEsiidsRequest,
    MyAgreementsRequest,
    NewAgreementRequest,
    TerminateAgreementRequest,
)
from adapter.errors import ConfigurationError
from adapter.records import EnergyDataRequest, MeterInformationRequest, PremiseInformationRequest
from adapter.rest_records import (
    GreenButtonRequest,
    OdrStatusRequest,
    OnDemandReadRequest,
    ReportStatusRequest,
)
from adapter.subscription_records import (
    NewSubscriptionRequest,
    SubscriptionListRequest,
    UnsubscriptionRequest,
)

__all__ = ["FUNCTIONS", "AnswerKind", "RestFunction", "find_function"]


class AnswerKind(StrEnum):
    """What a function's successful answer holds (and so which records it becomes)."""

    INTERVAL = "interval"  # tuple[IntervalData, ...] or Acknowledgement
    DAILY = "daily"  # tuple[DailyReads, ...] or Acknowledgement
    MONTHLY = "monthly"  # tuple[MonthlyBilling, ...] or Acknowledgement
    GREEN_BUTTON = "green-button"  # GreenButtonReport (XML) or Acknowledgement
    METER = "meter"  # tuple[MeterAttributes, ...] or Acknowledgement
    PREMISE = "premise"  # tuple[PremiseAttributes, ...] or Acknowledgement
    ODR = "odr"  # Acknowledgement
    ODR_STATUS = "odr-status"  # OdrStatus
    REPORT_STATUS = "report-status"  # ReportStatus
    SUBSCRIPTION_RECEIPT = "subscription-receipt"  # SubscriptionReceipt
    CONFIRMATION = "confirmation"  # Confirmation
    SUBSCRIPTIONS = "subscriptions"  # tuple[Subscription, ...]
    AGREEMENT_RECEIPT = "agreement-receipt"  # AgreementReceipt
    AGREEMENT_ESIIDS = "agreement-esiids"  # tuple[AgreementEsiid, ...]
    TERMINATIONS = "terminations"  # tuple[Termination, ...]
    AGREEMENTS = "agreements"  # tuple[Agreement, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class RestFunction:
    """One REST function. ``path`` is the 2020 guide's (certificate profile), ``v2_path``
    the 2025 one (token profile); ``repeatable`` is False for calls that create something
    or spend a quota, which are never re-sent blindly."""

    name: str
    section: str
    path: str
    v2_path: str
    request_type: type
    answer: AnswerKind
    repeatable: bool
    asynchronous: bool  # may answer with an Acknowledgement (a deliveryMode was given)


def _function(
    name: str,
    section: str,
    request_type: type,
    answer: AnswerKind,
    *,
    repeatable: bool = True,
    asynchronous: bool = False,
) -> RestFunction:
    return RestFunction(
        name=name,
        section=section,
        path=f"/{name}/",
        v2_path=f"/v2/{name}/",
        request_type=request_type,
        answer=answer,
        repeatable=repeatable,
        asynchronous=asynchronous,
    )


FUNCTIONS: tuple[RestFunction, ...] = (
    _function(
        "15minintervalreads", "3.1.1.1", EnergyDataRequest, AnswerKind.INTERVAL, asynchronous=True
    ),
    _function("dailyreads", "3.1.1.2", EnergyDataRequest, AnswerKind.DAILY, asynchronous=True),
    _function(
        "monthlybillingInformation",
        "3.1.1.3",
        EnergyDataRequest,
        AnswerKind.MONTHLY,
        asynchronous=True,
    ),
    _function(
        "greenbutton", "3.1.1.4", GreenButtonRequest, AnswerKind.GREEN_BUTTON, asynchronous=True
    ),
    _function("meterInfo", "3.1.1.5", MeterInformationRequest, AnswerKind.METER, asynchronous=True),
    _function(
        "premiseInfo", "3.1.1.6", PremiseInformationRequest, AnswerKind.PREMISE, asynchronous=True
    ),
    _function(
        "odr", "3.1.1.7", OnDemandReadRequest, AnswerKind.ODR, repeatable=False, asynchronous=True
    ),
    _function("odrstatus", "3.1.1.8", OdrStatusRequest, AnswerKind.ODR_STATUS),
    _function("reportrequeststatus", "3.1.1.9", ReportStatusRequest, AnswerKind.REPORT_STATUS),
    _function(
        "NewSubscription",
        "3.1.1.10",
        NewSubscriptionRequest,
        AnswerKind.SUBSCRIPTION_RECEIPT,
        repeatable=False,
    ),
    # changes SMT's state: a lost answer is reported, not retried (as on the SOAP side)
    _function(
        "UnSubscription",
        "3.1.1.11",
        UnsubscriptionRequest,
        AnswerKind.CONFIRMATION,
        repeatable=False,
    ),
    _function("Mysubscriptions", "3.1.1.12", SubscriptionListRequest, AnswerKind.SUBSCRIPTIONS),
    _function(
        "NewAgreement",
        "3.1.1.13",
        NewAgreementRequest,
        AnswerKind.AGREEMENT_RECEIPT,
        repeatable=False,
    ),
    _function("AgreementESIIDs", "3.1.1.14", AgreementEsiidsRequest, AnswerKind.AGREEMENT_ESIIDS),
    _function(
        "Terminateagreement",
        "3.1.1.15",
        TerminateAgreementRequest,
        AnswerKind.TERMINATIONS,
        repeatable=False,
    ),
    # 3.1.1.16 (status) and 3.1.1.17 (list) print the same path and the same answer
    _function("myagreements", "3.1.1.16, 3.1.1.17", MyAgreementsRequest, AnswerKind.AGREEMENTS),
)

_BY_NAME = {function.name: function for function in FUNCTIONS}
_BY_FOLDED = {function.name.lower(): function for function in FUNCTIONS}


def find_function(name_or_path: str) -> RestFunction:
    """The function named ``name_or_path``: its name (``meterInfo``), its path
    (``/meterInfo/``) or its /v2/ path, in any letter case. Raises ``ConfigurationError``
    naming the known functions when there is no such function."""
    key = name_or_path.strip().strip("/")
    key = key.removeprefix("v2/")
    found = _BY_NAME.get(key) or _BY_FOLDED.get(key.lower())
    if found is None:
        known = ", ".join(_BY_NAME)
        raise ConfigurationError(
            f"no REST function {name_or_path!r}; the guide's are: {known}",
            field="function",
            value=name_or_path,
        )
    return found
