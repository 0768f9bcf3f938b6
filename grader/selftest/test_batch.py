"""Batch grading and its exports: every kind of submission, a gradebook that opens as a
spreadsheet, Gradescope results that follow the documented fields, JUnit XML that parses."""
import csv
import json
import shutil
import subprocess
import tarfile
import xml.etree.ElementTree as ET
import zipfile

import pytest

from conftest import KIT

pytestmark = pytest.mark.instructor

LAB = "01-sockets"
ONLY = ["build::warnings", "unit::port::*", "test_showip.py::test_ipv4_literal",
        "hidden/test_hidden_01.py::test_many_hosts"]
VISIBILITY = {"hidden", "after_due_date", "after_published", "visible"}


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    root = tmp_path_factory.mktemp("batch")
    subs = root / "subs"
    ref = KIT / "solutions" / LAB
    shutil.copytree(ref, subs / "alice" / LAB)  # a folder
    (subs / "bob").mkdir()  # an empty folder: the skeleton is graded
    with tarfile.open(subs / "carol.tar.gz", "w:gz") as tar:  # an archive of one folder
        tar.add(ref, arcname=f"carol/labs/{LAB}")
    with zipfile.ZipFile(subs / "dave.zip", "w") as z:  # a zip with a compile error
        for path in ref.rglob("*"):
            if path.is_file():
                text = path.read_bytes()
                if path.name == "bytes.c":
                    text = text.replace(b"return 0;", b"return 0", 1)
                z.writestr(f"{LAB}/{path.relative_to(ref)}", text)
    erin = subs / "erin"  # a git repository: its committed HEAD, not the working tree
    shutil.copytree(ref, erin / LAB)
    subprocess.run(["git", "init", "-q"], cwd=erin, check=True)
    subprocess.run(["git", "add", "-A"], cwd=erin, check=True)
    subprocess.run(["git", "-c", "user.name=e", "-c", "user.email=e@example.org", "commit", "-qm", "lab"],
                   cwd=erin, check=True)
    (erin / LAB / "src" / "addr.c").write_text("uncommitted garbage\n")
    (subs / "frank.zip").write_bytes(b"this is not a zip archive")
    with tarfile.open(subs / "=mallory.tar.gz", "w:gz") as tar:  # escapes its folder: refused
        info = tarfile.TarInfo("../../escaped.c")
        info.size = 4
        import io
        tar.addfile(info, io.BytesIO(b"int;"))
    out = root / "out"
    only = [a for key in ONLY for a in ("--only", key)]
    proc = subprocess.run([str(KIT / "grader" / "batch"), str(subs), "--out", str(out), "-j2",
                           "--lab", "01", *only], capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr
    return out


def test_gradebook_opens_as_a_spreadsheet(batch):
    with open(batch / "gradebook.csv", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["student", LAB, "total"]
    by_student = {r[0]: r[1:] for r in rows[1:]}
    assert set(by_student) == {"alice", "bob", "carol", "dave", "erin", "frank", "'=mallory"}
    full = by_student["alice"][1]
    assert float(full) > 0 and by_student["carol"][1] == full and by_student["erin"][1] == full
    assert float(by_student["bob"][1]) < float(full)
    assert by_student["frank"] == ["", ""] and by_student["'=mallory"] == ["", ""]


def test_unpacking_problems_are_listed(batch):
    errors = (batch / "errors.txt").read_text()
    assert "frank\tcannot unpack frank.zip" in errors
    assert "=mallory\tthe archive holds a path outside itself" in errors
    assert not (batch.parent / "escaped.c").exists() and not (batch / "escaped.c").exists()


def test_build_failures_listed(batch):
    assert (batch / "build_failures.txt").read_text() == f"dave\t{LAB}\n"
    assert "- dave: 01-sockets" in (batch / "summary.md").read_text()


def test_gradescope_results_follow_the_specification(batch):
    data = json.loads((batch / "reports" / "alice.gradescope.json").read_text())
    assert isinstance(data["score"], (int, float))
    assert data["visibility"] in VISIBILITY and data["stdout_visibility"] in VISIBILITY
    assert isinstance(data.get("execution_time", 0), int) and isinstance(data["output"], str)
    assert data["tests"]
    for t in data["tests"]:
        assert isinstance(t["name"], str) and t["name"]
        assert isinstance(t["score"], (int, float)) and isinstance(t["max_score"], (int, float))
        assert 0 <= t["score"] <= t["max_score"]
        assert t["status"] in ("passed", "failed")
        assert isinstance(t["output"], str) and t["visibility"] in VISIBILITY
        assert isinstance(t.get("number", ""), str) and isinstance(t.get("tags", []), list)
    assert sum(t["score"] for t in data["tests"]) == data["score"]
    hidden = [t for t in data["tests"] if "hidden/" in t["name"]]
    assert hidden and all(t["visibility"] == "after_published" for t in hidden)


def test_junit_parses_and_agrees_with_json(batch):
    for student in ("alice", "bob", "dave"):
        root = ET.parse(batch / "reports" / f"{student}.junit.xml").getroot()
        result = json.loads((batch / "reports" / f"{student}.json").read_text())
        tests = [t for lab in result["labs"] for t in lab["tests"]]
        cases = root.findall("./testsuite/testcase")
        assert [c.get("name") for c in cases] == [t["name"] for t in tests]
        failed = [c for c in cases if c.find("failure") is not None]
        assert len(failed) == sum(1 for t in tests if t["status"] == "failed")
        assert root.get("failures") == str(len(failed))


def test_reports_and_summary(batch):
    text = (batch / "reports" / "bob.txt").read_text()
    assert text.rstrip().splitlines()[-1].startswith("Score: ")
    summary = (batch / "summary.md").read_text()
    assert "| unit::port::parse_port_valid | 3/5 | 60% |" in summary  # not bob (skeleton), not dave
    svg = ET.parse(batch / "histogram.svg").getroot()
    bars = [int(r.get("data-count")) for r in svg.iter("{http://www.w3.org/2000/svg}rect")
            if r.get("class") == "bar"]
    assert len(bars) == 10 and sum(bars) == 5  # the five graded submissions
