"""Black-box tests of kvserver against hostile clients and a hostile system: requests too long,
clients that say nothing or drip bytes or never read, resets, descriptors running out, signals
(sections 4.3 and 4.4). After each, the server must still serve a normal client, with its
descriptors and memory back where they were."""
import os
import signal
import socket
import threading
import time

import kvtest
from kvtest import Health, expect, session
from netlab import procinfo, procmem
from netlab.feedback import Failure, show
from netlab.lineclient import LineClient

TIMEOUT_MS = 800  # the -t given to the server in the timeout tests
NOFILE = 16  # the descriptor limit of the server in test_descriptors_run_out


def test_request_too_long(programs):
    server = kvtest.start(programs)
    health = Health(programs, server)
    did = "sent 1100 bytes without a newline"
    with session(programs, server) as c:
        c.send(b"SET k " + b"x" * 1094)
        kvtest.expect_closed(c, did, b"ERR too-long\n", "section 4.4: a request longer than 1024 "
                             "bytes (newline included) gets ERR too-long, then the connection closes")
    kvtest.expect_log(programs, server, r"^kvserver: \S+: request too long$", did,
                      "kvserver: PEER: request too long")
    with session(programs, server) as c:  # the longest request allowed still works
        expect(c, "SET k " + "y" * 1000, "OK", "sent a request of 1007 bytes, newline included")
    health.check(did)


def test_request_memory_is_bounded(programs):
    """8 MB without a newline: a server that keeps it all in memory is one a client can kill."""
    server = kvtest.start(programs)
    health = Health(programs, server)
    peak = procmem.peak_rss_kib(server.pid) or 0
    did = "sent 8 MB without a newline"
    c = session(programs, server)
    sent = [0]

    def flood():
        chunk = b"z" * 65536
        try:
            for _ in range(128):
                c.sock.sendall(chunk)
                sent[0] += len(chunk)
        except OSError:
            pass  # the server closed the connection: what it should do

    t = threading.Thread(target=flood, daemon=True)
    t.start()
    t.join(20 * programs.factor)
    data, how = c.read_to_end()
    c.close()
    if not data.startswith(b"ERR too-long\n"):
        raise Failure(did, "the reply ERR too-long after at most 1024 bytes, then a closed connection",
                      f"{show(data)} then {how}; the test sent {sent[0]} bytes",
                      "section 4.4: the request buffer never grows; a full buffer without a newline "
                      "is an error")
    grown = (procmem.peak_rss_kib(server.pid) or 0) - peak
    if programs.factor == 1.0 and grown > 4096:
        raise Failure(did, "the server's memory to stay about the same", f"it grew by {grown} KiB",
                      "section 4.4: a request is at most 1024 bytes; never grow a buffer for one")
    health.check(did)


def test_idle_client(programs):
    server = kvtest.start(programs, timeout_ms=TIMEOUT_MS)
    did = f"connected, read the greeting and said nothing (server started with -t {TIMEOUT_MS})"
    t0 = time.monotonic()  # before the connection: the server's clock starts later, never earlier
    idle = session(programs, server)
    busy = session(programs, server)
    try:
        expect(busy, "PING", "OK PONG", f"{did}, while another client talked")
        kvtest.expect_closed(idle, did, b"ERR timeout\n", "section 4.4: a client that sends no "
                             "complete request for TIMEOUT_MS gets ERR timeout and is disconnected")
        waited = time.monotonic() - t0
        if waited < (TIMEOUT_MS - 20) / 1000:
            raise Failure(did, f"the disconnection after about {TIMEOUT_MS} ms",
                          f"after {waited * 1000:.0f} ms", "measure the timeout from the client's "
                          "last complete request (or its arrival)")
    finally:
        idle.close()
        busy.close()
    kvtest.expect_log(programs, server, r"^kvserver: \S+: timed out$", did, "kvserver: PEER: timed out")
    kvtest.expect_alive(server, did)


def test_active_client_is_kept(programs):
    """A client that sends a request more often than the timeout is never dropped."""
    timeout_ms = 1000
    server = kvtest.start(programs, timeout_ms=timeout_ms)
    did = f"sent a request every 100 ms for 3 s (server started with -t {timeout_ms})"
    for attempt in range(3):
        longest, count = 0.0, 0
        with session(programs, server) as c:
            end = last = time.monotonic()
            end += 3
            try:
                while last < end:
                    threading.Event().wait(0.1)  # the client's pace, not a synchronization
                    longest = max(longest, time.monotonic() - last)  # since the last reply
                    count += 1
                    expect(c, f"APPEND tick{attempt} .", f"OK {count}", did, "the timeout counts from "
                           "the client's last complete request, not from its connection (section 4.4)")
                    last = time.monotonic()
                return
            except Failure:
                if longest < timeout_ms / 2000:
                    raise
                # The machine held the test itself back for half the timeout: try again.
    raise Failure(did, "a run in which the test could keep its pace", "the machine was too busy")


