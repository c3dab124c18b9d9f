"""``smt callback serve``: an HTTPS endpoint that receives SMT's callback reports (JSON
pushed for asynchronous requests with deliveryMode API) and stores one file per
correlationId, atomically; the same report sent twice is stored once."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path
from typing import Any

from adapter.callbacks import CallbackReceiver
from adapter.errors import ConfigurationError

__all__ = ["register"]


def register(commands: Any) -> None:
    group = commands.add_parser("callback", help="receive SMT's callback reports")
    actions = group.add_subparsers(dest="action", metavar="ACTION", required=True)
    serve = actions.add_parser(
        "serve",
        help="serve an HTTPS endpoint that stores SMT's callback reports",
        description=(
            "Receive SMT's callback reports over HTTPS (TLS 1.2+; with --client-ca, only "
            "clients with a certificate from that CA) and store each as "
            "FOLDER/<correlationId>.json, written atomically. Runs until interrupted. "
            "Exit status: 0 stopped, 2 usage or settings error."
        ),
    )
    serve.add_argument("--folder", type=Path, required=True, help="where reports are stored")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8444)
    serve.add_argument("--cert", type=Path, help="the server's certificate chain (PEM)")
    serve.add_argument("--key", type=Path, help="the server's private key (PEM)")
    serve.add_argument("--client-ca", type=Path, help="require client certificates from this CA")
    serve.add_argument("--insecure", action="store_true", help="plain HTTP, for a local trial only")
    serve.set_defaults(run=run_serve)


def run_serve(args: argparse.Namespace) -> int:
    # the mock's server package (and spyne) load only when this command runs
    from adapter.mock.server import MockServer, TlsFiles, build_server_context

    if not 0 <= args.port <= 65535:
        raise ConfigurationError(
            f"--port {args.port}: must be 0 to 65535", field="port", value=str(args.port)
        )
    context = None
    if not args.insecure:
        if args.cert is None or args.key is None:
            raise ConfigurationError(
                "HTTPS needs --cert and --key (or --insecure for plain HTTP on a trial)",
                field="cert",
                value="",
            )
        context = build_server_context(
            TlsFiles(cert_file=args.cert, key_file=args.key, client_ca_file=args.client_ca)
        )
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    try:
        server = MockServer(
            CallbackReceiver(args.folder), host=args.host, port=args.port, tls=context
        )
    except OSError as exc:
        raise ConfigurationError(
            f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}",
            field="port",
            value=str(args.port),
        ) from exc
    print(f"receiving SMT callbacks at {server.base_url}/ into {args.folder}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
    return 0
