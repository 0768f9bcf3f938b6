"""Peers the tests talk to: small TCP servers with scripted behaviour, for any lab.

Every socket here has a timeout, every server listens on port 0 (the kernel picks a free port), and
every thread is a daemon that ends when its socket is closed. Use them as context managers.
"""
from __future__ import annotations

import socket
import threading
from dataclasses import dataclass, field


def format_hostport(host: str, port: int) -> str:
    """"127.0.0.1:80" or "[::1]:80", the way the labs print socket addresses."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


@dataclass
class Accepted:
    """One connection a TcpServer accepted, and what happened on it."""

    peer: tuple
    received: bytearray = field(default_factory=bytearray)
    closed_by_peer: bool = False  # the client closed (recv returned 0) before the timeout
    done: threading.Event = field(default_factory=threading.Event)

    @property
    def peer_text(self) -> str:
        return format_hostport(self.peer[0], self.peer[1])


class TcpServer:
    """Listen on `host` (port 0) and run `handler(conn, accepted)` for every connection, in order.

    The default handler sends `greeting`, then reads until the client closes. A handler should
    return when it is done; the connection is closed after it. `port` other than 0 binds that
    port (to share a port number across addresses; see netlab.httpd.same_port).
    """

    def __init__(self, host: str = "127.0.0.1", greeting: bytes = b"", handler=None,
                 timeout: float = 10.0, backlog: int = 16, port: int = 0):
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.sock = socket.socket(family, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            self.sock.bind((host, port))
        except OSError:
            self.sock.close()
            raise
        self.sock.listen(backlog)
        self.sock.settimeout(timeout)
        self.host = host
        self.port = self.sock.getsockname()[1]
        self.greeting = greeting
        self.handler = handler or self._greet_then_drain
        self.timeout = timeout
        self.connections: list[Accepted] = []
        self._lock = threading.Lock()
        self._any = threading.Condition(self._lock)
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def address(self) -> str:
        return format_hostport(self.host, self.port)

    def _serve(self) -> None:
        while True:
            try:
                conn, peer = self.sock.accept()
            except OSError:  # closed, or nobody came within the timeout
                return
            acc = Accepted(peer)
            with self._any:
                self.connections.append(acc)
                self._any.notify_all()
            threading.Thread(target=self._handle, args=(conn, acc), daemon=True).start()

    def _handle(self, conn: socket.socket, acc: Accepted) -> None:
        conn.settimeout(self.timeout)
        try:
            self.handler(conn, acc)
        except OSError:
            pass
        finally:
            conn.close()
            acc.done.set()

    def _greet_then_drain(self, conn: socket.socket, acc: Accepted) -> None:
        if self.greeting:
            conn.sendall(self.greeting)
        drain(conn, acc)

    def wait_for_connections(self, n: int = 1, timeout: float | None = None) -> list[Accepted]:
        """Wait until `n` connections were accepted (or the timeout passes); return them."""
        with self._any:
            self._any.wait_for(lambda: len(self.connections) >= n, timeout or self.timeout)
            return list(self.connections)

    def close(self) -> None:
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()
        self._thread.join(timeout=5)

    def __enter__(self) -> "TcpServer":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def drain(conn: socket.socket, acc: Accepted) -> None:
    """Read until the peer closes (recorded in `acc`) or the socket's timeout passes."""
    while True:
        try:
            data = conn.recv(65536)
        except (socket.timeout, OSError):
            return
        if not data:
            acc.closed_by_peer = True
            return
        acc.received += data


class ClosedPort:
    """A loopback port where nothing listens: bound but not listening, so a connect is refused.

    Holding the port bound keeps anything else from taking it during the test. `port` other than 0
    binds that port.
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0):
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            self.sock.bind((host, port))
        except OSError:
            self.sock.close()
            raise
        self.host = host
        self.port = self.sock.getsockname()[1]

    def close(self) -> None:
        self.sock.close()

    def __enter__(self) -> "ClosedPort":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
