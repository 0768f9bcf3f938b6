"""Mutants: classic student bugs, as patches to a lab's reference solution.

grader/mutants/NN-topic/NAME.patch starts with a header, then a unified diff against
solutions/NN-topic/ (paths a/src/... and b/src/...):

    Mutant: one line on what the bug is
    Catches: test-key test-key ...      (every test that must fail on it)

The kit's own tests apply each patch to a copy of the reference, grade the result, and check that
every test named in Catches lost its points.
"""
from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from .manifest import KIT

MUTANTS = KIT / "grader" / "mutants"


@dataclass(frozen=True)
class Mutant:
    lab: str  # NN-topic
    name: str
    description: str
    catches: tuple[str, ...]
    patch: Path

    @property
    def id(self) -> str:
        return f"{self.lab}/{self.name}"


def parse(path: Path, lab: str) -> Mutant:
    desc, catches = "", ()
    for line in path.read_text().splitlines():
        if line.startswith("--- "):
            break
        if line.startswith("Mutant:"):
            desc = line.split(":", 1)[1].strip()
        elif line.startswith("Catches:"):
            catches = tuple(line.split(":", 1)[1].split())
    if not desc or not catches:
        raise ValueError(f"{path}: needs 'Mutant:' and 'Catches:' lines before the diff")
    return Mutant(lab, path.stem, desc, catches, path)


def discover(lab: str | None = None) -> list[Mutant]:
    out = []
    for lab_dir in sorted(MUTANTS.iterdir()) if MUTANTS.is_dir() else []:
        if lab_dir.is_dir() and (lab is None or lab_dir.name == lab):
            out += [parse(p, lab_dir.name) for p in sorted(lab_dir.glob("*.patch"))]
    return out


def apply(mutant: Mutant, dest: Path) -> Path:
    """Copy the lab's reference solution to dest/NN-topic and apply the mutant's patch there."""
    target = Path(dest) / mutant.lab
    shutil.copytree(KIT / "solutions" / mutant.lab, target)
    subprocess.run(["patch", "-s", "-p1", "-i", str(mutant.patch)], cwd=target, check=True,
                   capture_output=True, timeout=30)
    return target
