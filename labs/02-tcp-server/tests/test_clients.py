"""Black-box tests of how the server copes with many clients and with awkward ones: lines that
arrive in pieces or several at once, over-long lines, idle clients, slow readers, resets, clients
that leave in the middle of a reply, megabytes of binary data (sections 4.1 and 4.5)."""
import random
import threading

from lineclient import MAX_LINE, Client, chargen, digest, wait_no_children
from netlab import procinfo
from netlab.feedback import Failure, show
from netlab.shim import Faults

CONCURRENT = 120  # clients connected at the same time (the server may serve up to 128)
CONCURRENT_VALGRIND = 40  # under valgrind, where every child is a valgrind process of its own


def test_line_in_many_writes(server):
    """Each byte arrives on its own: the server reads it before the next one is sent."""
    with Client(server) as c:
        request = b"ECHO split across writes\n"
        for i in range(len(request)):
            c.send(request[i:i + 1])
            c.wait_server_read_all(f" one byte at a time (byte {i} sent last)")
        c.expect(b"split across writes\n", "recv() returns whatever has arrived, here one byte: keep "
                 "the bytes until the '\\n' comes (linebuf, section 3.6)")
        c.send(b"ECHO first\nECHO sec")
        c.expect(b"first\n")
        c.wait_server_read_all()
        c.ask(b"ond\n", b"second\n", "the start of a line that came with the previous one must be "
              "kept for the next read")


def test_lines_in_one_write(server):
    rng = random.Random(7)
    requests, replies = [], []
    with Client(server) as c:
        for i in range(250):
            kind = rng.choice(["ping", "echo", "who", "chargen"])
            if kind == "ping":
                requests.append(b"PING\n")
                replies.append(b"PONG\n")
            elif kind == "echo":
                data = f"line {i} {'x' * rng.randrange(50)}".encode()
                requests.append(b"ECHO " + data + b"\n")
                replies.append(data + b"\n")
            elif kind == "who":
                requests.append(b"WHO\n")
                replies.append(f"YOU {c.me}\n".encode())
            else:
                requests.append(b"CHARGEN 2\n")
                replies.append(chargen(2))
        c.ask(b"".join(requests), b"".join(replies), "one recv() may hold many lines: answer every "
              "complete line in the buffer before reading again, in order (section 3.6)")


def test_overlong_line(server):
    hint_max = f"a line of {MAX_LINE} bytes (before its '\\n') is the longest allowed, and it is accepted"
    with Client(server) as c:
        data = b"a" * (MAX_LINE - len(b"ECHO "))
        c.send(b"ECHO " + data)
        c.wait_server_read_all(" (no '\\n' yet)")
        c.ask(b"\n", data + b"\n", hint_max)
        c.ask(b"ECHO " + data + b"\n", data + b"\n", hint_max)
        c.ask(b"ECHO " + data + b"b\nPING\n", b"ERR line too long\nPONG\n",
              f"a line of {MAX_LINE + 1} bytes is too long: reply ERR line too long, drop the "
              "line, and answer the next one (section 4.1)")
        c.send(b"ECHO " + b"c" * 3000)
        c.expect(b"ERR line too long\n", "the error is due as soon as more than MAX_LINE bytes arrived "
                 "without a '\\n', before the line ends: a server must not buffer without a limit")
        c.send(b"c" * 2_000_000)
        c.ask(b"\nPING\n", b"PONG\n", "the rest of an over-long line, up to and including its '\\n', "
              "is dropped without a second error")
        c.ask(b"\n" * 3 + b"PING\n", b"ERR unknown command\n" * 3 + b"PONG\n",
              "after the over-long line, every line counts again")


