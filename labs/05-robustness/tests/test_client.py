"""Black-box tests of kvclient (section 4.5) against a scripted stand-in server (kvtest.FakeServer)
that turns connections away, resets them or serves them, and notes when each one came: the retry
schedule is checked by the attempts the server sees and the delays the client prints, never by
the precision of a clock."""
import re

import kvtest
from kvtest import FakeServer, last_error_line, retry_lines
from netlab.feedback import Failure, show
from netlab.peers import ClosedPort
from netlab.shim import Faults

FAST = ["-b", "5", "-m", "20"]  # retry delays of a few ms, so that the tests are quick


def expect_last_error(run, pattern, hint=""):
    line = last_error_line(run)
    if not re.search(pattern, line):
        raise Failure(run.did, f"a last line on stderr matching /{pattern}/", f"{show(line)}\n"
                      f"(stderr {show(run.err, 600)})", hint)


def expect_attempts(run, server, n, hint):
    if server.connections() != n:
        raise Failure(run.did, f"{n} connection(s) to the server", f"{server.connections()}\n"
                      f"(stderr {show(run.err, 600)})", hint)


def test_requests(programs):
    with FakeServer(["serve"]) as server:
        run = programs.run("kvclient", "127.0.0.1", server.port, "SET a 1", "GET a", "PING")
        run.expect_exit(0, hint="every reply began with OK: exit 0 (section 4.5)")
        run.expect_stdout("OK\nOK 1\nOK PONG\n", hint="one reply line per request, in order")
        if server.requests != [b"SET a 1", b"GET a", b"PING"]:
            raise Failure(run.did, "the server to receive the three requests, once each, in order",
                          f"{server.requests}")


def test_error_reply(programs):
    with FakeServer(["serve"]) as server:
        run = programs.run("kvclient", "127.0.0.1", server.port, "GET nothing", "PING")
        run.expect_exit(1, hint="a reply that begins with ERR makes the exit status 1, and the "
                        "other requests are still sent (section 4.5)")
        run.expect_stdout("ERR not-found\nOK PONG\n")


def test_against_kvserver(programs):
    """Your client and your server together, over IPv6."""
    server = kvtest.start(programs)
    run = programs.run("kvclient", "::1", server.port, "SET both halves", "APPEND both !", "GET both",
                       "DEL nothing")
    run.expect_exit(1).expect_stdout("OK\nOK 7\nOK halves!\nERR not-found\n")


def test_refused(programs):
    with ClosedPort("127.0.0.1") as port:
        run = programs.run("kvclient", "-r", "2", *FAST, "127.0.0.1", port.port, "PING")
        run.expect_failure(code=4, hint="no session after every attempt: exit 4 (section 4.5)")
        tries = retry_lines(run)
        if len(tries) != 2 or any(m.group(3) != "Connection refused" for m in tries):
            raise Failure(run.did, "two retry lines \"kvclient: 127.0.0.1 port P: Connection refused; "
                          "retry K of 2 in D ms\"", f"stderr {show(run.err, 800)}", "section 4.5")
        expect_last_error(run, rf"^kvclient: 127\.0\.0\.1 port {port.port}: Connection refused "
                          r"\(gave up after 3 attempts\)$", "the errno of the last attempt, saved "
                          "before any cleanup (close, ...) could change it")
        if run.stdout:
            raise Failure(run.did, "nothing on stdout", show(run.stdout))


def test_busy_then_served(programs):
    with FakeServer(["busy", "busy", "serve"]) as server:
        run = programs.run("kvclient", "-r", "3", *FAST, "127.0.0.1", server.port, "PING")
        run.expect_exit(0, hint="ERR busy instead of the greeting: try again later (section 4.5)")
        run.expect_stdout("OK PONG\n")
        expect_attempts(run, server, 3, "two refusals, then a session")
        tries = retry_lines(run)
        if [m.group(3) for m in tries] != ["server busy", "server busy"]:
            raise Failure(run.did, "two retry lines giving the reason \"server busy\"",
                          f"stderr {show(run.err, 800)}", "section 4.5")


