"""A test client for line-oriented protocols: lines out, lines in, every wait bounded, and a
transcript of the conversation for the student's report. Any lab whose server speaks in lines may
use it.

    with LineClient("::1", server.port, timeout=5 * programs.factor) as c:
        c.send_line("PING")
        assert c.read_line() == b"OK PONG"
"""
from __future__ import annotations

import socket
import struct

from .feedback import show


class LineClient:
    """One TCP connection. Every socket operation has the timeout given (seconds)."""

    def __init__(self, host: str, port: int, timeout: float = 5.0, sock: socket.socket | None = None):
        self.host, self.port, self.timeout = host, port, timeout
        self.sock = sock or socket.create_connection((host, port), timeout=timeout)
        self.sock.settimeout(timeout)
        self.buffer = b""
        self.log: list[tuple[str, bytes]] = []  # ("sent" | "got" | "note", bytes)

    # -- sending -------------------------------------------------------------------------------

    def send(self, data: bytes) -> None:
        self.log.append(("sent", data))
        self.sock.sendall(data)

    def send_line(self, text: str | bytes) -> None:
        data = text.encode() if isinstance(text, str) else text
        self.send(data + b"\n")

    # -- receiving -----------------------------------------------------------------------------

    def read_line(self, limit: int = 1 << 20) -> bytes | None:
        """The next line without its '\\n'; None when the peer closed first (the partial line, if
        any, stays in self.buffer). Raises socket.timeout (TimeoutError) after the timeout."""
        while b"\n" not in self.buffer:
            if len(self.buffer) > limit:
                raise ValueError(f"a line longer than {limit} bytes")
            chunk = self.sock.recv(65536)
            if not chunk:
                self.log.append(("note", b"(the server closed the connection)"))
                return None
            self.log.append(("got", chunk))
            self.buffer += chunk
        line, _, self.buffer = self.buffer.partition(b"\n")
        return line

    def request(self, text: str | bytes) -> bytes | None:
        """Send one line and read one line back."""
        self.send_line(text)
        return self.read_line()

    def read_to_end(self, limit: int = 1 << 24) -> tuple[bytes, str]:
        """Everything until the peer closes: (bytes, how it ended: "closed", "reset" or "timeout")."""
        data, self.buffer = self.buffer, b""
        while len(data) <= limit:
            try:
                chunk = self.sock.recv(65536)
            except (socket.timeout, TimeoutError):
                return data, "timeout"
            except ConnectionResetError:
                self.log.append(("note", b"(the connection was reset)"))
                return data, "reset"
            if not chunk:
                self.log.append(("note", b"(the server closed the connection)"))
                return data, "closed"
            self.log.append(("got", chunk))
            data += chunk
        return data, "too much"

    # -- ending --------------------------------------------------------------------------------

    def reset(self) -> None:
        """Close with a reset (RST) instead of a normal close (FIN), as a crashed peer would."""
        self.log.append(("note", b"(the test reset the connection)"))
        try:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
        self.sock.close()

    def close(self) -> None:
        self.sock.close()

    def __enter__(self) -> "LineClient":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def transcript(self, limit: int = 1500) -> str:
        """The conversation as the student should see it: "> " what was sent, "< " what came back."""
        marks = {"sent": "> ", "got": "< ", "note": "  "}
        lines = [marks[kind] + show(data, 200) for kind, data in self.log]
        text = "\n".join(lines)
        return text if len(text) <= limit else "...\n" + text[-limit:]
