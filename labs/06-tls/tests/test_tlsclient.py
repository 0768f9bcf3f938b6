"""Black-box tests of tlsclient: it talks to honest TLS servers (Python's ssl module, openssl
s_server) and refuses, before it sends them one byte, every server that cannot prove it is the
host asked for, or that offers only TLS 1.0 or 1.1.

The test servers (netlab.tlspeers.TlsServer) record what reached them after the handshake, the
SNI name they were sent and how the client closed. The certificates come from the test PKI made
for this test session (conftest.py): nothing secret is stored anywhere.
"""
import resource
import time

from netlab.feedback import Failure, show
from netlab.peers import TcpServer
from netlab.tlspeers import OpenSslServer, TlsAccepted, TlsServer, finish, read_line, server_context
from tlslab import REQUEST, expect_refused, legacy_env, run_client, served

ANSWER = b"reply: " + REQUEST


def good_server(pki, programs, **kw):
    return TlsServer(kw.pop("host", "127.0.0.1"), server_context(pki.server, pki.server_key, **kw),
                     timeout=10 * programs.factor)


def expect_answered(run, conns, want=ANSWER, hint=""):
    run.expect_exit(0, hint=hint or "section 4.2: handshake, send standard input, print the answer "
                    "until the server's close_notify, exit 0")
    run.expect_stdout(want, hint="print exactly what the server sends, nothing else on stdout")
    if not conns or bytes(conns[0].received) != REQUEST:
        got = show(bytes(conns[0].received)) if conns else "no connection"
        raise Failure(run.did, f"the server receives the request {show(REQUEST)}", got,
                      "send all of standard input after the handshake")


def test_request_and_answer(programs, pki):
    with good_server(pki, programs) as server:
        run = run_client(programs, pki, server.port)
        conns = served(server, programs)
    expect_answered(run, conns)
    if run.stderr:
        raise Failure(run.did, "nothing on stderr after a successful exchange", f"stderr {show(run.stderr)}")
    if conns[0].ending != "close_notify":
        raise Failure(run.did, "the client answers the server's close_notify with its own, then closes",
                      f"the server saw: {conns[0].ending or 'nothing'}",
                      "tls_close() after tls_read() returned 0 (section 3.5)")


def test_sni(programs, pki):
    with good_server(pki, programs) as server:
        run = run_client(programs, pki, server.port)
        conns = served(server, programs)
    run.expect_exit(0)
    if conns[0].sni != "localhost":
        raise Failure(run.did, "the server name \"localhost\" in the handshake (SNI)",
                      f"SNI {conns[0].sni!r}" if conns[0].sni else "no SNI at all",
                      "SSL_set_tlsext_host_name(ssl, host): a server with many names needs it to pick "
                      "the right certificate (section 3.2)")


def test_ip_addresses(programs, pki):
    """The certificate lists 127.0.0.1 and ::1: the client checks those, and sends no SNI."""
    for host in ("127.0.0.1", "::1"):
        with good_server(pki, programs, host=host) as server:
            run = run_client(programs, pki, server.port, host=host)
            conns = served(server, programs)
        expect_answered(run, conns, hint="for an IP address, check the certificate's IP addresses "
                        "(X509_VERIFY_PARAM_set1_ip_asc), section 4.1")
        if conns[0].sni is not None:
            raise Failure(run.did, "no SNI: RFC 6066 forbids an IP address as a server name",
                          f"SNI {conns[0].sni!r}", "send SNI only when HOST is a name (inet_pton tells)")


def test_tls12_server(programs, pki):
    with good_server(pki, programs, versions=("1.2", "1.2")) as server:
        run = run_client(programs, pki, server.port)
        conns = served(server, programs)
    expect_answered(run, conns, hint="TLS 1.2 is still allowed: only 1.0 and 1.1 are refused")
    if conns[0].version != "TLSv1.2":
        raise Failure(run.did, "TLS 1.2", conns[0].version or conns[0].handshake_error)


HINT_VERIFY = ("SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL) makes the handshake fail, before any "
               "data is sent, unless the chain verifies; print why with tls_strerror() (section 4.1)")


def test_refuses_self_signed(programs, pki):
    with TlsServer("127.0.0.1", server_context(pki.self_signed, pki.self_signed_key),
                   timeout=10 * programs.factor) as server:
        run = run_client(programs, pki, server.port)
        expect_refused(run, server, programs, "localhost", "self.signed certificate", HINT_VERIFY)


