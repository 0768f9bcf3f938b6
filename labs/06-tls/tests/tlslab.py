"""Helpers of Lab 06's tests, public and hidden: run tlsclient against a test server, start
tlsserver and talk to it, and explain in the student's terms what went wrong."""
from __future__ import annotations

import os
import re
import time

from netlab.feedback import Failure, show
from netlab.tlspeers import client_context, talk

REQUEST = b"hello over TLS\n"


def run_client(programs, pki, port, host="localhost", extra=(), ca=True, stdin=REQUEST, env=None,
               timeout=10):
    """tlsclient [-a ca.pem] EXTRA... HOST PORT, with stdin as its standard input."""
    args = (["-a", pki.ca] if ca else []) + [*extra, host, port]
    return programs.run("tlsclient", *args, input=stdin, env=env, timeout=timeout)


def served(server, programs, n=1):
    """After the client has exited: the connections it made to a TlsServer (up to n), once the
    server is done with each of them."""
    return server.settled(n, timeout=10 * programs.factor)


def expect_nothing_sent(run, conns, hint):
    for conn in conns:
        if conn.received:
            raise Failure(run.did, "not one byte of the request sent to this server",
                          f"the server received {show(bytes(conn.received))} after the handshake",
                          hint)


def expect_refused(run, server, programs, host, reason, hint):
    """tlsclient refused the server: no data sent, exit 1, the handshake error line with reason."""
    conns = served(server, programs)
    expect_nothing_sent(run, conns, hint)
    run.expect_failure(code=1, hint=hint)
    run.expect_error_line(
        "tlsclient", rf"^tlsclient: TLS handshake with {re.escape(host)} port {server.port} failed: .*{reason}",
        hint)


def start_server(programs, pki, *extra, key=None, env=None):
    """tlsserver -c server.pem -k KEY -p 0 EXTRA..., once it printed its readiness line."""
    return programs.start("tlsserver", "-c", pki.server, "-k", key or pki.server_key, "-p", "0", *extra,
                          env=env)


def legacy_env(pki) -> dict:
    """The environment of a program that runs where OpenSSL allows TLS 1.0 and 1.1 (security
    level 0): only the program's own minimum version refuses them then."""
    return {"OPENSSL_CONF": str(pki.legacy_conf)}


def talk_to(server, pki, host="127.0.0.1", **kw):
    """A Python TLS client that trusts only the test CA and checks the name localhost."""
    ctx = kw.pop("context", None) or client_context(pki.ca)
    timeout = kw.pop("timeout", 10 * server.factor)
    return talk(host, server.port, ctx, timeout=timeout, **kw)


def did_talk(server, host="127.0.0.1", what="\"hello\\n\"") -> str:
    return (f"connected to tlsserver at {host} port {server.port} with a TLS client that trusts "
            f"only the test CA (Python's ssl), and sent {what}")


def expect_answer(server, result, did, want=b"echo: hello\n", hint=""):
    if not result.handshake_ok:
        raise Failure(did, "a successful handshake", f"it failed: {result.handshake_error}",
                      hint or "the server sends its certificate and the intermediate CA's "
                      "(SSL_CTX_use_certificate_chain_file); the client trusts only the root CA")
    if result.answer != want:
        raise Failure(did, f"the answer {show(want)}", f"{show(result.answer)} (then: {result.ending})",
                      hint or "read up to the '\\n' (it may come in pieces), answer, then close")


def open_fds(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def wait_for_fds(pid: int, want: int, timeout: float) -> int:
    """Wait until process pid has want descriptors open (or timeout passes); return the count."""
    deadline = time.monotonic() + timeout
    count = open_fds(pid)
    while count != want and time.monotonic() < deadline:
        time.sleep(0.02)
        count = open_fds(pid)
    return count
