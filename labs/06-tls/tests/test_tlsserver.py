"""Black-box tests of tlsserver: real clients (Python's ssl module, openssl s_client, curl) get
their line back over a verified connection that ends with close_notify; old protocol versions,
clients without the right certificate and broken clients are refused without harm to the
others; a key that does not match the certificate stops the server at start-up.

The server's certificate chain and the clients' certificates come from the test PKI made for
this test session (conftest.py).
"""
import signal
import socket
import struct
import subprocess

from netlab.feedback import Failure, show
from netlab.tlspeers import client_context
from tlslab import did_talk, expect_answer, legacy_env, open_fds, start_server, talk_to, wait_for_fds


def expect_served(server, pki, host="127.0.0.1"):
    """A good client still gets its answer (the server survived what came before)."""
    result = talk_to(server, pki, host)
    expect_answer(server, result, did_talk(server, host) + ", after the connections above",
                  hint="one client's failure must not stop the server: log it, free its SSL, "
                  "close its socket, go on")


def test_echo_ipv4(programs, pki):
    server = start_server(programs, pki)
    expect_answer(server, talk_to(server, pki, "127.0.0.1"), did_talk(server, "127.0.0.1"))


def test_echo_ipv6(programs, pki):
    server = start_server(programs, pki)
    expect_answer(server, talk_to(server, pki, "::1"), did_talk(server, "::1"))


def test_closes_with_close_notify(programs, pki):
    server = start_server(programs, pki)
    result = talk_to(server, pki)
    expect_answer(server, result, did_talk(server))
    if result.ending != "close_notify":
        raise Failure(did_talk(server) + ", then read until the end",
                      "the answer, then close_notify (the client knows that nothing was cut off)",
                      f"the answer, then {result.ending}",
                      "tls_close() before close(): SSL_shutdown() sends close_notify (section 3.5)")


def test_line_in_pieces(programs, pki):
    server = start_server(programs, pki)
    pieces = [b"hel", b"lo", b" the", b"re\r\n"]
    result = talk_to(server, pki, pieces=pieces)
    expect_answer(server, result, did_talk(server, what="\"hello there\\r\\n\" in 4 TLS records"),
                  want=b"echo: hello there\n",
                  hint="one tls_read() returns what one record holds: read until the '\\n' has come, "
                  "and drop a '\\r' before it")


def test_openssl_s_client(programs, pki):
    server = start_server(programs, pki)
    argv = ["openssl", "s_client", "-connect", f"localhost:{server.port}", "-CAfile", str(pki.ca),
            "-verify_return_error", "-verify_hostname", "localhost", "-quiet"]
    proc = subprocess.run(argv, input=b"hello\n", capture_output=True, timeout=10 * programs.factor)
    did = f"ran `{' '.join(argv[:5])} ... -verify_return_error -quiet` with \"hello\\n\" on its input"
    if proc.returncode != 0 or proc.stdout != b"echo: hello\n":
        raise Failure(did, "exit status 0 and \"echo: hello\\n\" on stdout",
                      f"exit status {proc.returncode}, stdout {show(proc.stdout)}\n"
                      f"stderr {show(proc.stderr, 600)}",
                      "\"unable to get local issuer certificate\": send the whole chain "
                      "(SSL_CTX_use_certificate_chain_file); \"unexpected eof\": end with close_notify")


def test_curl(programs, pki):
    """curl speaks Gopher over TLS: it sends one line ("hello\\r\\n") and prints the answer
    (curl itself does not insist on close_notify: the other tests do)."""
    server = start_server(programs, pki)
    argv = ["curl", "-sS", "--max-time", str(int(10 * programs.factor)), "--cacert", str(pki.ca),
            f"gophers://localhost:{server.port}/0hello"]
    proc = subprocess.run(argv, capture_output=True, timeout=15 * programs.factor)
    if proc.returncode != 0 or proc.stdout != b"echo: hello\n":
        raise Failure(f"ran `{' '.join(argv)}`", "exit status 0 and \"echo: hello\\n\" on stdout",
                      f"exit status {proc.returncode}, stdout {show(proc.stdout)}, stderr {show(proc.stderr)}",
                      "curl error 60: the chain did not verify (send the intermediate CA too); "
                      "35: the handshake failed")


def test_refuses_old_versions(programs, pki):
    """Clients that offer only TLS 1.0 or 1.1. The server runs where OpenSSL allows them
    (OPENSSL_CONF, security level 0), so that only its own minimum version refuses them."""
    server = start_server(programs, pki, env=legacy_env(pki))
    for version in ("1.0", "1.1"):
        result = talk_to(server, pki, context=client_context(versions=(version, version)))
        if result.handshake_ok:
            raise Failure(f"connected to tlsserver with a client that speaks only TLS {version}",
                          "the handshake fails", f"it succeeded ({result.version}); answer {show(result.answer)}",
                          "SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) in tls_server_context(); "
                          "do not count on the system's OpenSSL configuration (section 3.1)")
    expect_served(server, pki)


def test_survives_bad_clients(programs, pki):
    server = start_server(programs, pki)
    timeout = 10 * programs.factor
    with socket.create_connection(("127.0.0.1", server.port), timeout=timeout) as sock:
        sock.sendall(b"GET / HTTP/1.0\r\n\r\n")  # not TLS at all
        _read_until_closed(sock)
    with socket.create_connection(("::1", server.port), timeout=timeout):
        pass  # connects, and closes at once
    with socket.create_connection(("127.0.0.1", server.port), timeout=timeout) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # then RST
    expect_served(server, pki, "::1")