def test_refuses_unknown_ca(programs, pki):
    with TlsServer("127.0.0.1", server_context(pki.rogue, pki.rogue_key),
                   timeout=10 * programs.factor) as server:
        run = run_client(programs, pki, server.port)
        expect_refused(run, server, programs, "localhost", "unable to get local issuer certificate",
                       HINT_VERIFY)


def test_refuses_expired(programs, pki):
    with TlsServer("127.0.0.1", server_context(pki.expired, pki.expired_key),
                   timeout=10 * programs.factor) as server:
        run = run_client(programs, pki, server.port)
        expect_refused(run, server, programs, "localhost", "certificate has expired", HINT_VERIFY)


def test_refuses_wrong_host(programs, pki):
    hint = ("a valid certificate proves nothing unless it is for the host you asked for: "
            "SSL_set1_host() for a name, X509_VERIFY_PARAM_set1_ip_asc() for an address (section 4.1)")
    with TlsServer("127.0.0.1", server_context(pki.wrong_host, pki.wrong_host_key),
                   timeout=10 * programs.factor) as server:
        run = run_client(programs, pki, server.port)
        expect_refused(run, server, programs, "localhost", "hostname mismatch", hint)
    with TlsServer("127.0.0.1", server_context(pki.names_only, pki.names_only_key),
                   timeout=10 * programs.factor) as server:
        run = run_client(programs, pki, server.port, host="127.0.0.1")
        expect_refused(run, server, programs, "127.0.0.1", "IP address mismatch", hint)


def test_refuses_old_versions(programs, pki):
    """Servers that speak only TLS 1.0 or 1.1. The client runs where OpenSSL allows them
    (OPENSSL_CONF, security level 0), so that only its own minimum version refuses them."""
    for version in ("1.0", "1.1"):
        with good_server(pki, programs, versions=(version, version)) as server:
            run = run_client(programs, pki, server.port, env=legacy_env(pki))
            expect_refused(run, server, programs, "localhost", "protocol",
                           f"TLS {version} is broken: SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION); "
                           "do not count on the system's OpenSSL configuration to refuse it (section 3.1)")


def test_truncated_answer(programs, pki):
    """The server answers, then closes the TCP connection without close_notify."""
    server_ctx = server_context(pki.server, pki.server_key)
    with TlsServer("127.0.0.1", server_ctx, respond=_answer_without_close_notify,
                   timeout=10 * programs.factor) as server:
        run = run_client(programs, pki, server.port)
        served(server, programs)
    hint = ("only close_notify ends the data; an end of the connection without it may be an attacker "
            "cutting the answer short: an error (section 3.5)")
    run.expect_failure(code=1, hint=hint)
    run.expect_error_line("tlsclient", rf"^tlsclient: reading from localhost port {server.port}: .*(?i:eof)",
                          hint)


def _answer_without_close_notify(tls, acc: TlsAccepted) -> None:
    if read_line(tls, acc):
        tls.sendall(b"the answer, cut short\n")


def test_default_store(programs, pki):
    """Without -a, the system's store is trusted: the grader points it at the test CA with
    SSL_CERT_FILE, which OpenSSL's default store reads."""
    with good_server(pki, programs) as server:
        run = run_client(programs, pki, server.port, ca=False)
        expect_refused(run, server, programs, "localhost", "unable to get local issuer certificate",
                       "without -a, trust the system's CAs only: the test CA is not one of them")
    with good_server(pki, programs) as server:
        run = run_client(programs, pki, server.port, ca=False, env={"SSL_CERT_FILE": str(pki.ca)})
        conns = served(server, programs)
    expect_answered(run, conns, hint="without -a: SSL_CTX_set_default_verify_paths(), which reads "
                    "SSL_CERT_FILE when it is set")


