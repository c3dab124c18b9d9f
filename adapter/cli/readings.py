"""``smt readings``: decode saved interval data into 15-minute readings and export them.

INPUT is a processIntervalEnergyData SOAP response (XML), a REST ``/15minintervalreads/``
answer (``.json``) or SMT's interval CSV report (``.csv``); the kind is told by the file's
suffix, else by its first byte (``<`` XML, ``{``/``[`` JSON, anything else CSV).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from adapter.errors import ConfigurationError, ReadingError
from adapter.exports import FORMATS, write_day_readings
from adapter.interval import DayReadings, iter_csv_days, iter_day_readings, iter_rest_days
from adapter.records import IntervalDay
from adapter.soap.interval_stream import iter_interval_day_readings

__all__ = ["register", "run"]


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "readings",
        help="decode saved interval data into 15-minute readings and export them",
        description=(
            "Decode a saved processIntervalEnergyData SOAP response (.xml), REST answer "
            "(.json) or SMT interval CSV (.csv) into 15-minute readings (UTC and Central "
            "time, exact kWh, A/E, C/G, revision) and write them to PATH, atomically. "
            "Exit status: 0 written, 1 the input cannot be decoded, 2 usage error."
        ),
    )
    parser.add_argument("input", type=Path, metavar="INPUT")
    parser.add_argument("--format", choices=FORMATS, required=True, dest="export_format")
    parser.add_argument("--output", type=Path, required=True, metavar="PATH")
    parser.add_argument(
        "--no-validate",
        dest="validate",
        action="store_false",
        help="skip the schema check of a SOAP response (the RD checks always apply)",
    )
    parser.set_defaults(run=run)


class _Tally:
    """Counts what went through: readings, ESIIDs, ESIID-days (C and G days apart)."""

    def __init__(self) -> None:
        self.readings = 0
        self.days = 0
        self.esiids: set[str] = set()

    def count(self, days: Iterable[DayReadings]) -> Iterator[DayReadings]:
        for day in days:
            self.days += 1
            self.esiids.add(day.esiid)
            self.readings += len(day)
            yield day


def run(args: argparse.Namespace) -> int:
    from adapter.cli import ExitCode

    source: Path = args.input
    if not source.is_file():
        raise ConfigurationError(f"{source} is not a file", field="INPUT", value=str(source))
    if args.output.resolve() == source.resolve():
        raise ConfigurationError(
            "--output must not be the input file", field="output", value=str(args.output)
        )
    if not args.output.parent.is_dir():
        raise ConfigurationError(
            f"--output {args.output}: the folder {args.output.parent} does not exist",
            field="output",
            value=str(args.output),
        )
    tally = _Tally()
    try:
        write_day_readings(
            tally.count(_days(source, validate=args.validate)), args.output, args.export_format
        )
    except UnicodeDecodeError as exc:
        raise ReadingError(
            f"{source}: not UTF-8 text (byte {exc.start}: {exc.reason})",
            esiid="",
            day="",
            reason="not UTF-8",
        ) from exc
    print(
        f"{tally.readings} readings, {len(tally.esiids)} ESIIDs, {tally.days} days "
        f"-> {args.output} ({args.export_format})"
    )
    return ExitCode.OK


def _days(source: Path, *, validate: bool) -> Iterator[DayReadings]:
    """The decoded days of the file (a large SOAP answer with a worker: see
    ``adapter.soap.interval_pipeline``)."""
    if _kind(source) == "xml":
        return iter_interval_day_readings(source, validate=validate)
    return iter_day_readings(_other_days(source))


def _other_days(source: Path) -> Iterator[IntervalDay]:
    if _kind(source) == "json":
        with source.open(encoding="utf-8") as stream:
            try:
                document = json.load(stream)
            except json.JSONDecodeError as exc:
                raise ReadingError(
                    f"{source}: not JSON: {exc}", esiid="", day="", reason="not JSON"
                ) from exc
        rows = document if isinstance(document, list) else [document]
        if not all(isinstance(row, dict) for row in rows):
            raise ReadingError(
                f"{source}: a REST answer is an object or a list of objects",
                esiid="",
                day="",
                reason="not a REST answer",
            )
        yield from iter_rest_days(rows)
    else:
        # utf-8-sig: a report saved by a spreadsheet starts with a byte-order mark
        with source.open(encoding="utf-8-sig", newline="") as stream:
            yield from iter_csv_days(stream)


def _kind(source: Path) -> str:
    suffix = source.suffix.lower()
    if suffix in (".xml", ".json", ".csv"):
        return suffix[1:]
    with source.open("rb") as stream:
        head = stream.read(64).lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<"):
        return "xml"
    return "json" if head[:1] in (b"{", b"[") else "csv"
