"""The fault-injection library (grader/c/faultshim.c) does what the tests rely on, and no more:
short I/O and EINTR on sockets only, deterministically, resets after N bytes, and a log."""
import errno
import socket
import subprocess
import textwrap
import threading

import pytest

from conftest import KIT
from netlab.shim import Faults

PROGRAM = textwrap.dedent(r"""
    #define _GNU_SOURCE
    #include <arpa/inet.h>
    #include <errno.h>
    #include <netinet/in.h>
    #include <stdio.h>
    #include <stdlib.h>
    #include <string.h>
    #include <sys/socket.h>
    #include <unistd.h>

    /* usage: probe PORT MODE ; MODE naive-send | loop-send | loop-recv | recv-all */
    int main(int argc, char **argv)
    {
        static char buf[100000];
        struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(atoi(argv[1]))};
        int fd = socket(AF_INET, SOCK_STREAM, 0), eintr = 0, calls = 0, biggest = 0;
        long total = 0;
        ssize_t n;

        inet_pton(AF_INET, "127.0.0.1", &sin.sin_addr);
        while (connect(fd, (struct sockaddr *)&sin, sizeof sin) == -1) {
            if (errno == EISCONN) break;
            if (errno != EINTR && errno != EALREADY) { perror("connect"); return 1; }
        }
        memset(buf, 'x', sizeof buf);
        if (strcmp(argv[2], "naive-send") == 0) {
            n = send(fd, buf, sizeof buf, 0);
            total = n > 0 ? n : 0;
        } else if (strcmp(argv[2], "loop-send") == 0) {
            while (total < (long)sizeof buf) {
                n = write(fd, buf + total, sizeof buf - (size_t)total);
                calls++;
                if (n == -1 && errno == EINTR) { eintr++; continue; }
                if (n == -1) { perror("write"); return 1; }
                total += n;
            }
        } else {
            for (;;) {
                n = recv(fd, buf, sizeof buf, 0);
                calls++;
                if (n == -1 && errno == EINTR) { eintr++; continue; }
                if (n == -1) { printf("errno %d\n", errno); break; }
                if (n == 0) break;
                if (n > biggest) biggest = (int)n;
                total += n;
            }
        }
        printf("total %ld calls %d eintr %d biggest %d\n", total, calls, eintr, biggest);
        fprintf(stderr, "%s\n", "this line goes to a pipe, which the library must not touch");
        close(fd);
        return 0;
    }
    """)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    d = tmp_path_factory.mktemp("shim")
    subprocess.run(["cc", "-shared", "-fPIC", "-O2", "-o", str(d / "faultshim.so"),
                    str(KIT / "grader" / "c" / "faultshim.c"), "-ldl"], check=True)
    (d / "probe.c").write_text(PROGRAM)
    subprocess.run(["cc", "-O2", "-w", "-o", str(d / "probe"), str(d / "probe.c")], check=True)
    return d


class Sink:
    """A server that reads everything (or sends `payload`) and counts the bytes."""

    def __init__(self, payload: bytes = b""):
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(20)
        self.port = self.sock.getsockname()[1]
        self.payload, self.received = payload, 0
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        conn, _ = self.sock.accept()
        conn.settimeout(20)
        with conn:
            if self.payload:
                conn.sendall(self.payload)
                return
            while data := conn.recv(65536):
                self.received += len(data)

    def close(self):
        self.thread.join(20)
        self.sock.close()


def probe(built, mode, faults=None, payload=b""):
    sink = Sink(payload)
    env = {"PATH": "/usr/bin:/bin"}
    if faults is not None:
        env.update(faults.env(built / "faultshim.so", built / f"log.{mode}.{id(faults)}"))
    proc = subprocess.run([str(built / "probe"), str(sink.port), mode], env=env, capture_output=True,
                          text=True, timeout=60)
    sink.close()
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == "this line goes to a pipe, which the library must not touch\n"
    words = proc.stdout.split()
    return dict(zip(words[::2], words[1::2])), sink


def test_naive_send_is_cut_short(built):
    out, sink = probe(built, "naive-send", Faults(max_io=7))
    assert out["total"] == "7" and sink.received == 7
    out, sink = probe(built, "naive-send")  # without the library, loopback takes it all at once
    assert out["total"] == "100000" and sink.received == 100000


