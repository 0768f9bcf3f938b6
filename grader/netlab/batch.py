"""`grader/batch`: grade a whole class: a folder of submissions, in parallel, each in isolation.

A submission is a folder, a .tar.gz/.tgz or .zip archive, or a git repository (its committed
HEAD is graded, not uncommitted changes). Each is graded by its own `grader/grade` process, with a
uid and a sandbox of its own, so one hostile submission cannot change another's score.

Outputs, in --out:
  gradebook.csv            one row per student, one column per lab, and the total
  reports/STUDENT.txt      the report the student would see (text), and .json, .gradescope.json,
                           .junit.xml
  summary.md               score statistics, per-test pass rates, and the submissions that did not build
  histogram.svg            the distribution of total scores
  build_failures.txt       the students whose code did not build, lab by lab
  errors.txt               submissions that could not be graded at all (broken archive, ...)
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import threading
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from . import exports, plot
from .manifest import KIT, ManifestError, discover, select
from .model import GradeResult
from .report import points

ARCHIVE_MAX_BYTES = 64 * 1024 * 1024  # unpacked size of one submission
ARCHIVE_MAX_FILES = 5000


class SubmissionError(Exception):
    """A submission that cannot be unpacked or graded."""


@dataclass
class Submission:
    student: str
    source: Path


def find_submissions(folder: Path) -> list[Submission]:
    subs = []
    for entry in sorted(folder.iterdir()):
        name = entry.name
        if name.startswith("."):
            continue
        for ext in (".tar.gz", ".tgz", ".zip"):
            if entry.is_file() and name.endswith(ext):
                subs.append(Submission(name[: -len(ext)], entry))
                break
        else:
            if entry.is_dir():
                subs.append(Submission(name, entry))
    return subs


def _check_member(name: str) -> None:
    parts = Path(name).parts
    if name.startswith("/") or ".." in parts:
        raise SubmissionError(f"the archive holds a path outside itself: {name!r}")


def unpack(sub: Submission, dest: Path) -> Path:
    """Copy or extract a submission into dest; return the folder to grade."""
    src = sub.source
    if src.is_dir() and (src / ".git").exists():
        archive = subprocess.run(["git", "-C", str(src), "archive", "--format=tar", "HEAD"],
                                 capture_output=True, timeout=120)
        if archive.returncode != 0:
            raise SubmissionError("git repository without a commit to grade: "
                                  + archive.stderr.decode(errors="replace").strip())
        dest.mkdir(parents=True)
        subprocess.run(["tar", "-x", "-C", str(dest)], input=archive.stdout, check=True, timeout=120)
    elif src.is_dir():
        shutil.copytree(src, dest, symlinks=True)
    elif src.name.endswith(".zip"):
        _unzip(src, dest)
    else:
        _untar(src, dest)
    entries = [p for p in dest.iterdir() if not p.name.startswith((".", "__MACOSX"))]
    if len(entries) == 1 and entries[0].is_dir() and not _is_lab_dir(entries[0].name):
        return entries[0]  # an archive of one folder (alice/ or netlab/): grade what is inside
    return dest


def _is_lab_dir(name: str) -> bool:
    return len(name) > 3 and name[:2].isdigit() and name[2] == "-" or name == "labs"


def _untar(src: Path, dest: Path) -> None:
    try:
        with tarfile.open(src) as tar:
            members = tar.getmembers()
            if len(members) > ARCHIVE_MAX_FILES:
                raise SubmissionError(f"the archive holds more than {ARCHIVE_MAX_FILES} files")
            if sum(m.size for m in members) > ARCHIVE_MAX_BYTES:
                raise SubmissionError(f"the archive unpacks to more than {ARCHIVE_MAX_BYTES >> 20} MiB")
            dest.mkdir(parents=True)
            for m in members:  # by hand: no links, devices, owners or set-uid bits from an archive
                _check_member(m.name)
                target = dest / m.name
                if m.isdir():
                    target.mkdir(parents=True, exist_ok=True)
                elif m.isfile():
                    target.parent.mkdir(parents=True, exist_ok=True)
                    with tar.extractfile(m) as data:
                        target.write_bytes(data.read())
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise SubmissionError(f"cannot unpack {src.name}: {exc}") from None


def _unzip(src: Path, dest: Path) -> None:
    try:
        with zipfile.ZipFile(src) as z:
            infos = z.infolist()
            if len(infos) > ARCHIVE_MAX_FILES:
                raise SubmissionError(f"the archive holds more than {ARCHIVE_MAX_FILES} files")
            if sum(i.file_size for i in infos) > ARCHIVE_MAX_BYTES:
                raise SubmissionError(f"the archive unpacks to more than {ARCHIVE_MAX_BYTES >> 20} MiB")
            dest.mkdir(parents=True)
            for info in infos:
                _check_member(info.filename)
                if (info.external_attr >> 16) & 0o170000 == 0o120000:
                    continue  # a symbolic link
                z.extract(info, dest)
    except (zipfile.BadZipFile, OSError) as exc:
        raise SubmissionError(f"cannot unpack {src.name}: {exc}") from None


@dataclass
class Outcome:
    student: str
    result: GradeResult | None
    error: str = ""
    seconds: float = 0.0


def grade_one(sub: Submission, work: Path, out: Path, extra: list[str]) -> Outcome:
    t0 = time.monotonic()
    reports = out / "reports"
    try:
        folder = unpack(sub, work / sub.student)
    except SubmissionError as exc:
        return Outcome(sub.student, None, str(exc), time.monotonic() - t0)
    base = reports / sub.student
    proc = subprocess.run(
        [str(KIT / "grader" / "grade"), "--submission", str(folder), "--json", f"{base}.json",
         "--gradescope", f"{base}.gradescope.json", "--junit", f"{base}.junit.xml", *extra],
        capture_output=True, text=True, timeout=6 * 3600)
    Path(f"{base}.txt").write_text(proc.stdout)
    if proc.returncode != 0:
        return Outcome(sub.student, None, f"the grader failed: {proc.stderr.strip()[-500:]}",
                       time.monotonic() - t0)
    data = json.loads(Path(f"{base}.json").read_text())
    return Outcome(sub.student, GradeResult.from_dict(data), "", time.monotonic() - t0)


class Progress:
    """A one-line progress bar on a terminal; nothing when stderr is not one."""

    def __init__(self, total: int):
        self.total, self.done = total, 0
        self.tty = sys.stderr.isatty()
        self.lock = threading.Lock()

    def step(self, outcome: Outcome) -> None:
        with self.lock:
            self.done += 1
            if not self.tty:
                return
            width = 30
            filled = width * self.done // max(self.total, 1)
            score = (f"{points(outcome.result.score)}/{points(outcome.result.max_score)}"
                     if outcome.result else "not graded")
            sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total} "
                             f"{outcome.student[:24]}: {score}\033[K")
            if self.done == self.total:
                sys.stderr.write("\n")
            sys.stderr.flush()


def summarize(outcomes: list[Outcome], lab_slugs: list[str]) -> str:
    graded = [o for o in outcomes if o.result]
    lines = ["# Class summary", "", f"Submissions: {len(outcomes)}, graded: {len(graded)}.", ""]
    if graded:
        totals = [o.result.score for o in graded]
        maximum = graded[0].result.max_score
        lines += [f"Total score (out of {points(maximum)}): mean {statistics.mean(totals):.1f}, "
                  f"median {statistics.median(totals):g}, min {points(min(totals))}, "
                  f"max {points(max(totals))}.", "", "![Scores](histogram.svg)", ""]
    for slug in lab_slugs:
        rows: dict[str, list[int]] = {}
        for o in graded:
            for lab in o.result.labs:
                if lab.slug == slug:
                    for t in lab.tests:
                        rows.setdefault(t.name, [0, 0])
                        rows[t.name][0] += t.passed
                        rows[t.name][1] += 1
        if not rows:
            continue
        lines += [f"## Lab {slug}", "", "| test | passed | rate |", "|---|---|---|"]
        for name, (ok, n) in rows.items():
            lines.append(f"| {name} | {ok}/{n} | {100 * ok / n:.0f}% |")
        lines.append("")
    failures = build_failures(outcomes)
    lines += ["## Did not build", ""] + ([f"- {s}: {', '.join(l)}" for s, l in failures] or ["(none)"])
    errors = [o for o in outcomes if o.error]
    lines += ["", "## Not graded", ""] + ([f"- {o.student}: {o.error}" for o in errors] or ["(none)"])
    return "\n".join(lines) + "\n"


def build_failures(outcomes: list[Outcome]) -> list[tuple[str, list[str]]]:
    out = []
    for o in outcomes:
        if o.result:
            labs = [lab.slug for lab in o.result.labs if not lab.build_ok]
            if labs:
                out.append((o.student, labs))
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="batch", description="Grade a folder of submissions.")
    p.add_argument("submissions", help="folder of submissions (folders, .tar.gz, .zip, git repositories)")
    p.add_argument("--out", required=True, help="folder for the gradebook, reports and summary")
    p.add_argument("-j", "--jobs", type=int, default=1, help="submissions graded at once")
    p.add_argument("--lab", help="which lab(s), as for grader/grade")
    p.add_argument("--only", action="append", default=[], metavar="PATTERN")
    p.add_argument("--hidden", choices=("auto", "yes", "no"), default="auto")
    args = p.parse_args(argv)
    folder = Path(args.submissions)
    if not folder.is_dir():
        print(f"batch: {args.submissions!r} is not a folder", file=sys.stderr)
        return 2
    try:
        labs = select(discover(with_hidden=args.hidden != "no"), args.lab)
    except ManifestError as exc:
        print(f"batch: {exc}", file=sys.stderr)
        return 2
    if args.jobs < 1:
        print("batch: -j needs a number of 1 or more", file=sys.stderr)
        return 2
    subs = find_submissions(folder)
    out = Path(args.out)
    (out / "reports").mkdir(parents=True, exist_ok=True)
    extra = ["--hidden", args.hidden]
    if args.lab:
        extra += ["--lab", args.lab]
    for pattern in args.only:
        extra += ["--only", pattern]
    work = out / ".unpacked"
    shutil.rmtree(work, ignore_errors=True)
    progress = Progress(len(subs))

    def job(sub: Submission) -> Outcome:
        outcome = grade_one(sub, work, out, extra)
        progress.step(outcome)
        return outcome

    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        outcomes = list(pool.map(job, subs))
    shutil.rmtree(work, ignore_errors=True)
    slugs = [lab.slug for lab in labs]
    (out / "gradebook.csv").write_text(exports.gradebook_csv([(o.student, o.result) for o in outcomes], slugs))
    (out / "summary.md").write_text(summarize(outcomes, slugs))
    totals = [o.result.score for o in outcomes if o.result]
    maximum = next((o.result.max_score for o in outcomes if o.result), 0.0)
    (out / "histogram.svg").write_text(plot.histogram_svg(totals, maximum, "Total score"))
    (out / "build_failures.txt").write_text(
        "".join(f"{s}\t{', '.join(l)}\n" for s, l in build_failures(outcomes)))
    (out / "errors.txt").write_text("".join(f"{o.student}\t{o.error}\n" for o in outcomes if o.error))
    graded = sum(1 for o in outcomes if o.result)
    print(f"batch: graded {graded} of {len(outcomes)} submissions; gradebook: {out / 'gradebook.csv'}")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONDONTWRITEBYTECODE", "1")
    sys.exit(main())
