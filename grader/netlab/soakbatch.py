"""`make soak-batch`: one class of every kind, graded in one batch with -j2, RUNS times.

The class: the reference solutions, the untouched skeleton, every mutant of every lab (each a
submission of its lab only) and every hostile program of grader/selftest/hostile/ (Lab 01). Each
run must give every submission its expected outcome (full marks; at most 10%; the mutant's tests
failed; the hostile program contained and the rest of its lab passing), and every run the same
scores. This is the class-sized version of test_hostile.py, too long for `make test`.
"""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

from . import mutants
from .manifest import KIT, discover

HOSTILE = KIT / "grader" / "selftest" / "hostile"
HOSTILE_TEST = "test_showip.py::test_ipv4_literal"


def hostile_source(src: Path, name: str = "netlab-hostile") -> str:
    """A hostile program's source, ready to grade: @KIT@ becomes the kit's path, @NAME@ the process
    name it gives itself first thing (at most 15 characters), by which a test finds it left running."""
    assert len(name) <= 15, name
    return src.read_text().replace("@KIT@", str(KIT)).replace("@NAME@", name)


def build_class(root: Path, lab: str | None = None, sample: int = 0,
                hostile: list[str] | None = None) -> dict[str, tuple[str, object]]:
    """Make the submissions (mutants of `lab` only, the first `sample` of each lab if given);
    return student -> (kind, detail) for checking."""
    kinds: dict[str, tuple[str, object]] = {}
    shutil.copytree(KIT / "solutions", root / "reference")
    kinds["reference"] = ("reference", None)
    (root / "skeleton").mkdir()
    kinds["skeleton"] = ("skeleton", None)
    taken: dict[str, int] = {}
    for m in mutants.discover():
        if lab and not m.lab.startswith(lab):
            continue
        taken[m.lab] = taken.get(m.lab, 0) + 1
        if sample and taken[m.lab] > sample:
            continue
        name = f"mutant-{m.lab[:2]}-{m.name}"
        mutants.apply(m, root / name)
        kinds[name] = ("mutant", m)
    for src in sorted(HOSTILE.glob("*.c")):
        if hostile is not None and src.stem not in hostile:
            continue
        dst = root / f"hostile-{src.stem}" / "01-sockets"
        shutil.copytree(KIT / "solutions" / "01-sockets", dst)
        (dst / "src" / "showip.c").write_text(hostile_source(src))
        kinds[f"hostile-{src.stem}"] = ("hostile", src.stem)
    return kinds


def check(student: str, kind: str, detail, data: dict | None, reasons: dict) -> list[str]:
    if data is None:
        return [f"{student}: not graded"]
    labs = {lab["slug"]: lab for lab in data["labs"]}
    tests = {t["name"]: t for lab in data["labs"] for t in lab["tests"]}
    problems = []
    if kind == "reference" and data["score"] != data["max_score"]:
        lost = [n for n, t in tests.items() if t["status"] != "passed"]
        problems.append(f"reference lost points: {lost}")
    elif kind == "skeleton":
        problems += [f"skeleton scores {lab['score']}/{lab['max_score']} in {slug}"
                     for slug, lab in labs.items() if lab["score"] > 0.1 * lab["max_score"]]
    elif kind == "mutant":
        lab = labs[detail.lab]
        names = {t["name"]: t for t in lab["tests"]}
        problems += [f"{student}: {key} did not catch it" for key in detail.catches
                     if names[key]["status"] == "passed"]
    elif kind == "hostile":
        lab = {t["name"]: t for t in labs["01-sockets"]["tests"]}
        out = lab[HOSTILE_TEST]["output"]
        if lab[HOSTILE_TEST]["status"] != "failed" or not any(r in out for r in reasons[detail]):
            problems.append(f"{student}: {HOSTILE_TEST} says {out[:300]!r}")
        problems += [f"{student}: {n} failed" for n, t in lab.items()
                     if n.startswith(("unit::", "test_endpoints.py")) and t["status"] != "passed"]
    return problems


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="soak-batch", description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--lab", default=None, help="only this lab (its mutants; the batch grades it alone)")
    p.add_argument("--sample", type=int, default=0, help="at most this many mutants per lab")
    p.add_argument("--hostile", default=None, help="only these hostile programs (comma list)")
    args = p.parse_args(argv)
    reasons = tomllib.loads((HOSTILE / "expected.toml").read_text())
    failures, previous = 0, None
    with tempfile.TemporaryDirectory(prefix="netlab-soak-batch-") as tmp:
        subs = Path(tmp) / "class"
        kinds = build_class(subs, args.lab, args.sample,
                            args.hostile.split(",") if args.hostile else None)
        print(f"soak-batch: {len(kinds)} submissions ({len(discover())} labs)", flush=True)
        for run in range(1, args.runs + 1):
            out = Path(tmp) / f"out{run}"
            t0 = time.monotonic()
            subprocess.run([str(KIT / "grader" / "batch"), str(subs), "--out", str(out), "-j",
                            str(args.jobs)] + (["--lab", args.lab] if args.lab else []),
                           check=True, timeout=24 * 3600)
            elapsed = time.monotonic() - t0
            scores, problems = {}, []
            for student, (kind, detail) in kinds.items():
                path = out / "reports" / f"{student}.json"
                data = json.loads(path.read_text()) if path.exists() else None
                scores[student] = data["score"] if data else None
                problems += check(student, kind, detail, data, reasons)
            if previous is not None and scores != previous:
                changed = [s for s in scores if scores[s] != previous[s]]
                problems.append(f"scores differ from run {run - 1}: {changed}")
            previous = scores
            failures += bool(problems)
            print(f"run {run}: {elapsed:.0f} s, " + ("ok" if not problems else f"{len(problems)} problem(s)"),
                  flush=True)
            for line in problems:
                print("  " + line, flush=True)
    print("soak-batch: FAILED" if failures else f"soak-batch: every run as expected ({args.runs} runs)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
