"""The examples of Lab 02's handout that talk to a running server: the handout's own commands,
run against the reference in a private network namespace (they use the fixed port 9000), and
their output compared with what the handout shows."""
import subprocess

import pytest

from test_docs import scratch_kit, shown_commands

LAB02 = "labs/02-tcp-server/README.md"


def test_lab02_examples_against_the_server(tmp_path):
    from netlab import sandbox
    mode = sandbox.detect()
    if not mode.isolated:
        pytest.skip("needs bubblewrap for a private network (the examples use a fixed port)")
    kit = scratch_kit(tmp_path, "02-tcp-server")
    lab = kit / "labs" / "02-tcp-server"
    subprocess.run(["make"], cwd=lab, capture_output=True, timeout=300, check=True)
    examples = [s for s in shown_commands(LAB02) if s.command.startswith("printf")]
    assert len(examples) == 3, [s.command for s in examples]
    script = ["./build/lineserver -p 9000 2>server.err & server=$!",
              # wait (up to 10 s) for the readiness line
              "for i in $(seq 200); do grep -q 'listening on' server.err && break; sleep 0.05; done"]
    script += [f"{s.command} > example{i}.out" for i, s in enumerate(examples)]
    script += ["kill -INT $server; wait $server; echo $? > server.status"]
    proc = subprocess.run(sandbox.command(mode, ["/bin/sh", "-c", "\n".join(script)], lab), cwd=lab,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (lab / "server.err").read_text() == "listening on [::]:9000\n"
    assert (lab / "server.status").read_text() == "0\n", "the server did not exit 0 on SIGINT"
    for i, s in enumerate(examples):
        out = (lab / f"example{i}.out").read_bytes()
        if s.output is not None:
            assert out.decode().splitlines() == s.output, (s.command, out)
        else:  # the pipeline into head -c 100: the first 100 bytes of the pattern
            assert s.command.endswith("| head -c 100")
            assert out == (b"".join(bytes(33 + (i + k) % 94 for k in range(72)) + b"\n"
                                    for i in range(2)))[:100], out

