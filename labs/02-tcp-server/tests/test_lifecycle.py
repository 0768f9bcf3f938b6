"""Black-box tests of the server's life: the command line, the readiness line, a port in use, a
restart on the same port at once, a clean stop on SIGTERM and SIGINT (section 4.6)."""
import re
import signal
import socket

from lineclient import Client
from netlab import procinfo
from netlab.feedback import Failure, show


def test_readiness(programs):
    server = programs.start("lineserver", "-p", "0")
    first = server.log().splitlines()[0]
    if not re.fullmatch(r"listening on \[::\]:\d+", first):
        raise Failure("started `lineserver -p 0`", "the first line on stderr \"listening on [::]:PORT\"",
                      f"{show(first)}", "bind the IPv6 wildcard address (::) on a dual-stack socket, "
                      "then print the address that getsockname() gives, with format_sockaddr() "
                      "(sections 3.2 and 4.6)")
    if server.port == 0:
        raise Failure("started `lineserver -p 0`", "the port the kernel picked, not 0",
                      show(first), "read it back with getsockname() after bind()")
    with Client(server) as c:
        c.ask(b"PING\n", b"PONG\n")


def test_usage(programs):
    for args in ([], ["-p"], ["-p", "http"], ["-p", "65536"], ["-p", "-1"], ["-p", "0", "extra"],
                 ["-x"], ["0"]):
        run = programs.run("lineserver", *args, timeout=5)
        run.expect_failure(code=2, hint="a usage error exits 2 before opening any socket (section 4.6)")
        run.expect_stderr_contains("usage: lineserver -p PORT")


def test_port_in_use(programs):
    holder = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    try:
        holder.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        holder.bind(("::", 0))
        holder.listen(1)
        port = holder.getsockname()[1]
        run = programs.run("lineserver", "-p", port, timeout=5)
        run.expect_failure(code=1, hint="when bind() fails, say why and exit 1 (section 4.6)")
        run.expect_error_line("lineserver", rf"^lineserver: cannot listen on port {port}: "
                              r"Address already in use$", hint="strerror(errno) of the bind() that failed")
    finally:
        holder.close()


def test_restart_same_port(programs):
    first = programs.start("lineserver", "-p", "0")
    port = first.port
    for _ in range(3):
        with Client(first) as c:
            c.ask(b"QUIT\n", b"BYE\n")
            c.expect_closed()
    # The server closed first, so its ends of these connections wait in TIME_WAIT for a minute.
    if not procinfo.wait_until(lambda: procinfo.tcp_find(local_port=port, state="TIME_WAIT"),
                               5 * programs.factor):
        raise Failure(f"sent QUIT to `lineserver -p 0` on port {port} three times",
                      "the server's ends of the closed connections in TIME_WAIT",
                      "none: the server did not close first", "after BYE the server closes")
    code = first.stop()
    if code != 0:
        raise Failure("sent SIGTERM to the server", "exit status 0", f"{code}")
    try:
        second = programs.start("lineserver", "-p", port)
    except Failure as exc:
        raise Failure(f"stopped the server on port {port} while connections to it were in "
                      f"TIME_WAIT, and started `lineserver -p {port}` at once", exc.expected, exc.got,
                      "set SO_REUSEADDR on the listening socket before bind(): without it, bind() "
                      "fails while old connections on that port are in TIME_WAIT (section 3.3)") from None
    if second.port != port:
        raise Failure(f"started `lineserver -p {port}`", f"listening on port {port}", f"port {second.port}")
    with Client(second) as c:
        c.ask(b"PING\n", b"PONG\n")


def _stop_with_clients(programs, sig):
    server = programs.start("lineserver", "-p", "0")
    silent = Client(server)
    silent.ask(b"PING\n", b"PONG\n")
    half = Client(server, "127.0.0.1")
    half.send(b"ECHO half")
    half.wait_server_read_all()
    slow = Client(server)
    slow.send(b"CHARGEN 1000000\n")
    slow.wait_server_blocked()  # it reads nothing: its process waits in send() until the stop
    kids = [k.pid for k in procinfo.children(server.pid)]
    name = signal.Signals(sig).name
    did = (f"started `lineserver -p 0` with three clients: one silent, one in the middle of a "
           f"line, one not reading a long reply; sent {name}")
    code = server.stop(sig)
    if code is None:
        raise Failure(did, f"the server to exit within {5 * programs.factor:g} s",
                      "it was still running", f"on {name} the server stops its children, waits for "
                      "them, and exits (section 4.6)")
    if code != 0:
        raise Failure(did, "exit status 0", f"exit status {code}" if code > 0 else f"killed by signal {-code}",
                      f"handle {name}: a handler that sets a flag, and a main loop that sees it")
    left = [pid for pid in kids if procinfo.stat(pid) is not None]
    if left:
        raise Failure(did, "every child process gone when the server exits",
                      f"still there: pids {left}", "send SIGTERM to each child and waitpid() for each "
                      "before exiting (section 4.6)")
    for c in (silent, half, slow):
        c.read_until_closed(80_000_000)
        c.close()


def test_stop(programs):
    _stop_with_clients(programs, signal.SIGTERM)


def test_stop_sigint(programs):
    _stop_with_clients(programs, signal.SIGINT)