def test_slowloris(programs):
    """One byte every 50 ms never completes a request: the server must not wait forever."""
    server = kvtest.start(programs, timeout_ms=TIMEOUT_MS)
    did = f"sent one byte every 50 ms, never a newline (server started with -t {TIMEOUT_MS})"
    c = session(programs, server)
    c.sock.settimeout(0.05)
    got, how, sent = b"", "", 0
    deadline = time.monotonic() + 5 * programs.factor
    try:
        while time.monotonic() < deadline:
            try:
                c.sock.sendall(b"SET slow "[sent:sent + 1] or b"x")
                sent += 1
                chunk = c.sock.recv(4096)  # waits 50 ms for the server to give up: the pace
            except (socket.timeout, TimeoutError):
                continue
            except OSError:
                how = "reset"
                break
            if not chunk:
                how = "closed"
                break
            got += chunk
    finally:
        c.close()
    if how == "" or not got.startswith(b"ERR timeout"):
        raise Failure(did, f"ERR timeout and a closed connection about {TIMEOUT_MS} ms after the "
                      "greeting", f"{show(got)}; {'still open' if not how else how} after "
                      f"{sent} bytes", "section 4.4: the timeout runs until a *complete* request "
                      "arrives; bytes that trickle in do not reset it")
    kvtest.expect_alive(server, did)


def test_slow_reader(programs):
    """A client that sends requests but never reads the replies: the server stops reading its
    requests (back-pressure) instead of keeping megabytes of replies, and serves the others."""
    server = kvtest.start(programs)
    health = Health(programs, server)
    did = "stored a 1000-byte value, then sent 40000 GETs of it without reading the replies"
    with session(programs, server) as setup:
        expect(setup, "SET big " + "b" * 1000, "OK", did)
    peak = procmem.peak_rss_kib(server.pid) or 0
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 20)
    sock.settimeout(5 * programs.factor)
    sock.connect(("127.0.0.1", server.port))
    slow = LineClient("127.0.0.1", server.port, timeout=5 * programs.factor, sock=sock)
    n = 40000
    requests = b"GET big\n" * n

    def send_all():
        try:
            slow.sock.sendall(requests)
        except OSError:
            pass

    sender = threading.Thread(target=send_all, daemon=True)
    sender.start()
    try:
        kvtest.wait_quiet(server.pid, 10 * programs.factor)
        expect_reader_bounded(programs, server, peak, did)
        with session(programs, server, did=did) as other:
            expect(other, "PING", "OK PONG", f"{did}; meanwhile, another client")
        want = b"OK ready\n" + (b"OK " + b"b" * 1000 + b"\n") * n
        got = b""
        while len(got) < len(want):
            try:
                chunk = slow.sock.recv(1 << 20)
            except OSError as exc:
                raise Failure(did, f"then, reading, all {n} replies", f"{exc} after {len(got)} bytes")
            if not chunk:
                break
            got += chunk
        if got != want:
            lines = got.count(b"\n")
            raise Failure(did, f"then, reading, all {n} replies in order", f"{len(got)} bytes, {lines} lines",
                          "replies wait in the client's output buffer; none may be lost")
    finally:
        slow.close()
        sender.join(5)
    health.check(did)


def expect_reader_bounded(programs, server, peak, did):
    grown = (procmem.peak_rss_kib(server.pid) or 0) - peak
    if programs.factor == 1.0 and grown > 8192:
        raise Failure(did, "the server to stop reading that client while its replies wait "
                      "(memory about the same)", f"its memory grew by {grown} KiB",
                      "section 4.4: stop asking poll() for POLLIN while a client's output is full")


def test_client_resets(programs):
    """Clients that reset the connection: before the greeting is read, with a request and its
    reply on the way, in the middle of a request."""
    server = kvtest.start(programs)
    health = Health(programs, server)
    did = "reset 30 connections (SO_LINGER 0): at once, after a request, in mid-request"
    for i in range(10):
        kvtest.connect(programs, server).reset()
        with session(programs, server) as c:
            c.send_line(f"APPEND r{i} {'x' * 500}")
            c.send_line("GET r0")
            c.reset()
        with session(programs, server) as c:
            c.send(b"SET half")
            c.reset()
    health.check(did)


def test_reset_before_accept(programs):
    """A connection reset while it waits to be accepted: accept() gives a dead socket (or fails
    with ECONNABORTED elsewhere). The server is stopped (SIGSTOP) to make this happen for sure."""
    server = kvtest.start(programs)
    health = Health(programs, server)
    did = "stopped the server (SIGSTOP), connected and reset 20 connections, let it go on (SIGCONT)"
    os.kill(server.pid, signal.SIGSTOP)
    try:
        if not procinfo.wait_until(lambda: procinfo.state(server.pid) == "T", 5 * programs.factor):
            raise Failure(did, "the server stopped", f"state {procinfo.state(server.pid)}")
        for _ in range(20):
            kvtest.connect(programs, server).reset()
    finally:
        os.kill(server.pid, signal.SIGCONT)
    health.check(did)


