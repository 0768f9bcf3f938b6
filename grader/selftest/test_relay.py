"""The lossy relay (grader/netlab/relay.py) tells the truth: what its record says it delivered is
exactly what arrived, in that order; its decisions follow its seed alone; and over many datagrams
its loss, duplication, reordering, delay, jitter and rate match its parameters (within binomial
bounds, or as hard bounds on time). Nothing here waits for time to pass: every wait is for a
count to be reached, with a deadline."""
import math
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time

import pytest

from conftest import KIT
from netlab.relay import C2S, S2C, Impairment, Relay, read_log

DEADLINE = 30.0


class Sink:
    """A UDP socket that records every datagram it receives, with the time, in a thread."""

    def __init__(self, host="::1"):
        self.sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((host, 0))
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 * 1024 * 1024)
        self.port = self.sock.getsockname()[1]
        self.got = []
        self._stop = False
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        while not self._stop:
            ready, _, _ = select.select([self.sock], [], [], 0.1)
            if ready:
                data = self.sock.recv(65536)
                self.got.append((data, time.monotonic()))

    def wait_for(self, n):
        deadline = time.monotonic() + DEADLINE
        while len(self.got) < n and time.monotonic() < deadline:
            time.sleep(0.005)  # polling a count, not waiting for time to pass
        return list(self.got)

    def close(self):
        self._stop = True
        self._thread.join(timeout=5)
        self.sock.close()


def wait_until(predicate):
    deadline = time.monotonic() + DEADLINE
    while not predicate():
        assert time.monotonic() < deadline, "the relay did not get there within the deadline"
        time.sleep(0.005)


def send_numbered(relay, n, size=32, batch=50):
    """Send n numbered datagrams to the relay, a batch at a time, each batch once the relay read
    the previous one (so that no socket buffer overflows where the record cannot see it)."""
    with socket.socket(socket.AF_INET6, socket.SOCK_DGRAM) as c:
        for start in range(0, n, batch):
            for i in range(start, min(n, start + batch)):
                c.sendto(i.to_bytes(4, "big") + b"." * (size - 4), ("::1", relay.port))
            wait_until(lambda: len(relay.snapshot("udp", C2S)) >= min(n, start + batch))


def within_binomial(k, n, p, sigmas=4.5):
    return abs(k - n * p) <= sigmas * math.sqrt(n * p * (1 - p)) + 1


def fates(relay, d=C2S):
    return [(p.lost, p.copies, p.reordered, round(p.ready[0] - p.t_in, 9) if p.ready else None)
            for p in relay.snapshot("udp", d)]


def test_decisions_follow_the_seed():
    params = dict(loss=0.3, duplicate=0.2, reorder=0.2, delay=0.001, jitter=0.002)
    runs = []
    for seed in (7, 7, 8):
        sink = Sink()
        try:
            with Relay(udp_to=("::1", sink.port), seed=seed, **params) as relay:
                send_numbered(relay, 200)
            runs.append(fates(relay))
        finally:
            sink.close()
    assert runs[0] == runs[1], "the same seed gave different decisions"
    assert runs[0] != runs[2], "another seed gave the same decisions"


def test_udp_record_is_what_arrived():
    """Loss, duplication and reordering at their rates; the sink gets exactly what the record says,
    in the order of the record's send times."""
    n, p_loss, p_dup, p_reorder = 2000, 0.2, 0.1, 0.1
    sink = Sink()
    try:
        with Relay(udp_to=("::1", sink.port), loss=p_loss, duplicate=p_dup, reorder=p_reorder,
                   reorder_hold=0.02, seed=1) as relay:
            send_numbered(relay, n)
            want = sum(p.copies for p in relay.snapshot("udp", C2S))
            wait_until(lambda: sum(p.delivered for p in relay.snapshot("udp", C2S)) == want)
            got = sink.wait_for(want)
        ps = relay.snapshot("udp", C2S)
    finally:
        sink.close()
    assert [p.index for p in ps] == list(range(n))
    lost = sum(p.lost for p in ps)
    dup = sum(p.copies == 2 for p in ps)
    held = sum(p.reordered for p in ps)
    assert within_binomial(lost, n, p_loss), lost
    assert within_binomial(dup, n - lost, p_dup), dup
    assert within_binomial(held, n - lost, p_reorder), held
    by_time = sorted(((t, p.index) for p in ps for t in p.sent))
    assert [int.from_bytes(d[:4], "big") for d, _ in got] == [i for _, i in by_time]
    assert any(a > b for (_, a), (_, b) in zip(by_time, by_time[1:])), "nothing was reordered"