def test_client_certificate(programs, pki):
    """A server that requires a client certificate (mutual TLS)."""
    ctx = server_context(pki.server, pki.server_key, client_ca=pki.ca)
    with TlsServer("127.0.0.1", ctx, timeout=10 * programs.factor) as server:
        run = run_client(programs, pki, server.port, extra=["-c", pki.client, "-k", pki.client_key])
        conns = served(server, programs)
    expect_answered(run, conns, hint="-c and -k: SSL_CTX_use_certificate_chain_file() and "
                    "SSL_CTX_use_PrivateKey_file() on the client's context")
    if conns[0].client_name != "netlab-client":
        raise Failure(run.did, "the server sees the client certificate \"netlab-client\"",
                      f"{conns[0].client_name!r}")
    with TlsServer("127.0.0.1", ctx, timeout=10 * programs.factor) as server:
        run = run_client(programs, pki, server.port)
        conns = served(server, programs)
    run.expect_failure(code=1, hint="the server refused the client: an error, not an empty answer")
    run.expect_error_line("tlsclient", "^tlsclient: ")


def test_handshake_timeout(programs, pki):
    """A server that accepts the connection and never answers: the client gives up at its
    deadline (-t 3), waiting in poll(), not spinning on the CPU."""
    with TcpServer("127.0.0.1", timeout=20 * programs.factor) as server:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.monotonic()
        run = run_client(programs, pki, server.port, extra=["-t", "3"], timeout=8)
        elapsed = time.monotonic() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    hint = ("-t 3: wait at most 3 s at a time; on SSL_ERROR_WANT_READ, wait_fd(fd, POLLIN, deadline), "
            "which fails with ETIMEDOUT at the deadline")
    run.expect_failure(code=1, hint=hint)
    run.expect_error_line("tlsclient", "^tlsclient: TLS handshake with localhost port .*timed out", hint)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if programs.factor == 1 and cpu > 0.5:
        raise Failure(run.did, "the client sleeps in poll() while it waits (well under 0.5 s of CPU)",
                      f"it used {cpu:.2f} s of CPU in {elapsed:.1f} s",
                      "after SSL_ERROR_WANT_READ/WANT_WRITE, wait for the socket before you call "
                      "OpenSSL again: calling it again at once is a busy loop")


def test_openssl_s_server(programs, pki):
    """openssl s_server -www answers "GET /" with a status page, then close_notify."""
    args = ["-cert", pki.server, "-cert_chain", pki.server, "-key", pki.server_key, "-www", "-naccept", "1"]
    with OpenSslServer(args, timeout=10 * programs.factor) as server:
        run = run_client(programs, pki, server.port, stdin=b"GET / HTTP/1.0\r\n\r\n")
    run.expect_exit(0)
    if not run.stdout.startswith(b"HTTP/1.0 200 ok\r\n"):
        raise Failure(run.did, "the page of openssl s_server, starting \"HTTP/1.0 200 ok\"",
                      f"stdout {show(run.stdout, 200)}")


def test_big_request_and_answer(programs, pki):
    """A request of 256 KiB and an answer of 200 KiB: many TLS records each way."""
    request = bytes(i % 251 for i in range(256 * 1024)).replace(b"\n", b".") + b"\n"
    answer = bytes((i * 7) % 256 for i in range(200 * 1024))  # under the 256 KiB kept of stdout

    def respond(tls, acc):
        if read_line(tls, acc, limit=len(request) + 1):
            tls.sendall(answer)
            finish(tls, acc)

    ctx = server_context(pki.server, pki.server_key)
    with TlsServer("127.0.0.1", ctx, respond=respond, timeout=10 * programs.factor) as server:
        run = run_client(programs, pki, server.port, stdin=request, timeout=20)
        conns = served(server, programs)
    run.expect_exit(0)
    if conns[0].received != request:
        raise Failure(run.did, f"the server receives all {len(request)} bytes of standard input",
                      f"{len(conns[0].received)} bytes")
    if run.stdout != answer:
        raise Failure(run.did, f"all {len(answer)} bytes of the answer on stdout, as sent",
                      f"{len(run.stdout)} bytes" + ("" if len(run.stdout) != len(answer) else ", not the same"),
                      "read until tls_read() returns 0, and write every byte it returned")


def test_usage(programs):
    for args in ([], ["localhost"], ["localhost", "http"], ["localhost", "0"], ["-t", "0", "localhost", "443"],
                 ["-c", "client.pem", "localhost", "443"], ["-x", "localhost", "443"]):
        run = programs.run("tlsclient", *args)
        run.expect_failure(code=2, hint="a usage error exits 2 (-c and -k go together)")
        run.expect_stderr_contains("usage: tlsclient")

