"""``smt mock``: run the local SMT; ``smt mock certs DIR``: write throwaway certificates
for trying mutual TLS against it."""

from __future__ import annotations

import argparse
import dataclasses
import ipaddress
import logging
import sys
import tomllib
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from adapter.errors import ConfigurationError

if TYPE_CHECKING:  # the mock (and spyne) load only when a mock command runs
    from adapter.mock.app import MockApp
    from adapter.mock.certs import CertificateSet
    from adapter.mock.config import MockSettings
    from adapter.mock.server import TlsFiles

__all__ = ["register"]

_DEFAULT_CERTS = Path(".smt-mock") / "certs"


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "mock",
        help="run a local SMT (SOAP and REST, secured, stateful, with fault injection)",
        description="Serve every SMT SOAP service and REST function of the bundled contract "
        "on this machine, and, when asked, the report drop over SFTP and FTPS.",
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
        "--sftp-port", type=int, help="also serve the report drop over SFTP (0: a free port)"
    )
    parser.add_argument(
        "--ftps-port",
        type=int,
        help="also serve the report drop over FTPS, with client certificates (0: a free port)",
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
    from adapter.mock.certs import (
        CERTIFICATE_FILES,
        describe_certificate_set,
        write_certificate_set,
    )

    existing = [name for name in CERTIFICATE_FILES if (args.directory / name).exists()]
    if existing and not args.force:
        raise ConfigurationError(
            f"{args.directory} already holds {', '.join(existing)}; pass --force to replace them",
            field="directory",
            value=str(args.directory),
        )
    written = write_certificate_set(
        args.directory, client_name=args.client_name, days=args.days, overwrite=args.force
    )
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
    settings = _with_file_servers(dataclasses.replace(settings, **overrides), args)
    if settings.security is SecurityProfile.INSECURE and not _is_loopback(settings.host):
        print(
            f"smt mock: warning: --insecure on {settings.host}: anyone who reaches this "
            "address can call the mock without credentials",
            file=sys.stderr,
        )
    trust: _Trust | None = None
    context = None
    if settings.security is not SecurityProfile.INSECURE:
        trust = _trust(settings, args.certs_dir)
        files = trust.files
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
    lines = _banner(settings, server.base_url, app, trust)
    with ExitStack() as running:
        lines += _start_file_servers(settings, trust, args.certs_dir, running)
        for line in lines:
            print(line)
        sys.stdout.flush()
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            print("smt mock: stopped")
        finally:
            server.shutdown()
    return 0


def _with_file_servers(settings: MockSettings, args: argparse.Namespace) -> MockSettings:
    """Settings with the SFTP/FTPS servers the options ask for, and a drop folder for them
    (``.smt-mock/drop`` unless ``[mock.reports]`` names one)."""
    from adapter.mock.delivery_settings import FtpsSettings, ReportSettings, SftpSettings

    changes: dict[str, Any] = {}
    if args.sftp_port is not None:
        changes["sftp"] = dataclasses.replace(settings.sftp or SftpSettings(), port=args.sftp_port)
    if args.ftps_port is not None:
        changes["ftps"] = dataclasses.replace(settings.ftps or FtpsSettings(), port=args.ftps_port)
    serving = changes.get("sftp", settings.sftp) or changes.get("ftps", settings.ftps)
    if serving is not None and settings.reports is None:
        changes["reports"] = ReportSettings(drop_root=(_DEFAULT_CERTS.parent / "drop").resolve())
    return dataclasses.replace(settings, **changes) if changes else settings


def _start_file_servers(
    settings: MockSettings, trust: _Trust | None, certs_dir: Path, running: ExitStack
) -> list[str]:
    """Start the configured SFTP/FTPS servers (stopped with ``running``); their banner."""
    lines: list[str] = []
    if settings.reports is None:
        return lines
    root = settings.reports.drop_root
    lines.append(f"report drop: {root}/<service ID>/adhocusage/ and intervaldata/")
    if settings.sftp is not None:
        from adapter.mock.sftp import SftpServer
        from adapter.mock.ssh_keys import format_fingerprint, load_host_key, read_authorized_keys

        sftp = settings.sftp
        key_file = sftp.host_key_file or certs_dir.resolve().parent / "sftp_host_key"
        key, _ = load_host_key(key_file)
        keys = read_authorized_keys(sftp.authorized_keys) if sftp.authorized_keys else None
        server = SftpServer(
            root,
            accounts=settings.accounts,
            host_key=key,
            authorized_keys=keys,
            passwords=sftp.passwords,
            host=settings.host,
            port=sftp.port,
            drop_after_bytes=sftp.drop_after_bytes,
        )
        running.enter_context(server)
        lines.append(
            f"  SFTP: sftp -P {server.port} <service ID>@{settings.host} "
            f"(host key {format_fingerprint(key)}, in {key_file})"
        )
    if settings.ftps is not None:
        if trust is None:
            raise ConfigurationError(
                "FTPS needs certificates (a client certificate is required): not with --insecure",
                field="ftps",
                value="insecure",
            )
        from adapter.mock.ftps import FtpsServer

        ftps = FtpsServer(
            root,
            accounts=settings.accounts,
            tls=trust.files,
            host=settings.host,
            port=settings.ftps.port,
            passive_ports=settings.ftps.passive_ports,
        )
        running.enter_context(ftps)
        lines.append(
            f"  FTPS: explicit TLS on {settings.host}:{ftps.port}, PROT P, client "
            f"certificate from {trust.files.client_ca_file}, passive ports "
            f"{settings.ftps.passive_ports[0]}-{settings.ftps.passive_ports[1]}"
        )
    return lines


def _is_loopback(host: str) -> bool:
    try:
        return host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


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


@dataclass(frozen=True, slots=True)
class _Trust:
    """The server's certificate files, and what a client needs (None when configured)."""

    files: TlsFiles
    throwaway: CertificateSet | None
    origin: str


def _trust(settings: MockSettings, certs_dir: Path) -> _Trust:
    """The configured certificates, or a throwaway set: reused while it stays valid for
    another day, written anew otherwise (the folder is the mock's own)."""
    from adapter.mock.certs import read_certificate_set, write_certificate_set
    from adapter.mock.server import TlsFiles

    if settings.tls is not None:
        tls = settings.tls
        files = TlsFiles(
            cert_file=tls.cert_file, key_file=tls.key_file, client_ca_file=tls.client_ca_file
        )
        return _Trust(files, None, "the configured certificates")
    certs_dir = certs_dir.resolve()
    found = read_certificate_set(certs_dir, valid_for=timedelta(days=1))
    stale = found is None and (certs_dir / "ca.pem").exists()
    written = found or write_certificate_set(certs_dir, overwrite=True)
    files = TlsFiles(
        cert_file=written.server_cert, key_file=written.server_key, client_ca_file=written.ca_cert
    )
    if found:
        origin = "reusing the throwaway certificates in"
    elif stale:
        origin = "replaced the certificates (incomplete, or expiring within a day) in"
    else:
        origin = "wrote throwaway certificates to"
    return _Trust(files, written, f"{origin} {certs_dir}")


def _banner(settings: MockSettings, base_url: str, app: MockApp, trust: _Trust | None) -> list[str]:
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
    first = settings.accounts[0]
    if trust is None:
        lines.append(f"try: curl '{base_url}/energydata/?wsdl'")
        return lines
    lines.append(f"  {trust.origin}")
    certs = trust.throwaway
    if certs is None:
        lines.append(f"  clients need a certificate signed by {trust.files.client_ca_file}")
        return lines
    lines.append(f"  CA (trust it; it signs client certificates): {certs.ca_cert}")
    lines.append(f"  client certificate and key: {certs.client_cert} {certs.client_key}")
    lines.append(f"  client PKCS#12: {certs.client_p12} (password in {certs.client_p12}.password)")
    if profile == "token":
        credentials = f'{{"username": "{first.service_id}", "password": "{first.password}"}}'
        lines.append(
            f"try: curl --cacert {certs.ca_cert} -H 'Content-Type: application/json' "
            f"-d '{credentials}' {base_url}/v2/token/"
        )
    else:
        lines.append(
            f"try: curl --cacert {certs.ca_cert} --cert {certs.client_cert} "
            f"--key {certs.client_key} '{base_url}/energydata/?wsdl'"
        )
        lines.append(f"     and send SOAP calls with -u '{first.service_id}:{first.password}'")
    return lines
