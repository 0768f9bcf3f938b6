"""The docs tell the truth: every command that README.md, syllabus.md or a lab handout shows is run
here (or named with the test that covers it), and example output shown in a handout is checked.

Commands are taken from ```sh blocks (one per line), ```console blocks (lines after "$ ", with the
lines below as the expected output) and inline code that starts like a command. A command that
appears in the docs but not in DOC_COMMANDS fails test_every_command_is_known: add it there.
"""
from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import HAS_SOLUTIONS, KIT, LABS
from docspec import Covered, Run

SOLUTION_DIRS = sorted(p for p in (KIT / "solutions").glob("[0-9][0-9]-*") if p.is_dir())
DOCS = ["README.md", "syllabus.md", "grader/README.md"] + [f"labs/{lab.slug}/README.md" for lab in LABS]
INLINE_COMMAND = re.compile(r"^(make( |$)|\./|grader/(grade|batch)|cd |git |nc |printf |valgrind |sudo |apt-get )")


@dataclass
class Shown:
    doc: str
    command: str
    output: list[str] | None = None  # expected output, from a console block


def shown_commands(doc: str) -> list[Shown]:
    text = (KIT / doc).read_text()
    found: list[Shown] = []
    for info, body in re.findall(r"^```(\w*)\n(.*?)^```", text, re.M | re.S):
        lines = body.splitlines()
        if info == "sh":
            found += [Shown(doc, ln.strip()) for ln in lines if ln.strip() and not ln.startswith("#")]
        elif info == "console":
            for ln in lines:
                if ln.startswith("$ "):
                    found.append(Shown(doc, ln[2:].strip(), []))
                elif found and found[-1].output is not None:
                    found[-1].output.append(ln)
    prose = re.sub(r"^```.*?^```", "", text, flags=re.M | re.S)
    for span in re.findall(r"`([^`\n]+)`", prose):
        if INLINE_COMMAND.match(span):
            found.append(Shown(doc, span.strip()))
    return found


DOC_COMMANDS = {
    ("README.md", "make grade"): Run(contains=["== Lab 01: Sockets and addresses ==", "Score: "]),
    ("README.md", "make test"): Covered("CI (.ci/run runs `make test`, which is this suite)"),
    ("README.md", "make deps"): Run(),
    ("README.md", "apt-get install"): Covered("test_docs.py::test_deps_without_root_prints_the_line"),
    ("README.md", "grader/grade"): Covered("README.md's `make grade`, which runs grader/grade with no arguments"),
    ("syllabus.md", "make check"): Run(cwd="labs/01-sockets", contains=["Score: "]),
    ("syllabus.md", "make deps"): Run(),
    ("syllabus.md", "cd labs/01-sockets"): Covered("the next command runs in labs/01-sockets"),
    ("syllabus.md", "make slides"): Covered("test_slides.py::test_make_slides_builds_every_deck"),
    ("README.md", "make slides"): Covered("test_slides.py::test_make_slides_builds_every_deck"),
    ("README.md", "cd labs/01-sockets"): Covered("the next two commands run in labs/01-sockets"),
    ("README.md", "make"): Run(cwd="labs/01-sockets"),
    ("README.md", "make check"): Run(cwd="labs/01-sockets", contains=["== Lab 01", "Score: "]),
    ("README.md", "make grade LAB=01"): Run(contains=["== Lab 01", "Score: "]),
    ("README.md", "make grade SUBMISSION=solutions LAB=01"): Run(contains=["Score: 112/112"]),
    ("README.md", "grader/grade --lab 01 --submission solutions --json out/lab01.json"):
        Run(contains=["Score: 112/112"]),
    ("README.md", "grader/grade --help"): Run(contains=["--submission", "--json", "--only"]),
    ("README.md", "make soak"): Run(replace={"make soak": "make soak RUNS=1 LAB=01"},
                                    why="one run of one lab keeps `make test` fast; the full soak is "
                                        "run before a lab is closed", contains=["soak: every run"]),
    ("README.md", "make bench"): Run(replace={"make bench": "make bench LAB=01 BATCH=2"},
                                     why="one lab and a batch of two keep `make test` fast",
                                     contains=["| 01-sockets |", "| -j2 |"], timeout=1800),
    ("grader/README.md", "make check"): Run(cwd="labs/01-sockets", contains=["Score: "]),
    ("grader/README.md", "make test"): Covered("CI (.ci/run runs `make test`, which is this suite)"),
    ("grader/README.md", "make soak"): Covered("README.md's `make soak`, run above"),
    ("grader/README.md", "make bench"): Covered("README.md's `make bench`, run above"),
    ("README.md", "make batch SUBMISSIONS=solutions OUT=out/batch LAB=01"):  # each lab's folder is a "student"
        Run(contains=[f"batch: graded {len(SOLUTION_DIRS)} of {len(SOLUTION_DIRS)} submissions"]),
    ("README.md", "grader/batch --help"): Run(contains=["--out", "-j"]),
    ("README.md", "make release"): Covered("test_distribution.py::test_student_edition_passes_its_own_tests"),
    ("README.md", "make gradescope LAB=01"): Covered("test_distribution.py::test_gradescope_zip_grades_like_gradescope"),
    ("README.md", "make classroom LAB=01"): Covered("test_distribution.py::test_classroom_workflow_awards_each_test"),
    ("README.md", "make gradescope"): Covered("test_distribution.py::test_gradescope_zip_grades_like_gradescope"),
    ("README.md", "make classroom"): Covered("test_distribution.py::test_classroom_workflow_awards_each_test"),
    ("README.md", "make soak-batch"): Run(replace={"make soak-batch": "make soak-batch RUNS=1 LAB=01 SAMPLE=1 HOSTILE=closer,killer"},
                                          why="one run of lab 01, one mutant and two hostile programs keep "
                                              "`make test` fast (test_hostile.py has them all); the whole class "
                                              "is soaked before a release",
                                          contains=["soak-batch: every run as expected"], timeout=1800),
    ("README.md", "make help"): Run(contains=["make grade", "make test"]),
    ("README.md", "make format-check"): Run(),
    ("README.md", "make format"): Covered("test_docs.py::test_format_is_applied (format-check)"),
    ("README.md", "make clean"): Run(),
}

