"""Helpers of Lab 05's tests: start kvserver, talk to it, and check that it is healthy after each
fault: alive, serving a normal client, its descriptors and memory back where they were.

Also FakeServer, a scripted kvserver stand-in for the tests of kvclient: it turns connections away,
resets them or serves them, and notes the time of every connection it accepts.
"""
from __future__ import annotations

import re
import socket
import struct
import threading
import time

from netlab import procinfo, procmem
from netlab.feedback import Failure, show
from netlab.lineclient import LineClient

GREETING = b"OK ready"
GREETING_SHOWN = show(GREETING + b"\n")
MEMORY_SLACK_KIB = 2048  # resident memory a healthy server may gain over a test (allocator noise)


# --------------------------------------------------------------------------- the server

def start(programs, *args, timeout_ms: int | None = None, faults=None, limits=None):
    """Start kvserver on port 0 (and -t TIMEOUT_MS if given); waits for its readiness line."""
    argv = ["-p", "0"] + (["-t", str(timeout_ms)] if timeout_ms else []) + [str(a) for a in args]
    return programs.start("kvserver", *argv, faults=faults, limits=limits)


def connect(programs, server, host: str = "127.0.0.1") -> LineClient:
    return LineClient(host, server.port, timeout=5 * programs.factor)


def read_line(c: LineClient, did: str, expected: str, hint: str = "") -> bytes:
    """The next line from c; a Failure (with the transcript) on a timeout, a reset or a close."""
    try:
        line = c.read_line()
    except (socket.timeout, TimeoutError):
        raise Failure(did, expected, f"no complete line within {c.timeout:g} s\n{c.transcript()}",
                      hint) from None
    except OSError as exc:
        raise Failure(did, expected, f"{exc}\n{c.transcript()}", hint) from None
    if line is None:
        raise Failure(did, expected, f"the server closed the connection\n{c.transcript()}", hint)
    return line


def session(programs, server, host: str = "127.0.0.1", did: str = "") -> LineClient:
    """A connection that got the greeting."""
    did = did or f"connected to kvserver on {host}"
    try:
        c = connect(programs, server, host)
    except OSError as exc:
        raise Failure(did, "the connection accepted", f"{exc}", "is the server still running?") from None
    got = read_line(c, did, f"the greeting {GREETING_SHOWN}", "section 4.1: the server greets "
                    "every client it accepts")
    if got != GREETING:
        raise Failure(did, f"the greeting {GREETING_SHOWN}", f"{show(got)}\n{c.transcript()}",
                      "section 4.1")
    return c


def expect(c: LineClient, request: str, want: str | bytes, did: str = "", hint: str = "") -> None:
    """Send one request line and check the reply line."""
    want = want.encode() if isinstance(want, str) else want
    did = did or "sent requests to kvserver"
    try:
        c.send_line(request)
    except OSError as exc:
        raise Failure(did, f"to send {show(request)}", f"{exc}\n{c.transcript()}", hint) from None
    got = read_line(c, did, f"the reply {show(want)} to {show(request)}", hint)
    if got != want:
        raise Failure(did, f"the reply {show(want)} to {show(request)}", f"{show(got)}\n{c.transcript()}",
                      hint)


def expect_closed(c: LineClient, did: str, last: bytes = b"", hint: str = "") -> None:
    """The server sends `last` (if any) and closes the connection."""
    data, how = c.read_to_end()
    if data != last or how not in ("closed", "reset"):
        want = (f"{show(last)} and then the connection closed" if last else "the connection closed")
        raise Failure(did, want, f"{show(data)}, then {'no close' if how == 'timeout' else how}\n"
                      f"{c.transcript()}", hint)


def normal_client(programs, server, did: str, host: str = "127.0.0.1", key: str = "health") -> None:
    """A well-behaved client is served: greeting, PING, SET, GET, QUIT."""
    c = session(programs, server, host, did)
    try:
        expect(c, "PING", "OK PONG", did)
        expect(c, f"SET {key} value of {key}", "OK", did)
        expect(c, f"GET {key}", f"OK value of {key}", did)
        expect(c, "QUIT", "OK bye", did)
        expect_closed(c, did, hint="after QUIT's reply the server closes the connection")
    finally:
        c.close()


def exit_text(server) -> str:
    code = server.child.proc.poll()
    if code is None:
        return "still running"
    if code < 0:
        return f"killed by signal {-code}" + (" (SIGPIPE)" if code == -13 else "")
    return f"exit status {code}"


def expect_alive(server, did: str, hint: str = "") -> None:
    if not server.alive():
        raise Failure(did, "the server keeps running", f"it stopped ({exit_text(server)}); its "
                      f"stderr: {show(server.log()[-800:])}", hint)


class Health:
    """What a server looks like at rest: its descriptors, and its memory after a first client.

    check() then proves, after a fault, that it is alive, serves a normal client, and that its
    descriptors and memory came back (memory is compared in plain runs only: valgrind and the
    sanitizers keep freed memory aside on purpose, and check leaks their own way)."""

    def __init__(self, programs, server):
        self.programs, self.server = programs, server
        self.fds = procinfo.open_fds(server.pid)
        normal_client(programs, server, "connected a first, normal client", key="warmup")
        self.wait_fds("connected a first, normal client")
        self.rss = procmem.rss_kib(server.pid) or 0

    def wait_fds(self, did: str) -> None:
        want = len(self.fds)
        got = procinfo.wait_until(lambda: procinfo.fd_count(self.server.pid) == want,
                                  timeout=5 * self.programs.factor)
        if not got:
            now = procinfo.open_fds(self.server.pid)
            extra = {fd: what for fd, what in now.items() if fd not in self.fds}
            raise Failure(did, f"the server back to its {want} open descriptors once the clients "
                          "are gone", f"{len(now)} descriptors open; new ones: {extra}",
                          "close a client's socket on every path that ends it, errors included "
                          "(section 4.4)")

    def check(self, did: str, host: str = "127.0.0.1") -> None:
        expect_alive(self.server, did, "one client's failure must never end the server (section 4.3)")
        normal_client(self.programs, self.server, f"{did}; then connected a normal client", host)
        self.wait_fds(did)
        if self.programs.factor == 1.0:
            rss = procmem.rss_kib(self.server.pid) or 0
            if rss > self.rss + MEMORY_SLACK_KIB:
                raise Failure(did, f"the server's memory back near {self.rss} KiB",
                              f"{rss} KiB resident", "free what a client used when it goes, on "
                              "every path (section 4.4)")


