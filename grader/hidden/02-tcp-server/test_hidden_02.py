"""Hidden tests of Lab 02: the same specification as the public tests, on cases a student may not
try: the limit of 128 clients, a fork() that fails, a crowd of good and bad clients at once, and
more boundaries of the protocol."""
import random
import subprocess
import sys
import threading

from lineclient import MAX_LINE, Client, chargen, wait_no_children
from netlab import jail, procinfo
from netlab.feedback import Failure
from netlab.procutil import Child

MAX_CLIENTS = 128


def test_busy(server):
    held = []
    try:
        for i in range(MAX_CLIENTS):
            c = Client(server, "::1" if i % 2 else "127.0.0.1")
            c.ask(b"PING\n", b"PONG\n", f"{MAX_CLIENTS} clients at the same time are served")
            held.append(c)
        with Client(server) as extra:
            extra.expect(b"ERR busy\n", did=f"held {MAX_CLIENTS} connections open, then connected "
                         "one more and waited", hint=f"beyond {MAX_CLIENTS} connections at once, the "
                         "server replies ERR busy and closes (section 4.5)")
            extra.expect_closed("after ERR busy the server closes that connection")
        held.pop().close()
        # Zombies count: until the server reaped the child, its place in the server's table is taken.
        if not procinfo.wait_until(lambda: len(procinfo.children(server.pid)) < MAX_CLIENTS,
                                   5 * server.factor):
            raise Failure(f"held {MAX_CLIENTS} connections, then closed one",
                          f"{MAX_CLIENTS - 1} child processes left (the one that served it reaped)",
                          f"{len(procinfo.children(server.pid))}")
        with Client(server) as again:
            again.ask(b"PING\n", b"PONG\n", "once a client has left and its child was reaped, "
                      "there is room for a new one (section 4.5)")
    finally:
        for c in held:
            c.close()


# Runs as the student's programs do (same uid, same limits) and forks until fork() fails: then
# the uid has used up its processes, and the server's next fork() fails too.
FILLER = r"""
import os, signal, sys
count = 0
while True:
    try:
        pid = os.fork()
    except OSError:
        break
    if pid == 0:
        signal.pause()
        os._exit(0)
    count += 1
print(count, flush=True)
sys.stdin.read()
"""


def test_fork_fails(programs, server):
    """The server's uid runs out of processes, so that fork() fails: that client is told, the
    server lives on, and serves the next client once fork() works again."""
    with Client(server) as first:
        first.ask(b"PING\n", b"PONG\n")
    wait_no_children(server, "one client came and left")
    filler = Child([sys.executable, "-c", FILLER], cwd=str(programs.cwd), stdin=subprocess.PIPE,
                   preexec_fn=jail.preexec(jail.run_uid()))
    try:
        if not procinfo.wait_until(lambda: filler.out.data.endswith(b"\n"), 30):
            raise Failure("started processes until the limit", "the helper to report", "nothing")
        with Client(server) as refused:
            refused.expect(b"ERR busy\n", did="used up the processes the server's user may have, "
                           "so that fork() fails, then connected", hint="when fork() fails "
                           "(EAGAIN), reply ERR busy, close that connection and go on serving "
                           "(section 4.5)")
            refused.expect_closed()
    finally:
        filler.finish()
    procinfo.wait_until(lambda: not procinfo.group(filler.pid), 10)
    if not procinfo.alive(server.pid):
        raise Failure("made fork() fail once", "the server to keep running", "it exited")
    with Client(server) as later:
        later.ask(b"PING\n", b"PONG\n", "a failed fork() is one client's problem, not the server's")
    if "cannot start a process for a client" not in server.log():
        raise Failure("made fork() fail once", "a line \"lineserver: cannot start a process for a "
                      "client: REASON\" on stderr", server.log()[-300:] or "nothing on stderr")


def _good(server, rng, i):
    with Client(server, rng.choice(["::1", "127.0.0.1"])) as c:
        lines = [bytes(rng.getrandbits(8) for _ in range(rng.randrange(200))).replace(b"\n", b"-")
                 for _ in range(20)]
        c.ask(b"".join(b"ECHO " + x + b"\n" for x in lines), b"".join(x + b"\n" for x in lines),
              f"client {i} of the crowd: its own replies, in order")
        c.ask(b"WHO\nCHARGEN 30\n", f"YOU {c.me}\n".encode() + chargen(30))
        c.ask(b"QUIT\n", b"BYE\n")
        c.expect_closed()