def test_udp_delay_and_jitter_are_floors_and_ranges():
    delay, jitter = 0.02, 0.01
    sink = Sink()
    try:
        with Relay(udp_to=("::1", sink.port), delay=delay, jitter=jitter, seed=2) as relay:
            send_numbered(relay, 100, batch=100)
            got = sink.wait_for(100)
        ps = relay.snapshot("udp", C2S)
    finally:
        sink.close()
    planned = [p.ready[0] - p.t_in for p in ps]
    assert all(delay <= d <= delay + jitter + 1e-9 for d in planned)
    assert max(planned) - min(planned) > jitter / 2, "no jitter"
    arrived = {int.from_bytes(d[:4], "big"): t for d, t in got}
    for p in ps:
        assert p.sent[0] >= p.ready[0]
        assert arrived[p.index] - p.t_in >= delay  # nothing arrives before the floor


def test_udp_rate_and_queue():
    rate, size = 200_000, 1000
    sink = Sink()
    try:
        with Relay(udp_to=("::1", sink.port), rate=rate, queue=20_000, seed=3) as relay:
            send_numbered(relay, 100, size=size, batch=20)
            wait_until(lambda: all(p.overflow or p.delivered for p in relay.snapshot("udp", C2S)))
            want = sum(1 for p in relay.snapshot("udp", C2S) if not p.overflow)
            got = sink.wait_for(want)
        ps = relay.snapshot("udp", C2S)
    finally:
        sink.close()
    sent = sorted(t for p in ps for t in p.sent)
    assert any(p.overflow for p in ps), "a burst of 100 kB into a 20 kB queue must overflow"
    assert len(got) == len(sent) == want
    assert sent[-1] - sent[0] >= (len(sent) - 1) * size / rate * 0.99


def test_udp_directions_are_independent():
    """The fate of the n-th datagram to the server does not depend on the traffic coming back."""
    echo = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    echo.bind(("::1", 0))
    stop = threading.Event()

    def serve():
        while not stop.is_set():
            if select.select([echo], [], [], 0.1)[0]:
                data, addr = echo.recvfrom(65536)
                echo.sendto(data, addr)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    sink = Sink()
    try:
        with Relay(udp_to=("::1", echo.getsockname()[1]), loss=0.3, seed=9) as echoing:
            send_numbered(echoing, 300)
        with Relay(udp_to=("::1", sink.port), loss=0.3, seed=9) as silent:
            send_numbered(silent, 300)
    finally:
        stop.set()
        thread.join(timeout=5)
        echo.close()
        sink.close()
    assert echoing.snapshot("udp", S2C), "nothing came back through the relay"
    assert fates(echoing) == fates(silent)


def echo_server():
    ls = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    ls.bind(("::1", 0))
    ls.listen()
    ls.settimeout(DEADLINE)

    def serve():
        try:
            conn, _ = ls.accept()
        except OSError:
            return
        with conn:
            conn.settimeout(DEADLINE)
            while data := conn.recv(65536):
                conn.sendall(data)

    threading.Thread(target=serve, daemon=True).start()
    return ls


def test_tcp_stream_is_whole_in_order_and_late_where_lost():
    delay, rto = 0.003, 0.05
    ls = echo_server()
    data = os.urandom(300_000)
    try:
        with Relay(tcp_to=("::1", ls.getsockname()[1]), loss=0.2, delay=delay, jitter=0.002,
                   rto=rto, segment=4000, seed=4) as relay:
            with socket.create_connection(("::1", relay.port), timeout=DEADLINE) as c:
                threading.Thread(target=lambda: (c.sendall(data), c.shutdown(socket.SHUT_WR)),
                                 daemon=True).start()
                back = b""
                while chunk := c.recv(65536):
                    back += chunk
    finally:
        ls.close()
    assert back == data
    for d in (C2S, S2C):
        ps = sorted(relay.snapshot("tcp", d), key=lambda p: p.offset)
        assert [p.offset for p in ps] == [sum(q.size for q in ps[:i]) for i in range(len(ps))]
        assert sum(p.size for p in ps) == len(data)
        assert all(a.sent[0] <= b.sent[0] for a, b in zip(ps, ps[1:])), "a stream was reordered"
        for p in ps:
            assert p.sent[0] >= p.t_in + delay + (rto if p.lost else 0)
        assert within_binomial(sum(p.lost for p in ps), len(ps), 0.2)
    assert [e.kind for e in relay.events][:1] == ["open"]


