"""Memory of running programs, through /proc, for any lab's tests.

A server that keeps a buffer per slow client, or grows a request buffer without bound, shows it in
its resident memory. Linux only. A process that is gone reads as None. (Descriptors, children,
states and CPU time are in netlab.procinfo; a lower descriptor limit for a program is
`programs.start(..., limits={"NOFILE": 16})`.)
"""
from __future__ import annotations

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

