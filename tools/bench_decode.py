"""Benchmark decoding a DUNS-scale interval response into 15-minute readings.

From one processIntervalEnergyData response on disk (generated into a temporary folder by
tools/make_interval_response.py when no path is given, about 57 MB), runs in the same run,
alternately, each side in a fresh child process:
  baseline  plain lxml: parse the whole file, then validate it (the envelope schema)
  ours      iter_interval_day_readings(validate=True), as a caller gets it: every day
            checked whole (slot count, empty and filled slots, every value's syntax) into
            columns, and its reading count and exact kWh total (Decimal) consumed; for a
            file this size on two CPUs or more, the days' totals are summed by a worker
            process while this one parses (adapter.soap.interval_pipeline)
  single    the same in one process (worker=False)
  objects   the same, then every IntervalReading built from the columns, counted and its
            kWh summed (must agree with ours); --no-objects skips it
  startup   interpreter start, imports and schema compiling only (ours pays it too)
Each side is timed end to end (interpreter start included on both); its peak resident
memory is the larger of the kernel's figure (wait4's ru_maxrss) and the largest sum over
the process and its children (the worker) sampled while it runs; its CPU time counts the
worker too. Reports the best of N runs and the ratio ours throughput / baseline
throughput. Targets: ratio >= 0.5, ours peak RSS < 64 MB.

    python tools/bench_decode.py [PATH] [--runs 3] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
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
from adapter.soap.interval_stream import iter_interval_day_readings
count, total = 0, Decimal(0)
for day in iter_interval_day_readings(Path(sys.argv[1]), validate=True):
    count += len(day)
    total += day.total_kwh()
print(json.dumps({"readings": count, "kwh": str(total)}))
"""
SINGLE = OURS.replace("validate=True)", "validate=True, worker=False)")
OBJECTS = """
import json, sys
from decimal import Decimal
from pathlib import Path
from adapter.interval import iter_day_readings
from adapter.soap.interval_stream import iter_interval_days
count, total = 0, Decimal(0)
for day in iter_day_readings(iter_interval_days(Path(sys.argv[1]), validate=True)):
    for reading in day:
        count += 1
        total += reading.kwh
print(json.dumps({"readings": count, "kwh": str(total)}))
"""


def measure(command: list[str]) -> tuple[float, float, float, str]:
    """Wall seconds, peak RSS in MB, CPU seconds (its children's included) and stdout of
    one fresh process; it must exit 0.

    The peak is the larger of the kernel's figure for the process (wait4's ru_maxrss) and
    the largest sum of resident memory of the process and its children (a decoding worker)
    seen while it ran, sampled every millisecond from /proc."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    sampled, done = [0.0], threading.Event()
    sampler = threading.Thread(target=_sample_tree_rss, args=(process.pid, sampled, done))
    sampler.start()
    # read before waiting: a full pipe would block the child
    out = process.stdout.read().decode() if process.stdout else ""
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    done.set()
    sampler.join()
    process.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    if os.waitstatus_to_exitcode(status) != 0:
        error = process.stderr.read().decode() if process.stderr else ""
        raise SystemExit(f"{command[:3]} failed: {error}")
    cpu = usage.ru_utime + usage.ru_stime  # with the children it waited for (a worker)
    return elapsed, max(usage.ru_maxrss / 1024, sampled[0]), cpu, out


def _sample_tree_rss(pid: int, peak: list[float], done: threading.Event) -> None:
    """Keep in ``peak[0]`` the largest resident memory (MB) of process ``pid`` plus its
    children's, until ``done`` (Linux /proc; nothing elsewhere). It never waits for the
    process: the caller reaps it."""
    while not done.wait(0.001):
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text()
        except OSError:
            return
        total = _rss_mb(pid) + sum(_rss_mb(int(child)) for child in children.split())
        peak[0] = max(peak[0], total)


def _rss_mb(pid: int) -> float:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0  # it has just ended
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


STARTUP = """
from adapter.contract import Profile
from adapter.interval import iter_day_readings
from adapter.soap.interval_stream import iter_interval_days
from adapter.xml.schemaset import item_schemas, skeleton_schema
item_schemas(Profile.WIRE, "{http://schemas.esb.ams.com/meterusagesource}"
             "processIntervalEnergyDataResponse")
