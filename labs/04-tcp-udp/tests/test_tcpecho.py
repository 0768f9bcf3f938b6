"""Black-box tests of tcpecho: length-prefixed messages come back whole, however the stream cuts
them (in pieces, several in one segment, 8 MiB at once), each echo in one write; a bad length
ends that connection only; SIGTERM stops the server cleanly."""
import re
import select
import signal
import socket

from netlab.feedback import Failure, show
from netlab.procnet import wait_until_read
from netlab.relay import Relay
from netlab.shim import Faults

from lab04 import message, probe, recv_exact


def connect(server, host: str, factor: float) -> socket.socket:
    sock = socket.create_connection((host, server.port), timeout=5 * factor)
    sock.settimeout(5 * factor)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def expect_echo(sock: socket.socket, msg: bytes, did: str, hint: str = "") -> None:
    try:
        back = recv_exact(sock, len(msg))
    except socket.timeout:
        back = "timeout"
    if back != msg:
        got = "the connection closed" if back is None else (
            "nothing within the timeout" if back == "timeout" else f"{show(back, 80)}")
        raise Failure(did, f"the {len(msg)}-byte message back: {show(msg, 60)}", got, hint)


def test_echo_ipv6_and_ipv4(programs):
    server = programs.start("tcpecho", "-p", "0")
    for host in ("::1", "127.0.0.1"):
        with connect(server, host, programs.factor) as sock:
            for size in (64, 0, 1, 1000):
                msg = size.to_bytes(4, "big") + (probe(size, 1, size) if size >= 8 else b"z" * size)
                sock.sendall(msg)
                expect_echo(sock, msg, f"sent a message of {size} bytes to tcpecho at {host}",
                            "one listening socket for both families: AF_INET6, IPV6_V6ONLY off")