def test_a_correct_loop_survives_short_writes_and_eintr(built):
    faults = Faults(max_io=1000, eintr_every=3)
    out, sink = probe(built, "loop-send", faults)
    assert out["total"] == "100000" and sink.received == 100000
    assert int(out["eintr"]) == int(out["calls"]) // 3  # every third write failed, exactly
    altered = faults.altered()
    assert altered["eintr"] >= int(out["eintr"]) and altered["short"] >= 60


def test_reads_are_capped(built):
    out, _ = probe(built, "loop-recv", Faults(max_io=3), payload=b"y" * 5000)
    assert out["total"] == "5000" and out["biggest"] == "3"


def test_reset_after_some_bytes(built):
    out, _ = probe(built, "loop-recv", Faults(reset_after=100, max_io=10), payload=b"z" * 5000)
    assert out["total"] == "100" and out["errno"] == str(errno.ECONNRESET)


def test_only_the_named_calls(built):
    out, _ = probe(built, "loop-recv", Faults(max_io=3, ops=("send",)), payload=b"y" * 5000)
    assert int(out["biggest"]) > 3


def test_fail_with_a_chosen_errno(built):
    faults = Faults(fail_every=1, fail_errno="ECONNRESET", ops=("recv",))
    out, _ = probe(built, "loop-recv", faults, payload=b"y" * 100)
    assert out["total"] == "0" and out["errno"] == str(errno.ECONNRESET)
    assert faults.altered() == {"fail": 1}
    assert faults.describe() == "every call failing with ECONNRESET (only recv)"


ACCEPTOR = textwrap.dedent(r"""
    #include <arpa/inet.h>
    #include <errno.h>
    #include <netinet/in.h>
    #include <stdio.h>
    #include <stdlib.h>
    #include <sys/socket.h>
    #include <unistd.h>

    /* usage: acceptor N ; accept N connections on 127.0.0.1, counting the failed accept() calls */
    int main(int argc, char **argv)
    {
        struct sockaddr_in sin = {.sin_family = AF_INET};
        socklen_t len = sizeof sin;
        int fd = socket(AF_INET, SOCK_STREAM, 0), want = atoi(argv[1]), got = 0, failed = 0, last = 0;

        inet_pton(AF_INET, "127.0.0.1", &sin.sin_addr);
        bind(fd, (struct sockaddr *)&sin, sizeof sin);
        listen(fd, 16);
        getsockname(fd, (struct sockaddr *)&sin, &len);
        printf("port %d\n", ntohs(sin.sin_port));
        fflush(stdout);
        while (got < want) {
            int c = accept(fd, NULL, NULL);
            if (c == -1) { failed++; last = errno; continue; }
            got++;
            close(c);
        }
        printf("accepted %d failed %d errno %d\n", got, failed, last);
        return 0;
    }
    """)


def test_accept_fails_without_losing_the_connection(built):
    """ECONNABORTED from accept(): the connection stays queued, so the next accept() gets it."""
    (built / "acceptor.c").write_text(ACCEPTOR)
    subprocess.run(["cc", "-O2", "-w", "-o", str(built / "acceptor"), str(built / "acceptor.c")], check=True)
    faults = Faults(fail_every=2, fail_errno="ECONNABORTED", ops=("accept",))
    env = {"PATH": "/usr/bin:/bin", **faults.env(built / "faultshim.so", built / "log.acceptor")}
    proc = subprocess.Popen([str(built / "acceptor"), "4"], env=env, stdout=subprocess.PIPE, text=True)
    try:
        port = int(proc.stdout.readline().split()[1])
        for _ in range(4):
            socket.create_connection(("127.0.0.1", port), timeout=10).close()
        out = proc.communicate(timeout=30)[0].split()
    finally:
        proc.kill()
        proc.wait()
    assert out == ["accepted", "4", "failed", "3", "errno", str(errno.ECONNABORTED)]  # calls 2, 4, 6
    assert faults.altered() == {"fail": 3}


def test_unknown_error_name_injects_nothing(built):
    faults = Faults(fail_every=1, fail_errno="ENOSUCHERROR", ops=("recv",))
    out, _ = probe(built, "loop-recv", faults, payload=b"y" * 100)
    assert out["total"] == "100" and not faults.altered()