def test_tcp_rate_limit():
    rate, size = 1_000_000, 200_000
    ls = echo_server()
    try:
        with Relay(tcp_to=("::1", ls.getsockname()[1]), rate=rate, seed=5) as relay:
            with socket.create_connection(("::1", relay.port), timeout=DEADLINE) as c:
                threading.Thread(target=lambda: c.sendall(b"r" * size), daemon=True).start()
                got = 0
                while got < size:
                    got += len(c.recv(65536))
    finally:
        ls.close()
    for d in (C2S, S2C):
        ps = sorted(relay.snapshot("tcp", d), key=lambda p: p.offset)
        assert ps[-1].sent[0] - ps[0].sent[0] >= (size - ps[-1].size) / rate * 0.99


def test_tcp_refused_and_shared_port():
    closed = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    closed.bind(("::1", 0))  # bound, not listening: connections are refused
    sink = Sink()
    try:
        with Relay(udp_to=("::1", sink.port), tcp_to=("::1", closed.getsockname()[1])) as relay:
            assert relay.udp_sock.getsockname()[1] == relay.tcp_sock.getsockname()[1] == relay.port
            try:  # the relay resets the connection: at once, or before the first read
                with socket.create_connection(("::1", relay.port), timeout=DEADLINE) as c:
                    assert c.recv(10) == b""
            except ConnectionResetError:
                pass
            wait_until(lambda: [e.kind for e in relay.events] == ["refused"])
    finally:
        closed.close()
        sink.close()


def test_command_line_log(tmp_path):
    """`grader/relay` by hand: the readiness line, a log whose decisions are the seed's (the same as
    an in-process relay's with that seed), a summary on exit."""
    with Relay(udp_to=("::1", 9), impairment=Impairment(loss=0.5, duplicate=0.2, delay=0.001),
               seed=3) as twin:
        send_numbered(twin, 40)
    expected = [(p.lost, p.copies) for p in twin.snapshot()]
    sink = Sink()
    log = tmp_path / "relay.jsonl"
    proc = subprocess.Popen([str(KIT / "grader" / "relay"), "--udp", "--to", f"[::1]:{sink.port}",
                             "--loss", "0.5", "--duplicate", "0.2", "--delay", "1", "--seed", "3",
                             "--log", str(log)], stderr=subprocess.PIPE, text=True)
    try:
        port = None
        deadline = time.monotonic() + DEADLINE
        while port is None and time.monotonic() < deadline:
            line = proc.stderr.readline()
            if line.startswith("listening on "):
                port = int(line.rsplit(":", 1)[1])
        assert port, "no readiness line"
        with socket.socket(socket.AF_INET6, socket.SOCK_DGRAM) as c:
            for i in range(40):
                c.sendto(i.to_bytes(4, "big"), ("::1", port))
        assert len(sink.wait_for(sum(c for _, c in expected))) == sum(c for _, c in expected)
        proc.send_signal(signal.SIGTERM)
        err = proc.communicate(timeout=DEADLINE)[1]
    finally:
        if proc.poll() is None:
            proc.kill()
        sink.close()
    assert proc.returncode == 0, err
    assert "relay: udp c2s: received 40" in err, err
    settings, packets, _ = read_log(log)
    assert settings["seed"] == 3 and settings["loss"] == 0.5
    assert [p["index"] for p in packets] == list(range(40))
    assert [(p["lost"], p["copies"]) for p in packets] == expected


def test_module_is_importable_without_the_kit_on_the_path():
    proc = subprocess.run([sys.executable, str(KIT / "grader" / "netlab" / "relay.py"), "--help"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and "--loss" in proc.stdout, proc.stderr


@pytest.mark.parametrize("bad", [dict(loss=1.5), dict(delay=-1), dict(segment=0)])
def test_impairment_checks_its_parameters(bad):
    with pytest.raises(ValueError):
        Impairment(**bad)
