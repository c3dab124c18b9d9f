"""``smt mock``: run the local SMT; ``smt mock certs DIR``: write throwaway certificates
for trying mutual TLS against it."""

from __future__ import annotations

import argparse
import dataclasses
import logging
import sys
import tomllib
from pathlib import Path
from typing import Any

from adapter.errors import ConfigurationError

__all__ = ["register"]

_DEFAULT_CERTS = Path(".smt-mock") / "certs"


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "mock",
        help="run a local SMT (the SOAP services, secured, stateful, with fault injection)",
        description="Serve every SMT SOAP service of the bundled contract on this machine.",
    )
    parser.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port (default 8443; 0 picks a free one)")
    parser.add_argument("--config", type=Path, help="TOML file with a [mock] table")
    parser.add_argument(
        "--insecure",
        action="store_true",
        help="plain HTTP and no authentication, for quick local trials only",
    )
    parser.add_argument(
        "--certs-dir",
        type=Path,
        default=_DEFAULT_CERTS,
        help="where throwaway certificates are kept when the config names none "
        f"(default {_DEFAULT_CERTS})",
    )
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="log every request, not only refusals"
    )
    parser.set_defaults(run=run_mock)
    sub = parser.add_subparsers(dest="mock_command", metavar="SUBCOMMAND")
    certs = sub.add_parser(
        "certs",
        help="write a throwaway CA, server and client certificate, and a PKCS#12 client bundle",
    )
    certs.add_argument("directory", type=Path)
    certs.add_argument("--client-name", default="CSPAPIUser1", help="client certificate CN")
    certs.add_argument("--days", type=int, default=90, help="validity (SMT's are 90 days)")
    certs.add_argument("--force", action="store_true", help="replace existing files")
    certs.set_defaults(run=run_certs)


def run_certs(args: argparse.Namespace) -> int:
    from adapter.mock.certs import describe_certificate_set, write_certificate_set

    try:
        written = write_certificate_set(
            args.directory, client_name=args.client_name, days=args.days, overwrite=args.force
        )
    except ConfigurationError as exc:
        if "overwrite" not in str(exc):
            raise
        message = str(exc).replace("pass overwrite=True", "pass --force")
        raise ConfigurationError(message, field=exc.field, value=exc.value) from None
    for line in describe_certificate_set(written):
        print(line)
    return 0


def run_mock(args: argparse.Namespace) -> int:
    from adapter.mock.app import MockApp
    from adapter.mock.config import MockSettings, SecurityProfile, settings_from_mapping
    from adapter.mock.server import MockServer, build_server_context

    logging.basicConfig(format="%(asctime)s %(name)s: %(message)s", level=logging.WARNING)
    logging.getLogger("adapter.mock").setLevel(logging.DEBUG if args.verbose else logging.INFO)
    settings = MockSettings()
    if args.config is not None:
        settings = settings_from_mapping(_mock_table(args.config), base_dir=args.config.parent)
    overrides: dict[str, Any] = {}
    if args.host is not None:
        overrides["host"] = args.host
    if args.port is not None:
        overrides["port"] = args.port
    if args.insecure:
        overrides["security"] = SecurityProfile.INSECURE
    settings = dataclasses.replace(settings, **overrides)
    context = None
    cert_lines: list[str] = []
    if settings.security is not SecurityProfile.INSECURE:
        files, cert_lines = _tls_files(settings, args.certs_dir)
        if settings.security is SecurityProfile.TOKEN:
            files = dataclasses.replace(files, client_ca_file=None)
        context = build_server_context(files)
    app = MockApp(settings)
    try:
        server = MockServer(app, host=settings.host, port=settings.port, tls=context)
    except OSError as exc:
        raise ConfigurationError(
            f"cannot listen on {settings.host}:{settings.port}: {exc.strerror or exc}",
            field="port",
            value=str(settings.port),
        ) from exc
    for line in _banner(settings, server.base_url, app, cert_lines):
        print(line)
    sys.stdout.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("smt mock: stopped")
    finally:
        server.shutdown()
    return 0


