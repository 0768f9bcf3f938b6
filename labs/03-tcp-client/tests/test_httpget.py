"""Black-box tests of httpget against a small Python HTTP server (netlab.httpd.HttpServer): the
request it sends, the body it writes, and its exit status and message when something fails.

The server reads the request head, answers, and (unless a test says otherwise) keeps the
connection open until the client closes it: httpget must know from the response's framing when
the body is complete.
"""
import re
import socket

from netlab.feedback import Failure, first_difference, show
from netlab.httpd import HttpServer, Response, same_port
from netlab.peers import ClosedPort

BODY = b"Hello from the netlab test server.\nA second line.\n"
T = "3"  # httpget's timeout (seconds) where the server answers at once: a client that waits for
#          more than the framing says fails in 3 s instead of 10


def request_for(host_header: str, path: str = "/") -> bytes:
    return (f"GET {path} HTTP/1.1\r\nHost: {host_header}\r\nUser-Agent: httpget/1.0\r\n"
            f"Connection: close\r\n\r\n").encode()


def addresses(host):
    return [ai[4][0] for ai in socket.getaddrinfo(host, None, socket.AF_UNSPEC, socket.SOCK_STREAM)]


def expect_request(run, server, want, hint=""):
    if not server.connections and run.returncode != 0:
        run.expect_exit(0)  # it did not connect: its exit status and message tell why
    got = server.request()
    if got != want:
        raise Failure(run.did, f"the request {show(want)}",
                      f"the server received {show(got)}\n{first_difference(want, got)}",
                      hint or "see the request in the handout, 4.2")


def expect_body(run, body: bytes, hint: str = ""):
    """Exit status 0, the body on stdout exactly, nothing on stderr."""
    run.expect_exit(0, hint=hint)
    if run.stdout != body:
        raise Failure(run.did, f"stdout: the body, {len(body)} bytes {show(body, 120)}",
                      f"{len(run.stdout)} bytes {show(run.stdout, 120)}\n"
                      f"{first_difference(body, run.stdout)}", hint)
    if run.stderr:
        raise Failure(run.did, "nothing on stderr after a success", f"stderr {show(run.stderr)}")


def test_get_ipv4(programs):
    with HttpServer("127.0.0.1", Response(body=BODY), after="keep", timeout=10 * programs.factor) as server:
        run = programs.run("httpget", "-t", T, server.url("/hello.txt"))
        expect_request(run, server, request_for(server.address, "/hello.txt"))
        expect_body(run, BODY, hint="copy Content-Length bytes of body to stdout, then stop")


def test_get_ipv6(programs):
    with HttpServer("::1", Response(body=BODY), after="keep", timeout=10 * programs.factor) as server:
        url = f"http://[::1]:{server.port}"  # no path: the request asks for "/"
        run = programs.run("httpget", "-t", T, url)
        expect_request(run, server, request_for(f"[::1]:{server.port}", "/"),
                       hint="an IPv6 address goes in brackets in the Host header, as in the URL")
        expect_body(run, BODY)


def test_chunked(programs):
    body = bytes(range(32, 127)) * 60  # 5700 bytes, in chunks of 0x1a, 0x3e8, 0x1000 and the rest
    answer = Response(body=body, framing="chunked", chunk_sizes=[26, 1000, 4096])
    with HttpServer("127.0.0.1", answer, after="keep", timeout=10 * programs.factor) as server:
        run = programs.run("httpget", "-t", T, server.url("/chunked"))
        expect_body(run, body, hint="chunk sizes are hexadecimal (1a is 26); after each chunk's data "
                    "comes \\r\\n; the chunk of size 0 and an empty line end the body")


def test_until_close(programs):
    answer = Response(body=BODY, framing="close", version="HTTP/1.0")
    with HttpServer("127.0.0.1", answer, after="close", timeout=10 * programs.factor) as server:
        run = programs.run("httpget", "-t", T, server.url("/"))
        expect_body(run, BODY, hint="without Content-Length or chunked framing, the body ends when "
                    "the server closes the connection (recv returns 0)")


