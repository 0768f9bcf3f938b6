"""Hostile submissions are contained. One batch, graded with -j2, holds the reference, the skeleton,
some mutants and every hostile program of hostile/ (each replaces showip.c in a copy of the
reference). For each hostile one: grading ends within its bound, the affected test scores 0 with a
reason, nothing is left running, nothing outside the work folder changed. The others get exactly
the results they get when graded alone.
"""
import os
import secrets
import shutil
import subprocess
import time
import tomllib
from pathlib import Path

import pytest

from conftest import KIT, grade
from netlab import jail, mutants, procutil, sandbox
from netlab.soakbatch import hostile_source

pytestmark = pytest.mark.instructor

HOSTILE = KIT / "grader" / "selftest" / "hostile"
LAB = "01-sockets"
MUTANTS = ["missing-ntohs", "atoi-port", "no-fallback"]
ONLY = ["build::warnings", "unit::port::*", "test_showip.py::test_ipv4_literal",
        "test_endpoints.py::test_connect_ipv4", "test_endpoints.py::test_tries_every_address",
        "unit::format::format_ipv4", "unit::format::format_port_byte_order"]
SHOWIP = "test_showip.py::test_ipv4_literal"
ESCAPES = [Path("/tmp/netlab-hostile-escape"), Path("/var/tmp/netlab-hostile-escape"),
           KIT / "netlab-hostile-escape", KIT / "grader" / "netlab-hostile-escape",
           Path("/etc/netlab-hostile-escape"), Path("/usr/netlab-hostile-escape")]
# What the report of the showip test must say for each hostile program (besides failing).
REASONS = tomllib.loads((HOSTILE / "expected.toml").read_text())


# The process name this run's hostile programs give themselves: another grading of hostile
# programs on the machine at the same time (`make soak-batch`, a second `make test`) has its own.
NAME = f"nh-{secrets.token_hex(4)}"


def hostile_processes() -> list[str]:
    """Processes of this run's hostile programs."""
    out = subprocess.run(["ps", "-e", "-o", "comm=,uid=,pid=,args="], capture_output=True, text=True).stdout
    return [line for line in out.splitlines() if line.split(maxsplit=1)[0] == NAME]


def test_process_limit_holds_first():
    """The small case: with NPROC 20, a uid of the pool cannot have 40 processes."""
    limits = dict(jail.LIMITS, NPROC=20)
    uid = jail.UID_BASE + jail.UID_POOL - 1
    script = ("import os, signal\nmade = 0\nfor _ in range(40):\n"
              "    try:\n        pid = os.fork()\n    except OSError:\n        continue\n"
              "    if pid == 0:\n        signal.pause()\n    made += 1\nprint(made)\n")
    res = procutil.run(["/usr/bin/python3", "-c", script], timeout=60, preexec_fn=jail.preexec(uid, limits))
    jail.kill_all(uid)
    assert res.returncode == 0, res
    assert int(res.stdout) < 20, f"{int(res.stdout)} processes started with a limit of 20"


def make_batch(root: Path) -> Path:
    subs = root / "subs"
    shutil.copytree(KIT / "solutions" / LAB, subs / "reference" / LAB)
    (subs / "skeleton").mkdir()
    for m in mutants.discover(LAB):
        if m.name in MUTANTS:
            mutants.apply(m, subs / f"mutant-{m.name}")
    for src in sorted(HOSTILE.glob("*.c")):
        dst = subs / f"hostile-{src.stem}" / LAB
        shutil.copytree(KIT / "solutions" / LAB, dst)
        (dst / "src" / "showip.c").write_text(hostile_source(src, NAME))
    fake = subs / "fakegrader"
    shutil.copytree(KIT / "solutions" / LAB, fake / LAB)
    (fake / LAB / "Makefile").write_text("all:\n\ttrue\n")
    (fake / "grader").mkdir()
    (fake / "grader" / "grade").write_text("#!/bin/sh\necho 'Score: 999/999'\n")
    return subs


