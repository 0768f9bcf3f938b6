"""A client of the line protocol for Lab 02's tests, and what the tests share.

Every operation has a timeout (scaled for valgrind), and a failure says what was sent on the
connection, what reply was expected and what came back, with the first difference marked.
"""
from __future__ import annotations

import hashlib
import socket
import struct

from netlab import procinfo
from netlab.feedback import Failure, first_difference, show
from netlab.peers import format_hostport

CHARGEN_WIDTH = 72
MAX_LINE = 1024
TIMEOUT = 5.0  # seconds for one operation, before programs.factor


def chargen_line(i: int) -> bytes:
    """Line i (from 0) of CHARGEN's pattern: 72 characters from '!' on, shifted by i, and '\\n'."""
    return bytes(33 + (i + k) % 94 for k in range(CHARGEN_WIDTH)) + b"\n"


def chargen(n: int) -> bytes:
    """The whole reply to CHARGEN n."""
    cycle = [chargen_line(i) for i in range(94)]
    return b"".join(cycle[i % 94] for i in range(n))


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


class Client:
    """One connection to the server under test."""

    def __init__(self, server, host: str = "::1", timeout: float = TIMEOUT):
        self.server = server
        self.host = host
        self.timeout = timeout * server.factor
        self.where = format_hostport(host, server.port)
        try:
            self.sock = server.connect(host, timeout)
        except OSError as exc:
            raise Failure(f"connected to the server at {self.where}", "the connection to be accepted",
                          f"{exc}", "is the server listening on IPv6 and IPv4 (section 3.2)?") from None
        self.sent = bytearray()
        self.pending = bytearray()  # received, not yet taken by a read

    @property
    def local_port(self) -> int:
        return self.sock.getsockname()[1]

    @property
    def me(self) -> str:
        """This end of the connection as WHO should show it."""
        return format_hostport(self.host, self.local_port)

    def did(self, extra: str = "") -> str:
        sent = show(bytes(self.sent), 300) if self.sent else "nothing"
        return f"connected to {self.where} and sent {sent}{extra}"

    def send(self, data: bytes) -> None:
        try:
            self.sock.sendall(data)
        except OSError as exc:
            raise Failure(self.did(f", then {show(data, 80)}"), "the server to take the bytes",
                          f"sending failed: {exc}", "the server closed or reset the connection") from None
        self.sent += data

    def _fill(self, want: int, expected: bytes | None = None) -> bytes | str:
        """Read until `want` bytes are pending; returns b"", or a text saying why not. With
        `expected`, stop early once the pending bytes differ from it: no need to wait for more."""
        while len(self.pending) < want:
            if expected is not None and not expected.startswith(bytes(self.pending)):
                return b""
            try:
                chunk = self.sock.recv(max(65536, want - len(self.pending)))
            except socket.timeout:
                return f"nothing more for {self.timeout:g} s"
            except OSError as exc:
                return f"the connection failed: {exc}"
            if not chunk:
                return "the server closed the connection"
            self.pending += chunk
        return b""

    def read(self, n: int) -> bytes:
        """Exactly n bytes, or a Failure."""
        why = self._fill(n)
        if isinstance(why, str):
            raise Failure(self.did(), f"{n} bytes of reply", f"{len(self.pending)} bytes, then {why}")
        out = bytes(self.pending[:n])
        del self.pending[:n]
        return out

    def expect(self, reply: bytes, hint: str = "", did: str = "") -> None:
        """The next bytes from the server are exactly `reply`."""
        why = self._fill(len(reply), reply)
        got = bytes(self.pending[:len(reply)])
        if isinstance(why, str) or got != reply:
            del self.pending[:len(reply)]
            tail = f"\nthen {why}" if isinstance(why, str) else ""
            raise Failure(did or self.did(), f"the reply {show(reply)}",
                          f"{show(got)}{tail}\n{first_difference(reply, got)}", hint)
        del self.pending[:len(reply)]

    def ask(self, request: bytes, reply: bytes, hint: str = "") -> None:
        """Send a request (with its '\\n') and expect exactly `reply`."""
        self.send(request)
        self.expect(reply, hint)

    def expect_closed(self, hint: str = "", after: str = "") -> None:
        """The server closes the connection next: no more bytes, then end of file (or a reset)."""
        why = self._fill(1)
        if not isinstance(why, str):
            raise Failure(self.did(after), "the server to close the connection (end of file)",
                          f"more bytes: {show(bytes(self.pending), 120)}", hint)
        if why.startswith("nothing more"):
            raise Failure(self.did(after), "the server to close the connection (end of file)",
                          f"the connection stayed open for {self.timeout:g} s", hint)

    def read_until_closed(self, limit: int) -> bytes:
        """Everything the server sends until it closes (at most `limit` bytes)."""
        while len(self.pending) <= limit:
            why = self._fill(len(self.pending) + 1)
            if isinstance(why, str):
                if why.startswith("nothing more"):
                    raise Failure(self.did(), "the server to close the connection", why)
                break
        out = bytes(self.pending)
        self.pending.clear()
        return out

    def server_side(self) -> procinfo.TcpSocket | None:
        """The server's socket of this connection, as /proc/net/tcp shows it."""
        return procinfo.peer_of(self.sock)

    def wait_server_read_all(self, what: str = "") -> None:
        """Wait until the server has read every byte sent so far (its receive queue is empty)."""
        def drained():
            side = self.server_side()
            return side is not None and side.rx_queue == 0
        if not procinfo.wait_until(drained, self.timeout):
            side = self.server_side()
            raise Failure(self.did(what), "the server to read what was sent",
                          f"{side.rx_queue if side else '?'} bytes still unread in the server's socket "
                          f"after {self.timeout:g} s", "the server must keep calling recv() on every "
                          "connection it serves, each in its own process")

    def wait_server_blocked(self) -> bool:
        """Wait until the server's socket of this connection holds bytes this client has not read
        (the server then waits in send() for room). Returns False if that did not happen in time."""
        def pending():
            side = self.server_side()
            return side is not None and side.tx_queue > 0
        return bool(procinfo.wait_until(pending, self.timeout))

    def shutdown_write(self) -> None:
        """Half-close: tell the server that nothing more will be sent (as `nc -N` does)."""
        self.sock.shutdown(socket.SHUT_WR)

    def reset(self) -> None:
        """Close with SO_LINGER 0: the server sees a reset (RST), not an orderly end."""
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.sock.close()

    def close(self) -> None:
        self.sock.close()

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc) -> None:
        self.sock.close()


