"""Benchmark decoding a DUNS-scale interval response into 15-minute readings.

From one processIntervalEnergyData response on disk (generated into a temporary folder by
tools/make_interval_response.py when no path is given, about 57 MB), runs in the same run,
alternately, each side in a fresh child process:
  baseline  plain lxml: parse the whole file, then validate it (the envelope schema)
  ours      iter_interval_days(validate=True) + decode_days: every reading built, counted
            and its kWh summed (exactly, as Decimal)
Each side is timed end to end (interpreter start included on both) and its peak resident
memory read from the kernel (wait4's ru_maxrss for that child alone). Reports the best of
N runs and the ratio ours throughput / baseline throughput. Targets: ratio >= 0.5, ours
peak RSS < 64 MB.

    python tools/bench_decode.py [PATH] [--runs 3] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_interval_response import write_response  # a sibling tool

__all__ = ["main"]

BASELINE = """
import sys
from lxml import etree
from adapter.contract import Profile
from adapter.xml.schemaset import envelope_schema
schema = envelope_schema(Profile.WIRE)
parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
tree = etree.parse(sys.argv[1], parser)
sys.exit(0 if schema.validate(tree) else 1)
"""
OURS = """
import json, sys
from decimal import Decimal
from pathlib import Path
from adapter.interval import decode_days
from adapter.soap.interval_stream import iter_interval_days
count, total = 0, Decimal(0)
for reading in decode_days(iter_interval_days(Path(sys.argv[1]), validate=True)):
    count += 1
    total += reading.kwh
print(json.dumps({"readings": count, "kwh": str(total)}))
"""


def measure(command: list[str]) -> tuple[float, float, str]:
    """Wall seconds, peak RSS in MB and stdout of one fresh process; it must exit 0."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    # read before waiting: a full pipe would block the child
    out = process.stdout.read().decode() if process.stdout else ""
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        error = process.stderr.read().decode() if process.stderr else ""
        raise SystemExit(f"{command[:3]} failed: {error}")
    return elapsed, usage.ru_maxrss / 1024, out


def run(document: Path, runs: int) -> dict[str, object]:
    size_mb = document.stat().st_size / 1e6
    results: dict[str, list[tuple[float, float]]] = {"baseline": [], "ours": []}
    summary = ""
    for _ in range(runs):
        elapsed, rss, _ = measure([sys.executable, "-c", BASELINE, str(document)])
        results["baseline"].append((elapsed, rss))
        elapsed, rss, summary = measure([sys.executable, "-c", OURS, str(document)])
        results["ours"].append((elapsed, rss))
    best = {name: min(t for t, _ in found) for name, found in results.items()}
    peak = {name: max(m for _, m in found) for name, found in results.items()}
    decoded = json.loads(summary)
    ratio = best["baseline"] / best["ours"]
    return {
        "document_mb": round(size_mb, 1),
        "readings": decoded["readings"],
        "kwh": decoded["kwh"],
        "runs": runs,
        "baseline_s": round(best["baseline"], 2),
        "ours_s": round(best["ours"], 2),
        "baseline_mb_per_s": round(size_mb / best["baseline"], 1),
        "ours_mb_per_s": round(size_mb / best["ours"], 1),
        "ours_readings_per_s": round(decoded["readings"] / best["ours"]),
        "ratio": round(ratio, 3),
        "baseline_peak_rss_mb": round(peak["baseline"], 1),
        "ours_peak_rss_mb": round(peak["ours"], 1),
        "ratio_met": ratio >= 0.5,
        "rss_met": peak["ours"] < 64,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("path", nargs="?", type=Path, help="a saved response (default: make one)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        document = args.path
        if document is None:
            document = Path(folder) / "duns-interval-response.xml"
            with document.open("w", encoding="utf-8", newline="\n") as out:
                write_response(out, esiids=95, days=730, start=_start())
        report = run(document, args.runs)
    if args.json:
        print(json.dumps(report))
        return 0
    rows = [
        ("side", "seconds", "MB/s", "peak RSS MB"),
        ("baseline (lxml parse + validate)", report["baseline_s"], report["baseline_mb_per_s"],
         report["baseline_peak_rss_mb"]),
        ("ours (stream + validate + decode)", report["ours_s"], report["ours_mb_per_s"],
         report["ours_peak_rss_mb"]),
    ]  # fmt: skip
    print(
        f"document: {report['document_mb']} MB, {report['readings']} readings, "
        f"{report['kwh']} kWh; best of {args.runs} runs, each side in a fresh process"
    )
    for row in rows:
        print(f"{row[0]:<36}{row[1]:>10}{row[2]:>10}{row[3]:>14}")
    print(f"ratio ours/baseline {report['ratio']} (target >= 0.5: "
          f"{'met' if report['ratio_met'] else 'NOT met'}); ours peak RSS "
          f"{report['ours_peak_rss_mb']} MB (target < 64: "
          f"{'met' if report['rss_met'] else 'NOT met'})")  # fmt: skip
    return 0


def _start() -> date:
    return date(2023, 1, 1)  # two DST starts and two DST ends in 730 days


if __name__ == "__main__":
    raise SystemExit(main())
