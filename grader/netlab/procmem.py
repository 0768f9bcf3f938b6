"""Memory and resource limits of running programs, through /proc and prlimit(2), for any lab's tests.

A server that keeps a buffer per slow client, or grows a request buffer without bound, shows it in
its resident memory; a server that must cope with running out of descriptors is easiest to test
with a low RLIMIT_NOFILE set on it while it runs. Linux only. A process that is gone reads as None.
(Descriptors, children, states and CPU time are in netlab.procinfo.)
"""
from __future__ import annotations

import resource
from pathlib import Path

PROC = Path("/proc")


def status_kib(pid: int, field: str) -> int | None:
    """A "kB" field of /proc/PID/status (VmRSS, VmHWM, VmSize, ...), in KiB; None when gone."""
    try:
        text = (PROC / str(pid) / "status").read_text()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    for line in text.splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return None


def rss_kib(pid: int) -> int | None:
    """Resident memory now, in KiB."""
    return status_kib(pid, "VmRSS")


def peak_rss_kib(pid: int) -> int | None:
    """The most resident memory the process ever had (VmHWM), in KiB: it catches a growth that was
    given back before the test looked."""
    return status_kib(pid, "VmHWM")


def set_nofile(pid: int, limit: int) -> tuple[int, int]:
    """Set the running process's RLIMIT_NOFILE (soft and hard) to `limit`; return the old limits.

    Lowering is allowed for our own processes and, as root, for any. Descriptors already open stay
    open: the next open, socket or accept beyond the limit fails with EMFILE.
    """
    return resource.prlimit(pid, resource.RLIMIT_NOFILE, (limit, limit))
