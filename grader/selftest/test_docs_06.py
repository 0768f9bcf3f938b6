"""Lab 06's handout, section 6: the certificates students make by hand and the conversations it
shows, run as the handout shows them, with the reference, in a private network (bubblewrap) since
the handout's ports are fixed."""
import re
import subprocess

import pytest

from conftest import KIT
from netlab import sandbox
from test_docs import scratch_kit

HANDOUT = KIT / "labs" / "06-tls" / "README.md"
TEXT = HANDOUT.read_text()
MTLS = "./build/tlsclient -a certs/ca.pem -c certs/client.pem -k certs/client.key localhost 8443"
REFUSED = "./build/tlsclient localhost 8443"


def sh_block(containing: str) -> list[str]:
    """The lines of the handout's ```sh block that contains the given text."""
    for body in re.findall(r"^```sh\n(.*?)^```", TEXT, re.M | re.S):
        if containing in body:
            return [line for line in body.splitlines() if line.strip()]
    raise AssertionError(f"the handout has no sh block with {containing!r}")


def console_output(command: str) -> list[str]:
    body = re.search(r"^```console\n\$ " + re.escape(command) + r"\n(.*?)^```", TEXT, re.M | re.S)
    assert body, f"the handout has no console block for {command!r}"
    return body.group(1).splitlines()


def test_handout_by_hand(tmp_path):
    mode = sandbox.detect()
    if not mode.isolated:
        pytest.skip("needs bubblewrap for a private network (the handout's ports are fixed)")
    assert f"`{MTLS}`" in TEXT
    kit = scratch_kit(tmp_path, "06-tls")
    lab = kit / "labs" / "06-tls"
    subprocess.run(["make"], cwd=lab, capture_output=True, timeout=300, check=True)
    certs = sh_block("mkdir -p certs")
    [server] = sh_block("./build/tlsserver")
    clients = sh_block("| ./build/tlsclient -a certs/ca.pem localhost 8443")
    s_server, get = sh_block("openssl s_server")
    script = "\n".join([
        "set -e",
        # wait (up to 10 s) for a line in a log: the programs print one when they are ready
        'ready() { i=0; until grep -q "$1" "$2" 2>/dev/null; do i=$((i+1)); '
        '[ $i -lt 200 ] || { echo "never ready: $2" >&2; exit 9; }; sleep 0.05; done; }',
        *certs,
        f"{server} 2> server.log & pid=$!",
        "ready 'listening on' server.log",
        *[f"{cmd} > out.{i} 2> err.{i}" for i, cmd in enumerate(clients)],
        f"{REFUSED} < /dev/null > out.refused 2> err.refused || echo $? > rc.refused",
        "kill $pid; wait $pid || true",
        f"{server} -a certs/ca.pem 2> server-mtls.log & pid=$!",
        "ready 'listening on' server-mtls.log",
        f"printf 'hello\\n' | {MTLS} > out.mtls 2> err.mtls",
        f"printf 'hello\\n' | {clients[0].split('| ', 1)[1]} > out.nocert 2> err.nocert "
        "|| echo $? > rc.nocert",
        "kill $pid; wait $pid || true",
        f"sleep 60 | {s_server} > s_server.log 2>&1 &",  # s_server stops at the end of its input
        "ready ACCEPT s_server.log",
        f"{get} > out.get 2> err.get",
    ])
    proc = subprocess.run(sandbox.command(mode, ["/bin/sh", "-c", script], lab), cwd=lab,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]

    def read(name):
        return (lab / name).read_text()

    assert "certs/server.pem: OK" in proc.stdout and "certs/client.pem: OK" in proc.stdout, proc.stdout
    for i in range(len(clients)):
        assert read(f"out.{i}") == "echo: hello\n", (clients[i], read(f"out.{i}"), read(f"err.{i}"))
    assert read("rc.refused").strip() == "1"
    assert read("err.refused").splitlines() == console_output(REFUSED)
    assert read("out.mtls") == "client: my client\necho: hello\n", read("err.mtls")
    assert read("rc.nocert").strip() == "1" and read("out.nocert") == "", read("err.nocert")
    assert (lab / "out.get").read_bytes().startswith(b"HTTP/1.0 200 ok\r\n"), read("err.get")
    assert not (kit / ".git").exists()  # a scratch copy: the keys made here are never committed
