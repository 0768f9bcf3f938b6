"""Black-box tests of httpget when the network and the server do not cooperate: answers that
trickle in one byte at a time or arrive all at once, sends and receives cut short or interrupted
(the fault-injection library, netlab.shim), servers that never answer or never accept, a first
address that does not answer, connections closed mid-body, and malformed responses.
"""
import random
import re
import socket

from netlab.feedback import Failure, first_difference, show
from netlab.httpd import BlackHole, HttpServer, Response, same_port
from netlab.shim import Faults

BODY = b"Hello from the netlab test server.\nA second line.\n"
T = "3"  # httpget's timeout (seconds) where the server answers at once


def addresses(host):
    return [ai[4][0] for ai in socket.getaddrinfo(host, None, socket.AF_UNSPEC, socket.SOCK_STREAM)]


def expect_body(run, body: bytes, hint: str = ""):
    run.expect_exit(0, hint=hint)
    if run.stdout != body:
        raise Failure(run.did, f"stdout: the body, {len(body)} bytes {show(body, 120)}",
                      f"{len(run.stdout)} bytes {show(run.stdout, 120)}\n"
                      f"{first_difference(body, run.stdout)}", hint)


def expect_protocol_error(run, server, answer=None, hint=""):
    """Exit status 6 and one line "httpget: HOST port PORT: protocol error: WHAT"."""
    did = run.did + (f"; the server answered {show(answer)} and closed" if answer is not None else "")
    c = run.completed
    if c.timed_out or c.returncode != 6:
        raise Failure(did, "exit status 6", run.got(), hint or "a response that breaks HTTP/1.1 exits 6")
    lines = run.err.splitlines()
    pattern = f"^httpget: 127\\.0\\.0\\.1 port {server.port}: protocol error: .+$"
    if len(lines) != 1 or not re.match(pattern, lines[0]):
        raise Failure(did, "one line on stderr: \"httpget: HOST port PORT: protocol error: WHAT\"",
                      f"stderr {show(run.stderr)}", "see the table of messages in the handout, 4.6")


def test_trickled_response(programs):
    """The answer arrives one byte per segment: no recv() returns a whole line."""
    answer = Response(body=b"trickled body\n", framing="chunked", chunk_sizes=[3, 11],
                      headers=[("Server", "netlab")])
    with HttpServer("127.0.0.1", answer, delivery="trickle", after="keep",
                    timeout=10 * programs.factor) as server:
        run = programs.run("httpget", "-t", T, server.url("/"))
        expect_body(run, b"trickled body\n", hint="keep reading until the line (or the body) is "
                    "complete: one recv() may return a single byte")


def test_coalesced_response(programs):
    """Status line, headers and body arrive in one segment: the body's start comes with the head."""
    for answer in (Response(body=BODY), Response(body=BODY, framing="chunked", chunk_size=7)):
        with HttpServer("127.0.0.1", answer, delivery="coalesce", after="keep",
                        timeout=10 * programs.factor) as server:
            run = programs.run("httpget", "-t", T, server.url("/"))
            expect_body(run, BODY, hint="the bytes after the empty line that ends the head are the "
                        "start of the body: read the body through the same buffer (reader_read)")


def test_short_sends(programs):
    """Every send() moves at most one byte (the fault library): the whole request must go out."""
    faults = Faults(max_io=1, ops=("send", "write", "sendto"))
    with HttpServer("127.0.0.1", Response(body=BODY), after="keep", timeout=10 * programs.factor) as server:
        run = programs.run("httpget", "-t", T, server.url("/a/longer/path?x=1"), faults=faults)
        if not server.connections and run.returncode != 0:
            run.expect_exit(0)  # it did not connect: its exit status and message tell why
        got = server.request()
        if not got.endswith(b"\r\n\r\n"):
            raise Failure(run.did, "the whole request, up to its empty line",
                          f"the server received {len(got)} byte(s): {show(got)}",
                          "send() may send fewer bytes than asked: loop until all are sent (send_all)")
        expect_body(run, BODY)
    if not faults.altered().get("short"):
        raise Failure(run.did, "sends cut short by the fault library",
                      "no send was altered: send the request with send() or write()")