def wait_no_children(server, what: str, timeout: float = TIMEOUT, hint: str = "") -> None:
    """Wait until the server has no child processes left (none running, none a zombie)."""
    def none_left():
        return not procinfo.children(server.pid)
    if procinfo.wait_until(none_left, timeout * server.factor):
        return
    kids = procinfo.children(server.pid)
    zombies = [k.pid for k in kids if k.zombie]
    running = [k for k in kids if not k.zombie]
    got = []
    if zombies:
        got.append(f"{len(zombies)} zombie child(ren) (exited, never waited for): pids "
                   f"{', '.join(map(str, zombies[:10]))}")
        hint = hint or ("a child that exits stays a zombie until the parent calls waitpid() for it: "
                        "reap every exited child as soon as SIGCHLD arrives, not only at the next "
                        "connection (section 3.4)")
    if running:
        used = sum(procinfo.cpu_during([k.pid for k in running], 0.5).values())
        got.append(f"{len(running)} child(ren) still running: pids "
                   f"{', '.join(str(k.pid) for k in running[:10])}"
                   + (f"; spinning: together they used {used:.2f} s of CPU in 0.5 s" if used > 0.1
                      else ""))
        hint = hint or ("a child must end when its client leaves: recv() returns 0 when the client "
                        "closed, -1 (ECONNRESET) when it reset the connection; both end the "
                        "conversation (section 4.5)")
    raise Failure(what, f"no child process left within {timeout * server.factor:g} s",
                  "; ".join(got), hint)