def test_reset_then_served(programs):
    with FakeServer(["reset", "close", "serve"]) as server:
        run = programs.run("kvclient", "-r", "3", *FAST, "127.0.0.1", server.port, "SET r 1")
        run.expect_exit(0, hint="a connection reset or closed before the greeting is worth another "
                        "attempt: nothing was sent yet (section 4.5)")
        run.expect_stdout("OK\n")
        expect_attempts(run, server, 3, "a reset, a close, then a session")
        if server.requests != [b"SET r 1"]:
            raise Failure(run.did, "the request sent once", f"{server.requests}")


def backoff_run(programs, retries, base, cap):
    with FakeServer(["busy"]) as server:
        run = programs.run("kvclient", "-r", retries, "-b", base, "-m", cap, "127.0.0.1", server.port,
                           "PING", timeout=20)
        run.expect_failure(code=4, hint="still turned away after the last retry: exit 4")
        expect_attempts(run, server, retries + 1, "-r RETRIES: one attempt, then at most RETRIES more")
        tries = retry_lines(run)
        if [int(m.group(4)) for m in tries] != list(range(1, retries + 1)):
            raise Failure(run.did, f"{retries} retry lines, numbered 1 to {retries}",
                          f"stderr {show(run.err, 1200)}", "section 4.5")
        delays = [int(m.group(6)) for m in tries]
        for k, d in enumerate(delays, start=1):
            bound = min(cap, base * 2 ** (k - 1))
            if not bound // 2 <= d <= bound:
                raise Failure(run.did, f"retry {k} after a delay from {bound // 2} to {bound} ms "
                              f"(b = min(MAX_MS, BASE_MS * 2^(k-1)) = {bound})",
                              f"{d} ms; all delays: {delays}", "section 4.5: exponential backoff, "
                              "capped at MAX_MS, with jitter in the upper half (backoff_delay)")
        gaps = [round((b - a) * 1000) for a, b in zip(server.accepted, server.accepted[1:])]
        for k, (d, gap) in enumerate(zip(delays, gaps), start=1):
            if gap < d:
                raise Failure(run.did, f"at least {d} ms between attempts {k} and {k + 1}, as printed",
                              f"the server saw the next connection after {gap} ms",
                              "sleep the whole delay: nanosleep() interrupted by a signal returns "
                              "early, with the time left")
        return delays


def test_backoff_schedule(programs):
    first = backoff_run(programs, 6, 20, 100)
    second = backoff_run(programs, 6, 20, 100)
    if first == second:
        raise Failure("ran the same kvclient twice against a server that is always busy",
                      "different delays (jitter: each client draws its own)",
                      f"the same delays twice: {first}", "seed the random numbers differently in "
                      "each run (time and pid), and use them in backoff_delay")


def test_no_retries(programs):
    with FakeServer(["busy", "serve"]) as server:
        run = programs.run("kvclient", "-r", "0", *FAST, "127.0.0.1", server.port, "PING")
        run.expect_failure(code=4)
        expect_attempts(run, server, 1, "-r 0 means one attempt and no retry")
        expect_last_error(run, rf"port {server.port}: server busy \(gave up after 1 attempts\)$")


def test_no_retry_after_request(programs):
    """Once a request is sent it is never sent again: the server may have carried it out."""
    for behaviour, pattern in (("reset-after-request", "Connection reset by peer"),
                               ("close-after-request", "closed the connection before replying")):
        with FakeServer([behaviour, "serve"]) as server:
            run = programs.run("kvclient", "-r", "3", *FAST, "127.0.0.1", server.port,
                               "APPEND log entry", "PING")
            run.expect_failure(code=5, hint="the connection was lost after a request was sent: "
                               "exit 5, and no new attempt (section 4.5)")
            expect_attempts(run, server, 1, "an APPEND sent twice is not an APPEND sent once")
            expect_last_error(run, rf"^kvclient: 127\.0\.0\.1 port {server.port}: {pattern}$")