def test_short_reads(programs):
    """Every recv() returns at most one byte (the fault library)."""
    faults = Faults(max_io=1, ops=("recv", "read", "recvfrom"))
    answer = Response(body=BODY, framing="chunked", chunk_sizes=[5, 20])
    with HttpServer("127.0.0.1", answer, after="keep", timeout=10 * programs.factor) as server:
        run = programs.run("httpget", "-t", T, server.url("/"), faults=faults)
        expect_body(run, BODY, hint="a recv() may return a single byte: buffer until the line or the "
                    "chunk is complete")
    if not faults.altered().get("short"):
        raise Failure(run.did, "reads cut short by the fault library",
                      "no read was altered: read the socket with recv() or read()")


def test_interrupted_calls(programs):
    """Every other send() and recv() fails with EINTR, as when a signal arrives: call it again."""
    faults = Faults(max_io=4, eintr_every=2, ops=("send", "recv", "read", "write", "sendto", "recvfrom"))
    answer = Response(body=BODY, framing="chunked", chunk_sizes=[10, 30])
    with HttpServer("127.0.0.1", answer, after="keep", timeout=10 * programs.factor) as server:
        run = programs.run("httpget", "-t", T, server.url("/"), faults=faults)
        expect_body(run, BODY, hint="a call that fails with EINTR did nothing: call it again "
                    "(send, recv, and poll too)")
    if not faults.altered().get("eintr"):
        raise Failure(run.did, "calls interrupted by the fault library", "no call was interrupted")


def test_interrupted_connect(programs):
    """connect() fails with EINTR; the handshake goes on in the background, as after a signal."""
    faults = Faults(eintr_every=1, ops=("connect",))
    with HttpServer("127.0.0.1", Response(body=BODY), after="keep", timeout=10 * programs.factor) as server:
        run = programs.run("httpget", "-t", T, server.url("/"), faults=faults)
        expect_body(run, BODY, hint="after EINTR the connection is still being made: wait for it "
                    "as after EINPROGRESS (poll for POLLOUT, then SO_ERROR); a second connect() "
                    "would fail with EALREADY or EISCONN")
    if not faults.altered().get("eintr"):
        raise Failure(run.did, "a connect() interrupted by the fault library",
                      "connect() was not called, or not interrupted")


def test_read_timeout(programs):
    """The server accepts and reads the request, and never answers."""
    with HttpServer("127.0.0.1", Response(body=BODY), delivery="silent",
                    timeout=20 * programs.factor) as server:
        run = programs.run("httpget", "-t", "0.5", server.url("/"), timeout=5)
        run.expect_failure(code=5, hint="with -t 0.5, give up when nothing arrives for half a "
                           "second: poll() with a timeout before each recv()")
        run.expect_error_line(
            "httpget", f"^httpget: reading from 127\\.0\\.0\\.1 port {server.port}: Connection timed out$",
            hint="strerror(ETIMEDOUT) is \"Connection timed out\"")
        conn = server.wait_for_connections(1)[0]
        if not conn.done.wait(5 * programs.factor) or not conn.closed_by_peer:
            raise Failure(run.did, "the client closes the connection when it gives up",
                          "the server never saw the connection close")


def test_connect_timeout(programs):
    """Nothing answers the SYN: connect() would wait for minutes without a time limit."""
    with BlackHole("127.0.0.1", timeout=10 * programs.factor) as hole:
        run = programs.run("httpget", "-t", "0.5", f"http://127.0.0.1:{hole.port}/", timeout=5)
        run.expect_failure(code=5, hint="connect in non-blocking mode, then poll() for POLLOUT with "
                           "the timeout; still nothing: ETIMEDOUT")
        run.expect_error_line(
            "httpget", f"^httpget: connect to 127\\.0\\.0\\.1 port {hole.port}: Connection timed out$")


def test_timeout_then_next_address(programs, net):
    """The first address of the name does not answer; the second one works."""
    host = net.name("dual")
    first, second = addresses(host)[:2]
    with same_port(lambda p: BlackHole(first, p, timeout=10 * programs.factor),
                   lambda p: HttpServer(second, Response(body=BODY), after="keep", port=p,
                                        timeout=20 * programs.factor)) as (_, server):
        run = programs.run("httpget", "-t", "2", f"http://{host}:{server.port}/", timeout=10)
        expect_body(run, BODY, hint=f"{host} is {first}, then {second}: when the first does not "
                    "connect within the timeout, close it and try the next")


