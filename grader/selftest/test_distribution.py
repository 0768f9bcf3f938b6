"""The kit's other editions: the student edition passes its own tests from a fresh copy, the
Gradescope zip grades a submission as Gradescope would run it, the GitHub Classroom workflow gives
each test its points."""
import json
import os
import shutil
import subprocess
import zipfile

import pytest
import yaml

from conftest import KIT

pytestmark = pytest.mark.instructor  # these editions are made from the instructor's kit


def make(*args, cwd=KIT, timeout=600, env=None):
    proc = subprocess.run(["make", "--no-print-directory", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=timeout, env=env)
    assert proc.returncode == 0, f"make {' '.join(args)}:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc


def test_student_edition_passes_its_own_tests(tmp_path):
    make("release")
    edition = KIT / "out" / "netlab-student"
    assert (KIT / "out" / "netlab-student.tar.gz").is_file()
    for secret in ("solutions", "grader/hidden", "grader/mutants", "grader/selftest/hostile"):
        assert not (edition / secret).exists(), secret
    readme = (edition / "README.md").read_text()
    assert "solutions" not in readme and "instructor-only" not in readme and "## For students" in readme
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(edition), str(clone)], check=True)
    proc = make("test", cwd=clone, timeout=1200)
    assert " passed" in proc.stdout and " failed" not in proc.stdout, proc.stdout[-2000:]
    graded = subprocess.run(["make", "grade", "LAB=01"], cwd=clone, capture_output=True, text=True, timeout=600)
    assert graded.returncode == 0 and "this lab also has hidden tests" in graded.stdout


def test_gradescope_zip_grades_like_gradescope(tmp_path):
    make("gradescope", "LAB=01")
    zpath = KIT / "out" / "gradescope-lab01.zip"
    root = tmp_path / "autograder"
    with zipfile.ZipFile(zpath) as z:
        names = z.namelist()
        assert "setup.sh" in names and "run_autograder" in names  # at the root of the archive
        assert not any(n.startswith(("netlab/solutions/", "netlab/grader/mutants/")) for n in names)
        assert any(n.startswith("netlab/grader/hidden/01-sockets/") for n in names)
        for info in z.infolist():
            if info.filename in ("setup.sh", "run_autograder", "netlab/grader/grade"):
                assert (info.external_attr >> 16) & 0o111, f"{info.filename} is not executable"
        z.extractall(root / "source")
    for info in zipfile.ZipFile(zpath).infolist():  # zipfile does not restore modes
        os.chmod(root / "source" / info.filename, (info.external_attr >> 16) or 0o644)
    shutil.copytree(KIT / "solutions" / "01-sockets", root / "submission" / "01-sockets")
    proc = subprocess.run(["bash", str(root / "source" / "run_autograder")], capture_output=True,
                          text=True, timeout=600, env=dict(os.environ, AUTOGRADER_ROOT=str(root)))
    assert proc.returncode == 0, proc.stderr
    results = json.loads((root / "results" / "results.json").read_text())
    assert results["score"] == sum(t["max_score"] for t in results["tests"]) == 112
    assert any(t["visibility"] == "after_published" for t in results["tests"])


def test_classroom_workflow_awards_each_test(tmp_path):
    make("classroom", "LAB=01")
    flow = yaml.safe_load((KIT / "out" / "classroom" / "lab01.yml").read_text())
    steps = flow["jobs"]["run-autograding-tests"]["steps"]
    graders = [s for s in steps if s.get("uses", "").startswith("classroom-resources/autograding-command-grader")]
    reporter = steps[-1]
    from netlab.manifest import load_lab
    lab = load_lab(KIT / "labs" / "01-sockets", with_hidden=False)
    assert [s["with"]["test-name"] for s in graders] == [it.key for it in lab.rubric]
    assert sum(s["with"]["max-score"] for s in graders) == lab.max_score
    assert reporter["with"]["runners"].split(",") == [s["id"] for s in graders]
    assert set(reporter["env"]) == {f"{s['id'].upper()}_RESULTS" for s in graders}
    # Run the workflow's own commands on the reference: the grade, then each step's check.
    kit = tmp_path / "kit"
    shutil.copytree(KIT, kit, ignore=shutil.ignore_patterns("build", "out", ".git"))
    shutil.copytree(KIT / "solutions" / "01-sockets", kit / "labs" / "01-sockets", dirs_exist_ok=True)
    grade_step = next(s for s in steps if s.get("name") == "Grade lab 01")
    subprocess.run(grade_step["run"], shell=True, cwd=kit, check=True, capture_output=True, timeout=600)
    for step in graders:
        proc = subprocess.run(step["with"]["command"], shell=True, cwd=kit, capture_output=True, text=True)
        assert proc.returncode == 0 and proc.stdout.startswith("PASS"), (step["name"], proc.stdout)
    broken = subprocess.run("grader/result grade.json 'no::such::test'", shell=True, cwd=kit,
                            capture_output=True, text=True)
    assert broken.returncode == 1 and "no test" in broken.stderr
