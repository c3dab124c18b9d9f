"""Benchmark `smt validate` on a DUNS-scale interval response.

Generates a synchronous interval response for 100 ESIIDs x 730 days (about 57 MB), then
runs, in fresh processes and in the same run, alternately:
  baseline  plain lxml: parse the whole file, then XMLSchema.validate (same schema)
  smt       `smt validate FILE` (the installed command)
Each is timed end to end (interpreter start included on both sides) and its peak resident
memory is read from the kernel (wait4). Reports the best of N runs and the ratio
smt throughput / baseline throughput. Targets: ratio >= 0.8, smt peak RSS < 64 MB.

    python tools/bench_validate.py [--esiids 100] [--days 730] [--runs 3] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
ENERGY = "http://schemas.esb.ams.com/meterusagesource"
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


def generate(path: Path, esiids: int, days: int) -> None:
    rng = random.Random(20240310)
    with path.open("w", encoding="utf-8") as out:
        out.write(f'<soapenv:Envelope xmlns:soapenv="{SOAP}"><soapenv:Body>\n')
        out.write(f'<NS1:processIntervalEnergyDataResponse xmlns:NS1="{ENERGY}">\n')
        for e in range(esiids):
            out.write(
                f"<IntervalEnergyDataSyncResponse><trans_id>BENCH1</trans_id>"
                f"<esiid>1044372000{e:07d}</esiid><energyDataList>\n"
            )
            for d in range(days):
                month, day = divmod(d % 336, 28)
                slots = [
                    f".{rng.randint(10, 999)}-{'A' if rng.random() > 0.02 else 'E'}"
                    for _ in range(100)
                ]
                slots[8:12] = ["", "", "", ""]
                out.write(
                    f"<energyData><DT>{month + 1:02d}/{day + 1:02d}/2024</DT>"
                    f"<RevTS>{month + 1:02d}/{day + 1:02d}/2024 09:49:58</RevTS><RT>C</RT>"
                    f"<RD>{','.join(slots)}</RD></energyData>\n"
                )
            out.write("</energyDataList></IntervalEnergyDataSyncResponse>\n")
        out.write("</NS1:processIntervalEnergyDataResponse></soapenv:Body></soapenv:Envelope>\n")


def measure(command: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS in MB of one fresh process; it must exit 0."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(
            f"{command[:2]} failed: {process.stderr.read().decode() if process.stderr else ''}"
        )
    return elapsed, usage.ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--esiids", type=int, default=100)
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    smt = Path(sys.executable).parent / "smt"
    with tempfile.TemporaryDirectory() as tmp:
        document = Path(tmp) / "duns-interval-response.xml"
        generate(document, args.esiids, args.days)
        size_mb = document.stat().st_size / 1e6
        runs: dict[str, list[tuple[float, float]]] = {"baseline": [], "smt": []}
        for _ in range(args.runs):
            runs["baseline"].append(measure([sys.executable, "-c", BASELINE, str(document)]))
            runs["smt"].append(measure([str(smt), "validate", str(document)]))
    best = {name: min(t for t, _ in results) for name, results in runs.items()}
    peak = {name: max(m for _, m in results) for name, results in runs.items()}
    report = {
        "document_mb": round(size_mb, 1),
        "esiids": args.esiids,
        "days": args.days,
        "baseline_mb_per_s": round(size_mb / best["baseline"], 1),
        "smt_mb_per_s": round(size_mb / best["smt"], 1),
        "ratio": round(best["baseline"] / best["smt"], 2),
        "baseline_peak_rss_mb": round(peak["baseline"], 1),
        "smt_peak_rss_mb": round(peak["smt"], 1),
        "targets_met": best["baseline"] / best["smt"] >= 0.8 and peak["smt"] < 64,
    }
    if args.json:
        print(json.dumps(report))
        return 0
    verdict = "met" if report["targets_met"] else "NOT met"
    print(f"document: {report['document_mb']} MB ({args.esiids} ESIIDs x {args.days} days)")
    print(f"best of {args.runs} runs, each in a fresh process")
    print(
        f"baseline (lxml parse + XMLSchema.validate): {report['baseline_mb_per_s']} MB/s, "
        f"peak RSS {report['baseline_peak_rss_mb']} MB"
    )
    print(f"smt validate: {report['smt_mb_per_s']} MB/s, peak RSS {report['smt_peak_rss_mb']} MB")
    print(f"ratio {report['ratio']} (target >= 0.8), smt peak RSS < 64 MB: targets {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
