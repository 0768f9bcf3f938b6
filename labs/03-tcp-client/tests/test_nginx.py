"""Interoperability: httpget downloads files from a real nginx (Debian's package, netlab.nginx),
started by the test with its own configuration on a loopback port; the bytes must match exactly.
"""
import hashlib
import random

import pytest

from netlab import nginx
from netlab.feedback import Failure, first_difference, show
from netlab.nginx import Nginx

# A location whose responses nginx sends chunked: the addition filter appends a file after the
# body, so nginx cannot know the length in advance.
CHUNKED = """
        location /chunked/ {{
            alias {root}/;
            add_after_body /footer.txt;
            addition_types *;
        }}
"""


@pytest.fixture
def files():
    rng = random.Random(7)
    out = {f"random-{n}.bin": rng.randbytes(n)
           for n in (1, 1000, 65537, 300001, (4 << 20) + 5)}
    out["empty.txt"] = b""
    out["zeros.bin"] = bytes(1 << 20)
    out["text.txt"] = b"".join(b"line %d of a text file\r\n" % i for i in range(500))
    out["footer.txt"] = b"-- footer added by nginx --\n"
    return out


def start(tmp_path, files, programs):
    reason = nginx.unavailable()
    if reason:
        pytest.skip(reason)
    root = tmp_path / "web" / "www"
    return Nginx(tmp_path / "web", files, locations=CHUNKED.format(root=root),
                 timeout=10 * programs.factor)


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


def expect_file(run, data: bytes, web):
    log = web.log().strip()
    run.expect_exit(0, hint="nginx answers 200 with the file" + (f"; its log:\n{log[-500:]}" if log else ""))
    if run.stdout != data:
        raise Failure(run.did, f"stdout: {len(data)} bytes with SHA-256 {digest(data)}...",
                      f"{len(run.stdout)} bytes with SHA-256 {digest(run.stdout)}...; "
                      f"{first_difference(data, run.stdout)}",
                      "copy the body byte for byte: fwrite(), never string functions")


def test_nginx_files(programs, tmp_path, files):
    with start(tmp_path, files, programs) as web:
        for name in ("random-1.bin", "empty.txt", "random-1000.bin", "text.txt", "random-65537.bin",
                     "zeros.bin", "random-300001.bin", "random-4194309.bin"):
            run = programs.run("httpget", "-t", "5", web.url(f"/{name}"), timeout=20, cap=8 << 20)
            expect_file(run, files[name], web)


def test_nginx_chunked(programs, tmp_path, files):
    with start(tmp_path, files, programs) as web:
        for name in ("text.txt", "random-65537.bin"):
            run = programs.run("httpget", "-t", "5", web.url(f"/chunked/{name}"), timeout=20)
            expect_file(run, files[name] + files["footer.txt"], web)


def test_nginx_not_found(programs, tmp_path, files):
    with start(tmp_path, files, programs) as web:
        run = programs.run("httpget", "-t", "5", web.url("/no/such/file"))
        run.expect_failure(code=7).expect_error_line(
            "httpget", f"^httpget: 127\\.0\\.0\\.1 port {web.port}: HTTP 404 Not Found$")
        if run.stdout:
            raise Failure(run.did, "nothing on stdout: the body of an error is not written",
                          f"stdout {show(run.stdout)}")
