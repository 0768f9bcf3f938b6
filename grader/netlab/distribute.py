"""Editions of the kit: the student edition (`make release`) and the Gradescope autograder
(`make gradescope`), both made from the kit's files (those git tracks or would track).

Student edition: everything but solutions/, grader/hidden/, grader/mutants/ and the kit's tests of
hostile submissions; README.md without its instructor-only parts (between the markers
`<!-- instructor-only -->` and `<!-- /instructor-only -->`). It builds, self-checks, and passes its
own `make test` (the kit's tests that need the solutions are left out there).

Gradescope autograder: a zip with setup.sh and run_autograder at its root and the kit (with hidden
tests, without solutions and mutants) in source/netlab/.
"""
from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

from .manifest import KIT

STUDENT_EXCLUDE = ("solutions/", "grader/hidden/", "grader/mutants/", "grader/selftest/hostile/",
                   "grader/selftest/test_hostile.py")
GRADESCOPE_EXCLUDE = ("solutions/", "grader/mutants/", "grader/selftest/", "slides/", ".ci/")
INSTRUCTOR_BLOCK = re.compile(r"^<!-- instructor-only -->\n.*?^<!-- /instructor-only -->\n\n?", re.S | re.M)
INSTRUCTOR_INLINE = re.compile(r"<!-- instructor-only -->.*?<!-- /instructor-only -->", re.S)
INSTRUCTOR_LINE = re.compile(r"^.*<!-- instructor-only-line -->\n", re.M)


def tracked_files() -> list[str]:
    # Tracked files and new ones git does not ignore: what a clone has once the work is committed.
    out = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=KIT,
                         capture_output=True, text=True, check=True)
    return [f for f in out.stdout.splitlines() if (KIT / f).is_file()]


def copy_files(dest: Path, exclude: tuple[str, ...]) -> list[str]:
    copied = []
    for rel in tracked_files():
        if rel.startswith(exclude):
            continue
        (dest / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(KIT / rel, dest / rel)
        copied.append(rel)
    return copied


def student_readme(text: str) -> str:
    """README.md without its instructor-only blocks (marker lines), spans (inline markers) and
    lines (a trailing marker: a table row)."""
    return INSTRUCTOR_LINE.sub("", INSTRUCTOR_INLINE.sub("", INSTRUCTOR_BLOCK.sub("", text)))


def release(out: Path) -> Path:
    dest = out / "netlab-student"
    shutil.rmtree(dest, ignore_errors=True)
    copy_files(dest, STUDENT_EXCLUDE)
    readme = dest / "README.md"
    readme.write_text(student_readme(readme.read_text()))
    subprocess.run(["git", "init", "-q"], cwd=dest, check=True)
    subprocess.run(["git", "add", "-A"], cwd=dest, check=True)
    subprocess.run(["git", "-c", "user.name=netlab", "-c", "user.email=netlab@localhost", "commit",
                    "-qm", "netlab, student edition"], cwd=dest, check=True)
    archive = out / "netlab-student.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(dest, arcname="netlab-student")
    return dest


SETUP = """#!/usr/bin/env bash
# Gradescope image setup: the kit's Debian/Ubuntu packages, and the sandbox's host names in
# /etc/hosts (Gradescope's containers cannot run bubblewrap, so the grader uses its fallback).
set -euo pipefail
cd /autograder/source/netlab
grader/deps.sh
grader/add-hosts.sh
"""

RUN = """#!/usr/bin/env bash
# Gradescope runs this for each submission; the results go to results/results.json.
root="${AUTOGRADER_ROOT:-/autograder}"
cd "$root/source/netlab"
mkdir -p "$root/results"
grader/grade @LAB@ --hidden yes --submission "$root/submission" \\
    --gradescope "$root/results/results.json"
"""


def gradescope(out: Path, lab: str | None) -> Path:
    name = f"gradescope-lab{lab}.zip" if lab else "gradescope.zip"
    build = out / "gradescope-build"
    shutil.rmtree(build, ignore_errors=True)
    copy_files(build / "netlab", GRADESCOPE_EXCLUDE)
    zpath = out / name
    out.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(zpath, "w", zipfile.ZIP_DEFLATED) as z:
        for script, text in (("setup.sh", SETUP), ("run_autograder", RUN)):
            info = zipfile.ZipInfo(script)
            info.external_attr = 0o755 << 16
            z.writestr(info, text.replace("@LAB@", f"--lab {lab}" if lab else ""))
        for path in sorted((build / "netlab").rglob("*")):
            if path.is_file():
                info = zipfile.ZipInfo(str(Path("netlab") / path.relative_to(build / "netlab")))
                info.external_attr = (path.stat().st_mode & 0o777) << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                z.writestr(info, path.read_bytes())
    shutil.rmtree(build, ignore_errors=True)
    return zpath


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="distribute")
    p.add_argument("what", choices=("release", "gradescope"))
    p.add_argument("--lab", default=None)
    p.add_argument("--out", default=str(KIT / "out"))
    args = p.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    if args.what == "release":
        dest = release(out)
        print(f"release: {dest} and {out / 'netlab-student.tar.gz'}")
    else:
        print(f"gradescope: {gradescope(out, args.lab)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
