"""Benchmark the mock's throughput on processIntervalEnergyData against a bare lxml handler.

Two WSGI apps, each behind the same `MockServer` (wsgiref, a reused thread per connection, one
request per connection, on loopback), each in its own child process, alternately:
  baseline  read the body, parse it with lxml (the project's safe parser), answer the bytes
            the mock answered (captured once before the measurement) with the same headers
  mock      `MockApp`, validation on: with `--tls`, the default production profile
            (HTTPS, client certificate required, HTTP Basic); without, `--insecure` (plain
            HTTP); the baseline is served the same way
Same server, same request, same response bytes, same bounded load (N requests over C client
threads, a new connection each, after a warm-up): the difference is the mock's own work
(XSD validation, spyne dispatch, data synthesis, serialization). Reports the median
requests/second over the rounds, the ratio mock/baseline (target >= 0.8), the server's CPU
per request (read in the child process alone) and the p50/p95 latency of a request.

    python tools/bench_mock.py [--tls] [--requests 3000] [--concurrency 4] [--rounds 3] [--json]
"""

from __future__ import annotations

import argparse
import base64
import datetime
import http.client
import json
import multiprocessing
import resource
import ssl
import statistics
import sys
import tempfile
import threading
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
REQUEST = ROOT / "fixtures/soap/energydata/processIntervalEnergyData.request.xml"
PATH = "/energydata/"
HEADERS = {
    "Content-Type": "text/xml; charset=utf-8",
    "SOAPAction": '"http://schemas.esb.ams.com/meterusagesource/processIntervalEnergyData"',
    "Authorization": "Basic " + base64.b64encode(b"CSPAPIUser1:smt-mock-CSPAPIUser1").decode(),
}
MARKER = b"IntervalEnergyDataSyncResponse"
WARMUP = 200


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _baseline_app(answer: bytes, content_type: str) -> Any:
    from lxml import etree

    from adapter.xml.parsing import safe_parser

    headers = [("Content-Type", content_type), ("Content-Length", str(len(answer)))]

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        etree.fromstring(body, safe_parser())  # parsers are not thread-safe: one per request
        start_response("200 OK", list(headers))  # wsgiref appends Connection: close to it
        return [answer]

    return app


def _mock_app(tls: bool) -> Any:
    from adapter.mock.app import MockApp
    from adapter.mock.config import MockSettings, SecurityProfile

    security = SecurityProfile.CERTIFICATE if tls else SecurityProfile.INSECURE
    settings = MockSettings(security=security, today=datetime.date(2019, 8, 7), port=0)
    return MockApp(settings)


def serve(kind: str, answer: bytes, content_type: str, certs: str | None, pipe: Connection) -> None:
    """Child process: serve one app, answer "cpu" with this process's CPU seconds, stop on
    "stop"."""
    from adapter.mock.server import MockServer, TlsFiles, build_server_context

    context = None
    if certs is not None:
        folder = Path(certs)
        files = TlsFiles(
            cert_file=folder / "server.pem",
            key_file=folder / "server-key.pem",
            client_ca_file=folder / "ca.pem",
        )
        context = build_server_context(files)
    app = _mock_app(certs is not None) if kind == "mock" else _baseline_app(answer, content_type)
    with MockServer(app, host="127.0.0.1", port=0, tls=context) as server:
        pipe.send(server.base_url)
        while (command := pipe.recv()) != "stop":
            pipe.send(_cpu_seconds() if command == "cpu" else None)
    pipe.send("stopped")


class Child:
    """A server in a spawned child process, driven over a pipe."""

    def __init__(
        self, kind: str, certs: str | None, answer: bytes = b"", content_type: str = ""
    ) -> None:
        context = multiprocessing.get_context("spawn")
        self.pipe, child_end = context.Pipe()
        self.process = context.Process(
            target=serve, args=(kind, answer, content_type, certs, child_end), daemon=True
        )
        self.process.start()
        if not self.pipe.poll(120):
            raise SystemExit(f"the {kind} server did not start")
        url = urlsplit(self.pipe.recv())
        self.address = (url.hostname or "127.0.0.1", url.port or 80)

    def cpu(self) -> float:
        self.pipe.send("cpu")
        return float(self.pipe.recv())

    def stop(self) -> None:
        self.pipe.send("stop")
        self.pipe.recv()
        self.process.join(30)


CLIENT_TLS: ssl.SSLContext | None = None  # set by main() under --tls


def post(address: tuple[str, int], body: bytes) -> tuple[int, bytes, str]:
    connection = (
        http.client.HTTPConnection(*address, timeout=30)
        if CLIENT_TLS is None
        else http.client.HTTPSConnection(*address, timeout=30, context=CLIENT_TLS)
    )
    try:
        connection.request("POST", PATH, body, HEADERS)
        response = connection.getresponse()
        return response.status, response.read(), response.getheader("Content-Type") or ""
    finally:
        connection.close()


