"""The kernel's view of TCP sockets (/proc/net/tcp and tcp6), for tests that must wait for a state
instead of sleeping: "the server has read everything sent so far", "the connection is gone".

Inside the grading sandbox these files list only the sandbox's own network namespace.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

STATES = {"01": "ESTABLISHED", "02": "SYN_SENT", "03": "SYN_RECV", "04": "FIN_WAIT1",
          "05": "FIN_WAIT2", "06": "TIME_WAIT", "07": "CLOSE", "08": "CLOSE_WAIT", "09": "LAST_ACK",
          "0A": "LISTEN", "0B": "CLOSING"}


@dataclass
class TcpSocket:
    local_port: int
    remote_port: int
    state: str
    tx_queue: int  # bytes sent and not yet acknowledged by the peer
    rx_queue: int  # bytes received and not yet read by the application
    uid: int
    inode: int


def tcp_sockets() -> list[TcpSocket]:
    """Every TCP socket of this network namespace, IPv4 and IPv6."""
    out = []
    for name in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = open(name).read().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            f = line.split()
            tx, rx = f[4].split(":")
            out.append(TcpSocket(int(f[1].rsplit(":", 1)[1], 16), int(f[2].rsplit(":", 1)[1], 16),
                                 STATES.get(f[3], f[3]), int(tx, 16), int(rx, 16), int(f[7]),
                                 int(f[9])))
    return out


def wait_until_read(server_port: int, client_port: int, timeout: float) -> bool:
    """Wait until the server's end of the connection server_port <-> client_port has read all
    that the client sent: the server's kernel acknowledged every byte (the client's tx_queue is
    0) and the server's program read them (its rx_queue is 0). Returns False at the timeout."""
    deadline = time.monotonic() + timeout
    while True:
        socks = tcp_sockets()
        client = [s for s in socks if s.local_port == client_port and s.remote_port == server_port]
        server = [s for s in socks if s.local_port == server_port and s.remote_port == client_port]
        if client and server and all(s.tx_queue == 0 for s in client) and all(
                s.rx_queue == 0 for s in server):
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.002)  # polling a kernel state, not waiting for time to pass
