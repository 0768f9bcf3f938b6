"""Read what valgrind memcheck and the sanitizers found, from the log files they wrote.

valgrind: one log per process (`--log-file=DIR/vg.%p.log`). A process is clean when it has no
error, no byte lost (definitely, indirectly or possibly), nothing still reachable (unless the lab
allows it), and no descriptor left open at exit beyond stdin, stdout and stderr. Descriptor leaks do
not change valgrind's exit status, so they are counted from the log.

AddressSanitizer/UBSan: with `log_path` set, a report is a file; no file means no finding.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

ERRORS_RE = re.compile(r"ERROR SUMMARY: (\d[\d,]*) errors")
LOST_RE = re.compile(r"(definitely|indirectly|possibly) lost: ([\d,]+) bytes in ([\d,]+) blocks")
REACHABLE_RE = re.compile(r"still reachable: ([\d,]+) bytes in ([\d,]+) blocks")
IN_USE_RE = re.compile(r"in use at exit: ([\d,]+) bytes in ([\d,]+) blocks")
FD_OPEN_RE = re.compile(r"^==\d+== Open (?:file descriptor|\S+ socket|\S+ \S+ socket) (\d+):?(.*)$")
KILLED_RE = re.compile(r"Process terminating with default action of signal (\d+) \((\w+)\)")
FIRST_ERROR_RE = re.compile(r"^==\d+== (Invalid .*|Conditional jump .*|Use of uninitialised .*|"
                            r"Syscall param .*|Mismatched free.*|.*free\(\) / delete.*|"
                            r"Source and destination overlap.*)$", re.M)


def _num(text: str) -> int:
    return int(text.replace(",", ""))


@dataclass
class ValgrindReport:
    path: Path
    complete: bool = False  # valgrind reached its final summary
    errors: int = 0
    lost: dict = field(default_factory=dict)
    reachable: int = 0
    open_fds: list = field(default_factory=list)  # (fd, description)
    killed_by: str = ""
    first_errors: list = field(default_factory=list)
    leak_frames: list = field(default_factory=list)

    def problems(self, allow_reachable: bool = False) -> list[str]:
        out = []
        if not self.complete:
            out.append("valgrind did not finish its report (the program was killed: it did not exit "
                       "by itself or on SIGTERM within the time limit)")
        if self.errors:
            first = "; ".join(self.first_errors[:3])
            out.append(f"{self.errors} memory error(s)" + (f": {first}" if first else ""))
        lost = {kind: n for kind, n in self.lost.items() if n}
        if lost:
            parts = ", ".join(f"{n} bytes {kind} lost" for kind, n in lost.items())
            out.append(f"memory leaked: {parts}" + self._where())
        if self.reachable and not allow_reachable:
            out.append(f"{self.reachable} bytes still allocated at exit (free everything before "
                       "exiting, also on error paths)" + self._where())
        if self.open_fds:
            fds = ", ".join(f"fd {fd}{(' ' + d.strip()) if d.strip() else ''}" for fd, d in self.open_fds[:5])
            out.append(f"{len(self.open_fds)} descriptor(s) left open at exit: {fds}")
        if out and self.killed_by:
            # Not a finding by itself (a test may end a program with a signal on purpose), but the
            # reason for the others: what a program killed by SIGPIPE still held, for example.
            out.insert(0, f"killed by {self.killed_by}")
        return out

    def _where(self) -> str:
        return f" (allocated at {', '.join(self.leak_frames[:3])})" if self.leak_frames else ""


LEAK_RECORD_RE = re.compile(r"are (?:definitely|possibly) lost in loss record")
LEAK_FRAME_RE = re.compile(r"^==\d+==    (?:at|by) 0x[0-9A-F]+: (\w+) \(([\w.]+\.c:\d+)\)$", re.M)


def parse_valgrind(path: Path) -> ValgrindReport:
    text = Path(path).read_text(errors="replace")
    rep = ValgrindReport(Path(path))
    m = ERRORS_RE.search(text)
    rep.complete = m is not None
    rep.errors = _num(m.group(1)) if m else 0
    for kind, nbytes, _blocks in LOST_RE.findall(text):
        rep.lost[kind] = _num(nbytes)
    m = REACHABLE_RE.search(text)
    if m:
        rep.reachable = _num(m.group(1))
    elif "All heap blocks were freed" not in text:
        m = IN_USE_RE.search(text)
        rep.reachable = _num(m.group(1)) if m and not rep.lost else 0
    rep.open_fds = _open_fds(text.splitlines())
    m = KILLED_RE.search(text)
    if m:
        rep.killed_by = m.group(2)
    rep.first_errors = [e.strip() for e in FIRST_ERROR_RE.findall(text)]
    if rep.lost or rep.reachable:
        for func, loc in LEAK_FRAME_RE.findall(text.split("HEAP SUMMARY", 1)[-1]):
            if func not in ("malloc", "calloc", "realloc", "strdup") and f"{func} {loc}" not in rep.leak_frames:
                rep.leak_frames.append(f"{func} {loc}")
    # ERROR SUMMARY also counts leak records (definite and possible); keep only memory errors.
    rep.errors = max(0, rep.errors - len(LEAK_RECORD_RE.findall(text)))
    return rep


def _open_fds(lines: list[str]) -> list[tuple[int, str]]:
    found = []
    for i, line in enumerate(lines):
        m = FD_OPEN_RE.match(line)
        if not m:
            continue
        following = lines[i + 1] if i + 1 < len(lines) else ""
        if "<inherited from parent>" in following:
            continue
        fd = int(m.group(1))
        if fd > 2:
            found.append((fd, m.group(2)))
    return found


def sanitizer_env(logdir: Path) -> dict:
    """Environment for a sanitizer build: reports go to files in `logdir`, one per process."""
    common = "halt_on_error=1:print_stacktrace=1"
    return {
        "ASAN_OPTIONS": f"log_path={logdir}/asan:detect_leaks=1:abort_on_error=0:{common}",
        "UBSAN_OPTIONS": f"log_path={logdir}/ubsan:{common}",
        "LSAN_OPTIONS": f"log_path={logdir}/asan",
    }


SANITIZER_RE = re.compile(r"^.*(?:runtime error: |ERROR: (?:Address|Leak|Undefined)Sanitizer).*$", re.M)


def _summarize_sanitizer(text: str, lines: int = 14) -> str:
    keep = [l for l in text.strip().splitlines() if l.strip() and not l.startswith("====")]
    return "\n".join("  " + l for l in keep[:lines])


def sanitizer_in_stderr(stderr: bytes | str) -> str:
    """A sanitizer report printed on stderr (UBSan ignores log_path when built with ASan)."""
    text = stderr.decode(errors="replace") if isinstance(stderr, bytes) else stderr
    m = SANITIZER_RE.search(text)
    return _summarize_sanitizer(text[m.start():]) if m else ""


def check_dir(logdir: Path, tool: str, allow_reachable: bool = False) -> str:
    """Every finding in `logdir` as a readable text; empty when all processes were clean."""
    logdir = Path(logdir)
    out = []
    if tool == "valgrind":
        for path in sorted(logdir.glob("vg.*.log")):
            rep = parse_valgrind(path)
            problems = rep.problems(allow_reachable)
            if problems:
                out.append(f"process {path.name.split('.')[1]}: " + "; ".join(problems))
    else:
        for path in sorted(list(logdir.glob("asan.*")) + list(logdir.glob("ubsan.*"))):
            out.append(f"{path.name.split('.')[0]} report of process {path.name.split('.')[-1]}:\n"
                       + _summarize_sanitizer(path.read_text(errors="replace")))
    return "\n".join(out)
