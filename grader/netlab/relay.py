"""A seeded user-space lossy relay for UDP datagrams and TCP streams; its log is the ground truth.

`tc netem` is not available on every kernel, so the tests put this relay between a student's
program and its peer. It forwards what it receives after impairing it: loss, delay, jitter,
reordering and duplication (UDP), and a rate limit; a TCP stream cannot lose bytes, so a "lost"
TCP segment is delivered one retransmission timeout late instead, with everything behind it waiting,
which is what TCP's own recovery looks like to an application. Every datagram and segment is
recorded with what was done to it and when (a `Packet`): the tests compare a program's report with
that record, never with a guess.

Decisions are seeded: the fate of the n-th UDP datagram in one direction depends only on the seed,
the direction and n (each direction draws from its own random stream, the same number of draws per
datagram). TCP segments are cut where the relay's reads happen to end, so their fates are seeded
per segment but the segmentation depends on timing; the log says what happened.

In a test:

    with Relay(udp_to=("::1", port), loss=0.2, delay=0.005, seed=7) as relay:
        run = programs.run("udpping", "::1", relay.port)
    for p in relay.packets: ...          # what reached the relay, its fate, when each copy left

By hand (times in milliseconds, rate in bytes per second), as `grader/relay`:

    grader/relay --udp --tcp --to ::1:9000 --loss 0.1 --delay 5 --seed 1 --log relay.jsonl
"""
from __future__ import annotations

import argparse
import heapq
import itertools
import json
import random
import selectors
import signal
import socket
import sys
import threading
import time
from dataclasses import dataclass, field, fields
from pathlib import Path

C2S, S2C = "c2s", "s2c"  # client to server (the target), and back
HEAD_BYTES = 32  # bytes of each packet kept in the log
MAX_DATAGRAM = 65536
UDP_BUFFER = 1024 * 1024  # ask for room for bursts (the kernel caps it at net.core.rmem_max)
TCP_BACKLOG_LIMIT = 4 * 1024 * 1024  # bytes a stream may have in the relay before it stops reading


@dataclass(frozen=True)
class Impairment:
    """What the relay does to traffic. Times are in seconds, rate in bytes per second."""

    loss: float = 0.0  # probability that a datagram (or TCP segment) is lost
    delay: float = 0.0  # added to every datagram and segment: the floor of the one-way delay
    jitter: float = 0.0  # a further delay drawn uniformly from [0, jitter]
    reorder: float = 0.0  # UDP: probability that a datagram is held back by reorder_hold
    reorder_hold: float = 0.05
    duplicate: float = 0.0  # UDP: probability that a datagram is sent twice
    rate: float = 0.0  # bytes per second in each direction; 0 is unlimited
    queue: int = 256 * 1024  # UDP: bytes waiting for the rate limit beyond which datagrams drop
    rto: float = 0.2  # TCP: a lost segment arrives this much later (its retransmission)
    segment: int = 16384  # TCP: a read is cut into segments of at most this many bytes

    def __post_init__(self) -> None:
        for name in ("loss", "reorder", "duplicate"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} is a probability, from 0 to 1")
        for name in ("delay", "jitter", "reorder_hold", "rate", "rto"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} cannot be negative")
        if self.segment < 1 or self.queue < 1:
            raise ValueError("segment and queue are at least 1 byte")


@dataclass
class Packet:
    """One datagram, or one TCP segment, that reached the relay, and what became of it."""

    proto: str  # "udp" or "tcp"
    dir: str  # C2S or S2C
    index: int  # its number among this protocol's packets in this direction, from 0
    flow: int  # UDP: the client (in order of first datagram); TCP: the connection; from 0
    offset: int  # TCP: stream offset of its first byte; UDP: 0
    size: int
    head: bytes  # its first HEAD_BYTES bytes
    t_in: float  # time.monotonic() when the relay read it
    lost: bool = False  # UDP: dropped; TCP: delivered one rto late
    reordered: bool = False  # held back by reorder_hold
    overflow: bool = False  # dropped because the rate limit's queue was full
    copies: int = 1  # how many copies were scheduled (2 when duplicated, 0 when dropped)
    ready: list = field(default_factory=list)  # when each copy was due to leave
    sent: list = field(default_factory=list)  # when the send() that handed each copy (TCP: its
    # last byte) to the kernel began: nothing of it can reach the other side earlier

    @property
    def delivered(self) -> int:
        """How many copies actually left the relay."""
        return len(self.sent)

    @property
    def fate(self) -> str:
        if self.overflow:
            return "overflow"
        if self.lost:
            return "retransmit" if self.proto == "tcp" else "drop"
        parts = [p for p, on in (("reorder", self.reordered), ("duplicate", self.copies > 1)) if on]
        return "+".join(parts) or "forward"

    def record(self) -> dict:
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        out["head"] = self.head.hex()
        out["fate"] = self.fate
        return out


