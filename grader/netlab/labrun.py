"""Run one staged lab: build, unit tests, black-box tests, memcheck; write results/raw.json.

This runs inside the sandbox (`python -m netlab.labrun WORK`), so everything it starts shares the
sandbox's private network and dies with it. It never scores: it records what happened to each test
key, and the orchestrator outside the sandbox turns that into points.
"""
from __future__ import annotations

import json
import os
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import checkxml, jail, memlog
from .feedback import Failure
from .procutil import run
from .watchdog import Watchdog

WARNING_RE = re.compile(r"^(?P<loc>[^:\n]+:\d+:\d+): warning: (?P<msg>.*)$", re.M)
ERROR_RE = re.compile(r"^[^:\n]+:\d+:\d+: (?:fatal )?error: .*$", re.M)
VALGRIND = ["valgrind", "--leak-check=full", "--show-leak-kinds=all", "--track-fds=yes",
            "--num-callers=20", "--child-silent-after-fork=no"]


@dataclass
class Config:
    keys: list[str]  # the test keys to run
    programs: list[str]
    kit: str
    allow_reachable: bool = False
    timeouts: dict = field(default_factory=dict)
    unit_tests: list[str] = field(default_factory=list)  # every unit:: key of the lab

    def timeout(self, name: str, default: float) -> float:
        return float(self.timeouts.get(name, default))


class Recorder:
    """Collects every test key's outcome and the lab-wide notes, and writes raw.json."""

    def __init__(self, work: Path):
        self.work = work
        self.tests: dict[str, dict] = {}
        self.steps: dict[str, dict] = {}

    def test(self, key: str, passed: bool, output: str = "", status: str | None = None) -> None:
        self.tests[key] = {"status": status or ("pass" if passed else "fail"), "output": output}

    def step(self, name: str, ok: bool, log: str = "", seconds: float = 0.0) -> None:
        self.steps[name] = {"ok": ok, "log": log, "seconds": round(seconds, 2)}

    def write(self) -> None:
        data = {"tests": self.tests, "steps": self.steps}
        tmp = self.work / "results" / "raw.json.tmp"
        tmp.write_text(json.dumps(data, indent=1))
        tmp.replace(self.work / "results" / "raw.json")


def _text(data: bytes, limit: int = 6000) -> str:
    text = data.decode(errors="replace")
    return text if len(text) <= limit else text[:limit] + "\n[... log shortened ...]"


