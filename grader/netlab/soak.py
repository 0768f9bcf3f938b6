"""`make soak`: grade every lab's reference solution many times in a row; any lost point fails.

A test that passes 19 times out of 20 is a test that will fail a student's correct work one day,
so the soak run is how flakiness is found before students find it.
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .manifest import KIT, discover, select


def grade_once(lab_id: str, out: Path) -> tuple[float, dict]:
    t0 = time.monotonic()
    subprocess.run([str(KIT / "grader" / "grade"), "--lab", lab_id, "--submission", "solutions",
                    "--json", str(out)], capture_output=True, text=True, timeout=1800)
    elapsed = time.monotonic() - t0
    try:
        return elapsed, json.loads(out.read_text())
    except (OSError, ValueError):
        return elapsed, {}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="soak", description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=20)
    p.add_argument("--lab", default=None)
    args = p.parse_args(argv)
    failures = 0
    with tempfile.TemporaryDirectory(prefix="netlab-soak-") as tmp:
        for lab in select(discover(), args.lab):
            times, full = [], 0
            for i in range(1, args.runs + 1):
                out = Path(tmp) / f"{lab.slug}-{i}.json"
                elapsed, data = grade_once(lab.id, out)
                times.append(elapsed)
                lost = [t for lab_data in data.get("labs", []) for t in lab_data["tests"]
                        if t["status"] != "passed"]
                if data and not lost and data["score"] == lab.max_score:
                    full += 1
                else:
                    failures += 1
                    print(f"lab {lab.id} run {i}: LOST POINTS", flush=True)
                    for t in lost:
                        print(f"  {t['name']}: {t['output'][:800]}", flush=True)
                    if not data:
                        print("  the grader wrote no results", flush=True)
            print(f"lab {lab.id}: {full} of {args.runs} runs scored full marks "
                  f"({lab.max_score:g} points); mean {statistics.mean(times):.1f} s, "
                  f"max {max(times):.1f} s", flush=True)
    print(f"soak: FAILED, {failures} run(s) lost points" if failures
          else "soak: every run scored full marks")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
