"""The ``smt`` command.

Each subcommand returns an exit code; errors from the adapter are printed once, here,
and mapped to fixed codes (``ExitCode``), never to a count."""

from __future__ import annotations

import argparse
import io
import os
import sys
from collections.abc import Sequence
from enum import IntEnum

from adapter import __version__
from adapter.errors import (
    AdapterError,
    CertificateError,
    ConfigurationError,
    ContractError,
    QuotaExceededError,
    ServiceFaultError,
    TransportError,
)

__all__ = ["ExitCode", "main", "silence_stdout"]


class ExitCode(IntEnum):
    """What ``smt`` exits with."""

    OK = 0
    INVALID = 1  # a message or input file breaks the contract
    USAGE = 2  # bad arguments, unknown names, missing paths, a broken installation
    TRANSPORT = 3  # no answer, TLS or authentication refused, a certificate unusable
    SERVICE_FAULT = 4  # SMT refused: a SOAP Fault, a failing status code, an ODR quota


def silence_stdout() -> None:
    """The reader of our output went away (``smt ... | head``): send the rest nowhere, so
    that neither this command nor the interpreter's exit fails on it."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def build_parser() -> argparse.ArgumentParser:
    from adapter.cli import (
        accounts,
        callback,
        certs,
        demo,
        energy,
        mock,
        ondemand,
        readings,
        validate,
    )

    parser = argparse.ArgumentParser(
        prog="smt",
        description="Smart Meter Texas integration adapter: contract, validator, client, mock.",
    )
    parser.add_argument("--version", action="version", version=f"smt-adapter {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    demo.register(commands)
    energy.register(commands)
    accounts.register(commands)
    ondemand.register(commands)
    callback.register(commands)
    validate.register(commands)
    mock.register(commands)
    certs.register(commands)
    readings.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``smt`` with ``argv`` (default: the process arguments); return the exit code."""
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="backslashreplace")  # odd file names never crash output
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.run(args))
    except (ConfigurationError, ContractError) as exc:
        print(f"smt {args.command}: {exc}", file=sys.stderr)
        return ExitCode.USAGE
    except (TransportError, CertificateError) as exc:
        print(f"smt {args.command}: {exc}", file=sys.stderr)
        return ExitCode.TRANSPORT
    except (ServiceFaultError, QuotaExceededError) as exc:
        print(f"smt {args.command}: {exc}", file=sys.stderr)
        return ExitCode.SERVICE_FAULT
    except AdapterError as exc:
        print(f"smt {args.command}: {exc}", file=sys.stderr)
        return ExitCode.INVALID
    except BrokenPipeError:  # the reader went away (smt ... | head): not a failure
        silence_stdout()
        return ExitCode.OK
