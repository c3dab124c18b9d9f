"""The REST-only functions: ``smt odr ESIID [--wait]`` (an on-demand meter read, within
SMT's quotas), ``smt reports status CORRELATION_ID`` (where an asynchronous report is) and
``smt greenbutton`` (ESPI XML of interval, daily or monthly data).
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from adapter.atomic import replacing
from adapter.cli.calls import (
    EXIT_STATUS,
    add_call_options,
    add_requester_options,
    parse_day,
    requester,
    show,
    with_progress,
)
from adapter.cli.pull import add_pull
from adapter.errors import ConfigurationError, ServiceFaultError
from adapter.rest_records import (
    GreenButtonReport,
    GreenButtonRequest,
    OdrStatusRequest,
    OnDemandReadRequest,
    ReportStatusRequest,
)

if TYPE_CHECKING:
    from adapter.clients.rest import RestClient

__all__ = ["register"]


def register(commands: Any) -> None:
    odr = commands.add_parser(
        "odr",
        help="read a meter now (on-demand read), optionally waiting for the value",
        description=(
            "Ask SMT for an on-demand read of one ESIID. The local ledger ([client.odr] in "
            "the config) refuses a read over SMT's limits before it is sent (2 an hour and "
            "24 a day per ESIID, 3,000 a day per TDU), saying when the next is allowed. With "
            "--wait, poll /odrstatus/ until COMPLETED, FAILED or T-FAILED. " + EXIT_STATUS
        ),
    )
    odr.add_argument("esiid", metavar="ESIID")
    odr.add_argument("--meter-number")
    odr.add_argument("--delivery-mode", default="API", help="API (default), EML or FTP")
    odr.add_argument("--wait", action="store_true", help="poll until the read has an outcome")
    odr.add_argument("--interval", type=_seconds, default=30.0, help="seconds between polls")
    odr.add_argument("--timeout", type=_seconds, default=900.0, help="seconds to wait at most")
    add_requester_options(odr)
    add_call_options(odr, api=False)
    odr.set_defaults(run=_run_odr)

    odr_status = commands.add_parser(
        "odr-status",
        help="the status of an on-demand read (/odrstatus/)",
        description="Ask SMT where the on-demand read CORRELATION_ID is: PEN, COMPLETED (with "
        "the read), FAILED or T-FAILED. " + EXIT_STATUS,
    )
    odr_status.add_argument("correlation_id", metavar="CORRELATION_ID")
    add_call_options(odr_status, api=False)
    odr_status.set_defaults(run=_run_odr_status)

    green = commands.add_parser(
        "greenbutton",
        help="Green Button (ESPI) XML of one ESIID's interval, daily or monthly data",
        description="Ask /greenbutton/ for one ESIID's data as Green Button XML, written to "
        "--output (atomically) or printed. " + EXIT_STATUS,
    )
    green.add_argument("--esiid", required=True)
    green.add_argument("--start", type=parse_day, required=True, metavar="DATE")
    green.add_argument("--end", type=parse_day, required=True, metavar="DATE")
    green.add_argument("--type", dest="report_type", choices=["I", "D", "M"], default="I")
    green.add_argument("--reading-type", choices=["C", "G"], default="C")
    green.add_argument("--delivery-mode", help="ask for a report instead of the XML now")
    green.add_argument("--output", type=Path, metavar="PATH", help="write the XML here")
    add_requester_options(green)
    add_call_options(green, api=False)
    green.set_defaults(run=_run_green_button)

    reports = commands.add_parser("reports", help="asynchronous reports")
    actions = reports.add_subparsers(dest="action", metavar="ACTION", required=True)
    status = actions.add_parser(
        "status",
        help="where an asynchronous report is (/reportrequeststatus/)",
        description="Ask SMT where the report of CORRELATION_ID is. " + EXIT_STATUS,
    )
    status.add_argument("correlation_id", metavar="CORRELATION_ID")
    status.add_argument("--service-type", default="ADHOC", help="ADHOC (default) or SUBSCRIPTION")
    add_call_options(status, api=False)
    status.set_defaults(run=_run_report_status)
    add_pull(actions)


def _client(args: argparse.Namespace, *, quota: bool = False) -> RestClient:
    # loaded when the command runs: smt's other commands never pay for the client side
    from adapter.cli.config import load_client_settings, load_odr_quota
    from adapter.clients.rest import RestClient

    settings = load_client_settings(args.config)
    return RestClient(settings, quota=load_odr_quota(args.config) if quota else None)


def _seconds(text: str) -> float:
    """argparse type: a finite number of seconds above 0."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds above 0")
    return value


def _run_odr(args: argparse.Namespace) -> int:
    client = _client(args, quota=True)
    request = OnDemandReadRequest(
        **requester(args, client),
        esiid=args.esiid,
        meter_number=args.meter_number,
        delivery_mode=args.delivery_mode,
    )
    ack = with_progress("on-demand read", lambda: client.on_demand_read(request))
    if not args.wait:
        return show(args, "on-demand read submitted", ack)
    # said now: if waiting fails, the read is spent and its ID is what finds it again
    print(f"smt odr: submitted, correlationId {ack.correlation_id}", file=sys.stderr)
    outcome = with_progress(
        f"on-demand read {ack.correlation_id}: waiting for the meter",
        lambda: client.wait_for_odr(
            ack.correlation_id, interval=args.interval, timeout=args.timeout
        ),
    )
    show(args, "on-demand read", outcome)
    if outcome.status_code.upper() != "COMPLETED":
        raise ServiceFaultError(
            f"odr: the on-demand read {ack.correlation_id} ended {outcome.status_code}"
            f" ({outcome.status_reason or 'no reason given'})",
            operation="odr",
            status_code=outcome.status_code,
            status_reason=outcome.status_reason,
        )
    return 0


def _run_odr_status(args: argparse.Namespace) -> int:
    client = _client(args)
    request = OdrStatusRequest(
        requestor_id=client.settings.username, correlation_id=args.correlation_id
    )
    return show(args, f"on-demand read {args.correlation_id}", client.odr_status(request))


def _run_report_status(args: argparse.Namespace) -> int:
    client = _client(args)
    request = ReportStatusRequest(
        requestor_id=client.settings.username,
        correlation_id=args.correlation_id,
        service_type=args.service_type.upper(),
    )
    return show(args, f"report {args.correlation_id}", client.report_status(request))


def _run_green_button(args: argparse.Namespace) -> int:
    if args.output is not None and not args.output.parent.is_dir():
        raise ConfigurationError(
            f"--output {args.output}: the folder {args.output.parent} does not exist",
            field="output",
            value=str(args.output),
        )
    client = _client(args)
    request = GreenButtonRequest(
        **requester(args, client),
        esiid=args.esiid,
        start_date=args.start,
        end_date=args.end,
        report_type=args.report_type,
        reading_type=args.reading_type,
        delivery_mode=args.delivery_mode,
    )
    answer = with_progress("Green Button", lambda: client.green_button(request))
    if not isinstance(answer, GreenButtonReport):
        return show(args, "Green Button", answer)
    if args.output is None:
        sys.stdout.flush()
        sys.stdout.buffer.write(answer.xml)  # as sent: the XML declares its own encoding
        return 0
    with replacing(args.output) as temporary:
        temporary.write_bytes(answer.xml)
    print(f"{len(answer.xml)} bytes of Green Button XML -> {args.output}")
    return 0