def load(
    address: tuple[str, int], body: bytes, expect: bytes | None, total: int, threads: int
) -> tuple[float, list[float], int]:
    """Send ``total`` requests over ``threads`` threads: (seconds, latencies, failures).
    A response fails unless it is a 200 with exactly ``expect`` (or holding MARKER)."""
    latencies: list[float] = []
    failures = [0]
    lock = threading.Lock()

    def worker(count: int) -> None:
        mine: list[float] = []
        bad = 0
        for _ in range(count):
            start = time.perf_counter()
            try:
                status, data, _ = post(address, body)
                ok = status == 200 and (data == expect if expect is not None else MARKER in data)
            except OSError:
                ok = False
            mine.append(time.perf_counter() - start)
            bad += not ok
        with lock:
            latencies.extend(mine)
            failures[0] += bad

    shares = [total // threads + (i < total % threads) for i in range(threads)]
    workers = [threading.Thread(target=worker, args=(n,)) for n in shares]
    start = time.perf_counter()
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    return time.perf_counter() - start, latencies, failures[0]


def run_round(
    child: Child, body: bytes, expect: bytes | None, args: argparse.Namespace
) -> dict[str, float]:
    try:
        _, _, failed = load(child.address, body, expect, WARMUP, args.concurrency)
        cpu_before, client_before = child.cpu(), _cpu_seconds()
        seconds, latencies, measured_failed = load(
            child.address, body, expect, args.requests, args.concurrency
        )
        cpu, client = child.cpu() - cpu_before, _cpu_seconds() - client_before
    finally:
        child.stop()
    if failed + measured_failed:
        raise SystemExit(f"error: {failed + measured_failed} failed requests")
    latencies.sort()
    return {
        "rps": args.requests / seconds,
        "cpu_ms": 1000 * cpu / args.requests,
        "client_cpu_ms": 1000 * client / args.requests,
        "p50_ms": 1000 * latencies[len(latencies) // 2],
        "p95_ms": 1000 * latencies[min(len(latencies) - 1, int(len(latencies) * 0.95))],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=3000, help="measured requests a round")
    parser.add_argument("--concurrency", type=int, default=4, help="client threads")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--tls", action="store_true", help="HTTPS with client certificates")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        certs = None
        if args.tls:
            certs = _trust(Path(folder))
        return _measure(args, certs)


def _trust(folder: Path) -> str:
    """Write throwaway certificates; make the client trust them and present its own."""
    global CLIENT_TLS
    from adapter.mock.certs import write_certificate_set

    written = write_certificate_set(folder)
    CLIENT_TLS = ssl.create_default_context(cafile=str(written.ca_cert))
    CLIENT_TLS.load_cert_chain(str(written.client_cert), str(written.client_key))
    return str(folder)


def _measure(args: argparse.Namespace, certs: str | None) -> int:
    body = REQUEST.read_bytes()
    capture = Child("mock", certs)
    try:
        status, answer, content_type = post(capture.address, body)
    finally:
        capture.stop()
    if status != 200 or MARKER not in answer:
        print(f"error: the mock answered {status}: {answer[:300]!r}", file=sys.stderr)
        return 1
    rounds: dict[str, list[dict[str, float]]] = {"baseline": [], "mock": []}
    try:
        for _ in range(args.rounds):
            rounds["baseline"].append(
                run_round(Child("baseline", certs, answer, content_type), body, answer, args)
            )
            rounds["mock"].append(run_round(Child("mock", certs), body, None, args))
    except SystemExit as exc:
        print(exc, file=sys.stderr)
        return 1
    summary = {
        name: {key: round(statistics.median(r[key] for r in results), 2) for key in results[0]}
        for name, results in rounds.items()
    }
    ratio = summary["mock"]["rps"] / summary["baseline"]["rps"]
    report = {
        "transport": "https+mtls" if certs else "http",
        "requests": args.requests,
        "concurrency": args.concurrency,
        "rounds": args.rounds,
        "response_bytes": len(answer),
        **{f"{name}_{key}": value for name, row in summary.items() for key, value in row.items()},
        "ratio": round(ratio, 2),
        "target_met": ratio >= 0.8,
    }
    if args.json:
        print(json.dumps(report))
        return 0
    print(
        f"{report['transport']}: {args.requests} requests x {args.rounds} rounds, "
        f"{args.concurrency} client threads, "
        f"{len(answer)}-byte answer; medians over rounds"
    )
    columns = ("rps", "cpu_ms", "client_cpu_ms", "p50_ms", "p95_ms")
    titles = ("req/s", "server CPU ms/req", "client CPU ms/req", "p50 ms", "p95 ms")
    print(f"{'':10}" + "".join(f"{title:>19}" for title in titles))
    for name, row in summary.items():
        print(f"{name:10}" + "".join(f"{row[key]:>19.2f}" for key in columns))
    print(f"ratio mock/baseline: {ratio:.2f} (target >= 0.80)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
