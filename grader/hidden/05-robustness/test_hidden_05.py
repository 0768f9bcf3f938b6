"""Hidden tests of Lab 05: the same contracts as the public tests, on cases a student may not try."""
import os
import random
import select
import signal
import socket
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the lab's tests/ (kvtest)

import kvtest  # noqa: E402
from kvtest import FakeServer, Health, expect, retry_lines, session  # noqa: E402
from netlab import procinfo  # noqa: E402
from netlab.feedback import Failure, show  # noqa: E402
from netlab.shim import Faults  # noqa: E402


def test_many_slow_clients(programs):
    """Twenty silent clients and twenty that drip bytes, all at once, while others come and go."""
    timeout_ms = 1500
    server = kvtest.start(programs, timeout_ms=timeout_ms)
    health = Health(programs, server)
    did = (f"opened 20 silent and 20 dripping connections (server -t {timeout_ms}), while other "
           "clients came, made a request and left")
    slow = [session(programs, server, did=did) for _ in range(40)]
    open_ = {c.sock: c for c in slow}
    deadline = time.monotonic() + 8 * programs.factor
    i = 0
    try:
        while open_ and time.monotonic() < deadline:
            for c in slow[20:]:
                if c.sock in open_:
                    try:
                        c.sock.send(b"x")
                    except OSError:
                        del open_[c.sock]
            came = time.monotonic()
            with session(programs, server, "::1", did) as visitor:
                visitor.send_line(f"APPEND visits {i % 10}")
                got = kvtest.read_line(visitor, did, f"OK {i + 1}")
            if got != f"OK {i + 1}".encode():
                if got == b"ERR timeout" and time.monotonic() - came >= timeout_ms / 1000:
                    continue  # this machine held the test back longer than the timeout
                raise Failure(did, f"a visitor's APPEND answered OK {i + 1}", show(got))
            i += 1
            ready, _, _ = select.select(list(open_), [], [], 0.05)
            for sock in ready:
                try:
                    data = sock.recv(100)
                except OSError:
                    data = b""
                if not data or data.startswith(b"ERR timeout"):
                    del open_[sock]
        if open_:
            raise Failure(did, f"all 40 slow connections closed by the server about {timeout_ms} ms "
                          "after they came", f"{len(open_)} still open after {8 * programs.factor:g} s",
                          "section 4.4: every client has its own deadline")
    finally:
        for c in slow:
            c.close()
    health.check(did)


def test_descriptors_again_and_again(programs):
    """Out of descriptors three times; a status line and a clean stop while at the limit."""
    server = kvtest.start(programs, limits={"NOFILE": 14})
    health = Health(programs, server)
    did = "ran the server out of descriptors (limit 14) three times"
    for round_ in range(3):
        held = []
        try:
            for _ in range(30):
                c = kvtest.connect(programs, server)
                line = kvtest.read_line(c, did, "the greeting or ERR busy")
                if line == b"ERR busy":
                    c.close()
                    break
                held.append(c)
            else:
                raise Failure(did, "ERR busy once the descriptors ran out", "30 greetings")
            if round_ == 2:
                os.kill(server.pid, signal.SIGUSR1)
                if not procinfo.wait_until(lambda: kvtest.status_lines(server), 5 * programs.factor):
                    raise Failure(f"{did}; then sent SIGUSR1 at the limit", "the status line",
                                  show(server.log()[-500:]))
                code = server.stop()
                if code != 0:
                    raise Failure(f"{did}; then sent SIGTERM at the limit", "exit status 0",
                                  kvtest.exit_text(server))
                return
        finally:
            for c in held:
                c.close()
        health.check(f"{did} (round {round_ + 1})")


def test_binary_garbage(programs):
    """Lines of random bytes (NUL, 0xff, CR, control characters): errors, never a crash."""
    server = kvtest.start(programs)
    health = Health(programs, server)
    rng = random.Random(5)
    did = "sent 200 lines of random bytes, then a valid request"
    with session(programs, server) as c:
        for n in range(200):
            junk = bytes(rng.choice(b"\x00\x01\x7f\xff\r\t ABC") for _ in range(rng.randrange(1, 300)))
            junk = junk.replace(b"\n", b"")
            c.send(junk + b"\n")
            got = kvtest.read_line(c, did, "ERR bad-request")
            if not got.startswith(b"ERR") and got != b"OK PONG":
                raise Failure(did, "an ERR reply to a line of random bytes", f"{show(got)} to {show(junk)}")
        expect(c, "SET k still fine", "OK", did)
    health.check(did)


def test_first_address_refuses(programs, net):
    """A name with two addresses, the first refusing: the client tries the second in the same
    attempt, with no retry and no delay."""
    host = net.name("dual")
    addrs = [ai[4][0] for ai in socket.getaddrinfo(host, None, socket.AF_UNSPEC, socket.SOCK_STREAM)]
    with FakeServer(["serve"], host=addrs[-1]) as server:
        run = programs.run("kvclient", host, server.port, "PING")
        run.expect_exit(0, hint=f"{host} is {', '.join(addrs)}: try each address before giving up on "
                        "an attempt (section 4.5)")
        run.expect_stdout("OK PONG\n")
        if retry_lines(run):
            raise Failure(run.did, "no retry: the second address answered", show(run.err, 600))


def test_client_and_server_under_faults(programs):
    """Your client and your server, both with the fault library: nothing lost, nothing twice."""
    server = kvtest.start(programs, faults=Faults(max_io=2, eintr_every=3))
    value = ""
    for i in range(5):
        part = f"[{i}]" * 40
        value += part
        run = programs.run("kvclient", "127.0.0.1", server.port, f"APPEND v {part}", "GET v",
                           faults=Faults(max_io=1, eintr_every=2))
        run.expect_exit(0, hint="both programs loop on partial I/O and retry EINTR")
        run.expect_stdout(f"OK {len(value)}\nOK {value}\n")
