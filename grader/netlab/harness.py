"""pytest plugin for the black-box tests: start the student's programs, collect results for grading.

Loaded with `-p netlab.harness`. It gives the tests two fixtures:

  programs  runs or starts the lab's programs (plain, under valgrind, or the sanitizer build,
            depending on --netlab-variant), waits for a server's readiness line, and at the end
            of the test stops everything it started and checks the memcheck logs
  net       the host names a test may resolve (fixed inside the sandbox)

and writes one JSON record per test (status and a student-readable message) to --netlab-results.
"""
from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from . import jail, memlog
from .feedback import Failure, command_line, first_difference, show
from .labrun import VALGRIND
from .procutil import DEFAULT_CAP, Child, Completed
from .procutil import run as run_child
from .shim import Faults

READY_RE = re.compile(rb"listening on (\S+)")
FACTORS = {"plain": 1.0, "valgrind": 10.0, "asan": 3.0}
RESULTS = pytest.StashKey[dict]()


# --------------------------------------------------------------------------- options and settings

def pytest_addoption(parser):
    group = parser.getgroup("netlab")
    group.addoption("--netlab-bin", default="build", help="folder with the lab's programs")
    group.addoption("--netlab-variant", default="plain", choices=sorted(FACTORS))
    group.addoption("--netlab-results", default=None, help="write per-test results (JSON) here")
    group.addoption("--netlab-logs", default=None, help="folder for programs' memcheck logs")
    group.addoption("--netlab-missing", default="", help="programs that did not build (comma list)")
    group.addoption("--netlab-allow-reachable", default="0")
    group.addoption("--netlab-shim", default="", help="the fault-injection library (faultshim.so)")


@dataclass
class Settings:
    bindir: Path
    variant: str
    logs: Path
    missing: set
    allow_reachable: bool
    shim: Path | None = None

    @property
    def factor(self) -> float:
        return FACTORS[self.variant]


def pytest_configure(config):
    logs = config.getoption("--netlab-logs")
    config._netlab = Settings(
        bindir=Path(config.getoption("--netlab-bin")).resolve(),
        variant=config.getoption("--netlab-variant"),
        logs=Path(logs) if logs else Path(os.environ.get("TMPDIR", "/tmp")) / "netlab-logs",
        missing={p for p in config.getoption("--netlab-missing").split(",") if p},
        allow_reachable=config.getoption("--netlab-allow-reachable") == "1",
        shim=Path(config.getoption("--netlab-shim")) if config.getoption("--netlab-shim") else None,
    )
    config._netlab_results = {}


# --------------------------------------------------------------------------- running programs

@dataclass
class ProgramRun:
    """A finished run of a student program, with expectations that explain themselves."""

    argv: list[str]
    completed: Completed
    faults: Faults | None = None

    @property
    def did(self) -> str:
        extra = f" with the fault library: {self.faults.describe()}" if self.faults else ""
        return f"ran `{command_line(self.argv)}`{extra}"

    @property
    def returncode(self):
        return self.completed.returncode

    @property
    def stdout(self) -> bytes:
        return self.completed.stdout

    @property
    def stderr(self) -> bytes:
        return self.completed.stderr

    @property
    def out(self) -> str:
        return self.stdout.decode(errors="replace")

    @property
    def err(self) -> str:
        return self.stderr.decode(errors="replace")

    def got(self) -> str:
        return (f"{self.completed.describe_exit()}\nstdout: {show(self.stdout)}\n"
                f"stderr: {show(self.stderr)}")

    def expect_exit(self, code: int = 0, hint: str = "") -> "ProgramRun":
        if self.completed.timed_out or self.returncode != code:
            raise Failure(self.did, f"exit status {code}", self.got(), hint)
        return self

    def expect_failure(self, hint: str = "", code: int | None = None) -> "ProgramRun":
        """A non-zero exit (or exactly `code`), by exit() and not by a crash or a hang."""
        c = self.completed
        bad = c.timed_out or c.killed_by is not None or c.returncode == 0
        if code is not None:
            bad = bad or c.returncode != code
        if bad:
            want = f"exit status {code}" if code is not None else "a non-zero exit status"
            raise Failure(self.did, want, self.got(), hint)
        return self

    def expect_stdout(self, expected: bytes | str, hint: str = "") -> "ProgramRun":
        e = expected.encode() if isinstance(expected, str) else expected
        if self.stdout != e:
            raise Failure(self.did, f"stdout {show(e)}",
                          f"stdout {show(self.stdout)}\n{first_difference(e, self.stdout)}\n"
                          f"({self.completed.describe_exit()}, stderr {show(self.stderr, 200)})", hint)
        return self

    def expect_stderr_contains(self, text: str, hint: str = "") -> "ProgramRun":
        if text not in self.err:
            raise Failure(self.did, f"stderr containing {show(text)}", f"stderr {show(self.stderr)}", hint)
        return self

    def expect_error_line(self, program: str, pattern: str, hint: str = "") -> "ProgramRun":
        """stderr is one line `program: ...` matching `pattern` (a regular expression)."""
        lines = self.err.splitlines()
        ok = (len(lines) == 1 and lines[0].startswith(f"{program}: ")
              and re.search(pattern, lines[0]) is not None)
        if not ok:
            raise Failure(self.did, f"one line on stderr: \"{program}: ...\" matching /{pattern}/",
                          f"stderr {show(self.stderr)} ({len(lines)} line(s))", hint)
        return self