def test_idle_client(server):
    """Clients that say nothing, or half a line, must not keep the server from the others."""
    with Client(server) as silent, Client(server, "127.0.0.1") as half:
        half.send(b"ECHO half")
        half.wait_server_read_all()
        with Client(server) as other:
            other.ask(b"PING\n", b"PONG\n", "the server must serve every client at the same time: "
                      "fork() a process for each connection (section 3.4)")
        silent.ask(b"PING\n", b"PONG\n")
        half.ask(b" a line\n", b"half a line\n")


def test_many_clients(server):
    n = CONCURRENT if server.factor < 10 else CONCURRENT_VALGRIND
    clients = []
    try:
        for i in range(n):
            clients.append(Client(server, "::1" if i % 2 else "127.0.0.1"))
        for i, c in enumerate(clients):
            c.send(f"ECHO client {i}\nWHO\n".encode())
        for i, c in enumerate(clients):
            c.expect(f"client {i}\nYOU {c.me}\n".encode(),
                     f"{n} clients are connected at once, and each is answered "
                     "(one process per connection, listen() backlog SOMAXCONN)")
    finally:
        for c in clients:
            c.close()
    with Client(server) as c:
        c.ask(b"PING\n", b"PONG\n")


def test_echo_megabytes(server):
    """4 MiB of random bytes as ECHO lines, sent while the replies are read; compared by hash."""
    rng = random.Random(42)
    payload = bytes(rng.getrandbits(8) for _ in range(1 << 16)).replace(b"\n", b"\x0b") * 64
    requests, replies, offset = [], [], 0
    while offset < len(payload):
        n = rng.randrange(MAX_LINE - len(b"ECHO ") + 1)
        piece = payload[offset:offset + n]
        requests.append(b"ECHO " + piece + b"\n")
        replies.append(piece + b"\n")
        offset += n
    stream, want = b"".join(requests), b"".join(replies)
    with Client(server) as c:
        failed = []

        def writer():
            try:
                c.sock.sendall(stream)
            except OSError as exc:
                failed.append(exc)

        # The replies come back while the requests still go out: both directions at once.
        thread = threading.Thread(target=writer, daemon=True)
        thread.start()
        got = bytearray()
        while len(got) < len(want):
            try:
                chunk = c.sock.recv(1 << 20)
            except OSError as exc:
                chunk = b""
                failed.append(exc)
            if not chunk:
                break
            got += chunk
        thread.join(c.timeout)
        if bytes(got) != want:
            at = next((i for i, (a, b) in enumerate(zip(want, got)) if a != b), min(len(got), len(want)))
            raise Failure(f"connected to {c.where} and sent {len(requests)} ECHO requests "
                          f"({len(stream)} bytes, random binary data, no '\\n' in it) while reading "
                          "the replies", f"{len(want)} bytes with SHA-256 {digest(want)}...",
                          f"{len(got)} bytes with SHA-256 {digest(bytes(got))}...; the first "
                          f"difference is at byte {at}: expected {show(want[at:at + 30])}, got "
                          f"{show(bytes(got[at:at + 30]))}" + (f"; then {failed[0]}" if failed else ""),
                          "lines may hold any byte but '\\n'; keep lengths, not C strings, and send "
                          "every byte (send_all)")


def _the_child(server, what):
    kids = procinfo.wait_until(lambda: [k for k in procinfo.children(server.pid) if not k.zombie],
                               5 * server.factor)
    if len(kids) != 1:
        raise Failure(what, "one child process serving the connection",
                      f"{len(kids)} child processes", "fork() one process per connection (section 3.4)")
    return kids[0]