def test_descriptors_run_out(programs):
    """The server may open few descriptors; connections beyond them are refused politely (ERR busy)
    and the server neither dies nor spins; once clients leave, it recovers."""
    limit = NOFILE
    server = kvtest.start(programs, limits={"NOFILE": limit})
    health = Health(programs, server)
    did = (f"started the server with at most {limit} descriptors (RLIMIT_NOFILE), then connected "
           "until refused")
    for round_ in (1, 2):
        clients, refused = [], None
        try:
            for _ in range(limit + 10):
                c = kvtest.connect(programs, server)
                line = kvtest.read_line(c, did, f"the greeting {kvtest.GREETING_SHOWN} or \"ERR busy\"",
                                        "section 4.4: when accept() fails with EMFILE, free the spare "
                                        "descriptor, accept, send ERR busy, close, take the spare back")
                if line == b"ERR busy":
                    refused = c
                    break
                clients.append(c)
            if refused is None:
                raise Failure(did, "a connection refused with ERR busy", f"{len(clients)} connections "
                              "all got the greeting", "the test could not make the server run out")
            kvtest.expect_closed(refused, did, hint="ERR busy, then close the connection")
            refused.close()
            kvtest.expect_log(programs, server, r"^kvserver: out of descriptors: refused a connection$",
                              did, "kvserver: out of descriptors: refused a connection")
            kvtest.expect_alive(server, did)
            if not kvtest.wait_quiet(server.pid, 3 * programs.factor):
                st = procinfo.stat(server.pid)
                raise Failure(did, "the server asleep in poll() while it is out of descriptors",
                              f"it keeps running (state {st.state if st else '?'}, "
                              f"{st.cpu if st else 0:.2f} s of CPU so far): it spins",
                              "a connection left in the queue keeps the listening socket readable: "
                              "accept it and refuse it (section 4.4)")
            for _ in range(3):
                with kvtest.connect(programs, server) as again:
                    got = kvtest.read_line(again, did, "ERR busy")
                    if got != b"ERR busy":
                        raise Failure(f"{did}; connected again at the limit", "ERR busy", show(got))
            for i, c in enumerate(clients):
                expect(c, "PING", "OK PONG", f"{did}; then used the connections it had accepted")
        finally:
            for c in clients:
                c.close()
        health.check(f"{did} (round {round_}); then closed every connection")


def test_signals_during_io(programs):
    """SIGUSR1 prints a status line; the server goes on with its clients as if nothing happened."""
    server = kvtest.start(programs)
    health = Health(programs, server)
    did = "sent SIGUSR1 twenty times while a client made requests"
    with session(programs, server) as c:
        c.send(b"SET pa")  # the server waits in poll() with half a request
        for i in range(20):
            os.kill(server.pid, signal.SIGUSR1)
            if not procinfo.wait_until(lambda: len(kvtest.status_lines(server)) > i, 5 * programs.factor):
                raise Failure(did, f"status line number {i + 1}: \"kvserver: clients=N keys=N\"",
                              f"stderr {show(server.log()[-600:])}",
                              "section 4.2: SIGUSR1 prints a status line; a signal during poll() "
                              "is EINTR, not an error")
            if i == 0:
                c.send(b"rt ial\n")
                kvtest.read_line(c, did, "OK")
            expect(c, f"APPEND sig {i % 10}", f"OK {i + 1}", did)
        expect(c, "GET part", "OK ial", did)
    last = kvtest.status_lines(server)[-1]
    if last != "kvserver: clients=1 keys=3":  # warmup (from Health), part, sig
        raise Failure(did, "the last status line \"kvserver: clients=1 keys=3\"", show(last))
    health.check(did)


def test_clean_shutdown(programs):
    """SIGTERM and SIGINT stop the server at once, with clients connected, exit status 0."""
    for sig in (signal.SIGTERM, signal.SIGINT):
        server = kvtest.start(programs)
        did = f"connected three clients (one idle, one in mid-request, one done), sent {sig.name}"
        idle = session(programs, server)
        half = session(programs, server)
        half.send(b"SET half way")
        done = session(programs, server)
        expect(done, "SET x 1", "OK", did)
        try:
            code = server.stop(sig)
        finally:
            for c in (idle, half, done):
                c.close()
        if code != 0:
            raise Failure(did, "exit status 0 within 5 s", kvtest.exit_text(server) if code is None
                          else f"exit status {code}", "section 4.2: the handler sets a flag, the "
                          "loop sees it, frees everything and returns from main")