for _module in sorted((Path(__file__).parent / "doc_commands").glob("*.py")):
    # Each lab's handout commands are registered in doc_commands/<lab>.py, as COMMANDS.
    _spec = importlib.util.spec_from_file_location(f"doc_commands_{_module.stem}", _module)
    _mod = importlib.util.module_from_spec(_spec)
    _spec.loader.exec_module(_mod)
    DOC_COMMANDS.update(_mod.COMMANDS)

ALL_SHOWN = [s for doc in DOCS for s in shown_commands(doc)]


def scratch_kit(tmp_path: Path, reference: str | None) -> Path:
    """A copy of the kit as a fresh clone has it (tracked and new files, no build products), with
    the reference of lab `reference` overlaid if given (a test that asks for one is skipped in a
    student edition, which has no solutions)."""
    if reference and not HAS_SOLUTIONS:
        pytest.skip("a student edition has no reference solutions")
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=KIT, capture_output=True,
                           text=True, check=True).stdout.splitlines()
    dst = tmp_path / "kit"
    for rel in files:
        src = KIT / rel
        if src.is_file():
            (dst / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst / rel)
    if reference:
        shutil.copytree(KIT / "solutions" / reference, dst / "labs" / reference, dirs_exist_ok=True)
    return dst


def test_every_command_is_known():
    unknown = sorted({(s.doc, s.command) for s in ALL_SHOWN} - set(DOC_COMMANDS))
    assert not unknown, "commands shown in the docs that no test runs (add them to DOC_COMMANDS):\n" + \
        "\n".join(f"  {doc}: {cmd}" for doc, cmd in unknown)


@pytest.mark.instructor  # a student edition's README leaves out the instructors' commands
def test_no_stale_entries():
    stale = sorted(set(DOC_COMMANDS) - {(s.doc, s.command) for s in ALL_SHOWN})
    assert not stale, f"DOC_COMMANDS lists commands the docs no longer show: {stale}"


RUNNABLE = sorted({(s.doc, s.command) for s in ALL_SHOWN if isinstance(DOC_COMMANDS.get((s.doc, s.command)), Run)})


@pytest.mark.parametrize("doc,command", RUNNABLE, ids=[f"{d}:{c}" for d, c in RUNNABLE])
def test_command_runs(doc, command, tmp_path):
    spec = DOC_COMMANDS[(doc, command)]
    if (spec.reference or "solutions" in command) and not HAS_SOLUTIONS:
        pytest.skip("a student edition has no reference solutions")
    kit = scratch_kit(tmp_path, spec.reference)
    actual = spec.replace.get(command, command)
    if command.startswith("./build/") or command == "make clean":
        subprocess.run(["make"], cwd=kit / spec.cwd, capture_output=True, timeout=300, check=True)
    proc = subprocess.run(actual, shell=True, cwd=kit / spec.cwd, capture_output=True, text=True,
                          timeout=spec.timeout)
    assert proc.returncode == 0, f"`{actual}` in {spec.cwd} exited {proc.returncode}:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    if command == "make clean":
        assert not list(kit.glob("**/build")), "make clean left build folders"
    for text in spec.contains:
        assert text in proc.stdout, f"`{actual}` did not print {text!r}:\n{proc.stdout[-3000:]}"
    for shown in ALL_SHOWN:
        if (shown.doc, shown.command) == (doc, command) and shown.output is not None:
            assert proc.stdout.splitlines() == shown.output, (
                f"{doc} shows this output of `{command}`:\n" + "\n".join(shown.output)
                + f"\nbut it prints:\n{proc.stdout}")