@dataclass
class Server:
    """A started program that printed its readiness line `listening on ADDR:PORT`."""

    name: str
    argv: list[str]
    child: Child
    factor: float
    address: str = ""
    port: int = 0
    ready_at: float = 0.0
    _ready: threading.Event = field(default_factory=threading.Event)

    @property
    def pid(self) -> int:
        return self.child.pid

    def alive(self) -> bool:
        return self.child.proc.poll() is None

    def log(self) -> str:
        return self.child.err.text().decode(errors="replace")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 5.0) -> int | None:
        """Send `sig` and wait for the exit; return the exit code, or None if it did not exit."""
        self.child.send(sig)
        return self.child.wait(timeout * self.factor)

    def connect(self, host: str = "127.0.0.1", timeout: float = 5.0) -> socket.socket:
        """A TCP connection to the server, with a timeout on every operation."""
        sock = socket.create_connection((host, self.port), timeout=timeout * self.factor)
        sock.settimeout(timeout * self.factor)
        return sock


class Programs:
    """The `programs` fixture: runs the lab's programs for one test and cleans up after it."""

    def __init__(self, settings: Settings, logdir: Path):
        self.s = settings
        self.logdir = logdir
        self.children: list[tuple[str, Child]] = []
        self.finished: list[Completed] = []  # every run() of this test
        self._shims = 0

    @property
    def factor(self) -> float:
        return self.s.factor

    @property
    def cwd(self) -> Path:
        """A folder of this test's own, where programs run (and may write files)."""
        return jail.make_dir(self.logdir)

    def path(self, name: str) -> str:
        if name in self.s.missing or not os.access(self.s.bindir / name, os.X_OK):
            raise Failure(f"start `{name}`", f"the program {name} built from your code",
                          f"{name} was not built: see the compile errors at the top of this lab's report")
        return str(self.s.bindir / name)

    def _command(self, name: str, args, faults: Faults | None = None) -> tuple[list[str], dict]:
        argv = [self.path(name)] + [str(a) for a in args]
        env = dict(os.environ)
        env.pop("PYTHONPATH", None)
        if faults is not None:
            if self.s.shim is None or not self.s.shim.exists():
                raise RuntimeError("the fault-injection library was not built (build/faultshim.so)")
            self._shims += 1
            env.update(faults.env(self.s.shim, self.cwd / f"faults.{self._shims}.log"))
        if self.s.variant == "valgrind":
            argv = VALGRIND + [f"--log-file={self.logdir}/vg.%p.log"] + argv
        elif self.s.variant == "asan":
            env.update(memlog.sanitizer_env(self.logdir))
            if faults is not None:  # ASan wants to be first; the shim is preloaded before it
                env["ASAN_OPTIONS"] += ":verify_asan_link_order=0"
        return argv, env

    def _preexec(self, limits: dict | None):
        """The jail for a student's process: the grading's uid and jail.LIMITS, with `limits`
        ({"NOFILE": 16}, ...) replacing some; no address-space limit for the ASan build."""
        merged = {**jail.LIMITS, **(limits or {})}
        if self.s.variant == "asan":
            merged = jail.without_as(merged)
        return jail.preexec(jail.run_uid(), merged)

    def run(self, name: str, *args, timeout: float = 10.0, input: bytes | None = None,
            env: dict | None = None, faults: Faults | None = None,
            limits: dict | None = None, cap: int = DEFAULT_CAP) -> ProgramRun:
        """Run a program to completion (killed after `timeout` seconds, scaled for memcheck),
        with `faults` injected into its socket calls if given (see netlab.shim) and `limits`
        replacing some of the jail's rlimits (say {"NOFILE": 16}); `cap` bytes of each of
        stdout and stderr are kept (raise it for a program that writes a large file)."""
        argv, full_env = self._command(name, args, faults)
        full_env.update(env or {})
        completed = run_child(argv, timeout=timeout * self.factor, env=full_env, input=input,
                              cwd=str(self.cwd), preexec_fn=self._preexec(limits), cap=cap)
        self.finished.append(completed)
        shown = [self.path(name)] + [str(a) for a in args]
        return ProgramRun(shown, completed, faults)

    def start(self, name: str, *args, timeout: float = 10.0, env: dict | None = None,
              ready: re.Pattern = READY_RE, faults: Faults | None = None,
              limits: dict | None = None) -> Server:
        """Start a server and wait for its readiness line on stderr (never a fixed sleep);
        `faults` and `limits` as for run()."""
        argv, full_env = self._command(name, args, faults)
        full_env.update(env or {})
        shown = [self.path(name)] + [str(a) for a in args]
        ready_event = threading.Event()
        seen: list[str] = []

        def on_line(line: bytes) -> None:
            m = ready.search(line)
            if m and not ready_event.is_set():
                seen.append(m.group(1).decode(errors="replace"))
                ready_event.set()

        child = Child(argv, cwd=str(self.cwd), env=full_env, on_stderr_line=on_line,
                      stdin=subprocess.DEVNULL, preexec_fn=self._preexec(limits))
        self.children.append((name, child))
        server = Server(name, shown, child, self.factor, _ready=ready_event)
        deadline = time.monotonic() + timeout * self.factor
        while not ready_event.wait(0.05):
            if child.proc.poll() is not None:
                child.err.join(timeout=2)
                if ready_event.is_set():
                    break
                raise Failure(f"started `{command_line(shown)}`",
                              'the readiness line "listening on ADDR:PORT" on stderr',
                              f"the program exited ({_exit_text(child.proc.returncode)}) before it; "
                              f"stderr: {show(child.err.text())}")
            if time.monotonic() > deadline:
                raise Failure(f"started `{command_line(shown)}`",
                              f'the readiness line "listening on ADDR:PORT" on stderr within '
                              f"{timeout * self.factor:g} s",
                              f"no such line; stderr so far: {show(child.err.text())}",
                              "print it after listen(), with the port read back by getsockname()")
        _set_address(server, seen[0])
        if not server.port:
            raise Failure(f"started `{command_line(shown)}`", "a readiness line with a port number",
                          f"{show(child.err.text())}")
        server.ready_at = time.monotonic()
        return server

    def close(self) -> list[str]:
        """Stop everything this test started: SIGTERM, then SIGKILL for the whole group."""
        notes = []
        for name, child in self.children:
            if child.proc.poll() is None:
                child.send(signal.SIGTERM)
                if child.wait(5 * self.factor) is None:
                    notes.append(f"{name} did not exit within {5 * self.factor:g} s of SIGTERM; killed")
            child.finish()
        return notes

    def memcheck(self) -> str:
        if self.s.variant == "plain" or not self.logdir.exists():
            return ""
        found = [memlog.check_dir(self.logdir, self.s.variant, self.s.allow_reachable)]
        if self.s.variant == "asan":
            found += [memlog.sanitizer_in_stderr(c.stderr) for c in self.finished]
            found += [memlog.sanitizer_in_stderr(child.err.text()) for _, child in self.children]
        return "\n".join(f for f in found if f)


