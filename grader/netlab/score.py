"""Turn what a lab run recorded (results/raw.json) into points, using the lab's rubric."""
from __future__ import annotations

from fnmatch import fnmatchcase

from .manifest import Lab, RubricItem
from .model import FAIL, PASS, LabResult, TestResult


def selected(lab: Lab, patterns: list[str] | None, include_hidden: bool) -> list[RubricItem]:
    """The rubric items to run: all (or those matching a pattern), hidden ones only when asked."""
    items = [it for it in lab.rubric if include_hidden or not it.hidden]
    if patterns:
        items = [it for it in items if any(fnmatchcase(it.key, p) for p in patterns)]
    return items


def _missing_reason(item: RubricItem, raw: dict, stopped: str) -> str:
    steps = raw.get("steps", {})
    build = steps.get("build")
    if stopped:
        return f"not run: {stopped}"
    if build is not None and not build["ok"]:
        return "not run: your code did not build (the compiler's errors are at the top of this lab)"
    return "not run: the grader did not get a result for this test"


def score_lab(lab: Lab, items: list[RubricItem], raw: dict, stopped: str = "") -> LabResult:
    """One TestResult per rubric item: full points when its test passed, else none."""
    result = LabResult(lab.id, lab.slug, lab.title)
    tests = raw.get("tests", {})
    build = raw.get("steps", {}).get("build")
    result.build_ok = build is None or build["ok"]
    for item in items:
        got = tests.get(item.key)
        if got is None:
            passed, output = False, _missing_reason(item, raw, stopped)
        else:
            passed = got["status"] == "pass"
            output = "" if passed else (got["output"] or "failed (no details were recorded)")
        result.tests.append(TestResult(
            name=item.key, score=item.points if passed else 0.0, max_score=item.points,
            status=PASS if passed else FAIL, output=output, group=item.group,
            section=item.section, hidden=item.hidden))
    return result
