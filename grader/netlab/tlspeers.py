"""TLS peers for the tests of any lab: a scriptable TLS server on Python's ssl module that records
what each client did (handshake, SNI, the application data it sent, how it closed), and contexts
for old protocol versions that a test offers on purpose.

Every socket has a timeout, the server listens on port 0, and its threads are daemons that end
with their sockets. Use TlsServer as a context manager:

    ctx = server_context("server.pem", "server.key")
    with TlsServer("127.0.0.1", ctx, respond=reply(b"hi\\n")) as server:
        ...                                   # a client connects to server.port
        conn = server.wait_for_connections(1)[0]
        conn.done.wait(10); conn.received     # what the client sent, after the handshake
"""
from __future__ import annotations

import os
import re
import select
import socket
import ssl
import subprocess
import threading
import time
import warnings
from dataclasses import dataclass, field

from .peers import format_hostport
from .procutil import Child

# TLS 1.0 and 1.1 cipher suites (SHA-1 MACs, SHA-1 or MD5+SHA-1 signatures): what an old server or
# client speaks. Security level 0 lets this side use them; the other side must refuse them itself.
LEGACY_CIPHERS = "ECDHE-ECDSA-AES128-SHA:ECDHE-RSA-AES128-SHA:AES128-SHA:@SECLEVEL=0"
VERSIONS = {"1.0": ssl.TLSVersion.TLSv1, "1.1": ssl.TLSVersion.TLSv1_1,
            "1.2": ssl.TLSVersion.TLSv1_2, "1.3": ssl.TLSVersion.TLSv1_3}


LEGACY_OPENSSL_CONF = """\
# An OpenSSL configuration that allows what TLS 1.0 and 1.1 need (security level 0), as some
# systems still do for old peers. A program run with OPENSSL_CONF pointing here refuses the old
# versions only if its own code sets a minimum version.
openssl_conf = openssl_init
[openssl_init]
ssl_conf = ssl_sect
[ssl_sect]
system_default = system_default_sect
[system_default_sect]
CipherString = DEFAULT:@SECLEVEL=0
"""


def write_legacy_openssl_conf(path) -> None:
    """Write LEGACY_OPENSSL_CONF to path (readable by every user)."""
    with open(path, "w") as f:
        f.write(LEGACY_OPENSSL_CONF)
    os.chmod(path, 0o644)


def _strict_eof(ctx: ssl.SSLContext) -> None:
    """Python sets OP_IGNORE_UNEXPECTED_EOF on every context, which makes a connection cut
    without close_notify look like a clean end; the tests must see the difference."""
    ctx.options &= ~ssl.OP_IGNORE_UNEXPECTED_EOF


def _limit(ctx: ssl.SSLContext, versions: tuple[str, str] | None) -> None:
    if versions is None:
        return
    low, high = (VERSIONS[v] for v in versions)
    with warnings.catch_warnings():  # the old versions are deprecated: that is the point
        warnings.simplefilter("ignore", DeprecationWarning)
        ctx.minimum_version = low
        ctx.maximum_version = high
    if low < ssl.TLSVersion.TLSv1_2:
        ctx.set_ciphers(LEGACY_CIPHERS)


def server_context(certfile, keyfile, versions: tuple[str, str] | None = None,
                   client_ca=None) -> ssl.SSLContext:
    """A server context with a certificate chain (certfile: the certificate, then intermediates).
    versions=("1.0", "1.0") makes an old server; client_ca requires client certificates."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    _strict_eof(ctx)
    _limit(ctx, versions)
    ctx.load_cert_chain(str(certfile), str(keyfile))
    if client_ca is not None:
        ctx.verify_mode = ssl.CERT_REQUIRED
        ctx.load_verify_locations(str(client_ca))
    return ctx


def client_context(cafile=None, versions: tuple[str, str] | None = None, certfile=None,
                   keyfile=None) -> ssl.SSLContext:
    """A client context that verifies the server against cafile (and its host name), or that
    verifies nothing when cafile is None (a probe, such as an old-version client)."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    _strict_eof(ctx)
    if cafile is None:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    else:
        ctx.load_verify_locations(str(cafile))
    _limit(ctx, versions)
    if certfile is not None:
        ctx.load_cert_chain(str(certfile), str(keyfile))
    return ctx


@dataclass
class TlsAccepted:
    """One connection a TlsServer accepted, and what the client did on it."""

    peer: tuple
    sni: str | None = None  # the server name the client sent, None when it sent none
    handshake_error: str = ""  # why the handshake failed, "" when it succeeded
    version: str = ""  # the TLS version agreed on
    client_name: str = ""  # the common name of the client's certificate, if it sent one
    received: bytearray = field(default_factory=bytearray)  # application data from the client
    ending: str = ""  # how the client ended: close_notify, eof (no close_notify), reset, timeout
    done: threading.Event = field(default_factory=threading.Event)

    @property
    def handshake_ok(self) -> bool:
        return self.version != ""

    @property
    def peer_text(self) -> str:
        return format_hostport(self.peer[0], self.peer[1])