def test_reply_timeout(programs):
    with FakeServer(["silent"]) as server:
        run = programs.run("kvclient", "-t", "300", "127.0.0.1", server.port, "PING", timeout=10)
        run.expect_failure(code=6, hint="no reply within TIMEOUT_MS: exit 6 (section 4.5)")
        expect_last_error(run, rf"^kvclient: 127\.0\.0\.1 port {server.port}: Connection timed out$",
                          "strerror(ETIMEDOUT)")
        expect_attempts(run, server, 1, "a request that timed out is not sent again")


def test_protocol_errors(programs):
    for behaviour, pattern in (("long-reply", "reply too long"), ("bad-greeting", "unexpected greeting")):
        with FakeServer([behaviour, "serve"]) as server:
            run = programs.run("kvclient", "-r", "3", *FAST, "127.0.0.1", server.port, "PING")
            run.expect_failure(code=7, hint="a server that does not speak the protocol: exit 7 "
                               "(section 4.5)")
            expect_last_error(run, rf"^kvclient: 127\.0\.0\.1 port {server.port}: {pattern}$")
            expect_attempts(run, server, 1, "retrying does not make a server speak the protocol")


def test_interrupted_connect(programs):
    """connect() interrupted by a signal goes on in the background: wait for it (poll, then
    SO_ERROR); calling connect() again only says EALREADY or EISCONN."""
    faults = Faults(eintr_every=1, ops=("connect",))
    with FakeServer(["serve"]) as server:
        run = programs.run("kvclient", "127.0.0.1", server.port, "PING", faults=faults)
        run.expect_exit(0, hint="after EINTR from connect(), poll() for POLLOUT and read SO_ERROR")
        run.expect_stdout("OK PONG\n")
    if not faults.altered().get("eintr"):
        raise Failure(run.did, "connect() interrupted by the fault library", "it was not: is "
                      "connect() called?")
    faults = Faults(eintr_every=1, ops=("connect",))
    with ClosedPort("127.0.0.1") as port:
        run = programs.run("kvclient", "-r", "1", *FAST, "127.0.0.1", port.port, "PING", faults=faults)
        run.expect_failure(code=4)
        expect_last_error(run, rf"port {port.port}: Connection refused \(gave up after 2 attempts\)$",
                          "the connection's own error is in SO_ERROR, not in errno (which still "
                          "says EINTR)")


def test_short_and_interrupted_io(programs):
    faults = Faults(max_io=2, eintr_every=2, ops=("send", "recv", "read", "write", "sendto", "recvfrom"))
    big = "".join(chr(ord("a") + i % 26) for i in range(900))
    with FakeServer(["serve"]) as server:
        run = programs.run("kvclient", "127.0.0.1", server.port, f"SET big {big}", "GET big",
                           faults=faults)
        run.expect_exit(0, hint="loop until everything is sent, retry EINTR, keep reading until "
                        "the newline (send_all, recv_line)")
        run.expect_stdout(f"OK\nOK {big}\n")
    altered = faults.altered()
    if not altered.get("short") or not altered.get("eintr"):
        raise Failure(run.did, "short and interrupted calls", f"{altered}", "use send/recv")


def test_unresolvable(programs, net):
    run = programs.run("kvclient", net.unresolvable, "80", "PING")
    run.expect_failure(code=3, hint="a name that does not resolve: exit 3, gai_strerror (section 4.5)")
    run.expect_error_line("kvclient", rf"^kvclient: {re.escape(net.unresolvable)}: ")


def test_usage(programs):
    for args in ([], ["127.0.0.1", "80"], ["127.0.0.1", "http", "PING"], ["127.0.0.1", "0", "PING"],
                 ["-r", "x", "127.0.0.1", "80", "PING"], ["-b", "0", "127.0.0.1", "80", "PING"],
                 ["-t", "-5", "127.0.0.1", "80", "PING"], ["-z", "127.0.0.1", "80", "PING"],
                 ["127.0.0.1", "80", "PING\nPING"]):
        run = programs.run("kvclient", *args)
        run.expect_failure(code=2, hint="a usage error exits 2 with the usage line (section 4.5)")
        run.expect_stderr_contains("usage: kvclient")
