"""Lab 05's handout examples that need a peer: the server on its fixed port 7000, the client and
`nc` talking to it, its status line, the fault library preloaded by hand, and the client's retries
once the server is gone. They run in a private network namespace (bubblewrap), where port 7000 is
free."""
import re
import subprocess

import pytest

from test_docs import scratch_kit

SCRIPT = r"""
set -u
wait_for() {  # wait (up to 10 s) for a line in a file
    for i in $(seq 200); do grep -q "$1" "$2" && return 0; sleep 0.05; done; return 1
}
./build/kvserver -p 7000 -t 60000 2>server.log &
pid=$!
wait_for 'listening on' server.log || exit 10
echo "== client"
./build/kvclient ::1 7000 "SET color blue" "APPEND color !" "GET color"
echo "== nc"
printf 'PING\nSTATS\nQUIT\n' | nc ::1 7000
kill -USR1 $pid
wait_for 'kvserver: clients=' server.log || exit 11
kill -INT $pid
wait $pid
echo "== server exit $?"
LD_PRELOAD=./build/faultshim.so NETLAB_SHIM_MAX_IO=1 NETLAB_SHIM_EINTR=2 ./build/kvserver -p 7000 2>shim.log &
pid=$!
wait_for 'listening on' shim.log || exit 12
echo "== faults"
./build/kvclient ::1 7000 "SET color blue" "GET color"
kill $pid
wait $pid
echo "== retries"
./build/kvclient -r 2 ::1 7000 PING
echo "== client exit $?"
"""


def test_lab05_server_client_and_nc(tmp_path):
    from netlab import sandbox
    mode = sandbox.detect()
    if not mode.isolated:
        pytest.skip("needs bubblewrap for a private network (the examples use the fixed port 7000)")
    kit = scratch_kit(tmp_path, "05-robustness")
    lab = kit / "labs" / "05-robustness"
    subprocess.run(["make"], cwd=lab, capture_output=True, timeout=300, check=True)
    proc = subprocess.run(sandbox.command(mode, ["/bin/sh", "-c", SCRIPT], lab), cwd=lab,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = proc.stdout
    handout = (lab / "README.md").read_text()
    shown = re.search(r'\$ ./build/kvclient ::1 7000 "SET color blue" "APPEND color !" "GET color"\n'
                      r"(.*?)```", handout, re.S).group(1)
    assert out.split("== client\n")[1].split("== nc\n")[0] == shown
    assert out.split("== nc\n")[1].split("== server")[0] == "OK ready\nOK PONG\nOK clients=1 keys=1\nOK bye\n"
    assert "== server exit 0\n" in out
    assert out.split("== faults\n")[1].split("== retries")[0] == "OK\nOK blue\n"
    assert "== client exit 4\n" in out
    lines = proc.stderr.strip().splitlines()[-3:]
    assert re.fullmatch(r"kvclient: ::1 port 7000: Connection refused; retry 1 of 2 in \d+ ms", lines[0])
    assert re.fullmatch(r"kvclient: ::1 port 7000: Connection refused; retry 2 of 2 in \d+ ms", lines[1])
    assert lines[2] == "kvclient: ::1 port 7000: Connection refused (gave up after 3 attempts)"
    example = re.findall(r"^kvclient: ::1 port 7000: .*$", handout, re.M)
    assert [re.sub(r"\d+ ms", "D ms", e) for e in example] == [re.sub(r"\d+ ms", "D ms", x) for x in lines]
