"""Every mutant (a classic student bug applied to a reference) loses the points of the tests it
names, and still builds without warnings, so it is caught for the bug and not for a typo."""
import pytest

from conftest import grade
from netlab import mutants

pytestmark = pytest.mark.instructor

ALL = mutants.discover()


@pytest.mark.parametrize("mutant", ALL, ids=[m.id for m in ALL])
def test_mutant_is_caught(mutant, tmp_path):
    sub = tmp_path / "sub"
    mutants.apply(mutant, sub)
    lab_id = mutant.lab[:2]
    only = [a for key in mutant.catches for a in ("--only", key)]
    g = grade("--lab", lab_id, "--submission", sub, "--only", "build::warnings", *only, tmp=tmp_path)
    assert g.returncode == 0, g.explain()
    tests = g.tests()
    assert tests["build::warnings"]["status"] == "passed", g.explain()
    for key in mutant.catches:
        assert key in tests, f"{mutant.id} names {key}, which is not a graded test"
        assert tests[key]["status"] == "failed", (
            f"mutant {mutant.id} ({mutant.description}) was not caught by {key}:\n" + g.explain())
        assert tests[key]["output"].strip()


def test_every_lab_has_mutants():
    from conftest import LABS
    for lab in LABS:
        found = [m for m in ALL if m.lab == lab.slug]
        assert len(found) >= 8, f"{lab.slug} has {len(found)} mutants; the kit wants at least 8"
