"""``smt energy interval|daily|monthly``, ``smt meter`` and ``smt premise``: SMT's reads
and attributes, synchronous or (with ``--delivery-mode``) as a report to come."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from adapter.cli.calls import (
    EXIT_STATUS,
    add_call_options,
    add_requester_options,
    make_client,
    parse_day,
    requester,
    require_values,
    show,
    with_progress,
)
from adapter.cli.output import print_records
from adapter.errors import ConfigurationError
from adapter.exports import FORMATS, write_readings
from adapter.interval import decode_day
from adapter.records import (
    Acknowledgement,
    EnergyDataRequest,
    EsiidMeter,
    IntervalData,
    MeterInformationRequest,
    PremiseInformationRequest,
)

__all__ = ["register"]


def register(commands: Any) -> None:
    energy = commands.add_parser(
        "energy",
        help="interval, daily or monthly energy data from SMT",
        description="Ask SMT for energy data. " + EXIT_STATUS,
    )
    kinds = energy.add_subparsers(dest="kind", metavar="KIND", required=True)
    for kind, what in (
        ("interval", "15-minute interval data (decoded into readings with --output)"),
        ("daily", "daily register reads"),
        ("monthly", "monthly billing reads"),
    ):
        parser = kinds.add_parser(kind, help=what, description=f"{what}. {EXIT_STATUS}")
        _energy_options(parser, interval=kind == "interval")
        parser.set_defaults(run=_run_energy)

    for name, what in (("meter", "meter attributes"), ("premise", "premise attributes")):
        parser = commands.add_parser(name, help=what, description=f"{what}. {EXIT_STATUS}")
        parser.add_argument("--esiid", action="append", metavar="ESIID", help="repeatable")
        if name == "meter":
            parser.add_argument("--meter-number", help="with a single --esiid")
        _report_options(parser)
        add_requester_options(parser)
        add_call_options(parser)
        parser.set_defaults(run=_run_attributes, attributes=name)


def _energy_options(parser: argparse.ArgumentParser, *, interval: bool) -> None:
    parser.add_argument("--esiid", action="append", metavar="ESIID", help="repeatable")
    parser.add_argument("--start", type=parse_day, required=True, metavar="DATE")
    parser.add_argument("--end", type=parse_day, required=True, metavar="DATE")
    parser.add_argument("--version", choices=["L", "A"], default="L", help="latest or all")
    if interval:
        parser.add_argument("--reading-type", choices=["C", "G"], default="C")
        parser.add_argument("--output", metavar="PATH", help="write the decoded readings here")
        parser.add_argument("--format", choices=FORMATS, dest="export_format", default="csv")
    _report_options(parser)
    add_requester_options(parser)
    add_call_options(parser)


def _report_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--delivery-mode", help="ask for a report (e.g. FTP, EML, API) instead of the data now"
    )
    parser.add_argument("--report-format", help="CSV, XML or JSON, with --delivery-mode")


def _run_energy(args: argparse.Namespace) -> int:
    output = getattr(args, "output", None)
    if output and not Path(output).parent.is_dir():  # before SMT is asked, not after
        raise ConfigurationError(
            f"--output {output}: the folder {Path(output).parent} does not exist",
            field="output",
            value=output,
        )
    client = make_client(args)
    request = EnergyDataRequest(
        **requester(args, client),
        start_date=args.start,
        end_date=args.end,
        esiids=require_values(args.esiid, "esiid"),
        version=args.version,
        reading_type=getattr(args, "reading_type", None),
        delivery_mode=args.delivery_mode,
        report_format=args.report_format,
    )
    if args.kind == "interval" and getattr(args, "output", None) and not args.delivery_mode:
        path = Path(args.output)
        readings = client.iter_interval_readings(request)
        count = with_progress(
            "interval data", lambda: write_readings(readings, path, args.export_format)
        )
        print(f"{count} readings -> {path} ({args.export_format})")
        return 0
    call = {
        "interval": client.interval_data,
        "daily": client.daily_reads,
        "monthly": client.monthly_billing,
    }[args.kind]
    answer = with_progress(f"{args.kind} data", lambda: call(request))
    if args.kind == "interval" and not args.json and not isinstance(answer, Acknowledgement):
        print_records("interval data, per ESIID and day", _day_summaries(answer))
        return 0
    return show(args, f"{args.kind} data", answer)


def _run_attributes(args: argparse.Namespace) -> int:
    client = make_client(args)
    esiids = require_values(args.esiid, "esiid")
    common = {
        **requester(args, client),
        "delivery_mode": args.delivery_mode,
        "report_format": args.report_format,
    }
    if args.attributes == "meter":
        number = args.meter_number
        meters = tuple(EsiidMeter(esiid=e, meter_number=number) for e in esiids)
        answer = with_progress(
            "meter attributes",
            lambda: client.meter_attributes(MeterInformationRequest(**common, meters=meters)),
        )
    else:
        answer = with_progress(
            "premise attributes",
            lambda: client.premise_attributes(PremiseInformationRequest(**common, esiids=esiids)),
        )
    return show(args, f"{args.attributes} attributes", answer)


@dataclass(frozen=True, slots=True)
class DaySummary:
    esiid: str
    day: str
    reading_type: str
    intervals: int
    estimated: int
    kwh: Decimal
    revision: str


def _day_summaries(answer: tuple[IntervalData, ...]) -> list[DaySummary]:
    rows = []
    for data in answer:
        for day in data.days:
            readings = decode_day(day)
            rows.append(
                DaySummary(
                    esiid=day.esiid,
                    day=day.day.isoformat(),
                    reading_type=day.reading_type,
                    intervals=len(readings),
                    estimated=sum(r.quality == "E" for r in readings),
                    kwh=sum((r.kwh for r in readings), Decimal(0)),
                    revision=day.revision or "",
                )
            )
    return rows
