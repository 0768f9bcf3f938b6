"""The Lab 03 handout's examples that need a server (nc, Python's http.server, the fault library),
run as shown, in a private network namespace (their ports 8080 and 8000 are fixed)."""
import subprocess

import pytest

from test_docs import scratch_kit

# Wait (up to 10 s) until something listens on 127.0.0.1:PORT (given in hex, as /proc shows it).
WAIT = ("for i in $(seq 200); do grep -q ':{hex} 00000000:0000 0A' /proc/net/tcp && break; "
        "sleep 0.05; done; ")

SCRIPT = (
    "export PATH=/usr/bin:/bin; "
    # Section 6: nc serves one response and prints the request it received.
    "printf 'HTTP/1.1 200 OK\\r\\nContent-Length: 6\\r\\n\\r\\nhello\\n' | nc -l 127.0.0.1 8080 > nc1.out & "
    + WAIT.format(hex="1F90") +
    "./build/httpget http://127.0.0.1:8080/ > get1.out; echo \"status1 $?\"; wait; "
    # Section 7: the same through the fault library.
    "printf 'HTTP/1.1 200 OK\\r\\nContent-Length: 6\\r\\n\\r\\nhello\\n' | nc -l 127.0.0.1 8080 > nc2.out & "
    + WAIT.format(hex="1F90") +
    "NETLAB_SHIM_MAX_IO=1 NETLAB_SHIM_EINTR=2 LD_PRELOAD=./build/faultshim.so "
    "./build/httpget http://127.0.0.1:8080/ > get2.out; echo \"status2 $?\"; wait; "
    # Section 6: a real web server, and a download compared with the original.
    "python3 -m http.server --bind 127.0.0.1 8000 > server.log 2>&1 & "
    + WAIT.format(hex="1F40") +
    "./build/httpget http://127.0.0.1:8000/README.md > copy.md; echo \"status3 $?\"; "
    "cmp README.md copy.md; echo \"cmp $?\"; kill %1"
)


@pytest.mark.instructor
def test_handout_examples(tmp_path):
    from netlab import sandbox
    mode = sandbox.detect()
    if not mode.isolated:
        pytest.skip("needs bubblewrap for a private network (the examples use fixed ports)")
    kit = scratch_kit(tmp_path, "03-tcp-client")
    lab = kit / "labs" / "03-tcp-client"
    subprocess.run(["make"], cwd=lab, capture_output=True, timeout=300, check=True)
    proc = subprocess.run(sandbox.command(mode, ["/bin/sh", "-c", SCRIPT], lab), cwd=lab,
                          capture_output=True, text=True, timeout=120)
    assert proc.stdout.split() == ["status1", "0", "status2", "0", "status3", "0", "cmp", "0"], \
        proc.stdout + proc.stderr
    assert (lab / "get1.out").read_bytes() == b"hello\n"
    assert (lab / "get2.out").read_bytes() == b"hello\n"
    request = (lab / "nc1.out").read_bytes()
    assert request.startswith(b"GET / HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n"), request
    assert (lab / "nc2.out").read_bytes() == request  # the fault library changes nothing visible
