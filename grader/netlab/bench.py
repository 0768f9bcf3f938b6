"""`make bench`: how long grading takes on this machine, written to out/bench.md.

Timing belongs here, not in a test: a benchmark reports, a test passes or fails.
"""
from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .manifest import KIT, discover, select


def timed(args: list[str]) -> float:
    t0 = time.monotonic()
    subprocess.run([str(KIT / "grader" / "grade"), *args], capture_output=True, timeout=1800, check=True)
    return time.monotonic() - t0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="bench", description=__doc__.splitlines()[0])
    p.add_argument("--lab", default=None)
    p.add_argument("--out", default=str(KIT / "out" / "bench.md"))
    p.add_argument("--batch", type=int, default=20, help="reference submissions in the batch runs")
    args = p.parse_args(argv)
    rows, batch_rows = [], []
    labs = select(discover(), args.lab)
    lab_arg = ["--lab", ",".join(lab.id for lab in labs)]
    with tempfile.TemporaryDirectory(prefix="netlab-bench-") as tmp:
        (Path(tmp) / "empty").mkdir()
        for lab in labs:
            ref = timed(["--lab", lab.id, "--submission", "solutions"])
            skel = timed(["--lab", lab.id, "--submission", str(Path(tmp) / "empty")])
            rows.append((lab.slug, len(lab.rubric), ref, skel))
        whole = timed(lab_arg + ["--submission", "solutions"])
        subs = Path(tmp) / "class"
        for i in range(args.batch):
            shutil.copytree(KIT / "solutions", subs / f"student{i:02d}")
        for jobs in (1, 2):
            t0 = time.monotonic()
            subprocess.run([str(KIT / "grader" / "batch"), str(subs), "--out", str(Path(tmp) / f"out{jobs}"),
                            "-j", str(jobs), *lab_arg], capture_output=True, timeout=24 * 3600, check=True)
            batch_rows.append((jobs, time.monotonic() - t0))
    lines = [
        "# Grader benchmark", "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{time.strftime('%Y-%m-%d %H:%M')}.", "",
        "| lab | tests | reference (full grading) | untouched skeleton |",
        "|---|---|---|---|",
    ]
    lines += [f"| {slug} | {n} | {ref:.1f} s | {skel:.1f} s |" for slug, n, ref, skel in rows]
    lines += ["", f"One full submission ({', '.join(lab.id for lab in labs)}): {whole:.1f} s.", "",
              f"| batch of {args.batch} reference submissions | wall time | per submission |",
              "|---|---|---|"]
    lines += [f"| -j{jobs} | {t:.0f} s | {t / max(args.batch, 1):.1f} s |" for jobs, t in batch_rows]
    text = "\n".join(lines) + "\n"
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(text)
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