@dataclass
class Event:
    """A TCP connection event: open, refused (the target refused), fin (one direction ended), reset, close."""

    kind: str
    flow: int
    t: float
    dir: str = ""

    def record(self) -> dict:
        return {"event": self.kind, "flow": self.flow, "t": self.t, "dir": self.dir}


def _family(host: str) -> int:
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def _hostport(addr) -> str:
    return f"[{addr[0]}]:{addr[1]}" if ":" in addr[0] else f"{addr[0]}:{addr[1]}"


class _Link:
    """One direction's rate limit: a FIFO served at `rate` bytes per second."""

    def __init__(self) -> None:
        self.queue: list = []  # (packet, copy, send) in arrival order
        self.bytes = 0
        self.free_at = 0.0


class _UdpFlow:
    def __init__(self, number: int, client, upstream: socket.socket):
        self.number = number
        self.client = client
        self.up = upstream


class _Stream:
    """One direction of a relayed TCP connection: read from src, scheduled, written to dst."""

    def __init__(self, src: socket.socket, dst: socket.socket):
        self.src, self.dst = src, dst
        self.offset = 0  # bytes read from src so far
        self.last_ready = 0.0  # when the last scheduled segment is due (a stream keeps its order)
        self.eof = False  # src reported the end of its stream
        self.in_relay = 0  # bytes read from src and not yet written to dst
        self.out = bytearray()  # due, not yet accepted by dst's kernel
        self.marks: list = []  # (stream offset just past a packet, packet), to stamp when written
        self.written = 0
        self.fin_due = False  # shut dst down for writing once out is empty
        self.fin_sent = False


class _TcpConn:
    def __init__(self, number: int, client: socket.socket, server: socket.socket):
        self.number = number
        self.client, self.server = client, server
        self.streams = {C2S: _Stream(client, server), S2C: _Stream(server, client)}
        self.closed = False