def test_closed_mid_body(programs):
    body = bytes(range(256)) * 4
    for answer in (Response(body=body), Response(body=body, framing="chunked", chunk_size=300)):
        cut = len(answer.head()) + 400
        with HttpServer("127.0.0.1", answer, cut=cut, timeout=10 * programs.factor) as server:
            run = programs.run("httpget", "-t", T, server.url("/"))
            expect_protocol_error(run, server, hint="the server closed before the end of the body: "
                                  "recv() returned 0 early; that is an error, exit 6")
            if not body.startswith(run.stdout):
                raise Failure(run.did, "on stdout, at most the part of the body that arrived",
                              f"{len(run.stdout)} bytes {show(run.stdout, 80)}",
                              "copy body bytes only; chunk size lines are not part of the body")


MALFORMED_STATUS = [
    b"HTTP/1.1 2OO OK\r\n\r\n",
    b"HTTP/1.1 20 OK\r\nContent-Length: 0\r\n\r\n",
    b"ICY 200 OK\r\n\r\n",
    b"HTTP/2 200\r\n\r\n",
    b"\x00\xff\xfe garbage\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n",  # and then the server closes: no empty line
    b"",  # the server closes without a byte
]


def test_malformed_status(programs):
    for answer in MALFORMED_STATUS:
        with HttpServer("127.0.0.1", answer, timeout=10 * programs.factor) as server:
            run = programs.run("httpget", "-t", T, server.url("/"))
            expect_protocol_error(run, server, answer)


MALFORMED_HEADERS = [
    b"HTTP/1.1 200 OK\r\nno colon here\r\n\r\nbody",
    b"HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\nbody",
    b"HTTP/1.1 200 OK\r\nContent-Length: -5\r\n\r\nbody",
    b"HTTP/1.1 200 OK\r\nContent-Length: 12abc\r\n\r\nbody",
    b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\nContent-Length: 5\r\n\r\nbody",
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nbody",
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nbody\r\n0\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nbody\r\n0\r\n\r\n",
]


def test_malformed_headers(programs):
    for answer in MALFORMED_HEADERS:
        with HttpServer("127.0.0.1", answer, timeout=10 * programs.factor) as server:
            run = programs.run("httpget", "-t", T, server.url("/"))
            expect_protocol_error(run, server, answer)


def test_header_variants(programs):
    """All legal: names in any case, no space after the colon, tabs, bare \\n line endings."""
    answer = (b"HTTP/1.1 200 OK\n"
              b"content-length:12\n"
              b"X-Tabs:\t value with tabs \t\r\n"
              b"SERVER: netlab \r\n"
              b"\n"
              b"hello world\n")
    with HttpServer("127.0.0.1", answer, after="keep", timeout=10 * programs.factor) as server:
        run = programs.run("httpget", "-t", T, server.url("/"))
        expect_body(run, b"hello world\n", hint="header names are case-insensitive; the value starts "
                    "after the colon and any spaces or tabs; a line may end in \\n alone")


def test_binary_body(programs):
    rng = random.Random(3)
    body = rng.randbytes(70000)
    body = body[:1000] + b"\x00\r\n0\r\n\r\nHTTP/1.1 200 OK\r\n\x00\x00" + body[1000:]
    for answer in (Response(body=body), Response(body=body, framing="chunked",
                                                 chunk_sizes=[1, 0x1a, 4096, 0x10000])):
        with HttpServer("127.0.0.1", answer, after="keep", timeout=10 * programs.factor) as server:
            run = programs.run("httpget", "-t", T, server.url("/random.bin"))
            run.expect_exit(0)
            if run.stdout != body:
                raise Failure(run.did, f"stdout: the {len(body)} bytes of the body, exactly",
                              f"{len(run.stdout)} bytes; {first_difference(body, run.stdout)}",
                              "the body may hold any byte, '\\0' included: fwrite() the bytes, "
                              "never printf(\"%s\") or fputs()")
            if run.stderr:
                raise Failure(run.did, "nothing on stderr", f"stderr {show(run.stderr)}")