def read_line(tls: ssl.SSLSocket, acc: TlsAccepted, limit: int = 65536) -> bool:
    """Read until a '\\n' (kept in acc.received). False when the client ended first."""
    while b"\n" not in acc.received and len(acc.received) < limit:
        try:
            data = tls.recv(65536)
        except (ssl.SSLError, OSError) as exc:
            acc.ending = _ending(exc)
            return False
        if not data:
            acc.ending = "close_notify"
            return False
        acc.received += data
    return True


def read_all(tls: ssl.SSLSocket, acc: TlsAccepted) -> None:
    """Read until the client ends (recorded in acc.ending)."""
    while True:
        try:
            data = tls.recv(65536)
        except (ssl.SSLError, OSError) as exc:
            acc.ending = _ending(exc)
            return
        if not data:
            acc.ending = "close_notify"
            return
        acc.received += data


def _ending(exc: Exception) -> str:
    if isinstance(exc, socket.timeout):
        return "timeout"
    if isinstance(exc, ssl.SSLEOFError) or "UNEXPECTED_EOF" in str(exc) or "unexpected eof" in str(exc):
        return "eof"
    if isinstance(exc, ConnectionResetError):
        return "reset"
    return f"error: {exc}"


def finish(tls: ssl.SSLSocket, acc: TlsAccepted, close_notify: bool = True) -> None:
    """End the connection: with close_notify, then wait for the client's (recorded in
    acc.ending); or without, closing the socket under TLS (a truncation, as an attacker does)."""
    if not close_notify:
        return  # the caller closes the socket: a TCP FIN with no close_notify before it
    try:
        tls.unwrap()
    except (ssl.SSLError, OSError) as exc:
        acc.ending = acc.ending or _ending(exc)
        return
    acc.ending = acc.ending or "close_notify"


def reply(answer: bytes, close_notify: bool = True):
    """A respond function: read one line, send answer, close (with close_notify or not)."""
    def respond(tls: ssl.SSLSocket, acc: TlsAccepted) -> None:
        if read_line(tls, acc):
            tls.sendall(answer)
            finish(tls, acc, close_notify)
    return respond


def echo(tls: ssl.SSLSocket, acc: TlsAccepted) -> None:
    """The default respond function: read one line, send back "reply: LINE", close_notify."""
    if read_line(tls, acc):
        line = bytes(acc.received).split(b"\n", 1)[0]
        tls.sendall(b"reply: " + line + b"\n")
        finish(tls, acc)