class Relay:
    """Relay UDP (to `udp_to`) and/or TCP (to `tcp_to`) from one listening port, impairing traffic.

    With both, the UDP and TCP listening sockets share one port number. Use it as a context
    manager; `port` is where to send, `packets` and `events` are the record (final after close()).
    Impairment parameters are given as keywords (loss=0.1, delay=0.005, ...) or as `impairment`.
    """

    def __init__(self, udp_to=None, tcp_to=None, *, listen: str = "::1", port: int = 0,
                 seed: int = 0, log=None, impairment: Impairment | None = None, **params):
        if udp_to is None and tcp_to is None:
            raise ValueError("relay what? give udp_to and/or tcp_to")
        self.impairment = impairment or Impairment(**params)
        self.seed = seed
        self.udp_to = (udp_to[0], int(udp_to[1])) if udp_to else None
        self.tcp_to = (tcp_to[0], int(tcp_to[1])) if tcp_to else None
        self.listen = listen
        self.log_path = Path(log) if log else None
        self.packets: list[Packet] = []
        self.events: list[Event] = []
        self._lock = threading.Lock()
        self._rng = {}
        self._index = {}
        for proto in ("udp", "tcp"):
            for d in (C2S, S2C):
                self._rng[(proto, d)] = random.Random(f"{seed}/{proto}/{d}")
                self._index[(proto, d)] = itertools.count()
        self._links = {C2S: _Link(), S2C: _Link()}
        self._timers: list = []
        self._tick = itertools.count()
        self._udp_flows: dict = {}
        self._tcp_conns: list = []
        self._stop = False
        self._sel = selectors.DefaultSelector()
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._sel.register(self._wake_r, selectors.EVENT_READ, lambda mask: self._drain_wake())
        self.udp_sock, self.tcp_sock = self._bind(listen, port)
        self.port = (self.udp_sock or self.tcp_sock).getsockname()[1]
        if self.udp_sock is not None:
            self._sel.register(self.udp_sock, selectors.EVENT_READ, lambda mask: self._udp_from_clients())
        if self.tcp_sock is not None:
            self._sel.register(self.tcp_sock, selectors.EVENT_READ, lambda mask: self._tcp_accept())
        self._thread = threading.Thread(target=self._run, name="relay", daemon=True)
        self._thread.start()

    # ------------------------------------------------------------------ setup and teardown

    def _bind(self, host: str, port: int, attempts: int = 50):
        """The listening sockets; with both protocols, on one port number (retried if taken)."""
        fam = _family(host)
        for _ in range(attempts):
            udp = tcp = None
            try:
                if self.udp_to:
                    udp = socket.socket(fam, socket.SOCK_DGRAM)
                    udp.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, UDP_BUFFER)
                    udp.bind((host, port))
                    udp.setblocking(False)
                if self.tcp_to:
                    tcp = socket.socket(fam, socket.SOCK_STREAM)
                    tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                    tcp.bind((host, udp.getsockname()[1] if udp else port))
                    tcp.listen(64)
                    tcp.setblocking(False)
                return udp, tcp
            except OSError:
                for s in (udp, tcp):
                    if s is not None:
                        s.close()
                if port != 0:
                    raise
        raise OSError(f"no port free for both UDP and TCP on {host} after {attempts} tries")

    @property
    def address(self) -> str:
        return _hostport((self.listen, self.port))

    def close(self) -> None:
        """Stop relaying (what is still scheduled is never sent), close every socket, write the log."""
        if self._stop:
            return
        self._stop = True
        self._wake()
        self._thread.join(timeout=10)
        for flow in self._udp_flows.values():
            flow.up.close()
        for conn in self._tcp_conns:
            self._tcp_close(conn, "close", quiet=True)
        for s in (self.udp_sock, self.tcp_sock, self._wake_r, self._wake_w):
            if s is not None:
                s.close()
        self._sel.close()
        if self.log_path is not None:
            self.write_log(self.log_path)

    def write_log(self, path) -> None:
        """The record as JSON lines: packets and connection events in time order, then a summary."""
        records = [(p.t_in, p.record()) for p in self.packets] + [(e.t, e.record()) for e in self.events]
        records.sort(key=lambda r: r[0])
        with open(path, "w") as f:
            f.write(json.dumps({"relay": {"seed": self.seed, "udp_to": self.udp_to, "tcp_to": self.tcp_to,
                                          **{k.name: getattr(self.impairment, k.name)
                                             for k in fields(self.impairment)}}}) + "\n")
            for _, rec in records:
                f.write(json.dumps(rec) + "\n")
            f.write(json.dumps({"summary": self.summary()}) + "\n")

    def __enter__(self) -> "Relay":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _wake(self) -> None:
        try:
            self._wake_w.send(b"x")
        except OSError:
            pass

    def _drain_wake(self) -> None:
        try:
            while self._wake_r.recv(4096):
                pass
        except OSError:
            pass

    # ------------------------------------------------------------------ the loop

    def _run(self) -> None:
        while not self._stop:
            timeout = None
            if self._timers:
                timeout = max(0.0, self._timers[0][0] - time.monotonic())
            for key, mask in self._sel.select(timeout):
                if self._stop:
                    return
                key.data(mask)
            now = time.monotonic()
            while self._timers and self._timers[0][0] <= now and not self._stop:
                _, _, action = heapq.heappop(self._timers)
                action()

    def _at(self, when: float, action) -> None:
        heapq.heappush(self._timers, (when, next(self._tick), action))

    # ------------------------------------------------------------------ deciding a packet's fate

    def _admit(self, proto: str, d: str, flow: int, data: bytes, offset: int = 0) -> Packet:
        """Record a packet that just arrived and decide (seeded) what happens to it."""
        imp = self.impairment
        rng = self._rng[(proto, d)]
        u_loss, u_dup, u_reorder, u_jitter, u_jitter2 = (rng.random() for _ in range(5))
        now = time.monotonic()
        p = Packet(proto, d, next(self._index[(proto, d)]), flow, offset, len(data),
                   bytes(data[:HEAD_BYTES]), now)
        p.lost = u_loss < imp.loss
        if proto == "udp":
            p.reordered = not p.lost and u_reorder < imp.reorder
            p.copies = 0 if p.lost else (2 if u_dup < imp.duplicate else 1)
            hold = imp.reorder_hold if p.reordered else 0.0
            p.ready = [now + imp.delay + imp.jitter * u + hold for u in (u_jitter, u_jitter2)[:p.copies]]
        else:
            p.ready = [now + imp.delay + imp.jitter * u_jitter + (imp.rto if p.lost else 0.0)]
        with self._lock:
            self.packets.append(p)
        return p

    def _to_link(self, p: Packet, d: str, send) -> None:
        """A copy of p is due: send it now, or queue it behind the rate limit of direction d."""
        imp = self.impairment
        if imp.rate <= 0:
            send()
            return
        link = self._links[d]
        if p.proto == "udp" and link.bytes + p.size > imp.queue:
            p.overflow = True
            return
        link.queue.append((p, send))
        link.bytes += p.size
        if len(link.queue) == 1:
            self._serve_link(d)

    def _serve_link(self, d: str) -> None:
        link = self._links[d]
        now = time.monotonic()
        while link.queue and link.free_at <= now:
            p, send = link.queue.pop(0)
            link.bytes -= p.size
            send()
            link.free_at = max(link.free_at, now) + p.size / self.impairment.rate
        if link.queue:
            self._at(link.free_at, lambda: self._serve_link(d))

    # ------------------------------------------------------------------ UDP

    def _udp_from_clients(self) -> None:
        while True:
            try:
                data, addr = self.udp_sock.recvfrom(MAX_DATAGRAM)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:  # an ICMP error about an earlier datagram: nothing to relay
                continue
            flow = self._udp_flow(addr)
            if flow is None:
                continue
            p = self._admit("udp", C2S, flow.number, data)
            for when in p.ready:
                self._at(when, lambda p=p, data=data, flow=flow: self._to_link(
                    p, C2S, lambda: self._udp_send(p, lambda: flow.up.send(data))))

    def _udp_flow(self, client) -> _UdpFlow | None:
        flow = self._udp_flows.get(client[:2])
        if flow is None:
            up = socket.socket(_family(self.udp_to[0]), socket.SOCK_DGRAM)
            up.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, UDP_BUFFER)
            try:
                up.connect(self.udp_to)  # so that datagrams from anyone but the target are not relayed
            except OSError:
                up.close()
                return None
            up.setblocking(False)
            flow = _UdpFlow(len(self._udp_flows), client, up)
            self._udp_flows[client[:2]] = flow
            self._sel.register(up, selectors.EVENT_READ, lambda mask, flow=flow: self._udp_from_server(flow))
        return flow

    def _udp_from_server(self, flow: _UdpFlow) -> None:
        while True:
            try:
                data = flow.up.recv(MAX_DATAGRAM)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:  # ECONNREFUSED: nothing listens at the target; that datagram is lost
                continue
            p = self._admit("udp", S2C, flow.number, data)
            for when in p.ready:
                self._at(when, lambda p=p, data=data, flow=flow: self._to_link(
                    p, S2C, lambda: self._udp_send(p, lambda: self.udp_sock.sendto(data, flow.client))))

    @staticmethod
    def _udp_send(p: Packet, send) -> None:
        t = time.monotonic()
        try:
            send()
        except OSError:
            return  # the kernel refused it: it did not leave
        p.sent.append(t)

    # ------------------------------------------------------------------ TCP

    def _tcp_accept(self) -> None:
        while True:
            try:
                client, _ = self.tcp_sock.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                continue
            number = len(self._tcp_conns)
            server = socket.socket(_family(self.tcp_to[0]), socket.SOCK_STREAM)
            server.settimeout(5)
            try:
                server.connect(self.tcp_to)
            except OSError:
                server.close()
                _reset(client)
                self._tcp_conns.append(None)
                self._event(Event("refused", number, time.monotonic()))
                continue
            for s in (client, server):
                s.setblocking(False)
                # The relay writes each segment when it is due: it must add no Nagle stall of its own.
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            conn = _TcpConn(number, client, server)
            self._tcp_conns.append(conn)
            self._event(Event("open", number, time.monotonic()))
            for s in (client, server):
                self._sel.register(s, selectors.EVENT_READ, lambda mask, conn=conn, s=s: self._tcp_ready(conn, s, mask))

    def _event(self, ev: Event) -> None:
        with self._lock:
            self.events.append(ev)

    def _tcp_interest(self, conn: _TcpConn) -> None:
        """Watch each socket for reading (unless its stream ended or is backlogged) and writing."""
        if conn.closed:
            return
        for s in (conn.client, conn.server):
            reading = conn.streams[C2S if s is conn.client else S2C]
            writing = conn.streams[S2C if s is conn.client else C2S]
            want = 0
            if not reading.eof and reading.in_relay < TCP_BACKLOG_LIMIT:
                want |= selectors.EVENT_READ
            if writing.out or (writing.fin_due and not writing.fin_sent):
                want |= selectors.EVENT_WRITE
            handler = (lambda mask, conn=conn, s=s: self._tcp_ready(conn, s, mask))
            registered = s in self._sel.get_map()
            if want and registered:
                self._sel.modify(s, want, handler)
            elif want:
                self._sel.register(s, want, handler)
            elif registered:
                self._sel.unregister(s)

    def _tcp_ready(self, conn: _TcpConn, s: socket.socket, mask: int) -> None:
        if mask & selectors.EVENT_READ:
            self._tcp_read(conn, C2S if s is conn.client else S2C)
        if mask & selectors.EVENT_WRITE and not conn.closed:
            self._tcp_flush(conn, S2C if s is conn.client else C2S)
        self._tcp_interest(conn)

    def _tcp_read(self, conn: _TcpConn, d: str) -> None:
        st = conn.streams[d]
        try:
            data = st.src.recv(65536)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            self._tcp_close(conn, "reset")
            return
        imp = self.impairment
        if not data:
            st.eof = True
            self._event(Event("fin", conn.number, time.monotonic(), d))
            st.last_ready = max(time.monotonic() + imp.delay, st.last_ready)
            self._at(st.last_ready, lambda: self._tcp_fin(conn, d))
            return
        for start in range(0, len(data), imp.segment):
            piece = data[start:start + imp.segment]
            p = self._admit("tcp", d, conn.number, piece, st.offset)
            st.offset += len(piece)
            st.in_relay += len(piece)
            p.ready[0] = st.last_ready = max(p.ready[0], st.last_ready)  # a stream keeps its order
            self._at(p.ready[0], lambda p=p, piece=piece: self._to_link(
                p, d, lambda: self._tcp_deliver(conn, d, p, piece)))

    def _tcp_deliver(self, conn: _TcpConn, d: str, p: Packet, piece: bytes) -> None:
        if conn.closed:
            return
        st = conn.streams[d]
        st.out += piece
        st.marks.append((st.written + len(st.out), p))
        self._tcp_flush(conn, d)
        self._tcp_interest(conn)

    def _tcp_flush(self, conn: _TcpConn, d: str) -> None:
        st = conn.streams[d]
        while st.out:
            t = time.monotonic()  # before the call: no byte can reach the peer earlier than this
            try:
                n = st.dst.send(st.out)
            except (BlockingIOError, InterruptedError):
                break
            except OSError:
                self._tcp_close(conn, "reset")
                return
            del st.out[:n]
            st.written += n
            st.in_relay -= n
            while st.marks and st.marks[0][0] <= st.written:
                st.marks.pop(0)[1].sent.append(t)
        if not st.out and st.fin_due and not st.fin_sent:
            st.fin_sent = True
            try:
                st.dst.shutdown(socket.SHUT_WR)
            except OSError:
                pass
            if all(x.fin_sent for x in conn.streams.values()):
                self._tcp_close(conn, "close")

    def _tcp_fin(self, conn: _TcpConn, d: str) -> None:
        if conn.closed:
            return
        conn.streams[d].fin_due = True
        self._tcp_flush(conn, d)
        self._tcp_interest(conn)

    def _tcp_close(self, conn: _TcpConn | None, why: str, quiet: bool = False) -> None:
        if conn is None or conn.closed:
            return
        conn.closed = True
        for s in (conn.client, conn.server):
            if s in self._sel.get_map():
                self._sel.unregister(s)
            if why == "reset":
                _reset(s)
            else:
                s.close()
        if not quiet:
            self._event(Event(why, conn.number, time.monotonic()))

    # ------------------------------------------------------------------ reading the record

    def snapshot(self, proto: str | None = None, d: str | None = None) -> list[Packet]:
        """The packets recorded so far (in arrival order), optionally of one protocol and direction."""
        with self._lock:
            return [p for p in self.packets if (proto is None or p.proto == proto)
                    and (d is None or p.dir == d)]

    def summary(self) -> dict:
        """Counts per protocol and direction: received, lost, reordered, duplicated, delivered, bytes."""
        out = {}
        for proto in ("udp", "tcp"):
            for d in (C2S, S2C):
                ps = self.snapshot(proto, d)
                if ps:
                    out[f"{proto} {d}"] = {
                        "received": len(ps), "lost": sum(p.lost for p in ps),
                        "reordered": sum(p.reordered for p in ps),
                        "duplicated": sum(p.copies > 1 for p in ps),
                        "overflow": sum(p.overflow for p in ps),
                        "delivered": sum(p.delivered for p in ps), "bytes": sum(p.size for p in ps)}
        return out


