"""``smt certs check``: is the client certificate usable, and for how long?

Exit status: 0 when ok or in the warning window (the warning goes to stderr), 3 when
failing (expired, not valid yet, within ``--fail-days``, or a key that does not match), 2
for usage errors. The password comes from an environment variable or a file, never from
the command line, where other users could read it in the process list.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from adapter.errors import CertificateError, ConfigurationError

__all__ = ["register"]


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "certs",
        help="check the client certificate SMT's mutual TLS needs",
        description="Inspect client certificates for SMT's mutual TLS.",
    )
    actions = parser.add_subparsers(dest="certs_command", metavar="ACTION", required=True)
    check = actions.add_parser(
        "check",
        help="show a client certificate's subject, chain and expiry, and judge it",
        description=(
            "Show a client certificate's subject, issuer, serial, expiry and chain, check "
            "that the key matches, and judge the days left. Exit status: 0 ok or warning "
            "(the warning on stderr), 3 failing, 2 usage error."
        ),
    )
    source = check.add_mutually_exclusive_group(required=True)
    source.add_argument(
        "--cert", type=Path, metavar="PEM", help="the certificate, then its chain (PEM)"
    )
    source.add_argument("--pkcs12", type=Path, metavar="P12", help="a PKCS#12 bundle")
    check.add_argument(
        "--key", type=Path, metavar="PEM", help="the private key, if not inside --cert"
    )
    secret = check.add_mutually_exclusive_group()
    secret.add_argument(
        "--password-env", metavar="NAME", help="read the key or bundle password from $NAME"
    )
    secret.add_argument(
        "--password-file",
        type=Path,
        metavar="PATH",
        help="read the password from the first line of PATH",
    )
    check.add_argument("--warn-days", type=_days, default=30, metavar="N")
    check.add_argument("--fail-days", type=_days, default=7, metavar="N")
    check.add_argument("--json", action="store_true", help="print the report as JSON")
    check.set_defaults(run=run_check)


def run_check(args: argparse.Namespace) -> int:
    """Print the report; raise ``CertificateError`` when it is failing (exit 3)."""
    from adapter.certs import format_report, inspect_certificate
    from adapter.cli import ExitCode
    from adapter.transport.tls import ClientCertificate

    if args.key is not None and args.pkcs12 is not None:
        raise ConfigurationError(
            "--key goes with --cert; a PKCS#12 bundle holds its own key",
            field="--key",
            value=str(args.key),
        )
    for option, path in (("--cert", args.cert), ("--key", args.key), ("--pkcs12", args.pkcs12)):
        if path is not None and not path.is_file():
            raise ConfigurationError(
                f"{option} {str(path)!r}: no such file", field=option, value=str(path)
            )
    certificate = ClientCertificate(
        cert_file=args.cert,
        key_file=args.key,
        pkcs12_file=args.pkcs12,
        password=_read_password(args),
    )
    report = inspect_certificate(certificate, warn_days=args.warn_days, fail_days=args.fail_days)
    if args.json:
        print(json.dumps(report.as_json(), indent=2))
    else:
        print("\n".join(format_report(report)))
    if report.status == "failing":
        raise CertificateError(report.verdict, path=report.source, days_left=report.days_left)
    if report.status == "warning":
        print(f"smt certs check: {report.verdict}", file=sys.stderr)
    return ExitCode.OK


def _read_password(args: argparse.Namespace) -> str | None:
    if args.password_env is not None:
        value = os.environ.get(args.password_env)
        if value is None:
            raise ConfigurationError(
                f"the environment variable {args.password_env} is not set",
                field="--password-env",
                value=args.password_env,
            )
        return value
    if args.password_file is not None:
        try:
            text = args.password_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            # Never quote a decoding error: it shows bytes of the password.
            why = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
            raise ConfigurationError(
                f"cannot read the password file {args.password_file}: {why}",
                field="--password-file",
                value=str(args.password_file),
            ) from exc
        # Only the line break an editor or `echo` adds: spaces may belong to the password.
        lines = text.splitlines()
        return lines[0] if lines else ""
    return None


def _days(text: str) -> int:
    try:
        days = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of days") from None
    if days < 0:
        raise argparse.ArgumentTypeError(f"{text}: days must be 0 or more")
    return days
