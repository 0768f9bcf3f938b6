"""Shared helpers for the kit's own tests: grade a submission end to end and read the JSON."""
from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

KIT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(KIT / "grader"))

from netlab.manifest import discover  # noqa: E402

LABS = discover()
# A student edition (`make release`) has no solutions; the tests that need them are skipped there.
HAS_SOLUTIONS = (KIT / "solutions").is_dir()


def pytest_configure(config):
    config.addinivalue_line("markers", "instructor: needs the reference solutions (not in a student edition)")


def pytest_collection_modifyitems(config, items):
    if HAS_SOLUTIONS:
        return
    skip = pytest.mark.skip(reason="a student edition has no reference solutions")
    for item in items:
        if "instructor" in item.keywords:
            item.add_marker(skip)


@dataclass
class Graded:
    returncode: int
    stdout: str
    stderr: str
    data: dict | None

    def tests(self) -> dict:
        """test name -> test record, over every lab graded."""
        return {t["name"]: t for lab in self.data["labs"] for t in lab["tests"]}

    def failed(self) -> dict:
        return {n: t for n, t in self.tests().items() if t["status"] != "passed"}

    def explain(self) -> str:
        return self.stdout[-6000:] + self.stderr[-2000:]


def grade(*args, timeout: float = 600, cwd: Path = KIT, tmp: Path | None = None) -> Graded:
    """Run grader/grade with args and --json; return what it printed and wrote."""
    out = Path(tmp or "/tmp") / f"grade-{abs(hash(args))}.json"
    out.unlink(missing_ok=True)
    proc = subprocess.run([str(KIT / "grader" / "grade"), *map(str, args), "--json", str(out)],
                          cwd=cwd, capture_output=True, text=True, timeout=timeout)
    data = json.loads(out.read_text()) if out.exists() else None
    return Graded(proc.returncode, proc.stdout, proc.stderr, data)


@pytest.fixture
def grade_in(tmp_path):
    """grade(...) with its JSON file in this test's own temporary folder."""
    def run(*args, **kw):
        return grade(*args, tmp=tmp_path, **kw)
    return run


def lab_ids():
    return [lab.slug for lab in LABS]