def _reset(sock: socket.socket) -> None:
    """Close sock with a reset (RST) rather than an orderly FIN."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\0\0\0\0\0\0\0")
    except OSError:
        pass
    sock.close()


def read_log(path) -> tuple[dict, list[dict], list[dict]]:
    """A log written by the relay: (its settings, packet records, connection events)."""
    settings, packets, events = {}, [], []
    for line in Path(path).read_text().splitlines():
        rec = json.loads(line)
        if "relay" in rec:
            settings = rec["relay"]
        elif "event" in rec:
            events.append(rec)
        elif "proto" in rec:
            rec["head"] = bytes.fromhex(rec["head"])
            packets.append(rec)
    return settings, packets, events


# ---------------------------------------------------------------------- command line

def _parse_hostport(text: str):
    host, sep, port = text.rpartition(":")
    if not sep or not port.isdigit():
        raise argparse.ArgumentTypeError(f"{text!r} is not HOST:PORT (IPv6 in brackets: [::1]:9000)")
    return host.strip("[]") or "::1", int(port)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="relay", description="Relay UDP and/or TCP traffic to HOST:PORT, impairing it; "
        "log every datagram and segment (JSON lines). Times in milliseconds.")
    p.add_argument("--to", required=True, type=_parse_hostport, metavar="HOST:PORT",
                   help="where to relay to (the server)")
    p.add_argument("--listen", default="[::1]:0", type=_parse_hostport, metavar="HOST:PORT",
                   help="where to listen (default [::1]:0, any free port)")
    p.add_argument("--udp", action="store_true", help="relay UDP (the default if neither is given)")
    p.add_argument("--tcp", action="store_true", help="relay TCP")
    p.add_argument("--loss", type=float, default=0.0, help="probability of loss, 0 to 1")
    p.add_argument("--delay", type=float, default=0.0, help="one-way delay, ms")
    p.add_argument("--jitter", type=float, default=0.0, help="extra delay up to this, ms")
    p.add_argument("--reorder", type=float, default=0.0, help="probability a datagram is held back")
    p.add_argument("--hold", type=float, default=50.0, help="how long a reordered datagram is held, ms")
    p.add_argument("--duplicate", type=float, default=0.0, help="probability a datagram is doubled")
    p.add_argument("--rate", type=float, default=0.0, help="bytes per second per direction (0: no limit)")
    p.add_argument("--rto", type=float, default=200.0, help="TCP: how late a lost segment arrives, ms")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--log", metavar="FILE", help="write the record here (JSON lines)")
    args = p.parse_args(argv)
    udp = args.udp or not args.tcp
    try:
        imp = Impairment(loss=args.loss, delay=args.delay / 1000, jitter=args.jitter / 1000,
                         reorder=args.reorder, reorder_hold=args.hold / 1000, duplicate=args.duplicate,
                         rate=args.rate, rto=args.rto / 1000)
    except ValueError as exc:
        p.error(str(exc))
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    try:
        relay = Relay(args.to if udp else None, args.to if args.tcp else None, listen=args.listen[0],
                      port=args.listen[1], seed=args.seed, log=args.log, impairment=imp)
    except OSError as exc:
        print(f"relay: cannot listen on {_hostport(args.listen)}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    protos = " and ".join(x for x, on in (("UDP", udp), ("TCP", args.tcp)) if on)
    print(f"relay: {protos} to {_hostport(args.to)}, seed {args.seed}", file=sys.stderr)
    print(f"listening on {relay.address}", file=sys.stderr, flush=True)
    stop.wait()
    relay.close()
    for key, counts in relay.summary().items():
        print(f"relay: {key}: " + ", ".join(f"{k} {v}" for k, v in counts.items()), file=sys.stderr)
    if args.log:
        print(f"relay: log written to {Path(args.log)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