def _bad(server, rng, kind, done):
    c = Client(server, rng.choice(["::1", "127.0.0.1"]))
    if kind == "reset":
        c.send(b"ECHO never finished")
        c.reset()
    elif kind == "idle":
        done.wait(30 * server.factor)
        c.close()
    elif kind == "long":
        c.send(b"ECHO " + b"z" * 5000)
        c.expect(b"ERR line too long\n")
        c.ask(b"\nPING\n", b"PONG\n")
        c.close()
    elif kind == "half-close":
        c.send(b"PING\nECHO x\nWHO")
        c.shutdown_write()
        got = c.read_until_closed(100)
        if got != b"PONG\nx\n":
            raise Failure(c.did(", then ended its half of the connection"),
                          "\"PONG\\nx\\n\" (the unfinished last line is dropped), then the end",
                          repr(got))
        c.close()
    else:  # leaves in the middle of a long reply
        c.send(b"CHARGEN 100000\n")
        c.read(1000)
        c.close()


def test_crowd(server):
    n = 80 if server.factor == 1 else 30
    rng = random.Random(2024)
    kinds = ["good"] * (n // 2) + [rng.choice(["reset", "idle", "long", "half-close", "leave"])
                                   for _ in range(n - n // 2)]
    rng.shuffle(kinds)
    failures, good_done, threads = [], threading.Event(), []
    remaining = [kinds.count("good")]
    lock = threading.Lock()

    def run(i, kind):
        try:
            if kind == "good":
                _good(server, random.Random(i), i)
            else:
                _bad(server, random.Random(i), kind, good_done)
        except (Failure, OSError) as exc:
            failures.append((kind, exc))
        finally:
            if kind == "good":
                with lock:
                    remaining[0] -= 1
                    if remaining[0] == 0:
                        good_done.set()

    for i, kind in enumerate(kinds):
        threads.append(threading.Thread(target=run, args=(i, kind), daemon=True))
        threads[-1].start()
    for t in threads:
        t.join(60 * server.factor)
    good_done.set()
    if any(t.is_alive() for t in threads):
        raise Failure(f"ran {n} clients at once, half of them awkward", "every conversation to end",
                      "some were still waiting after 60 s")
    if failures:
        kind, exc = failures[0]
        if isinstance(exc, Failure):
            raise Failure(f"ran {n} clients at once, half of them awkward (resets, idle, over-long "
                          f"lines, half-closes, leaving mid-reply); a {kind} client " + exc.did,
                          exc.expected, exc.got + f"\n({len(failures)} client(s) failed in all)",
                          exc.hint or "one client's trouble must not touch the others (section 4.5)")
        raise Failure(f"ran {n} clients at once, half of them awkward; a {kind} client",
                      "its conversation to work", f"{exc!r} ({len(failures)} client(s) failed in all)")
    wait_no_children(server, f"{n} clients, good and awkward, came and went")


def test_boundaries(server):
    with Client(server) as c:
        c.ask(b"ECHO a\r\r\n", b"a\r\r\n", "'\\r' is data")
        c.ask(b"QUIT\r\n", b"ERR unknown command\n", "the command is QUIT\\r here: not QUIT")
        c.ask(b"ECHO\tx\n", b"ERR unknown command\n", "only a space ends the command word")
        nul = b"\x00" * (MAX_LINE - 5)
        three = b"".join(b"ECHO " + nul[:-1] + bytes([48 + i]) + b"\n" for i in range(3))
        c.ask(three, b"".join(nul[:-1] + bytes([48 + i]) + b"\n" for i in range(3)),
              "three lines of the longest length, in one write, across refills of the buffer")
        c.ask(b"\n" * 200 + b"PING\n", b"ERR unknown command\n" * 200 + b"PONG\n")
        c.ask(b"CHARGEN 10000000\n", b"ERR bad argument\n", "10000000 is above the limit")
        c.send(b"ECHO " + b"w" * (MAX_LINE - 4))
        c.wait_server_read_all()
        c.ask(b"\nPING\n", b"ERR line too long\nPONG\n", "a line of MAX_LINE + 1 bytes is one too many")
