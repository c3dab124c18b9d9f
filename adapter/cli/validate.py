"""``smt validate``: check SOAP messages (or bare payloads) against the bundled contract."""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from lxml import etree

from adapter.contract import Profile
from adapter.errors import ConfigurationError
from adapter.xml.parsing import DEFAULT_LIMITS, Limits
from adapter.xml.schemaset import list_payload_types
from adapter.xml.validation import CheckResult, MessageValidator

__all__ = ["register"]

_SIZE = re.compile(r"^(?P<number>\d+)(?P<unit>[KMG]?)i?B?$", re.IGNORECASE)


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "validate",
        help="check SOAP messages against the SMT contract",
        description=(
            "Validate SMT SOAP messages against the bundled XSDs. The service and operation "
            "are read from the SOAP Body's first element; directories are searched for *.xml. "
            "Exit status: 0 all valid, 1 any invalid, 2 usage error."
        ),
    )
    parser.add_argument("paths", nargs="*", metavar="PATH", help="files or directories")
    parser.add_argument(
        "--profile",
        choices=[p.value for p in Profile],
        default=Profile.WIRE.value,
        help="wire: what SMT really sends (default); guide: the XSDs as the guide prints them",
    )
    parser.add_argument("--format", choices=["text", "json", "junit"], default="text")
    parser.add_argument(
        "--type",
        dest="payload_type",
        metavar="NAME",
        help="validate bare payloads of this type instead of SOAP envelopes "
        "(e.g. EnergyDataRequest, meterinformation:Acknowledgement)",
    )
    parser.add_argument(
        "--list-types", action="store_true", help="list the payload types --type accepts"
    )
    parser.add_argument(
        "--max-size",
        type=_size,
        default=DEFAULT_LIMITS.max_bytes,
        metavar="SIZE",
        help="refuse larger files (bytes, or with K/M/G; default 512M)",
    )
    parser.add_argument(
        "--max-violations",
        type=int,
        default=DEFAULT_LIMITS.max_violations,
        metavar="N",
        help="stop a file after N violations (default 200)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from adapter.cli import ExitCode, silence_stdout

    if args.list_types:
        for payload in list_payload_types():
            print(f"{payload.label:<48} {payload.kind:<8} {payload.clark}")
        return ExitCode.OK
    if not args.paths:
        raise ConfigurationError("name at least one file or directory", field="PATH", value="")
    files = list(_expand(args.paths))
    validator = MessageValidator(
        Profile.parse(args.profile),
        payload_type=args.payload_type,
        limits=Limits(max_bytes=args.max_size, max_violations=args.max_violations),
    )
    results = [validator.check(path) for path in files]
    invalid = sum(not r.valid for r in results)
    try:
        _report(results, args.format, args.profile)
    except BrokenPipeError:
        silence_stdout()
    return ExitCode.INVALID if invalid else ExitCode.OK


def _report(results: list[CheckResult], form: str, profile: str) -> None:
    if form == "json":
        print(json.dumps(_as_json(results, profile), indent=2))
    elif form == "junit":
        print(_as_junit(results, profile))
    else:
        for result in results:
            for violation in result.violations:
                print(violation.format())
        invalid = sum(not r.valid for r in results)
        print(
            f"smt validate: {len(results)} file(s) checked, {invalid} invalid (profile {profile})",
            file=sys.stderr,
        )


def _size(text: str) -> int:
    match = _SIZE.match(text.strip())
    if not match:
        raise argparse.ArgumentTypeError(f"{text!r} is not a size (e.g. 1048576, 64M, 1G)")
    factor = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30}[match["unit"].upper()]
    size = int(match["number"]) * factor
    if size < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: the size must be at least 1 byte")
    return size


def _expand(paths: Iterable[str]) -> Iterable[Path]:
    for name in paths:
        path = Path(name)
        if path.is_dir():
            found = sorted(_walk(path))
            if not found:
                raise ConfigurationError(f"no *.xml files under {name}", field="PATH", value=name)
            yield from found
        elif path.exists():
            yield path
        else:
            raise ConfigurationError(f"no such file or directory: {name}", field="PATH", value=name)


def _walk(folder: Path) -> Iterable[Path]:
    """The *.xml files under ``folder``; a subfolder that cannot be read is yielded itself,
    so that it is reported as unreadable instead of skipped in silence."""
    unreadable: list[Path] = []
    for here, _, files in os.walk(
        folder, onerror=lambda exc: unreadable.append(Path(str(exc.filename)))
    ):
        yield from (Path(here) / f for f in files if f.lower().endswith(".xml"))
    yield from unreadable


def _describe(result: CheckResult) -> dict[str, Any]:
    op = result.operation
    return {
        "source": result.source,
        "valid": result.valid,
        "service": op.service if op else None,
        "operation": op.name if op else None,
        "direction": result.direction.value if result.direction else None,
        "body_element": result.body_element,
        "violations": [v.as_dict() for v in result.violations],
    }


def _as_json(results: list[CheckResult], profile: str) -> dict[str, Any]:
    return {
        "profile": profile,
        "valid": all(r.valid for r in results),
        "files": [_describe(r) for r in results],
    }


def _as_junit(results: list[CheckResult], profile: str) -> str:
    failures = str(sum(not r.valid for r in results))
    suites = etree.Element(
        "testsuites", name="smt validate", tests=str(len(results)), failures=failures
    )
    suite = etree.SubElement(
        suites,
        "testsuite",
        name=f"smt validate ({profile})",
        tests=str(len(results)),
        failures=failures,
    )
    for result in results:
        case = etree.SubElement(
            suite, "testcase", classname=f"smt.validate.{profile}", name=result.source
        )
        if result.violations:
            failure = etree.SubElement(
                case,
                "failure",
                type=result.violations[0].rule,
                message=result.violations[0].message,
            )
            failure.text = "\n".join(v.format() for v in result.violations)
    return etree.tostring(
        suites, pretty_print=True, xml_declaration=True, encoding="UTF-8"
    ).decode()