def test_slow_reader(server):
    """A client that asks for 73 MB and does not read: its process waits, the others are served,
    and every byte arrives once the client reads."""
    n = 1_000_000
    with Client(server) as slow:
        slow.send(f"CHARGEN {n}\n".encode())
        child = _the_child(server, slow.did())

        def blocked():
            side = slow.server_side()
            return side is not None and side.tx_queue > 0 and procinfo.state(child.pid) == "S"
        if not procinfo.wait_until(blocked, 5 * server.factor):
            raise Failure(slow.did(" and read nothing"), "the child process to wait in send() for the "
                          "client to read (state S, sleeping)",
                          f"state {procinfo.state(child.pid)}", "use blocking sockets: send() then "
                          "waits until there is room, without using the CPU")
        cpu = procinfo.cpu_during([child.pid], 0.5)[child.pid]
        if cpu > 0.15:
            raise Failure(slow.did(" and read nothing"), "the child to wait without using the CPU",
                          f"it used {cpu:.2f} s of CPU in 0.5 s", "do not retry send() in a loop "
                          "when it cannot go on: let it block")
        with Client(server, "127.0.0.1") as other:
            other.ask(b"PING\n", b"PONG\n", "a client that does not read must not hold up the others")
        want = chargen(n)
        got = slow.read(len(want))
        if got != want:
            at = next(i for i, (a, b) in enumerate(zip(want, got)) if a != b)
            raise Failure(slow.did(", then read"), f"{len(want)} bytes with SHA-256 {digest(want)}...",
                          f"SHA-256 {digest(got)}...; first difference at byte {at}",
                          "a full socket buffer is no reason to drop data: send_all waits and goes on")
        slow.ask(b"PING\n", b"PONG\n")


def test_reset(server):
    """Clients that reset their connection (RST, not an orderly close) at various moments."""
    a = Client(server)
    a.send(b"ECHO half a line")
    a.wait_server_read_all()
    a.reset()
    Client(server, "127.0.0.1").reset()
    b = Client(server)
    b.send(b"CHARGEN 1000000\n")
    b.read(65536)
    b.reset()
    with Client(server) as c:
        c.ask(b"PING\n", b"PONG\n", "a reset connection is one client's problem: the server serves "
              "the others")
    wait_no_children(server, "three clients reset their connections (SO_LINGER 0), a fourth one "
                     "closed normally", hint="recv() fails with ECONNRESET, send() with ECONNRESET "
                     "or EPIPE: each ends that conversation, and its process exits (section 4.5)")


def test_leave_mid_reply(server):
    """A client asks for 73 MB, ends its half of the connection, reads 64 KB and leaves: a later
    send() fails with EPIPE, which by default is the signal SIGPIPE and kills the process."""
    with Client(server) as c:
        c.send(b"CHARGEN 1000000\n")
        c.shutdown_write()
        c.read(65536)
    with Client(server, "127.0.0.1") as c:
        c.ask(b"PING\n", b"PONG\n", "a client that leaves mid-reply is one client's problem")
    wait_no_children(server, "a client asked for CHARGEN 1000000, half-closed, read 64 KB and closed",
                     hint="send() to a client that left fails with EPIPE (SIGPIPE ignored) or "
                     "ECONNRESET: end that conversation (section 3.5)")


def test_short_and_interrupted_io(programs):
    """The server's recv() and send() move at most 5 bytes per call, and every third call fails
    with EINTR (the kit's fault library): a server that sends once and hopes, or gives up on
    EINTR, loses bytes here every time."""
    faults = Faults(max_io=5, eintr_every=3, ops=("send", "recv", "read", "write"))
    server = programs.start("lineserver", "-p", "0", faults=faults)
    data = bytes(range(1, 256)).replace(b"\n", b"\x0b") * 3
    with Client(server) as c:
        c.ask(b"ECHO " + data + b"\n", data + b"\n", "send() may send fewer bytes than asked: loop "
              "until all are sent; recv() and send() may fail with EINTR: call them again (4.5)")
        c.ask(b"CHARGEN 40\n", chargen(40), "every byte of a long reply, however many send() calls it takes")
        c.ask(b"PING\n", b"PONG\n")
    altered = faults.altered()
    if not altered.get("short") or not altered.get("eintr"):
        raise Failure("served a client with the fault library preloaded", "short and interrupted calls",
                      f"the library altered {altered or 'nothing'}: use recv() and send() (or read() "
                      "and write()) on the connection")
