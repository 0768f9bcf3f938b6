"""The fault matrix: kvserver with the kit's fault library preloaded, which makes its socket calls
as unfriendly as a real network may: short reads and writes, calls interrupted by signals (EINTR),
accept() failing for one connection, connections reset. Each fault is crossed with each call it
applies to; after each, the server must still serve a normal client, with its descriptors and
memory back where they were, and nothing lost or done twice (section 4.3)."""
import kvtest
from kvtest import Health, expect, session
from netlab.feedback import Failure, show
from netlab.shim import Faults

READS = ("recv", "read", "recvfrom")
WRITES = ("send", "write", "sendto")
ACCEPT = ("accept",)
RESET_AFTER = 120  # bytes a connection may send before the fault library resets it

HINTS = {
    "short": "recv() and send() may move fewer bytes than asked: keep what came in until a line is "
             "complete, and send the rest of a reply later (section 4.3)",
    "eintr": "a call interrupted by a signal (EINTR) did nothing: call it again, or go back to "
             "poll(); it is never a reason to drop a client or to stop (section 4.3)",
    "fail": "accept() may fail for one connection only (ECONNABORTED, EPROTO, ...): skip it and go "
            "on (section 4.3)",
    "reset": "a reset connection (ECONNRESET, EPIPE) ends that client only; ignore SIGPIPE or "
             "send with MSG_NOSIGNAL (section 4.3)",
}


def exercise(programs, server, did, key, hint):
    """A conversation that shows anything lost or done twice: APPENDs whose replies give the
    running length, a long value, and requests coalesced in one send."""
    with session(programs, server, did=did) as c:
        value = ""
        for i in range(10):
            part = f"<{i:02d}>"
            value += part
            expect(c, f"APPEND {key} {part}", f"OK {len(value)}", did, hint)
        big = "".join(chr(ord("a") + i % 26) for i in range(900))
        expect(c, f"SET {key}.big {big}", "OK", did, hint)
        expect(c, f"GET {key}.big", f"OK {big}", did, hint)
        c.send(b"".join(f"APPEND {key}.p {j % 10}\n".encode() for j in range(8)))
        for j in range(8):
            got = kvtest.read_line(c, did, f"OK {j + 1}", hint)
            if got != f"OK {j + 1}".encode():
                raise Failure(did, f"the replies to 8 APPENDs sent at once; reply {j + 1}: OK {j + 1}",
                              f"{show(got)}\n{c.transcript()}", hint)
        expect(c, f"GET {key}", f"OK {value}", did, hint)
        expect(c, "QUIT", "OK bye", did, hint)
        kvtest.expect_closed(c, did, hint=hint)


