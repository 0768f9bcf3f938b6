"""Lab 04's handout, section 8: the session a student types to try the programs by hand (both
servers on port 9000, the relay on 9001, udpping and measure through it), run exactly as shown, in
bash, inside a private network namespace (the ports are fixed), waiting for each server to listen
before going on (a /proc state, not a sleep)."""
import re
import subprocess

import pytest

from conftest import KIT
from netlab import sandbox
from test_docs import scratch_kit

HANDOUT = KIT / "labs" / "04-tcp-udp" / "README.md"


def listening(port: int) -> str:
    """A shell loop that waits (10 s at most) until UDP and TCP both listen on port."""
    hexport = f"{port:04X}"
    return (f"for i in $(seq 200); do grep -q ':{hexport} ' /proc/net/udp6 && "
            f"grep -q ':{hexport} 0\\+:0000 0A' /proc/net/tcp6 && break; sleep 0.05; done")


def session_lines() -> list[str]:
    """The commands of the handout's two sh blocks that start udpecho and the relay, in order."""
    blocks = re.findall(r"^```sh\n(.*?)^```", HANDOUT.read_text(), re.M | re.S)
    lines = []
    for body in blocks:
        if "./build/udpecho -p 9000 &" in body or "../../grader/relay --udp" in body:
            lines += [ln.strip() for ln in body.splitlines() if ln.strip()]
    return lines


@pytest.mark.instructor
def test_handout_session(tmp_path):
    mode = sandbox.detect()
    if not mode.isolated:
        pytest.skip("needs bubblewrap for a private network (the handout uses fixed ports)")
    lines = session_lines()
    assert lines[:2] == ["./build/udpecho -p 9000 &", "./build/tcpecho -p 9000 &"], lines
    assert lines[-1] == "kill %3 %2 %1", lines
    kit = scratch_kit(tmp_path, "04-tcp-udp")
    lab = kit / "labs" / "04-tcp-udp"
    script = ["set -e", "cd labs/04-tcp-udp"]
    for line in lines:
        script.append(line)
        if line.startswith("./build/tcpecho -p 9000"):
            script.append(listening(9000))
        elif line.startswith("../../grader/relay "):
            script.append(listening(9001))
    script += ["wait", "test -s relay.jsonl && test -s run1.csv && test -s run1.svg && echo session-ok"]
    subprocess.run(["make"], cwd=lab, capture_output=True, timeout=300, check=True)
    # The whole scratch kit is bound into the sandbox: the relay is ../../grader/relay from the lab.
    proc = subprocess.run(sandbox.command(mode, ["/bin/bash", "-c", "\n".join(script)], kit), cwd=kit,
                          capture_output=True, text=True, timeout=180)
    out = proc.stdout
    assert proc.returncode == 0 and out.rstrip().endswith("session-ok"), out[-3000:] + proc.stderr[-3000:]
    assert out.count("probes=5 sent=5 replies=5 lost=0") == 2, out
    assert re.search(r"^probes=20 sent=\d+ replies=\d+ ", out, re.M), out
    assert re.search(r"^tcp count=50 answered=50 ", out, re.M), out
    assert "echoed=" in out and "connections=3 messages=101 " in out, out
