"""Hidden tests of Lab 03: the same contracts as the public tests, on cases a student may not try."""
import re
import socket

from netlab.feedback import Failure, first_difference, show
from netlab.httpd import BlackHole, HttpServer, Response, same_port
from netlab.peers import ClosedPort

BODY = b"Hello from the netlab test server.\nA second line.\n"


def addresses(host):
    return [ai[4][0] for ai in socket.getaddrinfo(host, None, socket.AF_UNSPEC, socket.SOCK_STREAM)]


def expect_body(run, body, hint=""):
    run.expect_exit(0, hint=hint)
    if run.stdout != body:
        raise Failure(run.did, f"stdout: the body, {len(body)} bytes {show(body, 120)}",
                      f"{len(run.stdout)} bytes {show(run.stdout, 120)}\n"
                      f"{first_difference(body, run.stdout)}", hint)


def test_third_of_three(programs, net):
    """The first address does not answer, the second refuses, the third works."""
    host = net.name("multi")
    first, second, third = addresses(host)[:3]
    with same_port(lambda p: BlackHole(first, p, timeout=10 * programs.factor),
                   lambda p: ClosedPort(second, p),
                   lambda p: HttpServer(third, Response(body=BODY), after="keep", port=p,
                                        timeout=20 * programs.factor)) as (_, _, server):
        run = programs.run("httpget", "-t", "2", f"http://{host}:{server.port}/", timeout=10)
        expect_body(run, BODY, hint=f"{host} is {first}, {second}, {third}: a timeout and a refusal, "
                    "then a connection")


def test_chunk_extensions_and_trailers(programs):
    body = bytes(range(256)) * 3
    answer = Response(body=body, framing="chunked", chunk_sizes=[1, 2, 0xAB, 0x100, 0x1F],
                      chunk_ext=';name="a value";flag', upper_hex=True,
                      trailers=[("X-Checksum", "abc"), ("Expires", "0")])
    with HttpServer("127.0.0.1", answer, delivery="coalesce", after="keep",
                    timeout=10 * programs.factor) as server:
        run = programs.run("httpget", "-t", "3", server.url("/"))
        expect_body(run, body, hint="ignore chunk extensions (after ';') and trailer lines; the "
                    "empty line after the trailers ends the message")


def test_interim_and_no_content(programs):
    interim = (b"HTTP/1.1 100 Continue\r\n\r\n"
               b"HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n")
    with HttpServer("127.0.0.1", interim + Response(body=BODY).wire(), delivery="coalesce",
                    after="keep", timeout=10 * programs.factor) as server:
        run = programs.run("httpget", "-t", "3", server.url("/"))
        expect_body(run, BODY, hint="1xx responses are interim: skip each (and its headers) and read "
                    "the next response")
    for status, reason in ((204, "No Content"), (205, "Reset Content")):
        answer = Response(status, reason, framing="none" if status == 204 else "length")
        with HttpServer("127.0.0.1", answer, after="keep", timeout=10 * programs.factor) as server:
            run = programs.run("httpget", "-t", "3", server.url("/"))
            expect_body(run, b"", hint=f"{status} {reason}: no body (204 never has one, even without "
                        "Content-Length); exit 0 without waiting for the connection to close")


def test_limits(programs):
    answers = [
        b"HTTP/1.1 200 OK\r\nX-Long: " + b"v" * 9000 + b"\r\n\r\nbody",
        b"HTTP/1.1 200 OK\r\n" + b"".join(b"X-%d: y\r\n" % i for i in range(150)) + b"\r\nbody",
        b"HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999\r\n\r\nbody",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffff1\r\nbody",
        b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\nX-Nul: a\x00b\r\n\r\nbody",
        b"HTTP/1.1 200 " + b"R" * 9000 + b"\r\nContent-Length: 4\r\n\r\nbody",
    ]
    for answer in answers:
        with HttpServer("127.0.0.1", answer, timeout=10 * programs.factor) as server:
            run = programs.run("httpget", "-t", "3", server.url("/"))
            did = run.did + f"; the server answered {show(answer, 100)}"
            if run.completed.timed_out or run.returncode != 6:
                raise Failure(did, "exit status 6 (protocol error)", run.got(),
                              "lines longer than 8191 bytes, more than 100 header lines, lengths "
                              "that overflow, NUL bytes: protocol errors, never a crash")
            if not re.match(rf"^httpget: 127\.0\.0\.1 port {server.port}: protocol error: .+\n$", run.err):
                raise Failure(did, "one line \"httpget: HOST port PORT: protocol error: WHAT\"",
                              f"stderr {show(run.stderr)}")


def test_reset_mid_body(programs):
    answer = Response(body=bytes(1000))
    with HttpServer("127.0.0.1", answer, cut=len(answer.head()) + 300, after="reset",
                    timeout=10 * programs.factor) as server:
        run = programs.run("httpget", "-t", "3", server.url("/"))
        run.expect_failure(code=1, hint="a reset connection is an I/O error: exit 1").expect_error_line(
            "httpget", f"^httpget: reading from 127\\.0\\.0\\.1 port {server.port}: Connection reset by peer$")


def test_split_line_endings(programs):
    """Every "\\r\\n" of the answer arrives split: "\\r" in one segment, "\\n" in the next, a
    tenth of a second later; the whole answer takes longer than -t, each wait much less."""
    answer = Response(body=BODY, framing="chunked", chunk_sizes=[10, 20],
                      headers=[("Server", "netlab")])
    wire = answer.wire()
    splits = tuple(i + 1 for i in range(len(wire)) if wire[i:i + 2] == b"\r\n")
    assert len(splits) * 0.1 > 1  # more than the client's time limit in all
    with HttpServer("127.0.0.1", answer, delivery="split", splits=splits, pace=0.1, after="keep",
                    timeout=10 * programs.factor) as server:
        run = programs.run("httpget", "-t", "1", server.url("/"))
        expect_body(run, BODY, hint="a line is complete only when its '\\n' has arrived; -t limits "
                    "each wait for bytes, not the whole download")
