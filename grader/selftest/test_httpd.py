"""The HTTP test peers (netlab.httpd, netlab.nginx) do what the labs' tests rely on: the exact
bytes on the wire, each way of delivering them, ports where connect() gets no answer, peers that
share a port number, and a private nginx that runs as an ordinary user and outside the sandbox."""
import errno
import json
import os
import shutil
import socket
import subprocess
import tempfile
import textwrap
from pathlib import Path

import pytest

from conftest import KIT
from netlab import nginx
from netlab.httpd import BlackHole, HttpServer, Response, listen_queue, same_port
from netlab.peers import ClosedPort

GET = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"


def fetch(host: str, port: int, request: bytes = GET, timeout: float = 10) -> tuple[bytes, str]:
    """Send request, read until the server closes (or resets, or goes quiet past `timeout`).
    Returns what arrived and how it ended: "eof", "reset" or "quiet"."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.settimeout(timeout)
        s.connect((host, port))
        s.sendall(request)
        data = b""
        while True:
            try:
                chunk = s.recv(65536)
            except ConnectionResetError:
                return data, "reset"
            except socket.timeout:
                return data, "quiet"
            if not chunk:
                return data, "eof"
            data += chunk


def test_response_wire_formats():
    assert Response(body=b"hi").wire() == b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi"
    assert Response(404, "", b"x", framing="close", version="HTTP/1.0").wire() == b"HTTP/1.0 404\r\n\r\nx"
    assert Response(204, "No Content", framing="none").wire() == b"HTTP/1.1 204 No Content\r\n\r\n"
    chunked = Response(body=b"a" * 30, framing="chunked", chunk_sizes=[26], chunk_ext=";e=1",
                       upper_hex=True, trailers=[("T", "v")], headers=[("Server", "s")])
    assert chunked.wire() == (b"HTTP/1.1 200 OK\r\nServer: s\r\nTransfer-Encoding: chunked\r\n\r\n"
                              b"1A;e=1\r\n" + b"a" * 26 + b"\r\n4;e=1\r\naaaa\r\n0;e=1\r\nT: v\r\n\r\n")
    assert Response(body=b"abc", eol=b"\n").head() == b"HTTP/1.1 200 OK\nContent-Length: 3\n\n"
    assert Response(body=b"x" * 2500, framing="chunked").chunks() == [b"x" * 1000] * 2 + [b"x" * 500]


@pytest.mark.parametrize("delivery", ["normal", "coalesce", "trickle", "split"])
def test_every_delivery_sends_the_same_bytes(delivery):
    answer = Response(body=bytes(range(256)), framing="chunked", chunk_sizes=[100])
    with HttpServer("127.0.0.1", answer, delivery=delivery, splits=(1, 50, 51)) as server:
        data, end = fetch("127.0.0.1", server.port)
        assert (data, end) == (answer.wire(), "eof")
        assert server.request() == GET
        pieces = server._pieces()
        assert b"".join(pieces) == answer.wire()
        assert len(pieces) == {"normal": 2, "coalesce": 1, "trickle": len(answer.wire()), "split": 4}[delivery]


def test_request_head_read_byte_by_byte_and_over_ipv6():
    with HttpServer("::1", b"HTTP/1.1 200 OK\r\n\r\n") as server:
        with socket.create_connection(("::1", server.port), timeout=10) as s:
            for b in GET + b"BODY":
                s.send(bytes([b]))
            assert s.recv(100) == b"HTTP/1.1 200 OK\r\n\r\n"
        assert server.request() == GET
        assert server.url("/x") == f"http://[::1]:{server.port}/x"


def test_cut_and_after():
    answer = Response(body=b"0123456789")
    with HttpServer("127.0.0.1", answer, cut=len(answer.head()) + 4) as server:
        assert fetch("127.0.0.1", server.port) == (answer.head() + b"0123", "eof")
    with HttpServer("127.0.0.1", answer, after="keep") as server:
        assert fetch("127.0.0.1", server.port, timeout=0.3) == (answer.wire(), "quiet")
        conn = server.wait_for_connections(1)[0]
        assert conn.done.wait(10) and conn.closed_by_peer  # open until the client closed
    with HttpServer("127.0.0.1", answer, after="reset", cut=len(answer.head())) as server:
        data, end = fetch("127.0.0.1", server.port)
        assert end == "reset" and answer.head().startswith(data)


def test_silent_server_and_a_client_that_never_finishes_its_request():
    with HttpServer("127.0.0.1", Response(body=b"never sent"), delivery="silent") as server:
        assert fetch("127.0.0.1", server.port, timeout=0.3) == (b"", "quiet")
        assert server.request() == GET
    with HttpServer("127.0.0.1", Response()) as server:
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as s:
            s.sendall(b"GET / HT")
        assert server.request() == b"GET / HT"  # what arrived before the client closed
    with HttpServer("127.0.0.1", Response()) as server:
        assert server.request(timeout=0.2) == b""  # nobody connected


def test_black_hole_leaves_connect_unanswered():
    for host in ("127.0.0.1", "::1"):
        with BlackHole(host) as hole:
            assert listen_queue(host, hole.port) == 1
            family = socket.AF_INET6 if ":" in host else socket.AF_INET
            with socket.socket(family, socket.SOCK_STREAM) as s:
                s.settimeout(0.3)
                with pytest.raises(socket.timeout):
                    s.connect((host, hole.port))
        assert listen_queue(host, hole.port) is None  # closed with the context


def test_same_port_shares_one_number_and_retries_when_taken():
    with same_port(lambda p: ClosedPort("::1", p), lambda p: BlackHole("127.0.0.1", p),
                   lambda p: HttpServer("127.0.0.2", Response(body=b"ok"), port=p)) as (refused, hole, server):
        assert refused.port == hole.port == server.port
        assert fetch("127.0.0.2", server.port)[0].endswith(b"ok")
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("::1", refused.port), timeout=5)

    attempts = []

    class Taken:
        def __init__(self, port):
            attempts.append(port)
            if len(attempts) == 2:
                raise OSError(errno.EADDRINUSE, "taken")
            self.port = port or 40000 + len(attempts)

        def close(self):
            pass

    with same_port(Taken, Taken) as (a, b):
        assert a.port == b.port and len(attempts) == 4  # the second address was taken once


def need_nginx():
    reason = nginx.unavailable()
    if reason:
        pytest.skip(reason)


def test_nginx_serves_files_and_chunked_responses(tmp_path):
    need_nginx()
    files = {"a.bin": os.urandom(100000), "footer.txt": b"footer\n"}
    extra = (f"location /chunked/ {{ alias {tmp_path}/www/; add_after_body /footer.txt; "
             "addition_types *; }")
    with nginx.Nginx(tmp_path, files, locations=extra) as web:
        data, _ = fetch("127.0.0.1", web.port, b"GET /a.bin HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        head, body = data.split(b"\r\n\r\n", 1)
        assert head.startswith(b"HTTP/1.1 200 OK") and b"Content-Length: 100000" in head
        assert body == files["a.bin"]
        data, _ = fetch("127.0.0.1", web.port, b"GET /chunked/footer.txt HTTP/1.1\r\nHost: x\r\n"
                        b"Connection: close\r\n\r\n")
        assert b"Transfer-Encoding: chunked" in data.split(b"\r\n\r\n")[0]  # the lab relies on it
        assert web.url("/a") == f"http://127.0.0.1:{web.port}/a"
        pid = web.proc.pid
    assert web.proc.poll() is not None and not os.path.exists(f"/proc/{pid}/status")


def test_nginx_as_an_unprivileged_user():
    """On a student's machine nginx runs as the student: every path it writes is its own."""
    need_nginx()
    if os.geteuid() != 0:
        pytest.skip("needs root to switch to an unprivileged user")
    with tempfile.TemporaryDirectory() as tmp:
        os.chmod(tmp, 0o777)
        # The kit may sit where that user cannot read (a clone in root's temporary folder).
        shutil.copytree(KIT / "grader" / "netlab", Path(tmp) / "lib" / "netlab",
                        ignore=shutil.ignore_patterns("__pycache__"))
        for folder in (Path(tmp) / "lib", Path(tmp) / "lib" / "netlab"):
            folder.chmod(0o755)
        script = textwrap.dedent(f"""
            import socket, sys
            sys.path.insert(0, {str(Path(tmp) / 'lib')!r})
            from pathlib import Path
            from netlab.nginx import Nginx
            with Nginx(Path({tmp!r}) / "web", {{"f.txt": b"hello"}}) as web:
                s = socket.create_connection(("127.0.0.1", web.port), timeout=10)
                s.sendall(b"GET /f.txt HTTP/1.1\\r\\nHost: x\\r\\nConnection: close\\r\\n\\r\\n")
                data = b""
                while chunk := s.recv(4096):
                    data += chunk
                print(data.endswith(b"hello"))
            """)
        proc = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                               shutil.which("python3", path="/usr/bin"), "-c", script],
                              capture_output=True, text=True, timeout=60, env={"PATH": "/usr/bin:/bin"})
    assert proc.returncode == 0 and proc.stdout.strip() == "True", proc.stdout + proc.stderr


@pytest.mark.instructor
def test_nginx_tests_pass_without_the_sandbox(tmp_path):
    """Where bubblewrap cannot run, Lab 03's nginx tests still run (on the host's loopback)."""
    need_nginx()
    out = tmp_path / "g.json"
    env = dict(os.environ, NETLAB_NO_SANDBOX="1")
    proc = subprocess.run([str(KIT / "grader" / "grade"), "--lab", "03", "--submission", "solutions",
                           "--only", "test_nginx.py::*", "--json", str(out)], env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "sandbox: none" in proc.stdout
    tests = json.loads(out.read_text())["labs"][0]["tests"]
    assert tests and all(t["status"] == "passed" for t in tests), proc.stdout
