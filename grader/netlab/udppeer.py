"""Scripted UDP peers for the tests, for any lab: an echo server, and servers whose answers a test
scripts datagram by datagram (no answer, two answers, a late one, an oversized one, one from a
stranger's address).

A peer reacts to what it receives, never to the clock, so a scripted conversation happens the same
way on a loaded machine. Its thread waits on a selector with a wake-up socket and ends on close().
"""
from __future__ import annotations

import selectors
import socket
import threading
import time
import traceback
from dataclasses import dataclass

from .peers import format_hostport


@dataclass
class Datagram:
    """A datagram a peer received: its bytes, its sender, and when (time.monotonic())."""

    data: bytes
    addr: tuple
    t: float


def echo(peer: "UdpPeer", d: Datagram) -> None:
    """The default script: send every datagram back to its sender."""
    peer.send(d.data, d.addr)


class UdpPeer:
    """A UDP socket on `host` (port 0) that runs `handler(peer, datagram)` for each datagram.

    `stranger` is a second socket on the same host, for datagrams from the wrong source.
    `received` lists every datagram, in order; `errors` the handler's exceptions, if any.
    """

    def __init__(self, host: str = "::1", handler=echo):
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.host = host
        self.sock = socket.socket(family, socket.SOCK_DGRAM)
        self.sock.bind((host, 0))
        self.sock.setblocking(False)
        self.stranger = socket.socket(family, socket.SOCK_DGRAM)
        self.stranger.bind((host, 0))
        self.port = self.sock.getsockname()[1]
        self.handler = handler
        self.received: list[Datagram] = []
        self.errors: list[str] = []
        self.state: dict = {}  # for scripts that need to remember something
        self._cond = threading.Condition()
        self._stop = False
        self._wake_r, self._wake_w = socket.socketpair()
        self._thread = threading.Thread(target=self._serve, name="udp-peer", daemon=True)
        self._thread.start()

    @property
    def address(self) -> str:
        return format_hostport(self.host, self.port)

    @property
    def stranger_address(self) -> str:
        return format_hostport(self.host, self.stranger.getsockname()[1])

    def send(self, data: bytes, addr) -> None:
        self.sock.sendto(data, addr)

    def send_from_stranger(self, data: bytes, addr) -> None:
        self.stranger.sendto(data, addr)

    def _serve(self) -> None:
        sel = selectors.DefaultSelector()
        sel.register(self.sock, selectors.EVENT_READ)
        sel.register(self._wake_r, selectors.EVENT_READ)
        try:
            while not self._stop:
                sel.select()
                while not self._stop:
                    try:
                        data, addr = self.sock.recvfrom(65536)
                    except (BlockingIOError, InterruptedError):
                        break
                    except OSError:
                        continue
                    d = Datagram(data, addr, time.monotonic())
                    with self._cond:
                        self.received.append(d)
                        self._cond.notify_all()
                    try:
                        self.handler(self, d)
                    except Exception:  # a broken script must show up in the test, not vanish
                        self.errors.append(traceback.format_exc())
        finally:
            sel.close()

    def wait_for(self, n: int, timeout: float) -> list[Datagram]:
        """Wait until n datagrams arrived (or the timeout passed); return what arrived."""
        with self._cond:
            self._cond.wait_for(lambda: len(self.received) >= n, timeout)
            return list(self.received)

    def close(self) -> None:
        self._stop = True
        self._wake_w.send(b"x")
        self._thread.join(timeout=5)
        for s in (self.sock, self.stranger, self._wake_r, self._wake_w):
            s.close()

    def __enter__(self) -> "UdpPeer":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class SilentPort:
    """A UDP port where a socket is bound but nobody ever answers (nothing is read)."""

    def __init__(self, host: str = "::1"):
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.sock = socket.socket(family, socket.SOCK_DGRAM)
        self.sock.bind((host, 0))
        self.port = self.sock.getsockname()[1]

    def __enter__(self) -> "SilentPort":
        return self

    def __exit__(self, *exc) -> None:
        self.sock.close()