def test_stops_after_body(programs):
    """Extra bytes follow the body in the same send, and the connection stays open."""
    answer = Response(body=BODY).wire() + b"THESE BYTES ARE NOT PART OF THE BODY"
    with HttpServer("127.0.0.1", answer, delivery="coalesce", after="keep",
                    timeout=10 * programs.factor) as server:
        run = programs.run("httpget", "-t", T, server.url("/"))
        expect_body(run, BODY, hint="Content-Length says where the body ends: copy that many bytes "
                    "and stop, without waiting for the connection to close")


def test_any_2xx(programs):
    for status, reason in ((201, "Created"), (203, "Non-Authoritative Information"),
                           (299, "Whatever")):
        with HttpServer("127.0.0.1", Response(status, reason, BODY), after="keep",
                        timeout=10 * programs.factor) as server:
            run = programs.run("httpget", "-t", T, server.url("/"))
            expect_body(run, BODY, hint="every status from 200 to 299 is a success")


def test_http_error(programs):
    cases = ((404, "Not Found", b"<h1>no such page</h1>"), (500, "Internal Server Error", b"oops"),
             (301, "Moved Permanently", b""), (404, "", b"empty reason"))
    for status, reason, body in cases:
        answer = Response(status, reason, body, headers=[("Location", "/elsewhere")])
        with HttpServer("127.0.0.1", answer, after="keep", timeout=10 * programs.factor) as server:
            run = programs.run("httpget", "-t", T, server.url("/missing"))
            message = f"HTTP {status} {reason}".rstrip()
            run.expect_failure(code=7, hint="a status that is not 2xx exits 7").expect_error_line(
                "httpget", f"^httpget: 127\\.0\\.0\\.1 port {server.port}: {re.escape(message)}$",
                hint="the status and the reason phrase as the server sent them (handout, 4.6)")
            if run.stdout:
                raise Failure(run.did, "nothing on stdout: the body of an error is not written",
                              f"stdout {show(run.stdout)}")


def test_unresolvable(programs, net):
    host = net.unresolvable
    run = programs.run("httpget", "-t", T, f"http://{host}/")
    run.expect_failure(code=3, hint="a name that does not resolve exits 3").expect_error_line(
        "httpget", f"^httpget: {re.escape(host)}: Name or service not known$",
        hint="getaddrinfo's error codes are explained by gai_strerror(), not by strerror()")


def test_refused(programs):
    with ClosedPort("127.0.0.1") as port:
        run = programs.run("httpget", "-t", T, f"http://127.0.0.1:{port.port}/")
        run.expect_failure(code=4, hint="no address accepts the connection: exit 4").expect_error_line(
            "httpget", f"^httpget: connect to 127\\.0\\.0\\.1 port {port.port}: Connection refused$",
            hint="strerror() of the last connect failure; in non-blocking mode, it is in SO_ERROR")
        if run.stdout:
            raise Failure(run.did, "nothing on stdout", f"stdout {show(run.stdout)}")


def test_tries_every_address(programs, net):
    host = net.name("dual")
    first, second = addresses(host)[:2]
    with same_port(lambda p: ClosedPort(first, p),
                   lambda p: HttpServer(second, Response(body=BODY), after="keep", port=p,
                                        timeout=10 * programs.factor)) as (_, server):
        run = programs.run("httpget", "-t", T, f"http://{host}:{server.port}/")
        expect_body(run, BODY, hint=f"{host} resolves to {first}, then {second}; nothing listens on "
                    f"{first}: close that socket and try the next address")
        expect_request(run, server, request_for(f"{host}:{server.port}"),
                       hint="the Host header names the host of the URL, not the address")


def test_usage(programs):
    for args in ([], ["http://127.0.0.1/", "http://127.0.0.1/"], ["ftp://127.0.0.1/"],
                 ["127.0.0.1"], ["http://127.0.0.1:0/"], ["http://127.0.0.1:99999/"],
                 ["http://127.0.0.1:80x/"], ["http://a b/"], ["http://[::1/"], ["http:///x"],
                 ["-t", "0", "http://127.0.0.1/"], ["-t", "abc", "http://127.0.0.1/"],
                 ["-x", "http://127.0.0.1/"]):
        run = programs.run("httpget", *args)
        run.expect_failure(code=2, hint="a bad command line or URL exits 2, without connecting")
        run.expect_stderr_contains("usage: httpget")
