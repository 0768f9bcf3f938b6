"""Faults for the preloaded fault-injection library (grader/c/faultshim.c), as test parameters.

    run = programs.run("client", url, faults=Faults(max_io=1, eintr_every=3))

makes every socket send/recv/read/write of the program move at most one byte and every third such
call fail with EINTR, deterministically; `faults.log` then lists what was altered, so a test can
show that the faults really happened. `Faults(fail_every=2, fail_errno="ECONNABORTED",
ops=("accept",))` makes every second accept() fail with ECONNABORTED instead.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Faults:
    max_io: int | None = None  # at most this many bytes per call
    eintr_every: int | None = None  # every K-th call fails with EINTR
    reset_after: int | None = None  # after N bytes received: ECONNRESET / EPIPE
    fail_every: int | None = None  # every K-th call fails with fail_errno (counted apart from EINTR)
    fail_errno: str = "ECONNABORTED"  # an errno name (ECONNABORTED, EMFILE, ECONNRESET, ...)
    ops: tuple[str, ...] = ()  # limit to these calls (send, recv, read, write, sendto, recvfrom, connect, accept)
    log: Path | None = field(default=None, compare=False)

    def env(self, library: Path, log: Path) -> dict:
        """The environment that preloads the library with these faults, logging to `log`."""
        self.log = log
        env = {"LD_PRELOAD": str(library), "NETLAB_SHIM_LOG": str(log)}
        if self.max_io:
            env["NETLAB_SHIM_MAX_IO"] = str(self.max_io)
        if self.eintr_every:
            env["NETLAB_SHIM_EINTR"] = str(self.eintr_every)
        if self.reset_after:
            env["NETLAB_SHIM_RESET_AFTER"] = str(self.reset_after)
        if self.fail_every:
            env["NETLAB_SHIM_FAIL"] = f"{self.fail_every}:{self.fail_errno}"
        if self.ops:
            env["NETLAB_SHIM_OPS"] = ",".join(self.ops)
        return env

    def altered(self) -> dict[str, int]:
        """How many calls the library altered, by kind ("short", "eintr", "reset", "fail")."""
        counts: dict[str, int] = {}
        if self.log is None or not self.log.exists():
            return counts
        for line in self.log.read_text().splitlines():
            kind = line.split(" ", 1)[0]
            counts[kind] = counts.get(kind, 0) + 1
        return counts

    def describe(self) -> str:
        parts = []
        if self.max_io:
            parts.append(f"at most {self.max_io} byte(s) per socket call")
        if self.eintr_every == 1:
            parts.append("every call interrupted (EINTR)")
        elif self.eintr_every:
            parts.append(f"every {_ordinal(self.eintr_every)} call interrupted (EINTR)")
        if self.reset_after:
            parts.append(f"the connection reset after {self.reset_after} bytes received")
        if self.fail_every == 1:
            parts.append(f"every call failing with {self.fail_errno}")
        elif self.fail_every:
            parts.append(f"every {_ordinal(self.fail_every)} call failing with {self.fail_errno}")
        return ", ".join(parts) + (f" (only {', '.join(self.ops)})" if self.ops else "")


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"
