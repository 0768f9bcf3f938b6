"""Run student code as an unprivileged user with resource limits.

As root, RLIMIT_NPROC is not enforced, so a fork bomb would take the machine down: when the grader
runs as root (the sandbox, CI), every student process is switched to a dedicated uid first. Each
grading gets a uid of its own from a small pool (a lock file per uid), so that the process limit of
one submission is not shared with another graded in parallel. When the grader is not root (a
student's laptop), the limits still apply to the student's processes; only the uid stays.
"""
from __future__ import annotations

import fcntl
import os
import resource
import subprocess
from pathlib import Path

UID_BASE = 61000  # uids 61000..61063: not used by Debian's system or regular users
UID_POOL = 64
LOCK_DIR = Path("/tmp/netlab-uids")

# Limits for every student process (soft = hard). Generous for the labs, fatal for bombs.
LIMITS = {
    "NPROC": 256,  # processes of the grading's uid, all together
    "NOFILE": 1024,  # descriptors per process
    "FSIZE": 256 * 1024 * 1024,  # bytes in one file
    "CPU": 300,  # seconds of CPU per process
    "CORE": 0,  # no core dumps
    "AS": 4 * 1024**3,  # address space; not for sanitizer builds (see without_as)
}

# Memory the grading's processes may hold in all (resident), and the size its folder may reach;
# the watchdog in labrun enforces both (rlimits cannot: ASan needs terabytes of address space).
MAX_RSS = 3 * 1024**3
MAX_WORK_BYTES = 2 * 1024**3


def without_as(limits: dict | None = None) -> dict:
    """The limits for an AddressSanitizer build, which reserves far more address space than RAM."""
    out = dict(LIMITS if limits is None else limits)
    out.pop("AS", None)
    return out


def claim_uid() -> tuple[int | None, object]:
    """A uid from the pool for one grading, and the lock that holds it (keep it open while grading).

    Returns (None, None) when not root: there is nobody to switch to.
    """
    if os.geteuid() != 0:
        return None, None
    LOCK_DIR.mkdir(mode=0o755, exist_ok=True)
    for i in range(UID_POOL):
        uid = UID_BASE + i
        handle = open(LOCK_DIR / str(uid), "a")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            continue
        return uid, handle
    raise RuntimeError(f"all {UID_POOL} grading uids are in use")


def run_uid() -> int | None:
    """The uid student processes run as in this grading (set by the orchestrator), if any."""
    value = os.environ.get("NETLAB_RUN_UID")
    return int(value) if value and os.geteuid() == 0 else None


def preexec(uid: int | None = None, limits: dict | None = None):
    """A preexec_fn for subprocess: apply the limits, then drop to `uid` (all ids, no groups)."""
    limits = dict(LIMITS if limits is None else limits)

    def apply() -> None:
        # Lower the priority of the student's session (its own scheduling group where the kernel
        # has autogroups): a program that spins, or a fork bomb, does not starve the grader.
        try:
            with open("/proc/self/autogroup", "w") as f:
                f.write("10")
        except OSError:
            pass
        os.nice(10)
        for name, value in limits.items():
            res = getattr(resource, f"RLIMIT_{name}")
            resource.setrlimit(res, (value, value))
        if uid is not None:
            os.setgroups([])
            os.setresgid(uid, uid, uid)
            os.setresuid(uid, uid, uid)

    return apply


def open_up(work: Path, writable: list[Path]) -> None:
    """Let the grading's uid read the work folder and write only in `writable` folders.

    results/ and tests/hidden/ stay private to the grader: student code cannot read the hidden
    tests or forge results.
    """
    if os.geteuid() != 0:
        return
    work.chmod(0o755)
    for private in (work / "results", work / "lab" / "tests" / "hidden"):
        if private.exists():
            private.chmod(0o700)
    for folder in writable:
        make_dir(folder)


def lock(folder: Path) -> None:
    """Make folder and everything in it the grader's and read-only for the grading's uid."""
    if os.geteuid() != 0:
        return
    for path in [folder, *folder.rglob("*")]:
        if not path.is_symlink():
            os.chown(path, 0, 0)
            path.chmod(path.stat().st_mode & ~0o022)


def kill_all(uid: int | None) -> None:
    """SIGKILL every process of `uid` (daemons, setsid escapees), by a process of that uid."""
    if uid is None:
        return
    subprocess.run(["kill", "-KILL", "-1"], preexec_fn=preexec(uid, {}), capture_output=True,
                   timeout=30)


def make_dir(folder: Path) -> Path:
    """Create folder (and parents) writable by the grading's uid; return it."""
    folder.mkdir(parents=True, exist_ok=True)
    uid = run_uid()
    if uid is not None:
        os.chown(folder, uid, uid)
    return folder
