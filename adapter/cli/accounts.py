"""``smt subscriptions new|cancel|list``, ``smt agreements new|list|esiids|terminate`` and
``smt token``: the account-side operations. newSubscription and newAgreement are never
sent twice on their own: a lost answer exits 3 and says to list before trying again."""

from __future__ import annotations

import argparse
from typing import Any

from adapter.cli.calls import (
    EXIT_STATUS,
    add_call_options,
    add_requester_options,
    make_client,
    requester,
    show,
    with_progress,
)
from adapter.cli.output import print_json
from adapter.errors import ConfigurationError
from adapter.records import (
    AgreementEsiidsRequest,
    AgreementRef,
    CustomerMeter,
    MyAgreementsRequest,
    NewAgreementRequest,
    NewSubscriptionRequest,
    SubscriptionListRequest,
    TerminateAgreementRequest,
    TokenRequest,
    UnsubscriptionRequest,
)

__all__ = ["register"]


def register(commands: Any) -> None:
    _register_subscriptions(commands)
    _register_agreements(commands)
    token = commands.add_parser(
        "token",
        help="get a token from SMT's SOAP token service",
        description="Call processTokenGenerator with the configured service ID and password "
        "and print the token's type and expiry (the token itself with --show). " + EXIT_STATUS,
    )
    token.add_argument("--show", action="store_true", help="print the access token too")
    add_call_options(token)
    token.set_defaults(run=_run_token)


def _register_subscriptions(commands: Any) -> None:
    group = commands.add_parser("subscriptions", help="scheduled report subscriptions")
    actions = group.add_subparsers(dest="action", metavar="ACTION", required=True)

    new = actions.add_parser("new", help="subscribe ESIIDs to a report (never re-sent)")
    new.add_argument("--type", dest="subscription_type", required=True, help="e.g. SCHEDULE")
    new.add_argument("--data-type", required=True, help="e.g. INTERVAL, DAILY, MONTHLY")
    new.add_argument("--report-format", required=True, help="e.g. CSV, LSE, XML")
    new.add_argument("--delivery-mode", required=True, help="e.g. FTP, EML")
    new.add_argument("--frequency", help="e.g. DAILY")
    new.add_argument("--history-months", type=int, help="historical subscription duration")
    new.add_argument("--esiid", action="append", metavar="ESIID", help="repeatable")
    add_requester_options(new)
    add_call_options(new)
    new.set_defaults(run=_run_new_subscription)

    cancel = actions.add_parser("cancel", help="unsubscribe (never re-sent)")
    cancel.add_argument("number", metavar="SUBSCRIPTION_NUMBER")
    cancel.add_argument("--esiid", action="append", metavar="ESIID", help="repeatable")
    add_call_options(cancel)
    cancel.set_defaults(run=_run_cancel_subscription)

    listing = actions.add_parser("list", help="the service ID's subscriptions")
    add_call_options(listing)
    listing.set_defaults(run=_run_list_subscriptions)


def _register_agreements(commands: Any) -> None:
    group = commands.add_parser("agreements", help="CSP data-sharing agreements")
    actions = group.add_subparsers(dest="action", metavar="ACTION", required=True)

    new = actions.add_parser("new", help="ask a customer for an agreement (never re-sent)")
    new.add_argument("--email", required=True, help="the retail customer's e-mail")
    new.add_argument("--months", type=int, required=True, help="agreement duration")
    new.add_argument(
        "--meter",
        action="append",
        required=True,
        metavar="ESIID:METER:PUCT",
        help="ESIID, meter number and the REP's PUCT number; repeatable",
    )
    new.add_argument("--language", help="ENGLISH or SPANISH")
    new.add_argument("--auth-id", required=True, metavar="DUNS", help="requesterAuthenticationID")
    add_call_options(new)
    new.set_defaults(run=_run_new_agreement)

    listing = actions.add_parser("list", help="the CSP's agreements")
    listing.add_argument("--number", type=int, help="one agreement")
    listing.add_argument("--status", choices=["PEN", "ACT", "COM", "NACOM"])
    listing.add_argument("--auth-id", metavar="DUNS", help="requesterAuthenticationID")
    add_call_options(listing)
    listing.set_defaults(run=_run_list_agreements)

    esiids = actions.add_parser("esiids", help="the ESIIDs an agreement covers")
    esiids.add_argument("number", type=int, metavar="AGREEMENT_NUMBER")
    esiids.add_argument("--auth-id", metavar="DUNS", help="requesterAuthenticationID")
    add_call_options(esiids)
    esiids.set_defaults(run=_run_agreement_esiids)

    terminate = actions.add_parser("terminate", help="end agreements (never re-sent)")
    terminate.add_argument(
        "agreements", nargs="+", metavar="NUMBER:EMAIL", help="agreement number and e-mail"
    )
    terminate.add_argument("--auth-id", metavar="DUNS", help="requesterAuthenticationID")
    add_call_options(terminate)
    terminate.set_defaults(run=_run_terminate)