def _exit_text(code: int | None) -> str:
    if code is None:
        return "still running"
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit status {code}"


def _set_address(server: Server, text: str) -> None:
    host, _, port = text.rpartition(":")
    server.address = host.strip("[]")
    try:
        server.port = int(port)
    except ValueError:
        server.port = 0


def _safe(nodeid: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid)[-120:]


@pytest.fixture
def programs(request):
    settings: Settings = request.config._netlab
    logdir = settings.logs / settings.variant / _safe(request.node.nodeid)
    progs = Programs(settings, logdir)
    request.node.stash[PROGRAMS_KEY] = progs
    yield progs
    notes = progs.close()
    found = progs.memcheck()
    if found:
        tool = "valgrind memcheck" if settings.variant == "valgrind" else "AddressSanitizer/UBSan"
        raise Failure(f"reran this test with {tool}", "no memory error, no leak, no descriptor left open",
                      found + ("\n" + "\n".join(notes) if notes else ""),
                      "free every allocation and close every descriptor on every path, "
                      "including error paths")


PROGRAMS_KEY = pytest.StashKey[Programs]()


# --------------------------------------------------------------------------- host names

@dataclass
class Net:
    """Host names a test may resolve. Inside the sandbox they are fixed by its /etc/hosts."""

    sandboxed: bool

    NAMES = {"v4": "netlab-v4.test", "v6": "netlab-v6.test", "dual": "netlab-dual.test",
             "multi": "netlab-multi.test"}

    def name(self, kind: str) -> str:
        """A name resolving to IPv4 only (v4), IPv6 only (v6), both (dual) or three addresses (multi).

        Outside the sandbox the same names are used when this machine's /etc/hosts has them (the
        Gradescope setup adds them); `localhost` stands in for `dual` when it has both families."""
        name = self.NAMES[kind]
        if self.sandboxed or _families(name) == EXPECTED_FAMILIES[kind]:
            return name
        if kind == "dual" and _families("localhost") == {socket.AF_INET, socket.AF_INET6}:
            return "localhost"
        pytest.skip(f"needs the sandbox's fixed host names ({name}); "
                    "this machine ran the tests without the sandbox")

    @property
    def unresolvable(self) -> str:
        # An empty label is rejected by the resolver itself: no query ever leaves the machine.
        return "no-such-host.invalid" if self.sandboxed else "no-such-host..invalid"


