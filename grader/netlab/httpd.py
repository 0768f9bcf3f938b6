"""Adversarial HTTP/1.1 servers for the tests of any lab whose program is an HTTP client.

    answer = Response(body=b"hello", framing="chunked")
    with HttpServer("127.0.0.1", answer, delivery="trickle", timeout=10 * programs.factor) as server:
        run = programs.run("httpget", server.url("/"))
        server.request()        # the request head the client sent, as bytes

On each connection the server first reads the client's request head (up to its empty line), then
answers as told:

  delivery  "normal": the head in one send, the body in another; "coalesce": everything in one
            send; "trickle": one byte per send (TCP_NODELAY), `pace` seconds apart; "split": cut
            at the offsets in `splits`, `pace` seconds apart; "silent": never answer
  cut       send only the first `cut` bytes of the answer
  after     "close": FIN, then wait for the client to close; "keep": keep the connection open, so
            the client must know from the framing that the answer is complete; "reset": RST

An answer is a Response (framed by Content-Length, chunked, or the end of the connection) or raw
bytes (anything at all: malformed status lines and headers). `pace` paces the bytes the way a slow
network delivers them; nothing here sleeps to wait for the client.

Also here: BlackHole (a loopback port where connect() gets no answer), same_port() (peers on
several addresses that share one port number), and listen_queue() (a listener's accept queue, read
from /proc/net).
"""
from __future__ import annotations

import errno
import socket
import struct
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field

from .peers import Accepted, TcpServer, drain, format_hostport

HEAD_LIMIT = 65536  # the most a request head may take before the server gives up on it