@pytest.mark.instructor
def test_lab01_endpoints_with_nc(tmp_path):
    """The handout's nc example, in a private network namespace (its port 9000 is fixed)."""
    from netlab import sandbox
    mode = sandbox.detect()
    if not mode.isolated:
        pytest.skip("needs bubblewrap for a private network (the example uses a fixed port)")
    kit = scratch_kit(tmp_path, "01-sockets")
    lab = kit / "labs" / "01-sockets"
    subprocess.run(["make"], cwd=lab, capture_output=True, timeout=300, check=True)
    script = (
        "printf 'hello\\n' | nc -l ::1 9000 & "
        # wait (up to 10 s) until nc listens: port 9000 is 2328 in /proc/net/tcp6, state 0A
        "for i in $(seq 200); do grep -q ':2328 0\\+:0000 0A' /proc/net/tcp6 && break; "
        "sleep 0.05; done; ./build/endpoints ::1 9000")
    proc = subprocess.run(sandbox.command(mode, ["/bin/sh", "-c", script], lab), cwd=lab,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    assert re.fullmatch(r"local \[::1\]:\d+", lines[0]) and lines[1:] == ["remote [::1]:9000", "server: hello"], lines


def test_format_is_applied():
    proc = subprocess.run(["make", "-s", "format-check"], cwd=KIT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_readme_duration_matches_syllabus():
    readme = (KIT / "README.md").read_text()
    syllabus = (KIT / "syllabus.md").read_text()
    weeks, hours = re.search(r"takes (\d+) weeks at about (\d+) hours a week", readme).groups()
    assert f"**Duration: {weeks} weeks, about {hours} hours a week" in syllabus.split("\n\n")[1]


def test_syllabus_hours_match_the_labs():
    syllabus = (KIT / "syllabus.md").read_text()
    rows = dict(re.findall(r"^\| (\d\d) \| [^|]+\| [^|]+\| (\d+(?:\.\d+)?) \|$", syllabus, re.M))
    for lab in LABS:
        assert float(rows[lab.id]) == lab.hours, f"syllabus gives lab {lab.id} {rows[lab.id]} h, lab.toml {lab.hours}"


def test_handout_rubric_matches_lab_toml():
    for lab in LABS:
        text = (lab.path / "README.md").read_text()
        rubric = text.split("How it is graded", 1)[1]
        public = [it for it in lab.rubric if not it.hidden]
        for group in dict.fromkeys(it.group for it in public):
            pts = sum(it.points for it in public if it.group == group)
            title = "Build: no compiler warning" if group == "Build" else group
            row = re.search(rf"^\| {re.escape(title)} \| ([\d.]+) \| (\d+(?:\.\d+)?) \|$", rubric, re.M)
            assert row, f"{lab.slug}: the handout's rubric has no row for {title!r}"
            assert float(row.group(2)) == pts, f"{lab.slug}: {title}: handout {row.group(2)}, lab.toml {pts}"
            section = row.group(1)
            assert re.search(rf"^#+ {re.escape(section)}\.? ", text, re.M), f"no section {section} in {lab.slug}"
        total = re.search(r"^\| \*\*total\*\* \| \| \*\*(\d+)\*\* \|$", rubric, re.M)
        assert total and float(total.group(1)) == sum(it.points for it in public)
        if lab.hidden_points:
            assert f"hidden tests ({lab.hidden_points:g} more points)" in rubric
            hidden = sum(it.points for it in lab.rubric if it.hidden)
            if lab.hidden_path is not None:
                assert hidden == lab.hidden_points, f"{lab.slug}: hidden.toml {hidden}, lab.toml {lab.hidden_points}"


def test_deps_without_root_prints_the_line():
    """Not root and no sudo: `make deps` names the packages, prints the command, and stops."""
    with tempfile.TemporaryDirectory() as tmp:  # readable by the unprivileged user
        os.chmod(tmp, 0o755)
        script = Path(tmp) / "deps.sh"
        shutil.copy(KIT / "grader" / "deps.sh", script)
        script.chmod(0o755)
        proc = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                               str(script), "netlab-no-such-package"], capture_output=True, text=True,
                              timeout=60, env={"PATH": "/usr/bin:/bin"})
    assert proc.returncode == 1
    assert "missing packages: netlab-no-such-package" in proc.stderr
    assert "sudo apt-get update && sudo apt-get install -y netlab-no-such-package" in proc.stderr