skeleton_schema(Profile.WIRE)
"""
SIDES = {
    "baseline": BASELINE,
    "ours": OURS,
    "single": SINGLE,
    "objects": OBJECTS,
    "startup": STARTUP,
}


def run(document: Path, runs: int, *, objects: bool = True) -> dict[str, object]:
    size_mb = document.stat().st_size / 1e6
    sides = [name for name in SIDES if objects or name != "objects"]
    results: dict[str, list[tuple[float, float, float]]] = {name: [] for name in sides}
    decoded: dict[str, dict[str, object]] = {}
    for _ in range(runs):
        for name in sides:
            elapsed, rss, cpu, out = measure([sys.executable, "-c", SIDES[name], str(document)])
            results[name].append((elapsed, rss, cpu))
            if out.strip():
                decoded[name] = json.loads(out)
    if decoded["single"] != decoded["ours"] or (objects and decoded["objects"] != decoded["ours"]):
        raise SystemExit(f"the sides disagree: {decoded}")
    best = {name: min(t for t, _, _ in found) for name, found in results.items()}
    peak = {name: max(m for _, m, _ in found) for name, found in results.items()}
    cpu = {name: min(c for _, _, c in found) for name, found in results.items()}
    ratio = best["baseline"] / best["ours"]
    report: dict[str, object] = {
        "document_mb": round(size_mb, 1),
        "readings": decoded["ours"]["readings"],
        "kwh": decoded["ours"]["kwh"],
        "runs": runs,
        "ratio": round(ratio, 3),
        "ratio_met": ratio >= 0.5,
        "rss_met": peak["ours"] < 64,
    }
    for name in sides:
        report[f"{name}_s"] = round(best[name], 2)
        report[f"{name}_mb_per_s"] = round(size_mb / best[name], 1)
        report[f"{name}_peak_rss_mb"] = round(peak[name], 1)
        report[f"{name}_cpu_s"] = round(cpu[name], 2)
    report["single_ratio"] = round(best["baseline"] / best["single"], 3)
    if objects:
        report["objects_ratio"] = round(best["baseline"] / best["objects"], 3)
    # Both sides pay the same interpreter start, imports and schema compiling; without it
    # the ratio compares the work alone (reported beside the end-to-end one, for honesty).
    startup = best["startup"]
    if best["ours"] > startup and best["baseline"] > startup:
        report["work_ratio"] = round((best["baseline"] - startup) / (best["ours"] - startup), 3)
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("path", nargs="?", type=Path, help="a saved response (default: make one)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--no-objects", action="store_true", help="skip the side that builds every reading"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        document = args.path
        if document is None:
            document = Path(folder) / "duns-interval-response.xml"
            with document.open("w", encoding="utf-8", newline="\n") as out:
                write_response(out, esiids=95, days=730, start=_start())
        report = run(document, args.runs, objects=not args.no_objects)
    if args.json:
        print(json.dumps(report))
        return 0
    labels = {
        "baseline": "baseline (lxml parse + validate)",
        "ours": "ours (stream + validate + decode)",
        "single": "ours in one process (no worker)",
        "objects": "ours, objects (+ every reading)",
        "startup": "startup only (imports, schemas)",
    }
    print(
        f"document: {report['document_mb']} MB, {report['readings']} readings, "
        f"{report['kwh']} kWh; best of {args.runs} runs, each side in a fresh process"
    )
    print(f"{'side':<36}{'seconds':>10}{'MB/s':>10}{'peak RSS MB':>14}{'CPU s':>8}")
    for name, label in labels.items():
        if f"{name}_s" in report:
            print(f"{label:<36}{report[f'{name}_s']:>10}{report[f'{name}_mb_per_s']:>10}"
                  f"{report[f'{name}_peak_rss_mb']:>14}{report[f'{name}_cpu_s']:>8}")  # fmt: skip
    print(f"ratio ours/baseline {report['ratio']} (target >= 0.5: "
          f"{'met' if report['ratio_met'] else 'NOT met'}); ours peak RSS "
          f"{report['ours_peak_rss_mb']} MB (target < 64: "
          f"{'met' if report['rss_met'] else 'NOT met'})")  # fmt: skip
    print(f"ratio in one process (no worker): {report['single_ratio']}")
    if "objects_ratio" in report:
        print(f"ratio with every IntervalReading built: {report['objects_ratio']}")
    if "work_ratio" in report:
        print(f"ratio of the work alone (startup taken off both sides): {report['work_ratio']}")
    return 0


def _start() -> date:
    return date(2023, 1, 1)  # two DST starts and two DST ends in 730 days


if __name__ == "__main__":
    raise SystemExit(main())