class LabRun:
    def __init__(self, work: Path, config: Config):
        self.work = work
        self.lab = work / "lab"
        self.cfg = config
        self.rec = Recorder(work)
        self.build_log = ""
        self.make = ["make", "--no-print-directory", "-C", str(self.lab), f"KIT={config.kit}"]

    # -- selection -------------------------------------------------------------------------

    def wanted(self, kind: str) -> list[str]:
        out = []
        for key in self.cfg.keys:
            head = key.split("::", 1)[0]
            if kind == "blackbox" and head not in ("build", "unit", "valgrind", "asan"):
                out.append(key)
            elif head == kind:
                out.append(key)
        return out

    def memcheck_targets(self, tool: str) -> list[str]:
        return [k.split("::", 1)[1] for k in self.wanted(tool)]

    # -- steps -----------------------------------------------------------------------------

    def build(self) -> bool:
        """Compile everything the student edits, as the student's uid; then lock build/.

        Programs, unit tests and (when memcheck asks for it) the sanitizer build are all made
        here, before any student code runs, so that nothing a program does later can replace a
        binary. -k builds whatever compiles; later steps report what did not.
        """
        t0 = time.monotonic()
        targets = ["all", "unit"] + (["asan"] if self.wanted("asan") else [])
        jail.make_dir(self.lab / "build")
        res = run(self.make + ["-k", "WERROR="] + targets, timeout=self.cfg.timeout("build", 180),
                  cwd=self.lab, preexec_fn=jail.preexec(jail.run_uid(), jail.without_as()))
        jail.lock(self.lab / "build")
        log = _text(res.stdout + res.stderr, 20000)
        ok = res.returncode == 0
        self.build_log = log
        self.rec.step("build", ok, log, time.monotonic() - t0)
        warnings = list(dict.fromkeys(WARNING_RE.findall(log)))  # the asan build repeats them
        if "build::warnings" in self.cfg.keys:
            did = "built the programs with the kit's warning flags"
            if not ok:
                self.rec.test("build::warnings", False, Failure(
                    did, "a build without errors", "the build failed:\n" + _errors_excerpt(log)).render())
            elif warnings:
                lines = "\n".join(f"{loc}: warning: {msg}" for loc, msg in warnings[:10])
                self.rec.test("build::warnings", False, Failure(
                    did, "no warning", f"{len(warnings)} warning(s):\n{lines}",
                    "`make` in the lab folder shows them as errors (-Werror)").render())
            else:
                self.rec.test("build::warnings", True)
        return ok

    def missing_programs(self, subdir: str = "") -> list[str]:
        base = self.lab / "build" / subdir
        return [p for p in self.cfg.programs if not os.access(base / p, os.X_OK)]

    def unit(self, variant: str) -> None:
        """Build and run the Check unit tests: plain (graded per test), or under valgrind/asan."""
        keys = self.wanted("unit") if variant == "plain" else (
            self.skip_failed(variant, ["unit"]) if "unit" in self.memcheck_targets(variant) else [])
        if not keys:
            return
        binary = self.lab / "build" / ("asan/unit_tests" if variant == "asan" else "unit_tests")
        t0 = time.monotonic()
        if not binary.exists():
            why = ("not run: the unit tests did not compile against your code:\n"
                   + _errors_excerpt(self.build_log))
            self._not_run(keys, variant, why)
            self.rec.step(f"unit-{variant}", False, why, time.monotonic() - t0)
            return
        logs = jail.make_dir(self.work / "logs" / f"unit-{variant}")
        xml = logs / "check.xml"  # written by the process that runs the student's functions
        env = dict(os.environ, CK_XML_LOG_FILE_NAME=str(xml), CK_DEFAULT_TIMEOUT="10",
                   CK_VERBOSITY="silent")
        cmd = [str(binary)]
        if variant == "valgrind":
            env["CK_FORK"] = "no"
            env["CK_DEFAULT_TIMEOUT"] = "60"
            cmd = VALGRIND + [f"--log-file={logs}/vg.%p.log"] + cmd
        elif variant == "asan":
            env["CK_FORK"] = "no"
            env.update(memlog.sanitizer_env(logs))
        limit = self.cfg.timeout("unit", 60) * (8 if variant == "valgrind" else 1)
        limits = jail.without_as() if variant == "asan" else None
        res = run(cmd, timeout=limit, cwd=logs, env=env, preexec_fn=jail.preexec(jail.run_uid(), limits))
        self.rec.step(f"unit-{variant}", True, "", time.monotonic() - t0)
        results = checkxml.parse(xml)
        if variant == "plain":
            self._record_unit(results, res, keys)
        else:
            self._record_unit_memcheck(variant, results, res, logs)

    def _record_unit(self, results: dict, res, keys: list[str]) -> None:
        for key in keys:
            r = results.get(key)
            if r is None:
                self.rec.test(key, False, Failure(
                    "ran the unit tests", "this test to run",
                    f"the unit test program ended early ({res.describe_exit()}) before reaching it\n"
                    + _text(res.stderr, 2000)).render())
            else:
                self.rec.test(key, r.passed, r.message if not r.passed else "")

    def _record_unit_memcheck(self, tool: str, results: dict, res, logs: Path) -> None:
        key = f"{tool}::unit"
        failed = [k for k, r in results.items() if not r.passed]
        failed += [k for k in self.cfg.unit_tests if k not in results]
        problems = memlog.check_dir(logs, tool, self.cfg.allow_reachable)
        if tool == "asan":
            problems = "\n".join(p for p in (problems, memlog.sanitizer_in_stderr(res.stderr)) if p)
        did = "ran the unit tests " + ("under valgrind" if tool == "valgrind"
                                       else "built with AddressSanitizer and UBSan")
        if res.timed_out:
            self.rec.test(key, False, Failure(did, "they finish", "still running at the time limit").render())
        elif problems:
            self.rec.test(key, False, Failure(did, "no memory error, leak or open descriptor",
                                              problems).render())
        elif not results or failed or res.returncode != 0:
            detail = ", ".join(failed[:6]) if failed else res.describe_exit()
            self.rec.test(key, False, Failure(did, "every unit test passes, so that every path is checked",
                                              f"not all passed ({detail})").render())
        else:
            self.rec.test(key, True)

    def failed_plain(self, target: str) -> bool:
        """True when the plain run of target (a black-box key, or `unit`) already failed."""
        if target == "unit":
            return any(k.startswith("unit::") and v["status"] != "pass" for k, v in self.rec.tests.items())
        got = self.rec.tests.get(target)
        return got is not None and got["status"] != "pass"

    def skip_failed(self, tool: str, targets: list[str]) -> list[str]:
        """Record the memcheck items whose test fails even without the tool; return the others."""
        keep = []
        for target in targets:
            if self.failed_plain(target):
                what = "the unit tests" if target == "unit" else target
                self.rec.test(f"{tool}::{target}", False,
                              f"not run: {what} must pass first (memory is checked on a working run)")
            else:
                keep.append(target)
        return keep

    def blackbox(self, variant: str) -> None:
        if variant == "plain":
            keys = self.wanted("blackbox")
            nodeids = keys
        else:
            nodeids = self.skip_failed(variant, [t for t in self.memcheck_targets(variant) if t != "unit"])
            keys = [f"{variant}::{t}" for t in nodeids]
        if not nodeids:
            return
        bindir = self.lab / "build" / ("asan" if variant == "asan" else "")
        missing = self.missing_programs("asan" if variant == "asan" else "")
        results_file = self.work / "results" / f"pytest-{variant}.json"
        factor = {"plain": 1, "valgrind": 10, "asan": 3}[variant]
        per_test = self.cfg.timeout("test", 30) * factor
        tests_dir = self.lab / "tests"
        cmd = [sys.executable, "-m", "pytest", "-p", "netlab.harness", "-p", "no:cacheprovider",
               "-q", "--no-header", "-rN", f"--rootdir={tests_dir}", "-c", os.devnull,
               f"--timeout={per_test}", f"--netlab-bin={bindir}", f"--netlab-variant={variant}",
               f"--netlab-results={results_file}", f"--netlab-logs={self.work / 'logs'}",
               f"--netlab-missing={','.join(missing)}",
               f"--netlab-shim={self.lab / 'build' / 'faultshim.so'}",
               f"--netlab-allow-reachable={int(self.cfg.allow_reachable)}"]
        cmd += [str(tests_dir / n) for n in nodeids]
        t0 = time.monotonic()
        budget = per_test * len(nodeids) + 60
        res = run(cmd, timeout=budget, cwd=tests_dir)
        self.rec.step(f"pytest-{variant}", res.returncode in (0, 1), _text(res.stdout + res.stderr, 6000),
                      time.monotonic() - t0)
        try:
            outcome = json.loads(results_file.read_text())
        except (OSError, ValueError):
            outcome = {}
        for key, nodeid in zip(keys, nodeids):
            r = outcome.get(nodeid)
            if r is None:
                why = ("timed out" if res.timed_out else f"pytest ended with {res.describe_exit()}")
                self.rec.test(key, False, f"not run: the test session stopped early ({why}):\n"
                              + _text(res.stdout + res.stderr, 1500))
            else:
                self.rec.test(key, r["status"] == "pass", r["output"], status=r["status"])

    def _not_run(self, keys: list[str], variant: str, why: str) -> None:
        for key in keys:
            self.rec.test(key if variant == "plain" else f"{variant}::unit", False, why)

    def run_all(self) -> None:
        watchdog = Watchdog(jail.run_uid(), self.work / "logs")
        try:
            jail.open_up(self.work, [self.work / "logs"])
            watchdog.start()
            self.build()
            self.unit("plain")
            self.blackbox("plain")
            for tool in ("valgrind", "asan"):
                self.unit(tool)
                self.blackbox(tool)
        finally:
            watchdog.stop()
            jail.kill_all(jail.run_uid())
            if watchdog.events:
                self.rec.step("watchdog", False, "\n".join(watchdog.events))
            self.rec.write()


def _errors_excerpt(log: str, limit: int = 12) -> str:
    errors = ERROR_RE.findall(log)
    lines = errors[:limit] if errors else log.strip().splitlines()[-limit:]
    return "\n".join("  " + line for line in lines)


def main(argv: list[str]) -> int:
    work = Path(argv[0])
    cfg = Config(**json.loads((work / "results" / "config.json").read_text()))
    LabRun(work, cfg).run_all()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
