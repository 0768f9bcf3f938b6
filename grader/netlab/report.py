"""Write a GradeResult for people (text) and for programs (JSON). The last text line is the score."""
from __future__ import annotations

from .model import GradeResult, LabResult, TestResult


def points(x: float) -> str:
    """2, 1.5, 0.25: no trailing zeros."""
    return f"{x:.2f}".rstrip("0").rstrip(".")


def _test_lines(t: TestResult, verbose: bool) -> list[str]:
    mark = "PASS" if t.passed else "FAIL"
    tag = " (hidden)" if t.hidden else ""
    lines = [f"{mark} {points(t.score):>4}/{points(t.max_score):<4} {t.name}{tag}"]
    if not t.passed or verbose:
        body = t.output.rstrip()
        if body:
            lines += ["     " + line for line in body.splitlines()]
        if not t.passed and t.section:
            lines.append(f"     see:      handout section {t.section} ({t.group})")
    return lines


def lab_text(lab: LabResult, verbose: bool = False) -> str:
    out = [f"== Lab {lab.id}: {lab.title} =="]
    out += [f"note: {n}" for n in lab.notes]
    for t in lab.tests:
        out += _test_lines(t, verbose)
    passed = sum(1 for t in lab.tests if t.passed)
    out.append(f"Lab {lab.id}: {points(lab.score)}/{points(lab.max_score)} "
               f"({passed} of {len(lab.tests)} tests passed)")
    return "\n".join(out)


def text(result: GradeResult, verbose: bool = False) -> str:
    parts = [f"note: {n}" for n in result.notes]
    parts += [lab_text(lab, verbose) + "\n" for lab in result.labs]
    parts.append(f"Score: {points(result.score)}/{points(result.max_score)}")
    return "\n".join(parts) + "\n"