@pytest.mark.skipif(not sandbox.detect().isolated, reason="hostile programs run only inside the sandbox")
def test_hostile_batch(tmp_path):
    test_process_limit_holds_first()
    subs = make_batch(tmp_path)
    out = tmp_path / "out"
    for path in ESCAPES:
        assert not path.exists(), f"{path} exists before the test"
    assert hostile_processes() == [], "hostile programs are running before the test"
    only = [a for key in ONLY for a in ("--only", key)]
    t0 = time.monotonic()
    proc = subprocess.run([str(KIT / "grader" / "batch"), str(subs), "--out", str(out), "-j2",
                           "--lab", "01", "--hidden", "no", *only], capture_output=True, text=True,
                          timeout=900)
    elapsed = time.monotonic() - t0
    assert proc.returncode == 0, proc.stderr
    assert elapsed < 600, f"the batch took {elapsed:.0f} s"

    import json
    results = {p.name[: -len(".json")]: json.loads(p.read_text())
               for p in (out / "reports").glob("*.json") if not p.name.endswith(".gradescope.json")}
    assert len(results) == len(list(subs.iterdir())), sorted(results)
    reference = {t["name"]: t for t in results["reference"]["labs"][0]["tests"]}
    assert all(t["status"] == "passed" for t in reference.values())

    for case, reason in REASONS.items():
        tests = {t["name"]: t for t in results[f"hostile-{case}"]["labs"][0]["tests"]}
        assert tests[SHOWIP]["status"] == "failed", case
        assert any(r in tests[SHOWIP]["output"] for r in reason), (case, tests[SHOWIP]["output"][:2000])
        for name, t in tests.items():
            if name.startswith("unit::") or name.startswith("test_endpoints.py"):
                assert t["status"] == "passed", (case, name, t["output"][:1000])
        report = (out / "reports" / f"hostile-{case}.txt").read_text()
        assert len(report) < 200_000, f"{case}: the report is {len(report)} characters"
        report = report.replace("WROTE /tmp/", "").replace("WROTE /var/tmp/", "")  # private to the sandbox
        for word in ("TAMPERED", "READ ", "WROTE", "CONNECTED"):
            assert word not in report, (case, word)
        assert "Hidden tests of Lab 01" not in report and "Lab 01 reference" not in report
    assert results["fakegrader"]["score"] == results["reference"]["score"]

    assert hostile_processes() == [], "processes left behind"
    for path in ESCAPES:
        assert not path.exists(), f"a hostile program wrote {path}"

    # The ordinary submissions score exactly as when graded alone.
    for name in ["reference", "skeleton"] + [f"mutant-{m}" for m in MUTANTS]:
        alone = grade("--lab", "01", "--hidden", "no", "--submission", subs / name, *only, tmp=tmp_path)
        batch_statuses = {t["name"]: t["status"] for t in results[name]["labs"][0]["tests"]}
        alone_statuses = {t["name"]: t["status"] for t in alone.data["labs"][0]["tests"]}
        assert batch_statuses == alone_statuses, name
    os.sync()


def test_watchdog_stops_memory_hogs(tmp_path):
    """The resident-memory watchdog (for ASan builds, which cannot have an address-space limit)."""
    from netlab.watchdog import Watchdog
    uid = jail.UID_BASE + jail.UID_POOL - 2
    dog = Watchdog(uid, tmp_path, max_rss=100 << 20, interval=0.05)
    dog.start()
    hog = "b = bytearray(400 << 20)\nimport signal\nsignal.pause()\n"
    res = procutil.run(["/usr/bin/python3", "-c", hog], timeout=120, preexec_fn=jail.preexec(uid, jail.without_as()))
    dog.stop()
    assert res.killed_by == 9 and not res.timed_out, res
    assert "MiB of memory" in dog.events[0]


def test_address_space_limit_stops_malloc():
    res = procutil.run(["/usr/bin/python3", "-c", "b = bytearray(6 << 30)"], timeout=60,
                       preexec_fn=jail.preexec(None))
    assert res.returncode == 1 and b"MemoryError" in res.stderr, res