EXPECTED_FAMILIES = {"v4": {socket.AF_INET}, "v6": {socket.AF_INET6},
                     "dual": {socket.AF_INET, socket.AF_INET6}, "multi": {socket.AF_INET, socket.AF_INET6}}


def _families(name: str) -> set:
    try:
        return {ai[0] for ai in socket.getaddrinfo(name, None, type=socket.SOCK_STREAM)}
    except socket.gaierror:
        return set()


@pytest.fixture(scope="session")
def net():
    return Net(os.environ.get("NETLAB_SANDBOX") == "bwrap")


# --------------------------------------------------------------------------- results

def _message(item, call, rep) -> str:
    exc = call.excinfo.value if call.excinfo else None
    if isinstance(exc, Failure):
        return exc.render()
    if rep.skipped:
        reason = rep.longrepr[2] if isinstance(rep.longrepr, tuple) else str(rep.longrepr)
        return "not run: " + reason.removeprefix("Skipped: ")
    text = str(exc) if exc is not None else str(rep.longrepr)
    if text.startswith("Timeout"):
        return (f"the test did not finish within its time limit ({text.split('>')[-1].split()[0]}); "
                "a program may be waiting for input that never comes, or never closing a connection")
    if isinstance(exc, AssertionError):
        return "expected: " + text.strip()
    if isinstance(exc, (socket.timeout, TimeoutError)):
        return f"a socket operation timed out: {exc}"
    if isinstance(exc, OSError):
        return f"the test's own network operation failed: {exc!r}"
    return f"the test stopped with {type(exc).__name__}: {exc}" if exc else text[-2000:]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    record = item.stash.setdefault(RESULTS, {"status": "pass", "output": []})
    if rep.failed or rep.skipped:
        msg = _message(item, call, rep)
        if rep.skipped:
            record["status"] = "skip"
        elif record["status"] != "fail":
            record["status"] = "fail"
        if call.when == "teardown" and rep.failed and record["output"]:
            msg = "and then, " + msg
        record["output"].append(msg)
    if call.when == "teardown":
        progs = item.stash.get(PROGRAMS_KEY, None)
        if record["status"] == "fail" and progs is not None:
            for name, child in progs.children:
                err = child.err.text()
                if err:
                    record["output"].append(f"stderr of {name} (pid {child.pid}):\n{show(err, 1500)}")
        _save(item.config, item.nodeid, record)


def _save(config, nodeid: str, record: dict) -> None:
    results = config._netlab_results
    results[nodeid] = {"status": record["status"], "output": "\n".join(record["output"])}
    path = config.getoption("--netlab-results")
    if path:
        tmp = Path(path + ".tmp")
        tmp.write_text(json.dumps(results, indent=1))
        tmp.replace(path)
