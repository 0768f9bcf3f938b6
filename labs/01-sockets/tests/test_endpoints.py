"""Black-box tests of endpoints: connect over IPv4 and IPv6, try every address, report both ends.

A small Python server (netlab.peers.TcpServer) accepts the connection, records the address it sees
for the client, sends one line and keeps the connection open until the client closes it.
"""
import re
import socket

from netlab.feedback import Failure
from netlab.peers import ClosedPort, TcpServer, drain
from netlab.shim import Faults

GREETING = b"hello from the netlab test server\n"


def addresses(host):
    return [ai[4][0] for ai in socket.getaddrinfo(host, None, socket.AF_UNSPEC, socket.SOCK_STREAM)]


def expect_conversation(programs, server, host):
    """Run endpoints against server via host; check its three lines against what the server saw."""
    run = programs.run("endpoints", host, server.port)
    run.expect_exit(0)
    conns = server.wait_for_connections(1, timeout=5 * programs.factor)
    if not conns:
        raise Failure(run.did, f"a connection to {server.address}", "the test server saw none")
    want = (f"local {conns[0].peer_text}\nremote {server.address}\n"
            f"server: {GREETING.decode().rstrip()}\n")
    run.expect_stdout(want, hint="local: getsockname(); remote: getpeername(); both printed with "
                      "format_sockaddr(); then the server's first line")
    if not conns[0].done.wait(5 * programs.factor) or not conns[0].closed_by_peer:
        raise Failure(run.did, "the client closes its connection before it exits",
                      "the server never saw the connection close")
    return run


def test_connect_ipv4(programs):
    with TcpServer("127.0.0.1", GREETING, timeout=10 * programs.factor) as server:
        expect_conversation(programs, server, "127.0.0.1")


def test_connect_ipv6(programs):
    with TcpServer("::1", GREETING, timeout=10 * programs.factor) as server:
        expect_conversation(programs, server, "::1")


def test_tries_every_address(programs, net):
    host = net.name("dual")
    last = addresses(host)[-1]  # listen only on the address getaddrinfo lists last
    with TcpServer(last, GREETING, timeout=10 * programs.factor) as server:
        run = programs.run("endpoints", host, server.port)
        run.expect_exit(0, hint=f"{host} resolves to {', '.join(addresses(host))}: when connect() "
                        "to one fails, close that socket and try the next")
        if f"remote {server.address}\n" not in run.out:
            raise Failure(run.did, f"a line \"remote {server.address}\"", f"stdout {run.out!r}")


def test_stops_at_end_of_line(programs):
    """The server sends a second line and keeps the connection open: the client must not wait."""
    def two_lines(conn, acc):
        conn.sendall(GREETING + b"a second line, not to be printed\n")
        drain(conn, acc)

    with TcpServer("127.0.0.1", handler=two_lines, timeout=10 * programs.factor) as server:
        run = programs.run("endpoints", "127.0.0.1", server.port, timeout=5)
        run.expect_exit(0, hint="read up to the first '\\n' only; the server does not close first")
        if "second line" in run.out or not run.out.endswith(f"server: {GREETING.decode()}"):
            raise Failure(run.did, f"the last line \"server: {GREETING.decode().rstrip()}\"",
                          f"stdout {run.out!r}")


def test_interrupted_reads(programs):
    """Every other recv() fails with EINTR, as when a signal arrives: retry, do not give up."""
    faults = Faults(eintr_every=2, ops=("recv", "read", "recvfrom"))
    with TcpServer("127.0.0.1", GREETING, timeout=10 * programs.factor) as server:
        run = programs.run("endpoints", "127.0.0.1", server.port, faults=faults)
        run.expect_exit(0, hint="recv() failing with EINTR read nothing: call it again")
        if not run.out.endswith(f"server: {GREETING.decode()}"):
            raise Failure(run.did, f"the last line \"server: {GREETING.decode().rstrip()}\"", f"stdout {run.out!r}")
    if not faults.altered().get("eintr"):
        raise Failure(run.did, "reads interrupted by the test's fault library",
                      "no read was interrupted: read the greeting with recv() or read()")


def test_refused(programs):
    with ClosedPort("127.0.0.1") as port:
        run = programs.run("endpoints", "127.0.0.1", port.port)
        run.expect_failure(code=1).expect_error_line(
            "endpoints", f"^endpoints: connect to 127\\.0\\.0\\.1 port {port.port}: Connection refused$",
            hint="strerror(errno) of the last connect() that failed")
        if run.stdout:
            raise Failure(run.did, "nothing on stdout", f"stdout {run.out!r}")


def test_unresolvable(programs, net):
    host = net.unresolvable
    run = programs.run("endpoints", host, "80")
    run.expect_failure(code=1).expect_error_line(
        "endpoints", f"^endpoints: {re.escape(host)}: Name or service not known$",
        hint="getaddrinfo's error codes are explained by gai_strerror(), not by perror()")


def test_closed_before_line(programs):
    def partial(conn, acc):
        conn.sendall(b"no newline here")

    with TcpServer("127.0.0.1", handler=partial, timeout=10 * programs.factor) as server:
        run = programs.run("endpoints", "127.0.0.1", server.port)
        run.expect_failure(code=1, hint="recv() returning 0 means the server closed: report it, "
                           "do not print a partial line")
        run.expect_error_line("endpoints", "^endpoints: ")
        if "server:" in run.out:
            raise Failure(run.did, "no \"server:\" line", f"stdout {run.out!r}")


def test_usage(programs):
    for args in ([], ["127.0.0.1"], ["127.0.0.1", "http"], ["127.0.0.1", "70000"],
                 ["127.0.0.1", "0"], ["127.0.0.1", "80", "extra"]):
        run = programs.run("endpoints", *args)
        run.expect_failure(code=2, hint="PORT is a number from 1 to 65535; a usage error exits 2")
        run.expect_stderr_contains("usage: endpoints")
