"""Read a lab's manifest (`lab.toml`) and, in the instructor's kit, its hidden tests' manifest.

The manifest is the one source of truth for a lab: which files a student edits, which programs are
built, and the rubric: every graded test with its points and the handout section that explains it.

Test keys name what runs:
  build::warnings                      the kit's build printed no compiler warning
  unit::<tcase>::<test>                a Check unit test (tests/unit/)
  <file>.py::<test>                    a public pytest black-box test (tests/)
  hidden/<file>.py::<test>             a hidden black-box test (grader/hidden/NN-topic/)
  valgrind::<target>, asan::<target>   <target> (`unit` or a black-box key) rerun under valgrind
                                       memcheck or an AddressSanitizer/UBSan build, clean
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

KIT = Path(__file__).resolve().parents[2]
LAB_DIR_RE = re.compile(r"^(\d\d)-[a-z0-9-]+$")
MEMCHECK_TOOLS = ("valgrind", "asan")


class ManifestError(Exception):
    """A lab.toml or hidden.toml that the grader cannot use."""


@dataclass(frozen=True)
class RubricItem:
    key: str
    points: float
    group: str
    section: str
    hidden: bool = False

    @property
    def kind(self) -> str:
        """One of build, unit, blackbox, valgrind, asan."""
        head = self.key.split("::", 1)[0]
        if head in ("build", "unit") + MEMCHECK_TOOLS:
            return head
        return "blackbox"

    @property
    def target(self) -> str:
        """For a memcheck item, the test it reruns; otherwise the key itself."""
        if self.kind in MEMCHECK_TOOLS:
            return self.key.split("::", 1)[1]
        return self.key


@dataclass
class Lab:
    id: str
    slug: str
    title: str
    hours: float
    path: Path
    student_files: list[str]
    programs: list[str]
    rubric: list[RubricItem]
    hidden_summary: str = ""
    hidden_points: float = 0
    hidden_path: Path | None = None
    allow_reachable: bool = False
    timeouts: dict = field(default_factory=dict)

    @property
    def max_score(self) -> float:
        return sum(item.points for item in self.rubric)

    def item(self, key: str) -> RubricItem | None:
        for it in self.rubric:
            if it.key == key:
                return it
        return None


def _rubric(data: dict, source: Path, hidden: bool) -> list[RubricItem]:
    items: list[RubricItem] = []
    for group in data.get("rubric", []):
        try:
            title, section, tests = group["title"], str(group["section"]), group["tests"]
        except KeyError as exc:
            raise ManifestError(f"{source}: a [[rubric]] group lacks {exc}") from None
        for key, points in tests.items():
            if not isinstance(points, (int, float)) or points <= 0:
                raise ManifestError(f"{source}: {key!r} must have positive points")
            items.append(RubricItem(key, float(points), title, section, hidden))
    keys = [it.key for it in items]
    dupes = sorted({k for k in keys if keys.count(k) > 1})
    if dupes:
        raise ManifestError(f"{source}: tests listed twice: {', '.join(dupes)}")
    return items


def load_lab(path: Path, with_hidden: bool = True) -> Lab:
    """Load labs/NN-topic/lab.toml, adding grader/hidden/NN-topic/hidden.toml when asked and present."""
    path = Path(path)
    match = LAB_DIR_RE.match(path.name)
    if not match:
        raise ManifestError(f"{path}: a lab folder is named NN-topic")
    source = path / "lab.toml"
    try:
        data = tomllib.loads(source.read_text())
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ManifestError(f"{source}: {exc}") from None
    if data.get("id") != match.group(1):
        raise ManifestError(f"{source}: id must be {match.group(1)!r}")
    hidden = data.get("hidden", {})
    lab = Lab(
        id=data["id"],
        slug=path.name,
        title=data["title"],
        hours=float(data["hours"]),
        path=path,
        student_files=list(data["student_files"]),
        programs=list(data.get("programs", [])),
        rubric=_rubric(data, source, hidden=False),
        hidden_summary=hidden.get("summary", ""),
        hidden_points=float(hidden.get("points", 0)),
        allow_reachable=bool(data.get("memcheck", {}).get("allow_reachable", False)),
        timeouts=dict(data.get("timeouts", {})),
    )
    hidden_dir = KIT / "grader" / "hidden" / path.name
    if with_hidden and (hidden_dir / "hidden.toml").is_file():
        hsource = hidden_dir / "hidden.toml"
        try:
            hdata = tomllib.loads(hsource.read_text())
        except tomllib.TOMLDecodeError as exc:
            raise ManifestError(f"{hsource}: {exc}") from None
        lab.rubric += _rubric(hdata, hsource, hidden=True)
        lab.hidden_path = hidden_dir
    return lab


def discover(kit: Path = KIT, with_hidden: bool = True) -> list[Lab]:
    """Every lab of the kit, in order."""
    labs_dir = kit / "labs"
    dirs = sorted(p for p in labs_dir.iterdir() if p.is_dir() and LAB_DIR_RE.match(p.name))
    return [load_lab(d, with_hidden) for d in dirs]


def select(labs: list[Lab], wanted: str | None) -> list[Lab]:
    """Pick labs by id (`01`, `1`) or folder name (`01-sockets`); None or `all` keeps every lab."""
    if not wanted or wanted == "all":
        return labs
    picked = []
    for word in re.split(r"[,\s]+", wanted.strip()):
        norm = word.zfill(2) if word.isdigit() else word
        found = [lab for lab in labs if norm in (lab.id, lab.slug)]
        if not found:
            known = ", ".join(lab.id for lab in labs)
            raise ManifestError(f"no lab {word!r} (labs: {known})")
        picked += [lab for lab in found if lab not in picked]
    return picked
