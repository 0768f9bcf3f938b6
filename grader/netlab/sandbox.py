"""Where a lab's build and tests run: inside bubblewrap when it works here, else a plain fallback.

The sandbox gives each grading its own network namespace (loopback only: parallel gradings never
collide and nothing leaves the machine), its own PID namespace (every process dies with it), a
read-only view of the system, a fixed /etc/hosts, and no view of anything but the kit's grader code
and the work folder (no solutions, hidden tests, mutants or other submissions).

Where bubblewrap cannot run (a laptop without user namespaces), the fallback runs the same steps
in process groups with port 0, and the report says so.
"""
from __future__ import annotations

import functools
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from .manifest import KIT
from .procutil import run

ETC_FILES = ("hosts", "nsswitch.conf", "resolv.conf")  # from grader/sandbox/
SYSTEM_DIRS = ("/usr", "/etc")
TMP_BYTES = 256 * 1024 * 1024
MERGED_USR_LINKS = ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")


@dataclass(frozen=True)
class Mode:
    name: str  # "bwrap" or "fallback"
    reason: str  # why the fallback was chosen; empty for bwrap

    @property
    def isolated(self) -> bool:
        return self.name == "bwrap"

    def describe(self) -> str:
        if self.isolated:
            return "sandbox: bubblewrap (private network, PID and mount namespaces)"
        return ("sandbox: none, " + self.reason + "; programs ran in process groups on loopback "
                "with port 0, and the tests that need the sandbox's fixed host names were not run")


def _system_binds() -> list[str]:
    args: list[str] = []
    for d in SYSTEM_DIRS:
        args += ["--ro-bind", d, d]
    for link in MERGED_USR_LINKS:
        if os.path.islink(link):
            args += ["--symlink", os.readlink(link), link]
        elif os.path.isdir(link):
            args += ["--ro-bind", link, link]
    return args


def bwrap_args(work: Path, extra_ro: tuple[Path, ...] = ()) -> list[str]:
    """The bubblewrap command line (without the command) for one grading of `work`."""
    kit_grader = KIT / "grader"
    args = ["bwrap", "--die-with-parent", "--new-session",
            "--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
            "--hostname", "netlab"]
    args += _system_binds()
    for name in ETC_FILES:
        args += ["--ro-bind", str(kit_grader / "sandbox" / name), f"/etc/{name}"]
    # /tmp is memory: a size keeps a program that fills it from filling the machine.
    args += ["--proc", "/proc", "--dev", "/dev", "--size", str(TMP_BYTES), "--perms", "1777",
             "--tmpfs", "/tmp", "--size", str(1024 * 1024), "--tmpfs", "/run",
             "--perms", "1777", "--dir", "/var/tmp"]
    args += ["--ro-bind", str(kit_grader), str(kit_grader)]
    for secret in ("hidden", "mutants"):
        if (kit_grader / secret).is_dir():
            args += ["--tmpfs", str(kit_grader / secret)]
    for path in extra_ro:
        args += ["--ro-bind", str(path), str(path)]
    # The folders above `work` are made by bwrap; let the unprivileged uid pass through them.
    args += ["--perms", "0711", "--dir", str(work.parent)]
    args += ["--bind", str(work), str(work), "--chdir", str(work),
             "--setenv", "HOME", str(work), "--setenv", "TMPDIR", "/tmp",
             "--setenv", "NETLAB_SANDBOX", "bwrap"]
    return args


@functools.lru_cache(maxsize=1)
def detect() -> Mode:
    """Use bubblewrap if it is installed and can create the namespaces here."""
    if os.environ.get("NETLAB_NO_SANDBOX"):
        return Mode("fallback", "NETLAB_NO_SANDBOX is set")
    if shutil.which("bwrap") is None:
        return Mode("fallback", "bubblewrap (bwrap) is not installed")
    probe = Path("/tmp")
    result = run(bwrap_args(probe) + ["/bin/sh", "-c", "test -r /etc/hosts && echo ok"], timeout=20)
    if result.returncode == 0 and result.stdout.strip() == b"ok":
        return Mode("bwrap", "")
    why = result.stderr.decode(errors="replace").strip().splitlines()
    return Mode("fallback", "bubblewrap cannot run here (" + (why[-1] if why else result.describe_exit()) + ")")


def command(mode: Mode, argv: list[str], work: Path) -> list[str]:
    """Wrap `argv` so that it runs in the sandbox of `mode`."""
    if mode.isolated:
        return bwrap_args(work) + ["--"] + argv
    return argv


def environment(mode: Mode, base: dict | None = None) -> dict:
    env = dict(os.environ if base is None else base)
    env["NETLAB_SANDBOX"] = mode.name
    env["PYTHONPATH"] = str(KIT / "grader")
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env
