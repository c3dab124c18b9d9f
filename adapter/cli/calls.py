"""What every ``smt`` command that calls SMT shares: the settings options, the client,
the requester's defaults, and showing the answer (a table, or JSON with ``--json``)."""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from adapter.cli.output import print_json, print_records, progress
from adapter.errors import ConfigurationError
from adapter.records import Acknowledgement

if TYPE_CHECKING:
    from adapter.clients.rest import RestClient
    from adapter.clients.soap import SoapClient

__all__ = [
    "add_call_options",
    "add_requester_options",
    "make_client",
    "parse_day",
    "requester",
    "show",
    "with_progress",
]

EXIT_STATUS = (
    "Exit status: 0 answered, 1 a message breaks the contract, 2 usage or settings error, "
    "3 transport, TLS or authentication failure, 4 SMT refused (a fault, a failing status, "
    "an on-demand read quota)."
)


def add_call_options(parser: argparse.ArgumentParser, *, api: bool = True) -> None:
    """``--config`` and ``--json``, on every command that calls SMT; ``--api`` on those
    that exist both over SOAP and REST."""
    parser.add_argument(
        "--config",
        type=Path,
        metavar="FILE",
        help="TOML file with a [client] table (default: $SMT_CONFIG, else ./smt.toml); "
        "SMT_* environment variables win over it; the password comes from SMT_PASSWORD "
        "or a file, never from the command line",
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    if not api:
        return
    parser.add_argument(
        "--api",
        choices=["soap", "rest"],
        default=os.environ.get("SMT_API", "soap"),
        help="SMT's SOAP services (default, or $SMT_API) or its REST functions (the 2020 "
        "paths under the certificate profile, /v2/ under the token profile)",
    )


def add_requester_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--requester-type",
        default=os.environ.get("SMT_REQUESTER_TYPE", "CSP"),
        help="CSP, REP, TDSP or RES (default: $SMT_REQUESTER_TYPE, else CSP)",
    )
    parser.add_argument(
        "--auth-id",
        default=os.environ.get("SMT_AUTHENTICATION_ID"),
        metavar="DUNS",
        help="requesterAuthenticationID, e.g. the DUNS (default: $SMT_AUTHENTICATION_ID)",
    )


def make_client(args: argparse.Namespace) -> SoapClient | RestClient:
    # loaded when the command runs: smt's other commands never pay for the client side
    from adapter.cli.config import load_client_settings
    from adapter.clients.rest import RestClient
    from adapter.clients.soap import SoapClient

    settings = load_client_settings(args.config)
    if getattr(args, "api", "soap") == "rest":
        return RestClient(settings)
    return SoapClient(settings)


def requester(args: argparse.Namespace, client: SoapClient | RestClient) -> dict[str, Any]:
    """The requester fields of a request: requestorID is always the service ID the client
    authenticates with."""
    fields: dict[str, Any] = {"requestor_id": client.settings.username}
    if getattr(args, "requester_type", None) is not None:
        fields["requester_type"] = args.requester_type.upper()
    if getattr(args, "auth_id", None):
        fields["requester_authentication_id"] = args.auth_id
    return fields


def parse_day(text: str) -> date:
    """argparse type: a date as YYYY-MM-DD (or SMT's MM/DD/YYYY)."""
    try:
        if "/" in text:
            month, day, year = text.split("/")
            return date(int(year), int(month), int(day))
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a date (YYYY-MM-DD or MM/DD/YYYY)"
        ) from None


def with_progress(operation: str, call: Callable[[], Any]) -> Any:
    with progress(f"SMT {operation} ..."):
        return call()


def show(args: argparse.Namespace, title: str, answer: Any) -> int:
    """Print an answer: records as a table (or JSON), an acknowledgement as its fields."""
    if args.json:
        print_json(answer)
        return 0
    if isinstance(answer, Acknowledgement):
        print_records(f"{title}: acknowledged, the report will be delivered later", [answer])
        if answer.fault_esiids:
            print_records("ESIIDs left out", list(answer.fault_esiids))
        return 0
    records: Sequence[Any] = answer if isinstance(answer, tuple) else [answer]
    print_records(title, records)
    return 0


def require_values(values: Sequence[str] | None, name: str) -> tuple[str, ...]:
    if not values:
        raise ConfigurationError(f"{name}: give at least one", field=name, value="")
    return tuple(values)
