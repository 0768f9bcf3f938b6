"""The grader's parts on their own: log readers against real valgrind and Check output, feedback
formatting, lab selection, and the fallback used where bubblewrap cannot run."""
import os
import subprocess
import textwrap

import pytest

from conftest import KIT, grade
from netlab import checkxml, feedback, manifest, memlog, report
from netlab.labrun import VALGRIND

PROGRAM = textwrap.dedent("""\
    #include <fcntl.h>
    #include <stdlib.h>
    #include <string.h>
    #include <unistd.h>
    static char *kept;
    int main(int argc, char **argv)
    {
        char *p = malloc(16);
        if (argc > 1 && strcmp(argv[1], "leak") == 0) { p = NULL; }
        if (argc > 1 && strcmp(argv[1], "fd") == 0) { open("/dev/null", O_RDONLY); }
        if (argc > 1 && strcmp(argv[1], "keep") == 0) { kept = p; return 0; }
        if (argc > 1 && strcmp(argv[1], "overflow") == 0) { p[16] = 1; }
        if (argc > 1 && strcmp(argv[1], "uninit") == 0) { int x; if (p[3] == 'x') x = 1; return x; }
        free(p);
        return 0;
    }
    """)


@pytest.fixture(scope="module")
def victim(tmp_path_factory):
    d = tmp_path_factory.mktemp("victim")
    (d / "v.c").write_text(PROGRAM)
    subprocess.run(["cc", "-g", "-O0", "-w", "-o", str(d / "v"), str(d / "v.c")], check=True)
    return d


def valgrind_report(victim, arg):
    log = victim / f"vg.{arg}.log"
    subprocess.run(VALGRIND + [f"--log-file={log}", str(victim / "v"), arg], capture_output=True,
                   timeout=60)
    return memlog.parse_valgrind(log)


def test_valgrind_clean_run(victim):
    rep = valgrind_report(victim, "clean")
    assert rep.complete and rep.problems() == []


@pytest.mark.parametrize("arg,words", [
    ("leak", "16 bytes definitely lost"),
    ("fd", "1 descriptor(s) left open at exit: fd"),
    ("keep", "16 bytes still allocated at exit"),
    ("overflow", "memory error(s): Invalid write of size 1"),
    ("uninit", "Conditional jump"),
])
def test_valgrind_findings(victim, arg, words):
    problems = " ".join(valgrind_report(victim, arg).problems())
    assert words in problems, problems


def test_valgrind_reachable_allowed_when_the_lab_says(victim):
    assert valgrind_report(victim, "keep").problems(allow_reachable=True) == []


def test_valgrind_report_cut_short(tmp_path):
    log = tmp_path / "vg.1.log"
    log.write_text("==1== Memcheck, a memory error detector\n==1== Command: ./server\n")
    assert "did not finish its report" in memlog.parse_valgrind(log).problems()[0]


def test_sanitizer_report_in_stderr():
    err = b"noise\nsrc/bytes.c:37:12: runtime error: load of misaligned address\n    #0 0x1 in get_be32\n"
    assert "misaligned" in memlog.sanitizer_in_stderr(err)
    assert memlog.sanitizer_in_stderr(b"an ordinary error message\n") == ""


def test_check_xml_cut_short(tmp_path):
    xml = tmp_path / "u.xml"
    xml.write_text(textwrap.dedent("""\
        <?xml version="1.0"?>
        <testsuites xmlns="http://check.sourceforge.net/ns">
          <suite><title>s</title>
            <test result="success"><path>.</path><fn>t.c:1</fn><id>a</id><iteration>0</iteration>
              <duration>0</duration><description>tc</description><message>Passed</message></test>
            <test result="error"><path>.</path><fn>t.c:2</fn><id>b</id><iteration>0</iteration>
              <duration>0</duration><description>tc</description><message>Received signal 11 (Segmentation fault)</message></test>
            <test result="fail"""))
    got = checkxml.parse(xml)
    assert set(got) == {"unit::tc::a", "unit::tc::b"}
    assert got["unit::tc::a"].passed and not got["unit::tc::b"].passed
    assert got["unit::tc::b"].message.startswith("the test crashed")
    assert checkxml.parse(tmp_path / "missing.xml") == {}


def test_feedback_shows_bytes_and_first_difference():
    assert feedback.show(b"a\n\x00\"") == '"a\\n\\x00\\""'
    assert feedback.show(b"") == '"" (empty)'
    assert "(2000 bytes in all)" in feedback.show(b"x" * 2000)
    assert feedback.first_difference(b"abc", b"abc") == ""
    assert "first difference at byte 2" in feedback.first_difference(b"abcd", b"abXd")
    assert "stops after 2 bytes" in feedback.first_difference(b"abcd", b"ab")
    assert "2 extra bytes" in feedback.first_difference(b"ab", b"abcd")
    text = feedback.Failure("ran x", "exit 0", "exit 1", "look here").render()
    assert text.splitlines()[0].startswith("did:") and "hint:     look here" in text


def test_lab_selection():
    labs = manifest.discover()
    assert manifest.select(labs, "1")[0].slug == "01-sockets"
    assert manifest.select(labs, "01-sockets")[0].id == "01"
    assert manifest.select(labs, None) == labs
    with pytest.raises(manifest.ManifestError, match="no lab '42'"):
        manifest.select(labs, "42")


def test_points_are_printed_without_trailing_zeros():
    assert [report.points(x) for x in (2, 2.5, 0.25, 0)] == ["2", "2.5", "0.25", "0"]


@pytest.mark.instructor
def test_fallback_without_sandbox_is_announced(tmp_path):
    env = dict(os.environ, NETLAB_NO_SANDBOX="1")
    out = tmp_path / "g.json"
    proc = subprocess.run([str(KIT / "grader" / "grade"), "--lab", "01", "--submission", "solutions",
                           "--only", "test_showip.py::*", "--json", str(out)], env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "sandbox: none, NETLAB_NO_SANDBOX is set" in proc.stdout
    import json
    tests = {t["name"]: t for t in json.loads(out.read_text())["labs"][0]["tests"]}
    assert tests["test_showip.py::test_ipv6_literal"]["status"] == "passed"
    assert tests["test_showip.py::test_unresolvable_name"]["status"] == "passed"
    multi = tests["test_showip.py::test_every_address"]
    assert multi["status"] == "failed" and "needs the sandbox's fixed host names" in multi["output"]


@pytest.mark.instructor
def test_sandboxed_grading_sees_no_solutions(tmp_path):
    """Inside the sandbox the kit's solutions, hidden tests and mutants are out of sight."""
    g = grade("--lab", "01", "--submission", "solutions", "--only", "build::*", tmp=tmp_path)
    if any("sandbox: none" in n for n in g.data["notes"]):
        pytest.skip("bubblewrap is not available here")
    from netlab import sandbox
    probe = ["/bin/sh", "-c", f"ls {KIT}/solutions {KIT}/grader/hidden {KIT}/grader/mutants 2>&1; "
             f"ls {KIT}/grader/netlab/cli.py; echo x > {KIT}/grader/x 2>/dev/null || echo read-only"]
    proc = subprocess.run(sandbox.command(sandbox.detect(), probe, tmp_path), capture_output=True,
                          text=True, timeout=60)
    assert "No such file or directory" in proc.stdout  # solutions/ is not there at all
    assert "addr.c" not in proc.stdout and ".patch" not in proc.stdout and "hidden.toml" not in proc.stdout
    assert "cli.py" in proc.stdout and "read-only" in proc.stdout