def test_large_message(programs):
    server = programs.start("tcpecho", "-p", "0")
    size = 8 * 1024 * 1024  # more than a socket's receive buffer: it takes many recv() calls
    msg = size.to_bytes(4, "big") + bytes(range(256)) * (size // 256)
    with connect(server, "::1", programs.factor) as sock:
        sock.sendall(msg)
        expect_echo(sock, msg, "sent one 8 MiB message", "read until the whole message is there: "
                    "recv() returns what has arrived so far, not a message")


def test_message_in_pieces(programs):
    """Each piece is sent only once tcpecho has read the previous one, so every recv() it makes
    returns part of a message."""
    server = programs.start("tcpecho", "-p", "0")
    msg = message(7, 100)
    pieces = [msg[:2], msg[2:4], msg[4:5], msg[5:60], msg[60:]]
    with connect(server, "::1", programs.factor) as sock:
        client_port = sock.getsockname()[1]
        for i, piece in enumerate(pieces):
            sock.sendall(piece)
            if i + 1 < len(pieces) and not wait_until_read(server.port, client_port, 10 * programs.factor):
                raise Failure("sent a message in 5 pieces", "tcpecho reads each piece",
                              "it did not read the data sent within 10 s")
            if i + 1 < len(pieces):
                readable, _, _ = select.select([sock], [], [], 0)
                early = sock.recv(200) if readable else b""
                if early:
                    raise Failure(f"sent the first {sum(map(len, pieces[:i + 1]))} bytes of a "
                                  f"{len(msg)}-byte message", "no echo before the message is whole",
                                  f"{show(early, 60)}", "collect bytes until 4 + length have arrived")
        expect_echo(sock, msg, "sent a 104-byte message in 5 pieces (2, 2, 1, 55, 44 bytes)",
                    "keep what recv() returned and read more until the message is whole")


def test_several_messages_in_one_segment(programs):
    server = programs.start("tcpecho", "-p", "0")
    msgs = [message(1, 64), message(2, 8), (0).to_bytes(4, "big"), message(3, 300)]
    with connect(server, "::1", programs.factor) as sock:
        sock.sendall(b"".join(msgs))
        for i, m in enumerate(msgs):
            expect_echo(sock, m, f"sent 4 messages in one write; reading echo {i + 1}",
                        "one recv() may return several messages: echo each whole one, keep the rest")


def test_short_reads_and_writes(programs):
    """tcpecho's every recv() and send() moves at most 3 bytes, and every 5th fails with EINTR."""
    faults = Faults(max_io=3, eintr_every=5, ops=("recv", "send", "read", "write"))
    server = programs.start("tcpecho", "-p", "0", faults=faults)
    msgs = [message(1, 64), message(2, 2000), (0).to_bytes(4, "big"), message(3, 9)]
    with connect(server, "::1", programs.factor) as sock:
        sock.sendall(b"".join(msgs))
        for i, m in enumerate(msgs):
            expect_echo(sock, m, f"sent 4 messages; tcpecho's calls move at most 3 bytes; echo {i + 1}",
                        "loop: recv() returns what it has, send() sends what it can; retry EINTR")
    got = faults.altered()
    if not got.get("short") or not got.get("eintr"):
        raise Failure("sent 4 messages to tcpecho", "its socket calls cut short and interrupted by "
                      "the test's fault library", f"altered: {got or 'nothing'}")


def test_reply_in_one_write(programs):
    """Through a relay that records when each byte arrives: header and payload of each echo must
    arrive together. Written separately, Nagle's algorithm holds the payload back until the
    client's delayed acknowledgement of the header, tens of milliseconds later."""
    server = programs.start("tcpecho", "-p", "0")
    with Relay(tcp_to=("::1", server.port)) as relay:
        sock = socket.create_connection(("::1", relay.port), timeout=10 * programs.factor)
        sock.settimeout(10 * programs.factor)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with sock:
            for seq in range(1, 21):
                sock.sendall(message(seq))
                expect_echo(sock, message(seq), f"sent message {seq} of 20 through the relay")
    stalls = []
    echoes = sorted((p for p in relay.snapshot("tcp", "s2c")), key=lambda p: p.offset)
    for seq in range(20):
        start, end = seq * 68, seq * 68 + 67
        first = next(p for p in echoes if p.offset <= start < p.offset + p.size)
        last = next(p for p in echoes if p.offset <= end < p.offset + p.size)
        if (last.t_in - first.t_in) * 1000 >= 15:
            stalls.append(f"echo {seq + 1}: {(last.t_in - first.t_in) * 1000:.1f} ms")
    if len(stalls) > 5:
        raise Failure("sent 20 messages of 64 bytes through a relay, one at a time",
                      "each echo's header and payload arrive together",
                      f"the payload came 15 ms or more after the header {len(stalls)} times: "
                      + ", ".join(stalls[:6]),
                      "write header and payload in one send (section 5.2): two small writes "
                      "meet Nagle's algorithm and the client's delayed acknowledgement")


def test_bad_length_ends_that_connection(programs):
    server = programs.start("tcpecho", "-p", "0")
    with connect(server, "::1", programs.factor) as sock:
        sock.sendall(message(1) + (0xFFFFFFFF).to_bytes(4, "big"))
        expect_echo(sock, message(1), "sent a message, then a header with length 0xffffffff")
        try:
            rest = sock.recv(100)
        except socket.timeout:
            rest = "timeout"
        if rest != b"":
            raise Failure("sent a header with length 0xffffffff (above MESSAGE_MAX)",
                          "tcpecho closes the connection", "nothing within the timeout"
                          if rest == "timeout" else f"{show(rest, 40)}",
                          "a length above MESSAGE_MAX is an error: close that connection")
    with connect(server, "::1", programs.factor) as sock:
        sock.sendall(message(2))
        expect_echo(sock, message(2), "then connected again and sent a message",
                    "one client's error must not stop the server")
    if not re.search(r"tcpecho: .*(too long|Message too long|length)", server.log()):
        raise Failure("sent a header with length 0xffffffff", "a line on stderr about it",
                      f"stderr {show(server.log())}")


def test_clean_shutdown(programs):
    server = programs.start("tcpecho", "-p", "0")
    with connect(server, "127.0.0.1", programs.factor) as sock:
        sock.sendall(message(1, 10))
        expect_echo(sock, message(1, 10), "sent a message")
        sock.sendall(message(2, 20)[:10])  # half a message: tcpecho waits for the rest
        if not wait_until_read(server.port, sock.getsockname()[1], 10 * programs.factor):
            raise Failure("sent half a message", "tcpecho reads it", "it did not within 10 s")
        code = server.stop(signal.SIGTERM)
        out = server.child.finish().stdout.decode(errors="replace")
    did = "sent a message and half of another, then SIGTERM while the connection was open"
    if code != 0:
        raise Failure(did, "exit status 0", "no exit" if code is None else f"exit status {code}",
                      "wait for data with wait_readable(), which returns 0 when a stop is requested")
    if not re.search(r"^connections=1 messages=1 bytes=10 errors=0$", out, re.M):
        raise Failure(did, "the line connections=1 messages=1 bytes=10 errors=0 on stdout",
                      f"stdout {show(out)}", "section 5.2")


def test_usage(programs):
    for args in (["-p", "x"], ["-p", "65536"], ["-q"], ["extra"]):
        run = programs.run("tcpecho", *args)
        run.expect_failure(code=2)
        run.expect_stderr_contains("usage: tcpecho")
