"""Look inside running programs through /proc: descriptors, children, states, CPU time, TCP sockets.

For the tests of servers, where black-box output cannot tell a descriptor leaked per connection, a
zombie child, a process spinning the CPU or a byte left unread in a socket. Linux only. Every
reader returns what /proc shows at that moment (a process that is gone reads as None or empty,
never an exception), and `wait_until` turns "check again until it holds" into a bounded wait, so
tests never sleep to synchronize.

Run the program plainly when you inspect its descriptors: under valgrind the pid is valgrind's
process, which holds descriptors of its own.
"""
from __future__ import annotations

import os
import socket
import time
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")

# /proc/net/tcp's state numbers (include/net/tcp_states.h)
TCP_STATES = {1: "ESTABLISHED", 2: "SYN_SENT", 3: "SYN_RECV", 4: "FIN_WAIT1", 5: "FIN_WAIT2",
              6: "TIME_WAIT", 7: "CLOSE", 8: "CLOSE_WAIT", 9: "LAST_ACK", 10: "LISTEN",
              11: "CLOSING", 12: "NEW_SYN_RECV"}


# --------------------------------------------------------------------------- processes

@dataclass(frozen=True)
class ProcStat:
    """One line of /proc/PID/stat, the fields tests use."""

    pid: int
    comm: str
    state: str  # R running, S sleeping, D uninterruptible, Z zombie, T stopped, ...
    ppid: int
    pgrp: int
    utime: float  # seconds of CPU in user mode
    stime: float  # seconds of CPU in the kernel

    @property
    def cpu(self) -> float:
        return self.utime + self.stime

    @property
    def zombie(self) -> bool:
        return self.state == "Z"


def stat(pid: int) -> ProcStat | None:
    """The process's /proc/PID/stat, or None when it does not exist (any more)."""
    try:
        text = (PROC / str(pid) / "stat").read_text()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    # comm is in parentheses and may hold spaces or parentheses itself: cut at the last ')'.
    head, _, rest = text.rpartition(")")
    fields = rest.split()
    return ProcStat(pid=pid, comm=head.partition("(")[2], state=fields[0], ppid=int(fields[1]),
                    pgrp=int(fields[2]), utime=int(fields[11]) / CLOCK_TICKS,
                    stime=int(fields[12]) / CLOCK_TICKS)


def state(pid: int) -> str | None:
    """The process's state letter (R, S, D, Z, T, ...), or None when it does not exist."""
    st = stat(pid)
    return st.state if st else None


def alive(pid: int) -> bool:
    """The process exists and is not a zombie."""
    st = stat(pid)
    return st is not None and not st.zombie


def _all_stats() -> list[ProcStat]:
    out = []
    for entry in PROC.iterdir():
        if entry.name.isdigit():
            st = stat(int(entry.name))
            if st is not None:
                out.append(st)
    return out


def children(pid: int) -> list[ProcStat]:
    """The direct children of pid, zombies included, in pid order."""
    return sorted((st for st in _all_stats() if st.ppid == pid), key=lambda st: st.pid)


def descendants(pid: int) -> list[ProcStat]:
    """Children, grandchildren and so on, zombies included."""
    by_parent: dict[int, list[ProcStat]] = {}
    for st in _all_stats():
        by_parent.setdefault(st.ppid, []).append(st)
    out, todo = [], [pid]
    while todo:
        for st in by_parent.get(todo.pop(), []):
            out.append(st)
            todo.append(st.pid)
    return sorted(out, key=lambda st: st.pid)


def zombies(pid: int) -> list[ProcStat]:
    """The children of pid that have exited but were not reaped (waited for) yet."""
    return [st for st in children(pid) if st.zombie]


def group(pgid: int) -> list[ProcStat]:
    """Every process of process group pgid."""
    return sorted((st for st in _all_stats() if st.pgrp == pgid), key=lambda st: st.pid)


def cpu_seconds(pid: int, with_descendants: bool = False) -> float:
    """CPU time (user and system) used so far by pid, and by its live descendants if asked.
    0.0 for a process that is gone."""
    st = stat(pid)
    total = st.cpu if st else 0.0
    if with_descendants:
        total += sum(d.cpu for d in descendants(pid))
    return total


def cpu_during(pids: list[int], window: float) -> dict[int, float]:
    """CPU seconds each of pids used during the next `window` seconds of wall time.

    This is a measurement over a fixed window, not a wait for something to happen: a process that
    blocks uses about nothing, a process that spins uses a large share of the window.
    """
    before = {pid: cpu_seconds(pid) for pid in pids}
    time.sleep(window)
    return {pid: max(0.0, cpu_seconds(pid) - before[pid]) for pid in pids}


