"""Run a child process with a time limit and capped output, and always kill its whole group.

Every program the grader starts (make, a Check binary, pytest, a student's server) goes through
`run` or `Child`, so that a hang becomes a timeout and a flood becomes a truncated log, never a
stuck or exhausted grader.
"""
from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from dataclasses import dataclass, field

DEFAULT_CAP = 256 * 1024  # bytes of stdout/stderr kept per stream


class CappedReader(threading.Thread):
    """Drain a pipe in the background, keeping at most `cap` bytes and counting the rest."""

    def __init__(self, pipe, cap: int = DEFAULT_CAP, on_line=None):
        super().__init__(daemon=True)
        self.pipe = pipe
        self.cap = cap
        self.data = bytearray()
        self.dropped = 0
        self.on_line = on_line
        self._partial = b""
        self.start()

    def run(self) -> None:
        fd = self.pipe.fileno()
        while True:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            room = self.cap - len(self.data)
            if room > 0:
                self.data += chunk[:room]
            self.dropped += max(0, len(chunk) - max(room, 0))
            if self.on_line is not None:
                self._feed_lines(chunk)
        if self.on_line is not None and self._partial:
            self.on_line(self._partial)
        try:
            self.pipe.close()
        except OSError:
            pass

    def _feed_lines(self, chunk: bytes) -> None:
        buf = self._partial + chunk
        *lines, self._partial = buf.split(b"\n")
        for line in lines:
            self.on_line(line)
        if len(self._partial) > 65536:  # a line that never ends: stop buffering it
            self._partial = b""

    def text(self) -> bytes:
        out = bytes(self.data)
        if self.dropped:
            out += b"\n[... %d more bytes not kept ...]\n" % self.dropped
        return out


def kill_group(pgid: int, sig: int = signal.SIGKILL) -> None:
    """Send `sig` to a whole process group; a group that is already gone is not an error."""
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


@dataclass
class Completed:
    """What a finished (or killed) child did."""

    args: list[str]
    returncode: int | None
    stdout: bytes
    stderr: bytes
    timed_out: bool = False
    duration: float = 0.0

    @property
    def killed_by(self) -> int | None:
        """The signal that ended the process, or None when it exited."""
        if self.returncode is not None and self.returncode < 0:
            return -self.returncode
        return None

    def describe_exit(self) -> str:
        if self.timed_out:
            return "still running after the time limit (killed)"
        if self.killed_by is not None:
            try:
                name = signal.Signals(self.killed_by).name
            except ValueError:
                name = f"signal {self.killed_by}"
            return f"killed by {name}"
        return f"exit status {self.returncode}"


@dataclass
class Child:
    """A running child in its own session (process group), with its output drained and capped."""

    args: list[str]
    cwd: str | None = None
    env: dict | None = None
    stdin: int | None = subprocess.DEVNULL
    cap: int = DEFAULT_CAP
    on_stderr_line: object = None
    preexec_fn: object = None
    proc: subprocess.Popen = field(init=False)
    started: float = field(init=False)

    def __post_init__(self) -> None:
        self.started = time.monotonic()
        self.proc = subprocess.Popen(
            self.args,
            cwd=self.cwd,
            env=self.env,
            stdin=self.stdin,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
            close_fds=True,
            preexec_fn=self.preexec_fn,
        )
        self.out = CappedReader(self.proc.stdout, self.cap)
        self.err = CappedReader(self.proc.stderr, self.cap, self.on_stderr_line)

    @property
    def pid(self) -> int:
        return self.proc.pid

    def wait(self, timeout: float) -> int | None:
        """Wait up to `timeout` seconds; return the exit code, or None if still running."""
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def send(self, sig: int) -> None:
        if self.proc.poll() is None:
            try:
                self.proc.send_signal(sig)
            except ProcessLookupError:
                pass

    def kill(self) -> None:
        """Kill the whole group and reap the child; safe to call more than once."""
        kill_group(self.proc.pid)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:  # pragma: no cover - a D-state process
            pass

    def finish(self, timed_out: bool = False) -> Completed:
        """Kill what is left of the group, join the readers and describe the run."""
        self.kill()
        self.out.join(timeout=5)
        self.err.join(timeout=5)
        return Completed(
            args=list(self.args),
            returncode=self.proc.returncode,
            stdout=self.out.text(),
            stderr=self.err.text(),
            timed_out=timed_out,
            duration=time.monotonic() - self.started,
        )


def run(args, timeout: float, cwd=None, env=None, input: bytes | None = None,
        cap: int = DEFAULT_CAP, preexec_fn=None) -> Completed:
    """Run `args` to completion or until `timeout` seconds pass, then kill its whole group."""
    stdin = subprocess.PIPE if input is not None else subprocess.DEVNULL
    child = Child(list(args), cwd=cwd, env=env, stdin=stdin, cap=cap, preexec_fn=preexec_fn)
    if input is not None:
        threading.Thread(target=_feed, args=(child.proc.stdin, input), daemon=True).start()
    rc = child.wait(timeout)
    return child.finish(timed_out=rc is None)


def _feed(pipe, data: bytes) -> None:
    try:
        pipe.write(data)
    except (BrokenPipeError, OSError):
        pass
    finally:
        try:
            pipe.close()
        except OSError:
            pass