def wait_quiet(pid: int, timeout: float) -> bool:
    """Wait until the process sleeps and its CPU time stops moving (three looks 50 ms apart)."""
    looks: list[tuple[str | None, float]] = []

    def quiet():
        st = procinfo.stat(pid)
        looks.append((st.state if st else None, st.cpu if st else 0.0))
        recent = looks[-3:]
        return len(recent) == 3 and all(s == "S" for s, _ in recent) and recent[0][1] == recent[-1][1]

    return bool(procinfo.wait_until(quiet, timeout, interval=0.05))


def expect_log(programs, server, pattern: str, did: str, what: str) -> None:
    """Wait (a little) for a line matching pattern on the server's stderr."""
    found = procinfo.wait_until(lambda: re.search(pattern, server.log(), re.M), 5 * programs.factor)
    if not found:
        raise Failure(did, f"a line on the server's stderr: {what}", f"stderr {show(server.log()[-600:])}",
                      "section 4.2 lists the lines the server writes")


def status_lines(server) -> list[str]:
    return re.findall(r"^kvserver: clients=\d+ keys=\d+$", server.log(), re.M)


# --------------------------------------------------------------------------- a stand-in server

class FakeServer:
    """A scripted server for kvclient. Connection number i (from 0) gets behaviours[i] (the last
    one repeats): "busy" (greeting "ERR busy", close), "reset" (RST at once), "close" (close
    without a word), "serve" (greeting, then a tiny key-value store), "reset-after-request" and
    "close-after-request" (greeting, read one request, then RST or close), "silent" (greeting,
    then read requests and never answer), "long-reply" (greeting, then a reply with no end),
    "bad-greeting". Every accepted connection is timed (time.monotonic()) before anything is sent,
    and every request line is recorded, in order."""

    def __init__(self, behaviours, host: str = "127.0.0.1", timeout: float = 10.0):
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.sock = socket.socket(family, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((host, 0))
        self.sock.listen(64)
        self.sock.settimeout(timeout)
        self.port = self.sock.getsockname()[1]
        self.behaviours = list(behaviours)
        self.timeout = timeout
        self.accepted: list[float] = []
        self.requests: list[bytes] = []
        self.store: dict[bytes, bytes] = {}
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with self._lock:
                self.accepted.append(time.monotonic())
                n = len(self.accepted) - 1
            what = self.behaviours[min(n, len(self.behaviours) - 1)]
            t = threading.Thread(target=self._handle, args=(conn, what), daemon=True)
            self._threads.append(t)
            t.start()

    def _handle(self, conn: socket.socket, what: str) -> None:
        conn.settimeout(self.timeout)
        try:
            if what == "reset":
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            elif what == "busy":
                conn.sendall(b"ERR busy\n")
            elif what == "bad-greeting":
                conn.sendall(b"HELLO\n")
            elif what != "close":
                conn.sendall(b"OK ready\n")
                self._talk(conn, what)
        except OSError:
            pass
        finally:
            conn.close()

    def _talk(self, conn: socket.socket, what: str) -> None:
        buf = b""
        while True:
            while b"\n" not in buf:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                buf += chunk
            line, _, buf = buf.partition(b"\n")
            with self._lock:
                self.requests.append(line)
            if what == "reset-after-request":
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                return
            if what == "close-after-request":
                return
            if what == "silent":
                continue
            if what == "long-reply":
                conn.sendall(b"OK " + b"z" * 4000)
                continue
            conn.sendall(self._reply(line) + b"\n")

    def _reply(self, line: bytes) -> bytes:
        words = line.split(b" ", 2)
        if words == [b"PING"]:
            return b"OK PONG"
        if words[0] == b"SET" and len(words) == 3:
            self.store[words[1]] = words[2]
            return b"OK"
        if words[0] == b"GET" and len(words) == 2:
            return b"OK " + self.store[words[1]] if words[1] in self.store else b"ERR not-found"
        return b"ERR bad-request"

    def connections(self) -> int:
        with self._lock:
            return len(self.accepted)

    def close(self) -> None:
        try:
            self.sock.shutdown(socket.SHUT_RDWR)  # wakes the thread blocked in accept()
        except OSError:
            pass
        self.sock.close()
        self._thread.join(timeout=5)
        for t in self._threads:
            t.join(timeout=5)

    def __enter__(self) -> "FakeServer":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


RETRY_RE = re.compile(r"^kvclient: (.+?) port (\d+): (.+); retry (\d+) of (\d+) in (\d+) ms$")


def retry_lines(run) -> list[re.Match]:
    """The retry lines a kvclient run printed on stderr, in order (section 4.5)."""
    return [m for m in (RETRY_RE.match(line) for line in run.err.splitlines()) if m]


def last_error_line(run) -> str:
    lines = [line for line in run.err.splitlines() if not RETRY_RE.match(line)]
    return lines[-1] if lines else ""