class TlsServer:
    """Listen on host (port 0); for every connection run the TLS handshake with context, then
    respond(tls, accepted). Connections are served one after the other, in order."""

    def __init__(self, host: str, context: ssl.SSLContext, respond=echo, timeout: float = 10.0):
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.sock = socket.socket(family, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((host, 0))
        self.sock.listen(16)
        self.sock.setblocking(False)
        self.host = host
        self.port = self.sock.getsockname()[1]
        self.context = context
        self.respond = respond
        self.timeout = timeout
        self.connections: list[TlsAccepted] = []
        self._by_socket: dict[int, TlsAccepted] = {}
        self._any = threading.Condition()
        context.sni_callback = self._on_sni
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def address(self) -> str:
        return format_hostport(self.host, self.port)

    def _on_sni(self, tls, server_name, _context):
        acc = self._by_socket.get(id(tls))
        if acc is not None:
            acc.sni = server_name
        return None

    def _serve(self) -> None:
        # Connections are accepted under the lock, so that settled() can tell "none pending".
        while True:
            try:
                readable, _, _ = select.select([self.sock], [], [], self.timeout)
            except (OSError, ValueError):  # closed
                return
            if not readable:
                return  # nobody came within the timeout
            with self._any:
                try:
                    conn, peer = self.sock.accept()
                except BlockingIOError:
                    continue
                except OSError:  # shut down by close()
                    return
                acc = TlsAccepted(peer)
                self.connections.append(acc)
                self._any.notify_all()
            self._handle(conn, acc)

    def _handle(self, conn: socket.socket, acc: TlsAccepted) -> None:
        conn.settimeout(self.timeout)
        tls = None
        try:
            tls = self.context.wrap_socket(conn, server_side=True, do_handshake_on_connect=False,
                                           suppress_ragged_eofs=False)
            self._by_socket[id(tls)] = acc
            try:
                tls.do_handshake()
            except (ssl.SSLError, OSError) as exc:
                acc.handshake_error = str(exc) or type(exc).__name__
                return
            acc.version = tls.version() or ""
            cert = tls.getpeercert()
            if cert:
                acc.client_name = dict(x[0] for x in cert["subject"]).get("commonName", "")
            self.respond(tls, acc)
        except (ssl.SSLError, OSError) as exc:
            acc.ending = acc.ending or _ending(exc)
        finally:
            if tls is not None:
                self._by_socket.pop(id(tls), None)
                tls.close()
            else:
                conn.close()
            acc.done.set()

    def wait_for_connections(self, n: int = 1, timeout: float | None = None) -> list[TlsAccepted]:
        """Wait until n connections were accepted (or the timeout passes); return them."""
        with self._any:
            self._any.wait_for(lambda: len(self.connections) >= n, timeout or self.timeout)
            return list(self.connections)

    def settled(self, n: int = 1, timeout: float | None = None) -> list[TlsAccepted]:
        """After the client has exited: the connections it made (up to n), each once the server
        is done with it. Returns at once when no connection is waiting to be accepted, since
        none can come any more."""
        def enough() -> bool:
            return len(self.connections) >= n or not self._pending()

        with self._any:
            self._any.wait_for(enough, timeout or self.timeout)
            conns = list(self.connections)
        for conn in conns:
            conn.done.wait(timeout or self.timeout)
        return conns

    def _pending(self) -> bool:
        try:
            return bool(select.select([self.sock], [], [], 0)[0])
        except (OSError, ValueError):
            return False

    def close(self) -> None:
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()
        self._thread.join(timeout=self.timeout + 5)

    def __enter__(self) -> "TlsServer":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


@dataclass
class Talk:
    """What a TLS client (talk()) saw: the handshake, the answer, and how the server ended."""

    handshake_error: str = ""
    answer: bytes = b""
    ending: str = ""  # close_notify, eof (without close_notify), reset, timeout, error: ...
    version: str = ""

    @property
    def handshake_ok(self) -> bool:
        return not self.handshake_error


def talk(host: str, port: int, context: ssl.SSLContext, data: bytes = b"hello\n", pieces=None,
         server_hostname: str | None = "localhost", timeout: float = 10.0) -> Talk:
    """Connect, handshake, send data (or each of pieces as its own TLS record), read until the
    server ends, and answer its close_notify with ours."""
    result = Talk()
    sock = socket.create_connection((host, port), timeout=timeout)
    sock.settimeout(timeout)
    try:
        tls = context.wrap_socket(sock, server_hostname=server_hostname, do_handshake_on_connect=False,
                                  suppress_ragged_eofs=False)
    except (ssl.SSLError, OSError) as exc:
        sock.close()
        result.handshake_error = str(exc)
        return result
    try:
        try:
            tls.do_handshake()
        except (ssl.SSLError, OSError) as exc:
            result.handshake_error = str(exc) or type(exc).__name__
            return result
        result.version = tls.version() or ""
        try:
            for piece in (pieces if pieces is not None else [data]):
                tls.sendall(piece)
        except (ssl.SSLError, OSError) as exc:
            result.ending = _ending(exc)
            return result
        while True:
            try:
                chunk = tls.recv(65536)
            except (ssl.SSLError, OSError) as exc:
                result.ending = _ending(exc)
                return result
            if not chunk:
                result.ending = "close_notify"
                break
            result.answer += chunk
        try:
            tls.unwrap()
        except (ssl.SSLError, OSError):
            pass  # the server may be gone already: its close_notify was what counted
        return result
    finally:
        tls.close()


ACCEPT_RE = re.compile(rb"^ACCEPT (\S+):(\d+)$")


class OpenSslServer:
    """`openssl s_server` on 127.0.0.1, port 0, with the extra arguments given; port is read from
    its "ACCEPT" line. Its standard input stays open (at EOF, s_server would stop)."""

    def __init__(self, args: list, timeout: float = 10.0, cwd=None):
        self.ready = threading.Event()
        self.port = 0

        def on_line(line: bytes) -> None:
            m = ACCEPT_RE.match(line.strip())
            if m and not self.ready.is_set():
                self.port = int(m.group(2))
                self.ready.set()

        argv = ["sh", "-c", 'exec openssl s_server "$@" 1>&2', "s_server",
                "-accept", "127.0.0.1:0", *[str(a) for a in args]]
        self.child = Child(argv, cwd=cwd, stdin=subprocess.PIPE, on_stderr_line=on_line)
        deadline = time.monotonic() + timeout
        while not self.ready.wait(0.05):
            if self.child.proc.poll() is not None or time.monotonic() > deadline:
                out = self.child.finish()
                raise RuntimeError(f"openssl s_server did not start: {out.stderr[-800:]!r}")

    def output(self) -> bytes:
        return self.child.err.text()

    def close(self) -> None:
        self.child.finish()

    def __enter__(self) -> "OpenSslServer":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
