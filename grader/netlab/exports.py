"""Exports of the one result model: Gradescope results.json, JUnit XML, gradebook CSV rows.

Gradescope's format (gradescope-autograders.readthedocs.io, "Autograder Specifications"): a top
level score, output and visibility, and per test name, score, max_score, status, output and
visibility. Hidden tests are `after_published`: students see them once the instructor publishes
the grades.
"""
from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET

from .model import GradeResult
from .report import points


def gradescope(result: GradeResult, execution_time: float | None = None) -> dict:
    tests = []
    for lab in result.labs:
        for i, t in enumerate(lab.tests, 1):
            tests.append({
                "name": f"Lab {lab.id}: {t.name}",
                "number": f"{int(lab.id)}.{i}",
                "score": t.score,
                "max_score": t.max_score,
                "status": t.status,
                "output": t.output + (f"\nSee handout section {t.section} ({t.group})."
                                      if t.output and t.section else ""),
                "tags": [f"lab{lab.id}", t.group] if t.group else [f"lab{lab.id}"],
                "visibility": "after_published" if t.hidden else "visible",
            })
    notes = result.notes + [f"Lab {lab.id}: {n}" for lab in result.labs for n in lab.notes]
    out = {
        "score": result.score,
        "output": "\n".join(notes) if notes else f"Score: {points(result.score)}/{points(result.max_score)}",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
    }
    if execution_time is not None:
        out["execution_time"] = int(execution_time)
    return out


def junit(result: GradeResult, name: str = "netlab") -> str:
    """JUnit XML: one testsuite per lab, one testcase per test; a failure carries the feedback."""
    suites = ET.Element("testsuites", name=name, tests=str(sum(len(l.tests) for l in result.labs)),
                        failures=str(sum(1 for l in result.labs for t in l.tests if not t.passed)))
    for lab in result.labs:
        failed = [t for t in lab.tests if not t.passed]
        suite = ET.SubElement(suites, "testsuite", name=f"lab{lab.id}-{lab.slug}",
                              tests=str(len(lab.tests)), failures=str(len(failed)), errors="0")
        props = ET.SubElement(suite, "properties")
        ET.SubElement(props, "property", name="score", value=points(lab.score))
        ET.SubElement(props, "property", name="max_score", value=points(lab.max_score))
        for t in lab.tests:
            case = ET.SubElement(suite, "testcase", classname=f"lab{lab.id}", name=t.name)
            if not t.passed:
                failure = ET.SubElement(case, "failure", message=f"0/{points(t.max_score)} points",
                                        type="netlab")
                failure.text = _xml_safe(t.output)
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"


def _xml_safe(text: str) -> str:
    """Drop characters XML 1.0 cannot carry (a student's program may print any byte)."""
    return "".join(c for c in text if c in "\t\n\r" or ord(c) >= 0x20)


def gradebook_csv(rows: list[tuple[str, GradeResult | None]], labs: list[str]) -> str:
    """One row per student, one column per lab, then the total; an empty cell when not graded."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(["student"] + labs + ["total"])
    for student, result in rows:
        if student[:1] in ("=", "+", "-", "@"):  # not a formula when a spreadsheet opens it
            student = "'" + student
        if result is None:
            w.writerow([student] + [""] * (len(labs) + 1))
            continue
        by_lab = {lab.slug: lab for lab in result.labs}
        cells = [points(by_lab[s].score) if s in by_lab else "" for s in labs]
        w.writerow([student] + cells + [points(result.score)])
    return buf.getvalue()
