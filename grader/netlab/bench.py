"""`make bench`: how long grading takes on this machine, written to out/bench.md.

Timing belongs here, not in a test: a benchmark reports, a test passes or fails.
"""
from __future__ import annotations

import argparse
import os
import platform
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
    args = p.parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory(prefix="netlab-bench-") as tmp:
        (Path(tmp) / "empty").mkdir()
        for lab in select(discover(), args.lab):
            ref = timed(["--lab", lab.id, "--submission", "solutions"])
            skel = timed(["--lab", lab.id, "--submission", str(Path(tmp) / "empty")])
            rows.append((lab.slug, len(lab.rubric), ref, skel))
    lines = [
        "# Grader benchmark", "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{time.strftime('%Y-%m-%d %H:%M')}.", "",
        "| lab | tests | reference (full grading) | untouched skeleton |",
        "|---|---|---|---|",
    ]
    lines += [f"| {slug} | {n} | {ref:.1f} s | {skel:.1f} s |" for slug, n, ref, skel in rows]
    text = "\n".join(lines) + "\n"
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(text)
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