def _run_new_subscription(args: argparse.Namespace) -> int:
    client = make_client(args)
    request = NewSubscriptionRequest(
        **requester(args, client),
        subscription_type=args.subscription_type,
        report_format=args.report_format,
        data_type=args.data_type,
        delivery_mode=args.delivery_mode,
        report_frequency=args.frequency,
        historical_subscription_duration=args.history_months,
        esiids=tuple(args.esiid or ()),
    )
    answer = with_progress("newSubscription", lambda: client.new_subscription(request))
    return show(args, "new subscription", answer)


def _run_cancel_subscription(args: argparse.Namespace) -> int:
    client = make_client(args)
    request = UnsubscriptionRequest(
        requestor_id=client.settings.username,
        subscription_number=args.number,
        esiids=tuple(args.esiid or ()),
    )
    answer = with_progress("unSubscription", lambda: client.cancel_subscription(request))
    return show(args, "subscription cancelled", answer)


def _run_list_subscriptions(args: argparse.Namespace) -> int:
    client = make_client(args)
    request = SubscriptionListRequest(requestor_id=client.settings.username)
    return show(args, "subscriptions", client.list_subscriptions(request))


def _run_new_agreement(args: argparse.Namespace) -> int:
    client = make_client(args)
    request = NewAgreementRequest(
        requestor_id=client.settings.username,
        requester_authentication_id=args.auth_id,
        retail_customer_email=args.email,
        agreement_duration=args.months,
        meters=tuple(_meter(text) for text in args.meter),
        customer_language_preference=args.language,
    )
    answer = with_progress("newAgreement", lambda: client.new_agreement(request))
    return show(args, "new agreement (pending until the customer answers SMT's e-mail)", answer)


def _run_list_agreements(args: argparse.Namespace) -> int:
    client = make_client(args)
    request = MyAgreementsRequest(
        requestor_id=client.settings.username,
        requester_authentication_id=args.auth_id,
        agreement_number=args.number,
        status_filter=args.status,
    )
    return show(args, "agreements", client.list_agreements(request))


def _run_agreement_esiids(args: argparse.Namespace) -> int:
    client = make_client(args)
    request = AgreementEsiidsRequest(
        requestor_id=client.settings.username,
        requester_authentication_id=args.auth_id,
        agreement_number=args.number,
    )
    return show(args, f"ESIIDs of agreement {args.number}", client.agreement_esiids(request))


def _run_terminate(args: argparse.Namespace) -> int:
    client = make_client(args)
    request = TerminateAgreementRequest(
        requestor_id=client.settings.username,
        requester_authentication_id=args.auth_id,
        agreements=tuple(_agreement(text) for text in args.agreements),
    )
    answer = with_progress("terminateAgreement", lambda: client.terminate_agreements(request))
    return show(args, "terminations started", answer)


def _run_token(args: argparse.Namespace) -> int:
    client = make_client(args)
    from adapter.clients.soap import SoapClient

    if not isinstance(client, SoapClient):
        raise ConfigurationError(
            "--api rest: the token service is SOAP's; REST calls fetch POST /v2/token/ "
            "themselves under the token profile",
            field="api",
            value="rest",
        )
    settings = client.settings
    token = client.token(TokenRequest(username=settings.username, password=settings.password))
    if args.json:
        shown = {
            "token_type": token.token_type,
            "expires_in": token.expires_in,
            "issued_at": token.issued_at,
            "expires_at": token.expires_at,
        }
        if args.show:
            shown["access_token"] = token.access_token
        print_json(shown)
        return 0
    print(f"{token.token_type} token, expires in {token.expires_in} s (at {token.expires_at})")
    if args.show:
        print(token.access_token)
    return 0


def _meter(text: str) -> CustomerMeter:
    parts = text.split(":")
    if len(parts) != 3 or not parts[2].isdigit():
        raise ConfigurationError(
            f"--meter {text!r}: write ESIID:METER_NUMBER:PUCT_NUMBER, e.g. "
            "10204049799602671:148239922:10004",
            field="meter",
            value=text,
        )
    return CustomerMeter(esiid=parts[0], meter_number=parts[1], puct_ror_number=int(parts[2]))


def _agreement(text: str) -> AgreementRef:
    number, _, email = text.partition(":")
    if not number.isdigit() or not email:
        raise ConfigurationError(
            f"{text!r}: write AGREEMENT_NUMBER:EMAIL, e.g. 119720:customer@example.com",
            field="agreements",
            value=text,
        )
    return AgreementRef(agreement_number=int(number), retail_customer_email=email)