# --------------------------------------------------------------------------- descriptors

def open_fds(pid: int) -> dict[int, str]:
    """The process's open descriptors: number -> what it refers to ("socket:[123]", "pipe:[45]",
    "/dev/null", ...). Empty when the process is gone."""
    folder = PROC / str(pid) / "fd"
    out = {}
    try:
        entries = list(folder.iterdir())
    except (FileNotFoundError, ProcessLookupError, PermissionError, NotADirectoryError):
        return {}
    for entry in entries:
        try:
            out[int(entry.name)] = os.readlink(entry)
        except OSError:  # closed while we looked
            continue
    return dict(sorted(out.items()))


def fd_count(pid: int) -> int:
    return len(open_fds(pid))


def socket_inodes(pid: int) -> dict[int, int]:
    """The process's socket descriptors: number -> socket inode (to match against tcp_sockets())."""
    out = {}
    for fd, target in open_fds(pid).items():
        if target.startswith("socket:["):
            out[fd] = int(target[len("socket:["):-1])
    return out


def fd_flags(pid: int, fd: int) -> int | None:
    """The descriptor's file status flags (O_NONBLOCK, O_APPEND, ...), from /proc/PID/fdinfo/FD."""
    try:
        text = (PROC / str(pid) / "fdinfo" / str(fd)).read_text()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    for line in text.splitlines():
        if line.startswith("flags:"):
            return int(line.split()[1], 8)
    return None


def is_nonblocking(pid: int, fd: int) -> bool | None:
    flags = fd_flags(pid, fd)
    return None if flags is None else bool(flags & os.O_NONBLOCK)


# --------------------------------------------------------------------------- TCP sockets

@dataclass(frozen=True)
class TcpSocket:
    """One line of /proc/net/tcp or /proc/net/tcp6 (this network namespace's TCP sockets)."""

    local: tuple[str, int]
    remote: tuple[str, int]
    state: str  # ESTABLISHED, LISTEN, TIME_WAIT, CLOSE_WAIT, ...
    tx_queue: int  # bytes sent but not acknowledged (LISTEN: 0)
    rx_queue: int  # bytes received but not read by the program (LISTEN: connections to accept)
    uid: int
    inode: int  # 0 for sockets that no descriptor holds (TIME_WAIT)


def _address(hexaddr: str, family: int) -> tuple[str, int]:
    host, port = hexaddr.split(":")
    raw = bytes.fromhex(host)
    # The kernel prints the address as 32-bit words in host byte order (little-endian here).
    raw = b"".join(raw[i:i + 4][::-1] for i in range(0, len(raw), 4))
    return socket.inet_ntop(family, raw), int(port, 16)


def tcp_sockets() -> list[TcpSocket]:
    """Every TCP socket of this network namespace, IPv4 and IPv6."""
    out = []
    for name, family in (("tcp", socket.AF_INET), ("tcp6", socket.AF_INET6)):
        try:
            lines = (PROC / "net" / name).read_text().splitlines()[1:]
        except FileNotFoundError:
            continue
        for line in lines:
            f = line.split()
            tx, rx = f[4].split(":")
            out.append(TcpSocket(local=_address(f[1], family), remote=_address(f[2], family),
                                 state=TCP_STATES.get(int(f[3], 16), f[3]), tx_queue=int(tx, 16),
                                 rx_queue=int(rx, 16), uid=int(f[7]), inode=int(f[9])))
    return out


def tcp_find(local_port: int | None = None, remote_port: int | None = None,
             state: str | None = None) -> list[TcpSocket]:
    """The TCP sockets matching every criterion given."""
    return [s for s in tcp_sockets()
            if (local_port is None or s.local[1] == local_port)
            and (remote_port is None or s.remote[1] == remote_port)
            and (state is None or s.state == state)]


def peer_of(sock: socket.socket) -> TcpSocket | None:
    """The other end of a connected loopback socket (the server's side of a test's connection),
    as /proc/net shows it: its queues tell whether the server reads and whether it is blocked
    sending."""
    mine, theirs = sock.getsockname(), sock.getpeername()
    found = tcp_find(local_port=theirs[1], remote_port=mine[1])
    return found[0] if found else None


# --------------------------------------------------------------------------- waiting

def wait_until(condition, timeout: float, interval: float = 0.01):
    """Call condition() until it returns something true or `timeout` seconds have passed; return
    its last value. The interval only paces the checks: the wait ends as soon as the condition
    holds, and never later than the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(min(interval, max(0.0, deadline - time.monotonic())))
