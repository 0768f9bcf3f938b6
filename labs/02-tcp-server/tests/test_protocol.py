"""Black-box tests of the line protocol over real TCP connections, over IPv6 and IPv4, and with
real clients from Debian (nc, socat). The protocol is in section 4.1 of the handout."""
import random
import re
import subprocess

from lineclient import Client, chargen, chargen_line, digest
from netlab.feedback import Failure, show


def test_ping_ipv6(server):
    with Client(server, "::1") as c:
        c.ask(b"PING\n", b"PONG\n", hint="an IPv6 client needs an IPv6 listening socket: take the "
              "IPv6 address (::) that getaddrinfo lists, not simply the first one (section 3.2)")


def test_ping_ipv4(server):
    with Client(server, "127.0.0.1") as c:
        c.ask(b"PING\n", b"PONG\n", hint="a dual-stack IPv6 socket serves IPv4 clients too, but only "
              "with IPV6_V6ONLY off (section 3.2)")


def test_echo_binary(server):
    """Every byte but '\\n' is data, NUL and '\\r' included; empty data is allowed."""
    every_byte = bytes(b for b in range(256) if b != 0x0A)
    with Client(server) as c:
        hint = ("a line is bytes, not a C string: strlen() and printf(\"%s\") stop at the first NUL; "
                "keep the length that linebuf_next() gives and use memcpy()/send() (section 4.1)")
        c.ask(b"ECHO " + every_byte + b"\n", every_byte + b"\n", hint)
        c.ask(b"ECHO a\x00b\x00\n", b"a\x00b\x00\n", hint)
        c.ask(b"ECHO \r\n", b"\r\n", "'\\r' is data like any other byte")
        c.ask(b"ECHO  two  spaces \n", b" two  spaces \n", "the data is everything after the first space")
        c.ask(b"ECHO \n", b"\n", "ECHO with empty data replies an empty line")
        c.ask(b"ECHO\n", b"\n", "ECHO alone replies an empty line")


def test_who(server):
    hint = ("the client's address comes from accept() (or getpeername()); an IPv4 client on a "
            "dual-stack socket arrives as ::ffff:127.0.0.1, which WHO shows as 127.0.0.1 "
            "(format_peer, section 4.3); the port is in network byte order")
    for host in ("::1", "127.0.0.1"):
        with Client(server, host) as c:
            c.ask(b"WHO\n", f"YOU {c.me}\n".encode(), hint)


def test_quit(server):
    with Client(server) as c:
        c.ask(b"PING\n", b"PONG\n")
        c.send(b"QUIT\nPING\n")
        c.expect(b"BYE\n", "QUIT replies BYE")
        c.expect_closed("after BYE the server closes the connection, and answers nothing that "
                        "followed QUIT (section 4.1)")
    with Client(server) as c:
        c.ask(b"PING\n", b"PONG\n", "after one client quit, the server serves the next")


def test_chargen_megabytes(server):
    """CHARGEN's pattern, from one line to 7 MB, compared by hash."""
    with Client(server) as c:
        c.ask(b"CHARGEN 1\n", chargen_line(0), "line 0 starts with '!' (section 4.1)")
        c.ask(b"CHARGEN 0\nPING\n", b"PONG\n", "CHARGEN 0 replies nothing at all")
        c.ask(b"CHARGEN 95\n", chargen(95), "94 different lines, then the pattern starts over")
        n = 100_000
        want = chargen(n)
        c.send(f"CHARGEN {n}\n".encode())
        got = c.read(len(want))
        if got != want:
            at = next(i for i, (a, b) in enumerate(zip(want, got)) if a != b)
            raise Failure(c.did(), f"{len(want)} bytes with SHA-256 {digest(want)}...",
                          f"SHA-256 {digest(got)}...; the first difference is at byte {at} (line "
                          f"{at // 73}): expected {show(want[at:at + 40])}, got {show(got[at:at + 40])}",
                          "send every byte of every line: send() may send fewer bytes than asked "
                          "(send_all, section 4.3)")
        c.ask(b"PING\n", b"PONG\n", "nothing may follow the last CHARGEN line")


