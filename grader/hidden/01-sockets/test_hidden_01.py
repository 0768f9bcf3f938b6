"""Hidden tests of Lab 01: the same contracts as the public tests, on cases a student may not try."""
import socket
import struct

from netlab.feedback import Failure
from netlab.peers import TcpServer


def test_many_hosts(programs):
    hosts = [f"127.0.{i}.{j}" for i in range(3) for j in range(1, 11)]
    hosts += [f"2001:db8::{i:x}" for i in range(1, 11)]
    run = programs.run("showip", *hosts)
    want = "".join(f"{h} {'IPv6' if ':' in h else 'IPv4'} {h}\n" for h in hosts)
    run.expect_exit(0).expect_stdout(want)


def test_third_of_three(programs, net):
    host = net.name("multi")
    addrs = [ai[4][0] for ai in socket.getaddrinfo(host, None, socket.AF_UNSPEC, socket.SOCK_STREAM)]
    with TcpServer(addrs[-1], b"third\n", timeout=10 * programs.factor) as server:
        run = programs.run("endpoints", host, server.port)
        run.expect_exit(0, hint=f"{host} has {len(addrs)} addresses; only the last one listens")
        if f"remote {server.address}\n" not in run.out:
            raise Failure(run.did, f"a line \"remote {server.address}\"", f"stdout {run.out!r}")


def test_long_greeting(programs):
    longest = b"y" * 511
    with TcpServer("127.0.0.1", longest + b"\n", timeout=10 * programs.factor) as server:
        run = programs.run("endpoints", "127.0.0.1", server.port)
        run.expect_exit(0, hint="a line of 511 bytes and its newline fits in 512 bytes")
        if f"server: {longest.decode()}\n" not in run.out:
            raise Failure(run.did, "the whole 511-byte line after \"server: \"", f"stdout {run.out!r}")
    with TcpServer("127.0.0.1", b"x" * 512 + b"\n", timeout=10 * programs.factor) as server:
        run = programs.run("endpoints", "127.0.0.1", server.port)
        run.expect_failure(code=1, hint="a line longer than 511 bytes is an error (EMSGSIZE), "
                           "never a buffer overflow")
        run.expect_error_line("endpoints", "Message too long")
        if "server:" in run.out:
            raise Failure(run.did, "no \"server:\" line", f"stdout {run.out!r}")


def test_reset_before_greeting(programs):
    def reset(conn, acc):
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))

    with TcpServer("127.0.0.1", handler=reset, timeout=10 * programs.factor) as server:
        run = programs.run("endpoints", "127.0.0.1", server.port)
        run.expect_failure(code=1, hint="a reset connection is an error to report, not a crash")
        run.expect_error_line("endpoints", "^endpoints: ")
        if "server:" in run.out:
            raise Failure(run.did, "no \"server:\" line", f"stdout {run.out!r}")
