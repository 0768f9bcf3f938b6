"""Black-box tests of kvserver on a quiet network: the protocol (section 4.1), IPv4 and IPv6, many
clients at once, requests split or coalesced, the command line (section 4.2)."""
import socket

import kvtest
from kvtest import expect, session
from netlab.feedback import Failure, show


def test_protocol(programs):
    server = kvtest.start(programs)
    did = "sent each request of section 4.1 in turn"
    with session(programs, server) as c:
        for request, reply in [("PING", "OK PONG"), ("GET color", "ERR not-found"),
                               ("SET color deep sea blue", "OK"), ("GET color", "OK deep sea blue"),
                               ("SET color red", "OK"), ("GET color", "OK red"),
                               ("APPEND log a", "OK 1"), ("APPEND log bc d", "OK 5"),
                               ("GET log", "OK abc d"), ("STATS", "OK clients=1 keys=2"),
                               ("DEL color", "OK"), ("DEL color", "ERR not-found"),
                               ("STATS", "OK clients=1 keys=1"), ("QUIT", "OK bye")]:
            expect(c, request, reply, did, "section 4.1 lists every request and its reply")
        kvtest.expect_closed(c, did, hint="after the reply to QUIT, the server closes the connection")


def test_bad_requests(programs):
    server = kvtest.start(programs)
    did = "sent malformed requests, each on its own line"
    with session(programs, server) as c:
        for request in ["", "HELLO", "ping", "GET", "GET a b", "SET a", "SET a ", "SET bad/key 1",
                        "DEL", "PING extra", "SET " + "k" * 65 + " v", "APPEND x", " PING"]:
            expect(c, request, "ERR bad-request", did, "a request that section 4.1 does not allow "
                   "gets ERR bad-request, and the connection stays open")
        c.send(b"SET nul a\x00b\n")
        got = kvtest.read_line(c, did, "ERR bad-request")
        if got != b"ERR bad-request":
            raise Failure(did, "ERR bad-request for a value holding a NUL byte", show(got))
        expect(c, "SET v " + "x" * 1000, "OK", did, "a value of 1000 bytes is allowed")
        expect(c, "APPEND v y", "ERR too-large", did, "a value may not grow beyond 1000 bytes")
        expect(c, "GET v", "OK " + "x" * 1000, did)
        expect(c, "PING", "OK PONG", did, "errors never close the connection (but section 4.4's)")


def test_crlf_and_split_requests(programs):
    """A request may arrive a byte at a time, end in CRLF, or come with others in one segment."""
    server = kvtest.start(programs)
    did = "sent requests a byte at a time, with CRLF endings, and many in one send()"
    with session(programs, server) as c:
        for b in b"SET split one byte at a time\r\n":
            c.send(bytes([b]))
        kvtest.read_line(c, did, "OK")
        c.send(b"GET split\r\nPING\nAPPEND n 1\nAPPEND n 2\nAPPEND n 3\nGET n\n")
        for want in (b"OK one byte at a time", b"OK PONG", b"OK 1", b"OK 2", b"OK 3", b"OK 123"):
            got = kvtest.read_line(c, did, show(want))
            if got != want:
                raise Failure(did, f"the replies in order; next {show(want)}", f"{show(got)}\n{c.transcript()}",
                              "keep the bytes after a newline for the next request (section 4.6)")


def test_ipv4_and_ipv6(programs):
    server = kvtest.start(programs)
    did = "connected over IPv6 (::1) and over IPv4 (127.0.0.1) to one server"
    with session(programs, server, "::1", did) as c6, session(programs, server, "127.0.0.1", did) as c4:
        expect(c6, "SET fam v6", "OK", did)
        expect(c4, "GET fam", "OK v6", did, "one server, one store, both families")
        expect(c4, "STATS", "OK clients=2 keys=1", did)


def test_many_clients(programs):
    """Clients are served together: one that says nothing does not hold up the others."""
    server = kvtest.start(programs)
    did = "opened 60 connections, left one silent, and made the others talk in turns"
    silent = session(programs, server, did=did)
    clients = [session(programs, server, "::1" if i % 2 else "127.0.0.1", did) for i in range(59)]
    try:
        for i, c in enumerate(clients):
            c.send_line(f"SET k{i} {i}")
        for i, c in enumerate(clients):
            got = kvtest.read_line(c, did, "OK", "one poll() loop serves every connection that is ready")
            if got != b"OK":
                raise Failure(did, "OK", show(got))
        for i, c in enumerate(reversed(clients)):
            expect(c, f"GET k{58 - i}", f"OK {58 - i}", did)
        expect(silent, "STATS", "OK clients=60 keys=59", did)
    finally:
        for c in clients + [silent]:
            c.close()


def test_port_in_use(programs):
    taken = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    taken.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    taken.bind(("::", 0))
    taken.listen(1)
    try:
        port = taken.getsockname()[1]
        run = programs.run("kvserver", "-p", port)
        run.expect_failure(code=1, hint="section 4.2: a server that cannot listen exits 1")
        run.expect_error_line("kvserver", f"^kvserver: port {port}: Address already in use$",
                              hint="strerror(errno) of the bind() that failed, saved before any "
                              "cleanup that could change errno")
    finally:
        taken.close()


def test_usage(programs):
    for args in ([], ["-p"], ["-p", "http"], ["-p", "70000"], ["-p", "0", "-t", "0"],
                 ["-p", "0", "-t", "soon"], ["-p", "0", "extra"], ["-x"]):
        run = programs.run("kvserver", *args)
        run.expect_failure(code=2, hint="section 4.2: a usage error exits 2 with the usage line")
        run.expect_stderr_contains("usage: kvserver")