@dataclass
class Response:
    """A well-formed HTTP/1.1 response, and its bytes on the wire (`wire()`).

    framing: "length" (a Content-Length header), "chunked" (Transfer-Encoding: chunked, chunks of
    `chunk_sizes`, else of `chunk_size`, each size line followed by `chunk_ext`, then `trailers`),
    "close" (no length: the body ends when the server closes) or "none" (no body at all).
    """

    status: int = 200
    reason: str = "OK"
    body: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=list)
    framing: str = "length"
    chunk_size: int = 1000
    chunk_sizes: list[int] | None = None
    chunk_ext: str = ""
    upper_hex: bool = False
    trailers: list[tuple[str, str]] = field(default_factory=list)
    version: str = "HTTP/1.1"
    eol: bytes = b"\r\n"

    def head(self) -> bytes:
        lines = [f"{self.version} {self.status} {self.reason}".rstrip(" ")]
        lines += [f"{name}: {value}" for name, value in self.headers]
        if self.framing == "length":
            lines.append(f"Content-Length: {len(self.body)}")
        elif self.framing == "chunked":
            lines.append("Transfer-Encoding: chunked")
        return b"".join(line.encode() + self.eol for line in lines) + self.eol

    def chunks(self) -> list[bytes]:
        sizes = self.chunk_sizes or [self.chunk_size] * (len(self.body) // self.chunk_size + 1)
        out, at = [], 0
        for size in sizes:
            if at >= len(self.body):
                break
            out.append(self.body[at:at + size])
            at += size
        if at < len(self.body):
            out.append(self.body[at:])
        return [c for c in out if c]

    def encoded_body(self) -> bytes:
        if self.framing != "chunked":
            return b"" if self.framing == "none" else self.body
        hexfmt = "X" if self.upper_hex else "x"
        out = b""
        for chunk in self.chunks():
            out += f"{len(chunk):{hexfmt}}{self.chunk_ext}".encode() + self.eol + chunk + self.eol
        out += b"0" + self.chunk_ext.encode() + self.eol
        out += b"".join(f"{name}: {value}".encode() + self.eol for name, value in self.trailers)
        return out + self.eol

    def wire(self) -> bytes:
        return self.head() + self.encoded_body()


def read_head(conn: socket.socket, acc: Accepted, limit: int = HEAD_LIMIT) -> bool:
    """Read a request head (up to its empty line) into acc.received. False when the client
    closed, went quiet past the socket's timeout, or sent more than `limit` bytes first."""
    while b"\r\n\r\n" not in acc.received and b"\n\n" not in acc.received:
        if len(acc.received) > limit:
            return False
        try:
            data = conn.recv(65536)
        except OSError:
            return False
        if not data:
            acc.closed_by_peer = True
            return False
        acc.received += data
    return True


def head_of(data: bytes) -> bytes:
    """The request head in data: up to and including its empty line (all of data if none)."""
    for end in (b"\r\n\r\n", b"\n\n"):
        at = data.find(end)
        if at != -1:
            return data[:at + len(end)]
    return data


class HttpServer:
    """Answer every connection with `answer`, delivered as told (see the module's docstring)."""

    def __init__(self, host: str = "127.0.0.1", answer: Response | bytes = b"",
                 delivery: str = "normal", cut: int | None = None, after: str = "close",
                 pace: float = 0.001, splits: tuple[int, ...] = (), timeout: float = 10.0,
                 port: int = 0):
        if delivery not in ("normal", "coalesce", "trickle", "split", "silent"):
            raise ValueError(f"unknown delivery {delivery!r}")
        if after not in ("close", "keep", "reset"):
            raise ValueError(f"unknown after {after!r}")
        self.answer, self.delivery, self.cut, self.after = answer, delivery, cut, after
        self.pace, self.splits = pace, tuple(splits)
        self._heads: dict[int, threading.Event] = {}  # per connection: its request head was read
        self._lock = threading.Lock()
        self.server = TcpServer(host, handler=self._handle, timeout=timeout, port=port)
        self.host, self.port = host, self.server.port

    @property
    def address(self) -> str:
        return self.server.address

    def url(self, path: str = "/", host: str | None = None) -> str:
        """http://ADDR:PORT/path, with brackets around an IPv6 address (or `host` if given)."""
        return f"http://{format_hostport(host or self.host, self.port)}{path}"

    @property
    def connections(self) -> list[Accepted]:
        return self.server.connections

    def wait_for_connections(self, n: int = 1, timeout: float | None = None) -> list[Accepted]:
        return self.server.wait_for_connections(n, timeout)

    def _head_read(self, acc: Accepted) -> threading.Event:
        with self._lock:
            return self._heads.setdefault(id(acc), threading.Event())

    def request(self, i: int = 0, timeout: float | None = None) -> bytes:
        """The request head received on connection i: what arrived before its empty line, or
        before the client closed (ask after the client has exited). b"" if there was no such
        connection within `timeout` (default: the server's)."""
        conns = self.server.wait_for_connections(i + 1, timeout)
        if len(conns) <= i:
            return b""
        self._head_read(conns[i]).wait(timeout or self.server.timeout)
        return head_of(bytes(conns[i].received))

    def wire(self) -> bytes:
        data = self.answer.wire() if isinstance(self.answer, Response) else bytes(self.answer)
        return data if self.cut is None else data[:self.cut]

    def _pieces(self) -> list[bytes]:
        data = self.wire()
        if self.delivery == "coalesce":
            return [data]
        if self.delivery == "trickle":
            return [data[i:i + 1] for i in range(len(data))]
        if self.delivery == "split":
            edges = [0] + sorted(s for s in self.splits if 0 < s < len(data)) + [len(data)]
            return [data[a:b] for a, b in zip(edges, edges[1:])]
        if isinstance(self.answer, Response):  # normal: the head, then the body
            head = min(len(self.answer.head()), len(data))
            return [p for p in (data[:head], data[head:]) if p]
        return [data]

    def _handle(self, conn: socket.socket, acc: Accepted) -> None:
        complete = read_head(conn, acc)
        self._head_read(acc).set()
        if not complete:
            return
        if self.delivery == "silent":
            drain(conn, acc)
            return
        if self.delivery in ("trickle", "split"):
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for n, piece in enumerate(self._pieces()):
            if n and self.delivery in ("trickle", "split") and self.pace:
                time.sleep(self.pace)  # pacing the delivery, not waiting for anything
            conn.sendall(piece)
        if self.after == "reset":
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            return
        if self.after == "close":
            conn.shutdown(socket.SHUT_WR)
        drain(conn, acc)

    def close(self) -> None:
        self.server.close()

    def __enter__(self) -> "HttpServer":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _proc_address(host: str) -> str:
    """An address as /proc/net/tcp{,6} shows it: 32-bit words in hex, in the machine's order."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    raw = socket.inet_pton(family, host)
    return "".join(f"{int.from_bytes(raw[i:i + 4], sys.byteorder):08X}" for i in range(0, len(raw), 4))


def listen_queue(host: str, port: int) -> int | None:
    """How many connections wait in the accept queue of the listener on host:port (None if there
    is no such listener), from /proc/net/tcp or tcp6 of this network namespace."""
    table = "/proc/net/tcp6" if ":" in host else "/proc/net/tcp"
    want = f"{_proc_address(host)}:{port:04X}"
    with open(table) as f:
        for line in f.read().splitlines()[1:]:
            fields = line.split()
            if fields[1] == want and fields[3] == "0A":  # 0A: TCP_LISTEN
                return int(fields[4].split(":")[1], 16)  # rx_queue of a listener: its accept queue
    return None


class BlackHole:
    """A loopback port where connect() gets no answer, so a client's connect timeout fires.

    It listens with a backlog of 0 and fills its accept queue with one connection that it never
    accepts: the kernel then drops every SYN to this port, and a client's connect() waits (with
    SYN retransmissions) until the client gives up. No firewall rule, route or privilege is
    needed, and nothing leaves loopback.
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0, timeout: float = 10.0):
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.host = host
        self.sock = socket.socket(family, socket.SOCK_STREAM)
        self.filler: socket.socket | None = None
        try:
            self.sock.bind((host, port))
            self.sock.listen(0)
            self.port = self.sock.getsockname()[1]
            self.filler = socket.create_connection((host, self.port), timeout=timeout)
            deadline = time.monotonic() + timeout
            while (listen_queue(host, self.port) or 0) < 1:  # the handshake completes on its own
                if time.monotonic() > deadline:
                    raise RuntimeError(f"the accept queue of {self.address} did not fill")
                time.sleep(0.005)
        except BaseException:
            self.close()
            raise

    @property
    def address(self) -> str:
        return format_hostport(self.host, self.port)

    def close(self) -> None:
        if self.filler is not None:
            self.filler.close()
        self.sock.close()

    def __enter__(self) -> "BlackHole":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


@contextmanager
def same_port(*makers, attempts: int = 50):
    """Peers on several addresses sharing one port number: each of `makers` is called with the
    port (0 for the first, which lets the kernel choose) and returns a peer with .port and
    .close(). When a later address has that port taken, all start again with a new port.

        with same_port(lambda p: BlackHole("::1", p),
                       lambda p: HttpServer("127.0.0.1", answer, port=p)) as (hole, server):
    """
    for _ in range(attempts):
        made: list = []
        try:
            for make in makers:
                made.append(make(made[0].port if made else 0))
        except OSError as exc:
            for peer in reversed(made):
                peer.close()
            if exc.errno != errno.EADDRINUSE:
                raise
            continue
        try:
            yield made
        finally:
            for peer in reversed(made):
                peer.close()
        return
    raise RuntimeError(f"no port was free on every address after {attempts} attempts")
