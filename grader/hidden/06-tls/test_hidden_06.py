"""Hidden tests of Lab 06: the same contracts as the public tests, on cases a student may not try."""
from netlab.feedback import Failure, show
from netlab.tlspeers import TlsServer, client_context, finish, read_line, server_context
from tlslab import (did_talk, expect_answer, expect_refused, open_fds, run_client, served,
                    start_server, talk_to, wait_for_fds)


def test_not_yet_valid(programs, pki):
    with TlsServer("127.0.0.1", server_context(pki.not_yet_valid, pki.not_yet_valid_key),
                   timeout=10 * programs.factor) as server:
        run = run_client(programs, pki, server.port)
        expect_refused(run, server, programs, "localhost", "certificate is not yet valid",
                       "a certificate is valid from its notBefore date only")


def test_missing_intermediate(programs, pki):
    """The server sends its own certificate without the intermediate CA's: the chain to the
    root cannot be built, whatever the certificate says."""
    with TlsServer("127.0.0.1", server_context(pki.server_leaf_only, pki.server_key),
                   timeout=10 * programs.factor) as server:
        run = run_client(programs, pki, server.port)
        expect_refused(run, server, programs, "localhost", "unable to get local issuer certificate",
                       "only a chain that reaches a trusted root verifies")


def test_answer_in_tiny_records(programs, pki):
    answer = bytes(b"0123456789abcdef"[i % 16] for i in range(300)) + b"\n"

    def respond(tls, acc):
        if read_line(tls, acc):
            for i in range(len(answer)):
                tls.sendall(answer[i:i + 1])  # one TLS record per byte
            finish(tls, acc)

    with TlsServer("127.0.0.1", server_context(pki.server, pki.server_key), respond=respond,
                   timeout=10 * programs.factor) as server:
        run = run_client(programs, pki, server.port)
        served(server, programs)
    run.expect_exit(0).expect_stdout(answer, hint="read until tls_read() returns 0: one read returns "
                                     "one record at most")


def test_many_clients(programs, pki):
    server = start_server(programs, pki)
    baseline = open_fds(server.pid)
    tls12 = client_context(pki.ca, versions=("1.2", "1.2"))
    for i in range(30):
        host = "::1" if i % 2 else "127.0.0.1"
        ctx = tls12 if i % 3 == 0 else None
        line = f"client {i}"
        result = talk_to(server, pki, host, data=line.encode() + b"\n", context=ctx)
        expect_answer(server, result, did_talk(server, host, f"\"{line}\\n\"") + f" (client {i + 1} of 30)",
                      want=f"echo: {line}\n".encode())
    count = wait_for_fds(server.pid, baseline, 5 * programs.factor)
    if count != baseline:
        raise Failure("served 30 clients in a row", f"{baseline} descriptors open, as before them",
                      f"{count} descriptors", "close every client's socket")


def test_line_limits(programs, pki):
    """A line of 1024 bytes with its '\\n' is answered; a longer one is refused, and the server
    goes on."""
    server = start_server(programs, pki)
    longest = b"x" * 1023
    result = talk_to(server, pki, data=longest + b"\n")
    expect_answer(server, result, did_talk(server, what="a line of 1023 bytes and its '\\n'"),
                  want=b"echo: " + longest + b"\n", hint="1024 bytes, the '\\n' included, is allowed")
    result = talk_to(server, pki, data=b"y" * 1024 + b"\n")
    if b"echo" in result.answer:
        raise Failure(did_talk(server, what="a line of 1024 bytes and its '\\n'"),
                      "no answer: the line is too long", f"the answer {show(result.answer, 120)}",
                      "stop reading at the limit (EMSGSIZE), never past the end of the buffer")
    expect_answer(server, talk_to(server, pki), did_talk(server) + ", after the long line")
