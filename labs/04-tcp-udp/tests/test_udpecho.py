"""Black-box tests of udpecho: a Python client sends datagrams and checks that each one comes back
byte for byte, over IPv6 and IPv4, empty or as large as UDP allows, and that a datagram too long
for the server's buffer is reported, never echoed cut short."""
import re
import signal
import socket

from netlab.feedback import Failure, show
from netlab.shim import Faults

from lab04 import probe


def client(host: str, factor: float) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_DGRAM)
    sock.settimeout(5 * factor)
    sock.bind((host, 0))
    return sock


def expect_echo(server, sock: socket.socket, host: str, data: bytes, hint: str = "") -> None:
    did = f"sent a {len(data)}-byte datagram to udpecho at {host} port {server.port}"
    sock.sendto(data, (host, server.port))
    try:
        back, addr = sock.recvfrom(70000)
    except socket.timeout:
        raise Failure(did, "the same datagram back", "nothing within the timeout", hint) from None
    if back != data:
        raise Failure(did, f"the same {len(data)} bytes back", f"{len(back)} bytes: {show(back, 80)}",
                      hint)
    if addr[1] != server.port:
        raise Failure(did, f"the echo from port {server.port}", f"it came from port {addr[1]}")


def stop(server, did: str) -> str:
    """SIGTERM; expect exit 0 and the counts line; return stdout."""
    code = server.stop(signal.SIGTERM)
    out = server.child.finish().stdout.decode(errors="replace")
    if code != 0:
        raise Failure(did, "udpecho exits with status 0 on SIGTERM",
                      "it did not exit" if code is None else f"exit status {code}",
                      "section 4.2: a stop signal ends the loop; then print the counts and free "
                      "everything")
    return out


def counts(out: str, did: str) -> dict:
    m = re.search(r"^echoed=(\d+) bytes=(\d+) truncated=(\d+) errors=(\d+)$", out, re.M)
    if not m:
        raise Failure(did, "the line echoed=N bytes=N truncated=N errors=N on stdout at exit",
                      f"stdout {show(out)}", "section 4.2")
    return dict(zip(("echoed", "bytes", "truncated", "errors"), map(int, m.groups())))


def test_ipv6_and_ipv4(programs):
    server = programs.start("udpecho", "-p", "0")
    for host in ("::1", "127.0.0.1"):
        with client(host, programs.factor) as sock:
            for seq in (1, 2, 3):
                expect_echo(server, sock, host, probe(seq),
                            hint="one socket for both: AF_INET6 with IPV6_V6ONLY off, bound to ::")


def test_sizes(programs):
    server = programs.start("udpecho", "-p", "0")
    with client("::1", programs.factor) as sock:
        for size in (0, 1, 1400, 9000, 65507):
            expect_echo(server, sock, "::1", probe(size, 1, size) if size >= 8 else b"x" * size,
                        hint="an empty datagram is a datagram (recvfrom returns 0: not an end of "
                        "file); the default buffer holds the largest UDP payload")


def test_truncated_not_echoed(programs):
    server = programs.start("udpecho", "-p", "0", "-b", "1000")
    did = "with udpecho -b 1000: sent a 1001-byte datagram, then a 1000-byte one"
    with client("::1", programs.factor) as sock:
        sock.sendto(probe(1, 1, 1001), ("::1", server.port))
        expect_echo(server, sock, "::1", probe(2, 1, 1000),
                    hint="the 1001-byte datagram must not come back cut to 1000 bytes: recvfrom "
                    "with MSG_TRUNC returns its real length")
    out = stop(server, did)
    got = counts(out, did)
    if (got["echoed"], got["truncated"], got["bytes"]) != (1, 1, 1000):
        raise Failure(did, "echoed=1 bytes=1000 truncated=1", f"stdout {show(out)}")
    if "1001" not in server.log():
        raise Failure(did, "a line on stderr about the 1001-byte datagram", f"stderr {show(server.log())}",
                      "section 4.2: say what was not echoed, and why")


def test_interrupted_calls(programs):
    """Every other recvfrom() and sendto() fails with EINTR, as when a signal arrives."""
    faults = Faults(eintr_every=2, ops=("recvfrom", "sendto"))
    server = programs.start("udpecho", "-p", "0", faults=faults)
    with client("::1", programs.factor) as sock:
        for seq in range(1, 6):
            expect_echo(server, sock, "::1", probe(seq),
                        hint="a call that fails with EINTR did nothing: call it again")
    if not faults.altered().get("eintr"):
        raise Failure("sent 5 datagrams to udpecho", "its calls interrupted by the test's fault library",
                      "none was: receive with recvfrom() (recv_datagram) and answer with sendto()")


def test_each_sender_gets_its_echo(programs):
    server = programs.start("udpecho", "-p", "0")
    with client("::1", programs.factor) as a, client("127.0.0.1", programs.factor) as b:
        a.sendto(b"from a", ("::1", server.port))
        b.sendto(b"from b", ("127.0.0.1", server.port))
        for sock, want in ((b, b"from b"), (a, b"from a")):
            try:
                got = sock.recv(100)
            except socket.timeout:
                raise Failure("two clients each sent a datagram", "each gets its own echo",
                              f"the client that sent {want!r} got nothing",
                              "send each echo to the address recvfrom() returned with it") from None
            if got != want:
                raise Failure("two clients each sent a datagram", f"{want!r} back", repr(got))


def test_clean_shutdown(programs):
    server = programs.start("udpecho", "-p", "0")
    with client("127.0.0.1", programs.factor) as sock:
        for size in (10, 20, 0):
            expect_echo(server, sock, "127.0.0.1", b"y" * size)
    did = "sent 3 datagrams (10, 20 and 0 bytes), then SIGTERM"
    got = counts(stop(server, did), did)
    if (got["echoed"], got["bytes"], got["truncated"], got["errors"]) != (3, 30, 0, 0):
        raise Failure(did, "echoed=3 bytes=30 truncated=0 errors=0", str(got))


def test_usage(programs):
    for args in (["-p", "http"], ["-p", "70000"], ["-b", "0"], ["-b", "65537"], ["-x"], ["extra"]):
        run = programs.run("udpecho", *args)
        run.expect_failure(code=2, hint="a usage error exits 2 (section 4.2)")
        run.expect_stderr_contains("usage: udpecho")
