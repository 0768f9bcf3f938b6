"""Stage a submission: a fresh work folder built from the pristine kit, plus only the student's files.

Makefiles, tests and grader code always come from the kit; the only things taken from a submission
are the regular files that `lab.toml` names as student-editable. A submission that carries its own
Makefile, tests or grader scripts changes nothing, and the report says which of its files were
ignored.
"""
from __future__ import annotations

import filecmp
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .manifest import KIT, Lab

MAX_STUDENT_FILE = 1024 * 1024  # bytes; a source file larger than this is not a source file
IGNORED_NAMES = {"build", "__pycache__", ".pytest_cache", ".git"}


class StageError(Exception):
    """The submission cannot be graded at all (it does not exist, or is not a folder)."""


@dataclass
class Staged:
    lab: Lab
    work: Path  # the work folder; lab/ inside it is what gets built and tested
    source: Path | None  # the submission's folder for this lab, if it has one
    notes: list[str] = field(default_factory=list)

    @property
    def lab_dir(self) -> Path:
        return self.work / "lab"

    @property
    def results(self) -> Path:
        return self.work / "results"


def find_lab_dir(submission: Path, lab: Lab) -> Path | None:
    """Where a submission keeps this lab: labs/NN-topic, NN-topic, or the folder itself."""
    if submission.name == lab.slug:
        return submission
    for base in (submission / "labs", submission):
        if (base / lab.slug).is_dir():
            return base / lab.slug
        if base.is_dir():  # accept another topic suffix after the lab number (01-addresses)
            named = sorted(p for p in base.glob(f"{lab.id}-*") if p.is_dir())
            if len(named) == 1:
                return named[0]
    if all((submission / f).is_file() for f in lab.student_files):
        return submission
    return None


def _copy_pristine(src: Path, dst: Path) -> None:
    shutil.copytree(src, dst, symlinks=False,
                    ignore=lambda _d, names: [n for n in names if n in IGNORED_NAMES])


def _ignored_changes(sub_dir: Path, lab: Lab, limit: int = 8) -> list[str]:
    """Files in the submission that the grader does not use but that differ from the kit's."""
    changed = []
    for path in sorted(sub_dir.rglob("*")):
        rel = path.relative_to(sub_dir)
        if any(part in IGNORED_NAMES for part in rel.parts) or not path.is_file():
            continue
        if str(rel) in lab.student_files:
            continue
        kit_file = lab.path / rel
        if not kit_file.is_file() or not filecmp.cmp(path, kit_file, shallow=False):
            changed.append(str(rel))
    if len(changed) > limit:
        changed = changed[:limit] + [f"and {len(changed) - limit} more"]
    return changed


def stage(lab: Lab, submission: Path | None, root: Path, hidden: bool) -> Staged:
    """Build root/<lab>/ from the kit and overlay the submission's student files."""
    work = Path(tempfile.mkdtemp(prefix=f"{lab.slug}-", dir=root))
    staged = Staged(lab, work, None)
    _copy_pristine(lab.path, staged.lab_dir)
    for part in ("mk", "c"):  # what a lab's Makefile includes from the kit, readable by any uid
        shutil.copytree(KIT / "grader" / part, work / "kit" / "grader" / part)
    staged.results.mkdir()
    (work / "logs").mkdir()

    if submission is not None:
        sub_dir = find_lab_dir(submission, lab)
        staged.source = sub_dir
        if sub_dir is None:
            staged.notes.append(f"the submission has no folder for lab {lab.slug}; "
                                "the untouched skeleton was graded")
        else:
            _overlay(staged, sub_dir)
            ignored = _ignored_changes(sub_dir, lab)
            if ignored:
                staged.notes.append("not graded (the kit's own versions are used): "
                                    + ", ".join(ignored))

    if hidden and lab.hidden_path is not None:
        dst = staged.lab_dir / "tests" / "hidden"
        dst.mkdir(parents=True)
        for test in sorted(lab.hidden_path.glob("*.py")):
            shutil.copy(test, dst / test.name)
    return staged


def _overlay(staged: Staged, sub_dir: Path) -> None:
    for rel in staged.lab.student_files:
        src, dst = sub_dir / rel, staged.lab_dir / rel
        if src.is_symlink():
            staged.notes.append(f"{rel}: is a symbolic link, not a file; the skeleton's version was used")
        elif not src.is_file():
            staged.notes.append(f"{rel}: missing from the submission; the skeleton's version was used")
        elif src.stat().st_size > MAX_STUDENT_FILE:
            staged.notes.append(f"{rel}: larger than {MAX_STUDENT_FILE} bytes; the skeleton's version was used")
        else:
            shutil.copyfile(src, dst)


def resolve_submission(arg: str | None) -> Path | None:
    """The submission folder named on the command line; `solutions` means the kit's reference."""
    if arg is None:
        return None
    path = Path(arg)
    if arg == "solutions" and not path.exists():
        path = KIT / "solutions"
    if not path.exists():
        raise StageError(f"submission {arg!r} does not exist")
    if not path.is_dir():
        raise StageError(f"submission {arg!r} is not a folder")
    return path.resolve()
