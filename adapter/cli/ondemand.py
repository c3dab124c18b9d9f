"""The REST-only functions: ``smt odr ESIID [--wait]`` (an on-demand meter read, within
SMT's quotas) and ``smt reports status CORRELATION_ID`` (where an asynchronous report is).
"""

from __future__ import annotations

import argparse
from typing import Any

from adapter.cli.calls import (
    EXIT_STATUS,
    add_call_options,
    add_requester_options,
    requester,
    show,
    with_progress,
)
from adapter.cli.config import load_client_settings, load_odr_quota
from adapter.clients.rest import RestClient
from adapter.errors import ConfigurationError, ServiceFaultError
from adapter.rest_records import OnDemandReadRequest, ReportStatusRequest

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
    odr.add_argument("--interval", type=float, default=30.0, help="seconds between polls")
    odr.add_argument("--timeout", type=float, default=900.0, help="seconds to wait at most")
    add_requester_options(odr)
    add_call_options(odr)
    odr.set_defaults(run=_run_odr)

    reports = commands.add_parser("reports", help="asynchronous reports")
    actions = reports.add_subparsers(dest="action", metavar="ACTION", required=True)
    status = actions.add_parser(
        "status",
        help="where an asynchronous report is (/reportrequeststatus/)",
        description="Ask SMT where the report of CORRELATION_ID is. " + EXIT_STATUS,
    )
    status.add_argument("correlation_id", metavar="CORRELATION_ID")
    status.add_argument("--service-type", default="ADHOC", help="ADHOC (default) or SUBSCRIPTION")
    add_call_options(status)
    status.set_defaults(run=_run_report_status)


def _client(args: argparse.Namespace) -> RestClient:
    return RestClient(load_client_settings(args.config), quota=load_odr_quota(args.config))


def _run_odr(args: argparse.Namespace) -> int:
    if args.interval <= 0 or args.timeout <= 0:
        raise ConfigurationError(
            "--interval and --timeout must be above 0", field="interval", value=str(args.interval)
        )
    client = _client(args)
    request = OnDemandReadRequest(
        **requester(args, client),
        esiid=args.esiid,
        meter_number=args.meter_number,
        delivery_mode=args.delivery_mode,
    )
    ack = with_progress("on-demand read", lambda: client.on_demand_read(request))
    if not args.wait:
        return show(args, "on-demand read submitted", ack)
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


def _run_report_status(args: argparse.Namespace) -> int:
    client = _client(args)
    request = ReportStatusRequest(
        requestor_id=client.settings.username,
        correlation_id=args.correlation_id,
        service_type=args.service_type.upper(),
    )
    return show(args, f"report {args.correlation_id}", client.report_status(request))