def test_errors(server):
    cases = [
        (b"HELLO", b"ERR unknown command\n"),
        (b"ping", b"ERR unknown command\n"),
        (b"", b"ERR unknown command\n"),
        (b" PING", b"ERR unknown command\n"),
        (b"PING\r", b"ERR unknown command\n"),
        (b"PING x", b"ERR bad argument\n"),
        (b"PING ", b"ERR bad argument\n"),
        (b"WHO am-i", b"ERR bad argument\n"),
        (b"QUIT now", b"ERR bad argument\n"),
        (b"CHARGEN", b"ERR bad argument\n"),
        (b"CHARGEN ", b"ERR bad argument\n"),
        (b"CHARGEN x", b"ERR bad argument\n"),
        (b"CHARGEN -1", b"ERR bad argument\n"),
        (b"CHARGEN +1", b"ERR bad argument\n"),
        (b"CHARGEN 1 2", b"ERR bad argument\n"),
        (b"CHARGEN 1000001", b"ERR bad argument\n"),
        (b"CHARGEN 99999999999999999999", b"ERR bad argument\n"),
    ]
    with Client(server) as c:
        for request, reply in cases:
            c.ask(request + b"\n", reply, "the replies to bad requests are in section 4.1")
        c.ask(b"CHARGEN 0001\n", chargen_line(0), "leading zeros are digits too")
        c.ask(b"PING\n", b"PONG\n", "a bad request does not end the conversation")


def _run_peer(programs, argv, data: bytes, what: str) -> str:
    try:
        proc = subprocess.run(argv, input=data, capture_output=True, timeout=10 * programs.factor)
    except subprocess.TimeoutExpired:
        raise Failure(f"ran `{' '.join(argv)}` with input {show(data)}", f"{what} to finish",
                      f"it was still running after {10 * programs.factor:g} s",
                      "after the client's end of file, answer what was received, then close: "
                      "recv() returning 0 ends the conversation") from None
    if proc.returncode != 0:
        raise Failure(f"ran `{' '.join(argv)}` with input {show(data)}", "exit status 0",
                      f"exit status {proc.returncode}, stderr {show(proc.stderr)}")
    return proc.stdout


def test_nc_and_socat(programs, server):
    """Real clients: OpenBSD netcat over IPv6, socat over IPv4."""
    argv = ["nc", "-N", "::1", str(server.port)]
    out = _run_peer(programs, argv, b"PING\nECHO hello from nc\nWHO\n", "nc")
    if not re.fullmatch(rb"PONG\nhello from nc\nYOU \[::1\]:\d+\n", out):
        raise Failure(f"ran `{' '.join(argv)}` with input \"PING\\nECHO hello from nc\\nWHO\\n\"",
                      "stdout \"PONG\\nhello from nc\\nYOU [::1]:PORT\\n\"", f"stdout {show(out)}",
                      "nc sends the lines, then ends its half of the connection (-N): answer every "
                      "line received before the end of file")
    argv = ["socat", "-t", str(5 * programs.factor), "-", f"TCP:127.0.0.1:{server.port}"]
    lines = [bytes(random.Random(2).choice(b"abcdefgh \x01\xff") for _ in range(40)) for _ in range(3)]
    data = b"".join(b"ECHO " + line + b"\n" for line in lines) + b"CHARGEN 3\nQUIT\n"
    out = _run_peer(programs, argv, data, "socat")
    want = b"".join(line + b"\n" for line in lines) + chargen(3) + b"BYE\n"
    if out != want:
        raise Failure(f"ran `{' '.join(argv)}` with input {show(data)}", f"stdout {show(want)}",
                      f"stdout {show(out)}")
