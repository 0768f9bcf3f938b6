"""A real web server for interoperability tests: Debian's nginx, started by a test with its own
configuration, on loopback, on a free port, with every path it writes (pid, logs, temporary files)
in the test's own folder, running as whoever runs the tests (no root needed, nothing installed).

    if reason := nginx.unavailable():
        pytest.skip(reason)
    with Nginx(tmp_path, files={"a.bin": data}) as web:
        run = programs.run("httpget", web.url("/a.bin"))

`locations` adds nginx configuration inside the server block (for example a location whose
responses are chunked); `web.log()` is nginx's stderr, for a failure report.
"""
from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path

from .httpd import listen_queue
from .peers import format_hostport

SEARCH_PATH = "/usr/sbin:/usr/bin:/sbin:/bin:/usr/local/sbin:/usr/local/bin"
ATTEMPTS = 5  # ports tried when another program takes the one chosen (outside the sandbox)

CONFIG = """\
daemon off;
master_process off;
worker_processes 1;
pid {folder}/nginx.pid;
lock_file {folder}/nginx.lock;
error_log stderr warn;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {folder}/tmp/body;
    proxy_temp_path {folder}/tmp/proxy;
    fastcgi_temp_path {folder}/tmp/fastcgi;
    uwsgi_temp_path {folder}/tmp/uwsgi;
    scgi_temp_path {folder}/tmp/scgi;
    default_type application/octet-stream;
    server {{
        listen {listen};
        root {root};
{locations}
    }}
}}
"""


def binary() -> str | None:
    """The nginx program, if installed (it lives in /usr/sbin, often not on a user's PATH)."""
    return shutil.which("nginx", path=SEARCH_PATH)


def unavailable() -> str:
    """Why nginx cannot be used here, or "" when it can."""
    if binary() is None:
        return ("nginx is not installed (Debian package nginx; `make deps` installs what the kit "
                "needs)")
    return ""


def _free_port(host: str) -> int:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


class Nginx:
    """nginx serving `files` (name -> bytes) from folder/www, on host and a free port."""

    def __init__(self, folder: Path, files: dict[str, bytes] | None = None, host: str = "127.0.0.1",
                 locations: str = "", timeout: float = 10.0):
        self.folder = Path(folder)
        self.host = host
        self.root = self.folder / "www"
        self.locations = locations
        self.timeout = timeout
        self.proc: subprocess.Popen | None = None
        self.port = 0
        (self.folder / "tmp").mkdir(parents=True, exist_ok=True)
        self.root.mkdir(parents=True, exist_ok=True)
        for name, data in (files or {}).items():
            path = self.root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        self._start()

    def _start(self) -> None:
        program = binary()
        if program is None:
            raise RuntimeError(unavailable())
        log = ""
        for _ in range(ATTEMPTS):
            self.port = _free_port(self.host)
            conf = self.folder / "nginx.conf"
            conf.write_text(CONFIG.format(folder=self.folder, root=self.root, locations=self.locations,
                                          listen=format_hostport(self.host, self.port)))
            self.errors = self.folder / "nginx.stderr"
            with open(self.errors, "wb") as err:
                self.proc = subprocess.Popen([program, "-p", str(self.folder), "-c", str(conf),
                                              "-e", "stderr"], stdin=subprocess.DEVNULL,
                                             stdout=err, stderr=err, start_new_session=True)
            if self._wait_listening():
                return
            log = self.log()
            self._stop()
            if "Address already in use" not in log:
                break
        raise RuntimeError(f"nginx did not start: {log.strip()[-1500:]}")

    def _wait_listening(self) -> bool:
        """Wait until nginx listens (True), or exits or the timeout passes (False)."""
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            if listen_queue(self.host, self.port) is not None:
                return True
            time.sleep(0.01)
        return False

    def url(self, path: str = "/") -> str:
        return f"http://{format_hostport(self.host, self.port)}{path}"

    def log(self) -> str:
        try:
            return self.errors.read_text(errors="replace")
        except OSError:
            return ""

    def _stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=self.timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=self.timeout)

    def close(self) -> None:
        self._stop()

    def __enter__(self) -> "Nginx":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
