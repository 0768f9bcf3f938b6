"""`grader/grade`: grade one submission (or the work in labs/) and report per test and in total.

Exit status: 0 when grading ran, whatever the score; 2 for bad arguments or a submission that
does not exist; 3 when the grader itself could not run (a broken kit).
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from . import exports, jail, report, sandbox
from .manifest import ManifestError, discover, select
from .model import GradeResult
from .procutil import run
from .score import score_lab, selected
from .stage import StageError, resolve_submission, stage

LAB_TIME_LIMIT = 900  # seconds for one lab's whole grading, unless lab.toml says otherwise


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="grade", description="Grade netlab labs: build, unit tests, black-box tests, memcheck.")
    p.add_argument("--lab", help="which lab(s): 01, 1, 01-sockets, a comma list, or all (default)")
    p.add_argument("--submission", help="folder laid out like the kit (labs/NN-topic or NN-topic); "
                   "'solutions' grades the reference; default: the work in labs/")
    p.add_argument("--json", metavar="FILE", help="also write the results as JSON to FILE")
    p.add_argument("--gradescope", metavar="FILE", help="also write Gradescope's results.json to FILE")
    p.add_argument("--junit", metavar="FILE", help="also write JUnit XML to FILE")
    p.add_argument("--only", action="append", metavar="PATTERN",
                   help="run only the tests whose name matches (shell pattern; repeatable)")
    p.add_argument("--hidden", choices=("auto", "yes", "no"), default="auto",
                   help="run the hidden tests: auto runs them when this kit has them")
    p.add_argument("--verbose", action="store_true", help="show details of passing tests too")
    p.add_argument("--keep", action="store_true", help="keep the work folders (path is printed)")
    return p.parse_args(argv)


def grade_lab(lab, submission, root: Path, mode, include_hidden: bool, only):
    items = selected(lab, only, include_hidden)
    staged = stage(lab, submission, root, hidden=include_hidden)
    config = {"keys": [it.key for it in items], "programs": lab.programs,
              "kit": str(staged.work / "kit"),
              "allow_reachable": lab.allow_reachable, "timeouts": lab.timeouts,
              "unit_tests": [it.key for it in lab.rubric if it.kind == "unit"]}
    (staged.results / "config.json").write_text(json.dumps(config))
    limit = float(lab.timeouts.get("lab", LAB_TIME_LIMIT))
    argv = sandbox.command(mode, [sys.executable, "-m", "netlab.labrun", str(staged.work)], staged.work)
    done = run(argv, timeout=limit, cwd=staged.work, env=sandbox.environment(mode))
    stopped = ""
    if done.timed_out:
        stopped = f"the lab's grading exceeded its time limit of {limit:g} s and was stopped"
    elif done.returncode != 0:
        stopped = (f"the grader's lab runner failed ({done.describe_exit()}):\n"
                   + done.stderr.decode(errors="replace")[-2000:])
    try:
        raw = json.loads((staged.results / "raw.json").read_text())
    except (OSError, ValueError):
        raw = {}
    result = score_lab(lab, items, raw, stopped)
    result.notes += staged.notes
    watchdog = raw.get("steps", {}).get("watchdog")
    if watchdog is not None:
        result.notes.append("the grader's watchdog: " + watchdog["log"])
    build = raw.get("steps", {}).get("build")
    if build is not None and not build["ok"]:
        result.notes.append("the build failed; the compiler said:\n" + _indent(build["log"].strip()[-4000:]))
    if lab.hidden_summary and not any(it.hidden for it in items):
        result.notes.append(f"this lab also has hidden tests ({report.points(lab.hidden_points)} points) "
                            f"that only your instructor runs; they cover: {lab.hidden_summary}")
    return result, staged


def _indent(text: str) -> str:
    return "\n".join("      " + line for line in text.splitlines())


def main(argv: list[str] | None = None) -> int:
    started = time.monotonic()
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        labs = select(discover(with_hidden=args.hidden != "no"), args.lab)
        submission = resolve_submission(args.submission)
    except (ManifestError, StageError) as exc:
        print(f"grade: {exc}", file=sys.stderr)
        return 2
    include_hidden = args.hidden != "no"
    if args.hidden == "yes":
        lacking = [lab.slug for lab in labs if lab.hidden_path is None]
        if lacking:
            print(f"grade: no hidden tests in this kit for {', '.join(lacking)}", file=sys.stderr)
            return 2
    mode = sandbox.detect()
    root = Path(tempfile.mkdtemp(prefix="netlab-grade-"))
    root.chmod(0o711)  # the unprivileged uid of the student's programs must reach its folders
    uid, uid_lock = jail.claim_uid()
    if uid is not None:
        os.environ["NETLAB_RUN_UID"] = str(uid)
    result = GradeResult(submission=str(submission) if submission else "labs/")
    if not mode.isolated:
        result.notes.append(mode.describe())
    try:
        for lab in labs:
            t0 = time.monotonic()
            if sys.stderr.isatty():
                print(f"grading lab {lab.slug} ...", file=sys.stderr, flush=True)
            lab_result, staged = grade_lab(lab, submission, root, mode, include_hidden, args.only)
            jail.kill_all(uid)  # without a PID namespace, this is what stops left-over daemons
            result.labs.append(lab_result)
            if args.keep:
                lab_result.notes.append(f"work folder kept: {staged.work}")
            if sys.stderr.isatty():
                print(f"  done in {time.monotonic() - t0:.0f} s", file=sys.stderr, flush=True)
    except (ManifestError, OSError) as exc:
        print(f"grade: cannot grade: {exc}", file=sys.stderr)
        return 3
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
        if uid_lock is not None:
            uid_lock.close()
    sys.stdout.write(report.text(result, args.verbose))
    outputs = {
        args.json: lambda: json.dumps(result.to_dict(), indent=2) + "\n",
        args.gradescope: lambda: json.dumps(exports.gradescope(result, time.monotonic() - started),
                                            indent=2) + "\n",
        args.junit: lambda: exports.junit(result),
    }
    for path, render in outputs.items():
        if path:
            try:
                Path(path).parent.mkdir(parents=True, exist_ok=True)
                Path(path).write_text(render())
            except OSError as exc:
                print(f"grade: cannot write {path}: {exc.strerror}", file=sys.stderr)
                return 3
    return 0


if __name__ == "__main__":
    sys.exit(main())
