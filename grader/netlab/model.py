"""The one result model: every report format (text, JSON, Gradescope, JUnit, CSV) is written from it."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

PASS, FAIL = "passed", "failed"


@dataclass
class TestResult:
    name: str
    score: float
    max_score: float
    status: str  # PASS or FAIL
    output: str = ""  # what the student needs to see: what was done, expected, got, where to look
    group: str = ""
    section: str = ""
    hidden: bool = False

    @property
    def passed(self) -> bool:
        return self.status == PASS


@dataclass
class LabResult:
    id: str
    slug: str
    title: str
    tests: list[TestResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # lab-wide remarks: build log, sandbox, hidden tests
    build_ok: bool = True

    @property
    def score(self) -> float:
        return sum(t.score for t in self.tests)

    @property
    def max_score(self) -> float:
        return sum(t.max_score for t in self.tests)


@dataclass
class GradeResult:
    labs: list[LabResult] = field(default_factory=list)
    submission: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def score(self) -> float:
        return sum(lab.score for lab in self.labs)

    @property
    def max_score(self) -> float:
        return sum(lab.max_score for lab in self.labs)

    def to_dict(self) -> dict:
        """The documented JSON shape: score, max_score, labs[id, score, max_score, tests[...]]."""
        return {
            "score": round(self.score, 2),
            "max_score": round(self.max_score, 2),
            "submission": self.submission,
            "notes": self.notes,
            "labs": [
                {
                    "id": lab.id,
                    "slug": lab.slug,
                    "title": lab.title,
                    "score": round(lab.score, 2),
                    "max_score": round(lab.max_score, 2),
                    "build_ok": lab.build_ok,
                    "notes": lab.notes,
                    "tests": [asdict(t) for t in lab.tests],
                }
                for lab in self.labs
            ],
        }

    @classmethod
    def from_dict(cls, data: dict) -> "GradeResult":
        labs = []
        for lab in data["labs"]:
            tests = [TestResult(**t) for t in lab["tests"]]
            labs.append(LabResult(lab["id"], lab.get("slug", lab["id"]), lab.get("title", ""),
                                  tests, list(lab.get("notes", [])), lab.get("build_ok", True)))
        return cls(labs, data.get("submission", ""), list(data.get("notes", [])))