def exercise_reset(programs, server, did, key, hint, log_text):
    """A conversation the fault library resets: what the server acknowledged must be stored once,
    and the request it was reading when the reset came at most once."""
    acked, parts = "", [f"<{i:02d}>" for i in range(40)]
    with session(programs, server, did=did) as c:
        for part in parts:
            try:
                c.send_line(f"APPEND {key} {part}")
                line = c.read_line()
            except OSError:
                break
            if line is None:
                break
            if line != f"OK {len(acked + part)}".encode():
                raise Failure(did, f"the reply OK {len(acked + part)}", f"{show(line)}\n{c.transcript()}", hint)
            acked += part
        else:
            raise Failure(did, f"the connection reset after about {RESET_AFTER} bytes",
                          "it went on", "the fault library did not act: are recv/send used?")
    in_flight = acked + parts[len(acked) // 4] if len(acked) // 4 < len(parts) else acked
    with session(programs, server, did=did) as check:
        check.send_line(f"GET {key}")
        got = kvtest.read_line(check, did, f"OK {acked}", hint)
    if got not in (f"OK {acked}".encode(), f"OK {in_flight}".encode()):
        raise Failure(f"{did}; then asked for the value with a new connection",
                      f"{show('OK ' + acked)} (the acknowledged APPENDs), or with the one the reset "
                      "cut short", show(got), "each request is carried out once, when its line is "
                      "complete")
    kvtest.expect_log(programs, server, rf"^kvserver: \S+: {log_text}$", did,
                      f"kvserver: PEER: {log_text} (strerror() of the errno of the call that failed, "
                      "saved before anything else could change it)")


def run_cell(programs, what, faults, kind):
    """Start a server with faults, exercise it, and check it is healthy afterwards."""
    server = kvtest.start(programs, faults=faults)
    health = Health(programs, server)
    did = f"talked to kvserver running with the fault library ({what})"
    if kind == "reset":
        log_text = "Broken pipe" if "send" in (faults.ops or WRITES) else "Connection reset by peer"
        exercise_reset(programs, server, did, "reset", HINTS[kind], log_text)
    else:
        exercise(programs, server, did, "first", HINTS[kind])
        clients = [session(programs, server, "::1" if i % 2 else "127.0.0.1", did) for i in range(6)]
        for i, c in enumerate(clients):
            expect(c, f"SET c{i} {i}", "OK", did, HINTS[kind])
        for c in clients:
            c.close()
    if not faults.altered().get(kind):
        raise Failure(did, f"calls altered by the fault library ({kind})", f"none: {faults.altered()}",
                      "use recv/send (or read/write) and accept on the sockets")
    health.check(did)
    code = server.stop()
    if code != 0:
        raise Failure(f"{did}; then sent SIGTERM", "exit status 0", kvtest.exit_text(server))


CELLS = [
    ("short reads: 1 byte per call", Faults(max_io=1, ops=READS), "short"),
    ("short writes: 1 byte per call", Faults(max_io=1, ops=WRITES), "short"),
    ("every 2nd accept interrupted (EINTR)", Faults(eintr_every=2, ops=ACCEPT), "eintr"),
    ("every 2nd read interrupted (EINTR)", Faults(eintr_every=2, ops=READS), "eintr"),
    ("every 2nd write interrupted (EINTR)", Faults(eintr_every=2, ops=WRITES), "eintr"),
    ("every 2nd accept failing with ECONNABORTED",
     Faults(fail_every=2, fail_errno="ECONNABORTED", ops=ACCEPT), "fail"),
    ("every 3rd accept failing with EPROTO", Faults(fail_every=3, fail_errno="EPROTO", ops=ACCEPT), "fail"),
    (f"connections reset on read after {RESET_AFTER} bytes",
     Faults(reset_after=RESET_AFTER, ops=READS), "reset"),
    (f"connections reset after {RESET_AFTER} bytes: the next send gets EPIPE and SIGPIPE",
     Faults(reset_after=RESET_AFTER, ops=READS + WRITES), "reset"),
    ("everything at once: at most 3 bytes per call, every 3rd call interrupted",
     Faults(max_io=3, eintr_every=3), "eintr"),
]


def cell(index):
    what, faults, kind = CELLS[index]
    return what, Faults(**{k: v for k, v in faults.__dict__.items() if k != "log"}), kind


def test_short_reads(programs):
    run_cell(programs, *cell(0))


def test_short_writes(programs):
    run_cell(programs, *cell(1))


def test_interrupted_accept(programs):
    run_cell(programs, *cell(2))


def test_interrupted_reads(programs):
    run_cell(programs, *cell(3))


def test_interrupted_writes(programs):
    run_cell(programs, *cell(4))


def test_accept_errors(programs):
    run_cell(programs, *cell(5))
    run_cell(programs, *cell(6))


def test_reset_while_reading(programs):
    run_cell(programs, *cell(7))


def test_reset_while_replying(programs):
    run_cell(programs, *cell(8))


def test_fault_matrix(programs):
    """Every cell above, one after the other (this is the test rerun under valgrind)."""
    for i in range(len(CELLS)):
        run_cell(programs, *cell(i))