def _read_until_closed(sock):
    try:
        while sock.recv(4096):
            pass
    except OSError:
        pass  # a reset is a close too


def test_idle_client_times_out(programs, pki):
    """tlsserver -t 2: a client that connects and says nothing is dropped after 2 s, and the next
    client is served."""
    server = start_server(programs, pki, "-t", "2")
    with socket.create_connection(("127.0.0.1", server.port), timeout=10 * programs.factor) as idle:
        expect_served(server, pki)
        try:
            idle.settimeout(10 * programs.factor)
            closed = idle.recv(4096) == b""
        except ConnectionResetError:
            closed = True
        if not closed:
            raise Failure("connected a client that never says anything", "the server closes it",
                          "it sent data")


def test_mutual_tls(programs, pki):
    server = start_server(programs, pki, "-a", pki.ca)
    result = talk_to(server, pki, context=client_context(pki.ca, certfile=pki.client, keyfile=pki.client_key))
    expect_answer(server, result, did_talk(server) + " with the client certificate \"netlab-client\"",
                  want=b"client: netlab-client\necho: hello\n",
                  hint="-a CAFILE: SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT; the name is the "
                  "common name of SSL_get1_peer_certificate()")
    for what, ctx in (("without a client certificate", client_context(pki.ca)),
                      ("with a client certificate from another CA",
                       client_context(pki.ca, certfile=pki.rogue_client, keyfile=pki.rogue_client_key))):
        result = talk_to(server, pki, context=ctx)
        if b"echo" in result.answer:
            raise Failure(did_talk(server) + " " + what, "no answer: the handshake fails",
                          f"the answer {show(result.answer)}",
                          "SSL_VERIFY_FAIL_IF_NO_PEER_CERT refuses a client without a certificate")
    result = talk_to(server, pki, context=client_context(pki.ca, certfile=pki.client, keyfile=pki.client_key))
    expect_answer(server, result, did_talk(server) + " with the client certificate, after those",
                  want=b"client: netlab-client\necho: hello\n")


def test_refuses_mismatched_key(programs, pki):
    server = start_server(programs, pki)  # with the right key it starts
    if server.stop() != 0:
        raise Failure("started tlsserver with the right key, then sent SIGTERM", "exit status 0",
                      "it did not exit cleanly")
    for key, what in ((pki.other_key, "the key of another certificate"),
                      (pki.ed25519_key, "an Ed25519 key (the certificate's key is EC)")):
        run = programs.run("tlsserver", "-c", pki.server, "-k", key, "-p", "0", timeout=5)
        if "listening on" in run.err:
            raise Failure(f"{run.did} ({what})", "the server refuses to start",
                          f"it started: {show(run.stderr, 300)}",
                          "SSL_CTX_check_private_key(): a key of another type is loaded without a "
                          "complaint, then every handshake fails")
        run.expect_failure(code=1, hint="exit 1 at start-up, with one line saying why")
        run.expect_error_line("tlsserver", "^tlsserver: ")


def test_bad_arguments(programs, pki):
    for args in ([], ["-c", pki.server], ["-k", pki.server_key], ["-c", pki.server, "-k", pki.server_key, "extra"],
                 ["-c", pki.server, "-k", pki.server_key, "-p", "http"],
                 ["-c", pki.server, "-k", pki.server_key, "-t", "0"]):
        run = programs.run("tlsserver", *args, timeout=5)
        run.expect_failure(code=2, hint="a usage error exits 2")
        run.expect_stderr_contains("usage: tlsserver")
    run = programs.run("tlsserver", "-c", "/nonexistent/server.pem", "-k", pki.server_key, "-p", "0", timeout=5)
    run.expect_failure(code=1, hint="a file that cannot be loaded: exit 1 before listening")
    run.expect_error_line("tlsserver", "^tlsserver: ")


def test_stops_on_signal(programs, pki):
    for sig in (signal.SIGINT, signal.SIGTERM):
        server = start_server(programs, pki)
        expect_answer(server, talk_to(server, pki), did_talk(server))
        code = server.stop(sig)
        if code != 0:
            raise Failure(f"sent {sig.name} to tlsserver after one client", "exit status 0",
                          "still running" if code is None else f"exit status {code}")


def test_no_descriptor_leak(programs, pki):
    server = start_server(programs, pki)
    baseline = open_fds(server.pid)
    old = client_context(versions=("1.0", "1.0"))
    for _ in range(3):
        talk_to(server, pki)
        talk_to(server, pki, context=old)
        with socket.create_connection(("127.0.0.1", server.port), timeout=10 * programs.factor) as sock:
            sock.sendall(b"not TLS\r\n")
    expect_served(server, pki)  # one client at a time: all those before are done with
    count = wait_for_fds(server.pid, baseline, 5 * programs.factor)
    if count != baseline:
        raise Failure("served 10 clients (good ones, TLS 1.0 ones, ones that do not speak TLS)",
                      f"{baseline} descriptors open in the server, as before the first client",
                      f"{count} descriptors (ls -l /proc/{server.pid}/fd)",
                      "close the client's socket on every path, also when the handshake fails")
