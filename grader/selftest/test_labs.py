"""Every lab: the reference scores full marks, the skeleton scores at most 10% without breaking the
grader, and the rubric names exactly the tests that exist."""
import re
import shutil
import subprocess

import pytest

from conftest import HAS_SOLUTIONS, KIT, LABS

LAB_IDS = [lab.slug for lab in LABS]


@pytest.mark.instructor
@pytest.mark.parametrize("lab", LABS, ids=LAB_IDS)
def test_reference_full_marks(lab, grade_in):
    g = grade_in("--lab", lab.id, "--submission", "solutions")
    assert g.returncode == 0, g.explain()
    assert g.failed() == {}, g.explain()
    assert g.data["score"] == g.data["max_score"] == lab.max_score
    assert g.stdout.rstrip().splitlines()[-1] == f"Score: {lab.max_score:g}/{lab.max_score:g}"


@pytest.mark.parametrize("lab", LABS, ids=LAB_IDS)
def test_skeleton_scores_little(lab, tmp_path, grade_in):
    # Grade a copy of the pristine skeleton (labs/ may hold a developer's work in progress).
    files = subprocess.run(["git", "ls-files", f"labs/{lab.slug}"], cwd=KIT, capture_output=True,
                           text=True, check=True).stdout.split()
    if not files:
        pytest.skip("lab not committed yet")
    sub = tmp_path / "sub" / lab.slug
    for rel in lab.student_files:
        src = subprocess.run(["git", "show", f"HEAD:labs/{lab.slug}/{rel}"], cwd=KIT,
                             capture_output=True, check=True).stdout
        (sub / rel).parent.mkdir(parents=True, exist_ok=True)
        (sub / rel).write_bytes(src)
    g = grade_in("--lab", lab.id, "--submission", tmp_path / "sub")
    assert g.returncode == 0, g.explain()
    lab_result = g.data["labs"][0]
    assert lab_result["build_ok"], "the skeleton must build:\n" + g.explain()
    assert lab_result["score"] <= 0.10 * lab_result["max_score"], g.explain()
    for t in lab_result["tests"]:
        assert "grader did not get a result" not in t["output"], t
        if t["status"] != "passed":
            assert t["output"].strip(), f"{t['name']} fails without saying why"


@pytest.mark.parametrize("lab", LABS, ids=LAB_IDS)
def test_rubric_matches_tests(lab):
    """Every pytest test and every Check test is graded, and every graded test exists."""
    collected = set()
    for folder, prefix in ((lab.path / "tests", ""), (lab.hidden_path, "hidden/")):
        if folder is None:
            continue
        for path in sorted(folder.glob("test_*.py")):
            for name in re.findall(r"^def (test_\w+)\(", path.read_text(), re.M):
                collected.add(f"{prefix}{path.name}::{name}")
    units = set()
    for path in sorted((lab.path / "tests" / "unit").glob("*.c")):
        text = path.read_text()
        cases = dict(re.findall(r'TCase \*(\w+) = tcase_create\("(\w+)"\)', text))
        for var, test in re.findall(r"tcase_add_test\((\w+), (\w+)\)", text):
            units.add(f"unit::{cases[var]}::{test}")
    graded = {it.key for it in lab.rubric}
    blackbox = {k for k in graded if "::" in k and k.split("::")[0].endswith(".py")
                or k.startswith("hidden/")}
    assert blackbox == collected, f"graded but missing: {blackbox - collected}; ungraded: {collected - blackbox}"
    assert {k for k in graded if k.startswith("unit::")} == units
    for it in lab.rubric:
        if it.kind in ("valgrind", "asan") and it.target != "unit":
            assert it.target in graded, f"{it.key} reruns a test that is not in the rubric"


@pytest.mark.parametrize("compiler", ["gcc", "clang"])
@pytest.mark.parametrize("lab", LABS, ids=LAB_IDS)
def test_builds_without_warnings(lab, compiler, tmp_path):
    """Skeleton and reference both compile with -Werror under gcc and clang, unit tests included."""
    for edition in ("skeleton", "reference") if HAS_SOLUTIONS else ("skeleton",):
        work = tmp_path / edition
        shutil.copytree(lab.path, work, ignore=shutil.ignore_patterns("build"))
        if edition == "reference":
            shutil.copytree(KIT / "solutions" / lab.slug, work, dirs_exist_ok=True)
        proc = subprocess.run(["make", f"CC={compiler}", f"KIT={KIT}", "all", "unit"], cwd=work,
                              capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, f"{edition} with {compiler}:\n{proc.stderr[-3000:]}"