def _mock_table(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            document = tomllib.load(handle)
    except OSError as exc:
        raise ConfigurationError(
            f"--config {path}: cannot read it ({exc.strerror})", field="--config", value=str(path)
        ) from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigurationError(
            f"--config {path}: not valid TOML ({exc})", field="--config", value=str(path)
        ) from exc
    table = document.get("mock")
    if not isinstance(table, dict):
        raise ConfigurationError(
            f"--config {path}: has no [mock] table", field="--config", value=str(path)
        )
    return table


def _tls_files(settings: Any, certs_dir: Path) -> tuple[Any, list[str]]:
    """The configured certificates, or a throwaway set (made once, then reused)."""
    certs_dir = certs_dir.resolve()
    from adapter.mock.certs import CertificateSet, write_certificate_set
    from adapter.mock.server import TlsFiles

    if settings.tls is not None:
        tls = settings.tls
        return TlsFiles(
            cert_file=tls.cert_file, key_file=tls.key_file, client_ca_file=tls.client_ca_file
        ), [f"  CA that signs client certificates: {tls.client_ca_file}"]
    names = ("ca.pem", "server.pem", "server-key.pem", "client.pem", "client-key.pem", "client.p12")
    if all((certs_dir / n).is_file() for n in names):
        password_file = certs_dir / "client.p12.password"
        written = CertificateSet(
            ca_cert=certs_dir / "ca.pem",
            server_cert=certs_dir / "server.pem",
            server_key=certs_dir / "server-key.pem",
            client_cert=certs_dir / "client.pem",
            client_key=certs_dir / "client-key.pem",
            client_p12=certs_dir / "client.p12",
            p12_password=password_file.read_text().strip() if password_file.is_file() else "",
        )
        origin = "reusing the throwaway certificates in"
    else:
        written = write_certificate_set(certs_dir)
        origin = "wrote throwaway certificates to"
    lines = [
        f"  {origin} {certs_dir}",
        f"  CA (trust it, and it signs client certificates): {written.ca_cert}",
        f"  client certificate and key: {written.client_cert} {written.client_key}",
        f"  client PKCS#12: {written.client_p12} (password in {certs_dir}/client.p12.password)",
    ]
    files = TlsFiles(
        cert_file=written.server_cert, key_file=written.server_key, client_ca_file=written.ca_cert
    )
    return files, lines


def _banner(settings: Any, base_url: str, app: Any, cert_lines: list[str]) -> list[str]:
    profile = settings.security.value
    lines = [f"smt mock: serving SMT at {base_url} (security: {profile})"]
    for path, service in sorted(app.services.items()):
        lines.append(f"  {service.name:<18} {base_url}{path}  (WSDL: {base_url}{path}?wsdl)")
    if profile == "token":
        lines.append(f"  token: POST {base_url}/v2/token/ with JSON {{username, password}}")
    lines.append(f"  admin: GET {base_url}/_mock/state, POST {base_url}/_mock/reset")
    lines.append("credentials (service ID = requestorID / password):")
    for account in settings.accounts:
        lines.append(f"  {account.service_id} / {account.password}  ({account.requester_type})")
    lines.extend(cert_lines)
    first = settings.accounts[0]
    if profile == "certificate" and settings.tls is None:
        certs = next(line.rsplit(" ", 1)[1] for line in cert_lines if " certificates " in line)
        lines.append(
            f"try: curl --cacert {certs}/ca.pem --cert {certs}/client.pem "
            f"--key {certs}/client-key.pem '{base_url}/energydata/?wsdl'"
        )
        lines.append(f"     and send SOAP calls with -u '{first.service_id}:{first.password}'")
    elif profile == "token":
        ca = next((line.rsplit(" ", 1)[1] for line in cert_lines if " CA " in line), "ca.pem")
        credentials = f'{{"username": "{first.service_id}", "password": "{first.password}"}}'
        lines.append(
            f"try: curl --cacert {ca} -H 'Content-Type: application/json' "
            f"-d '{credentials}' {base_url}/v2/token/"
        )
    elif profile == "insecure":
        lines.append(f"try: curl '{base_url}/energydata/?wsdl'")
    return lines
