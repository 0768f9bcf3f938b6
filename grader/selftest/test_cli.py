"""The grader's command line and pipeline: arguments, outputs, and submissions that misbehave.

Lab 01 is the subject; every case grades only the tests it needs, so the whole file stays fast.
"""
import os
import shutil
import subprocess
import time

import pytest

from conftest import KIT, grade

pytestmark = pytest.mark.instructor

LAB = "01-sockets"
REF = KIT / "solutions" / LAB


def reference_copy(tmp_path, layout="plain"):
    """A submission holding the reference files of Lab 01, laid out as `layout` says."""
    root = tmp_path / "sub"
    lab_dir = {"plain": root / LAB, "labs": root / "labs" / LAB, "flat": root}[layout]
    shutil.copytree(REF, lab_dir, dirs_exist_ok=True)
    return root, lab_dir


def skeleton_file(rel):
    return subprocess.run(["git", "show", f"HEAD:labs/{LAB}/{rel}"], cwd=KIT, capture_output=True,
                          check=True).stdout


def test_bad_arguments_exit_2(tmp_path):
    for args in (["--lab", "99"], ["--submission", str(tmp_path / "nowhere")], ["--bogus"]):
        proc = subprocess.run([str(KIT / "grader" / "grade"), *args], capture_output=True, text=True,
                              timeout=60)
        assert proc.returncode == 2, (args, proc.stderr)
        assert proc.stderr.strip(), args
    proc = subprocess.run([str(KIT / "grader" / "grade"), "--lab", "99"], capture_output=True,
                          text=True, timeout=60)
    assert "grade: no lab '99'" in proc.stderr


def test_json_and_text_report(tmp_path):
    root, _ = reference_copy(tmp_path)
    g = grade("--lab", "1", "--submission", root, "--only", "unit::port::*", "--only", "build::*",
              tmp=tmp_path)
    assert g.returncode == 0, g.explain()
    d = g.data
    assert set(d) >= {"score", "max_score", "labs"}
    assert isinstance(d["score"], (int, float)) and isinstance(d["max_score"], (int, float))
    lab = d["labs"][0]
    assert set(lab) >= {"id", "score", "max_score", "tests"} and lab["id"] == "01"
    for t in lab["tests"]:
        assert set(t) >= {"name", "score", "max_score", "status", "output"}
        assert t["status"] in ("passed", "failed")
    assert [t["name"] for t in lab["tests"]] == [
        "build::warnings", "unit::port::parse_port_valid", "unit::port::parse_port_invalid",
        "unit::port::parse_port_out_of_range"]
    lines = g.stdout.rstrip("\n").splitlines()
    assert lines[-1] == "Score: 7/7"
    assert sum(1 for line in lines if line.startswith("PASS ")) == 4


def test_layouts_are_found(tmp_path):
    for layout in ("plain", "labs", "flat"):
        root, lab_dir = reference_copy(tmp_path / layout, layout)
        arg = lab_dir if layout == "flat" else root
        g = grade("--lab", "01", "--submission", arg, "--only", "unit::format::*", tmp=tmp_path)
        assert g.data["score"] == g.data["max_score"] > 0, (layout, g.explain())


def test_tampering_changes_nothing(tmp_path):
    """A submission's own Makefile, tests and grader script are ignored; only its sources count:
    skeleton sources with a tampered kit score exactly what the skeleton scores."""
    (tmp_path / "none").mkdir()
    root, lab_dir = reference_copy(tmp_path)
    for rel in ("src/addr.c", "src/bytes.c", "src/showip.c", "src/endpoints.c"):
        (lab_dir / rel).write_bytes(skeleton_file(rel))
    (lab_dir / "Makefile").write_text("all:\n\techo pretend\nunit:\n\ttrue\n")
    (lab_dir / "tests").mkdir(exist_ok=True)
    (lab_dir / "tests" / "test_showip.py").write_text("def test_ipv4_literal():\n    pass\n")
    (lab_dir / "lab.toml").write_text('id = "01"\n')
    (root / "grader").mkdir()
    (root / "grader" / "grade").write_text("#!/bin/sh\necho 'Score: 100/100'\n")
    only = ["--only", "build::*", "--only", "test_showip.py::*"]
    g = grade("--lab", "01", "--submission", root, *only, tmp=tmp_path)
    alone = grade("--lab", "01", "--submission", tmp_path / "none", *only, tmp=tmp_path)
    assert g.returncode == 0
    assert g.tests() and {n: t["status"] for n, t in g.tests().items()} == {
        n: t["status"] for n, t in alone.tests().items()}, g.explain()
    assert "not graded (the kit's own versions are used)" in g.stdout
    assert "Makefile" in g.stdout


def test_compile_error_is_reported(tmp_path):
    root, lab_dir = reference_copy(tmp_path)
    (lab_dir / "src" / "addr.c").write_text((REF / "src" / "addr.c").read_text()
                                            .replace("return copy_span(buf, len, text, strlen(text));",
                                                     "return copy_span(buf, len, text, strlen(text))"))
    g = grade("--lab", "01", "--submission", root, "--only", "build::*", "--only", "unit::port::*",
              "--only", "test_showip.py::test_ipv4_literal", tmp=tmp_path)
    assert g.returncode == 0
    lab = g.data["labs"][0]
    assert not lab["build_ok"]
    assert any("the build failed" in n and "src/addr.c" in n and "error:" in n for n in lab["notes"])
    assert g.data["score"] == 0
    t = g.tests()
    assert "the build failed" in t["build::warnings"]["output"]
    assert "did not compile" in t["unit::port::parse_port_valid"]["output"]
    assert "was not built" in t["test_showip.py::test_ipv4_literal"]["output"]


def test_warning_costs_its_points_only(tmp_path):
    root, lab_dir = reference_copy(tmp_path)
    src = (REF / "src" / "bytes.c").read_text().replace(
        "void put_be16(uint8_t *p, uint16_t v)\n{\n", "void put_be16(uint8_t *p, uint16_t v)\n{\n    int unused;\n")
    (lab_dir / "src" / "bytes.c").write_text(src)
    g = grade("--lab", "01", "--submission", root, "--only", "build::*", "--only", "unit::byteorder::*",
              tmp=tmp_path)
    t = g.tests()
    assert t["build::warnings"]["status"] == "failed"
    assert "unused variable" in t["build::warnings"]["output"]
    assert all(t[k]["status"] == "passed" for k in t if k.startswith("unit::"))


def test_crash_and_hang_are_contained(tmp_path):
    root, lab_dir = reference_copy(tmp_path)
    showip = (REF / "src" / "showip.c").read_text()
    (lab_dir / "src" / "showip.c").write_text(showip.replace(
        "    int family = AF_UNSPEC, status = EXIT_SUCCESS, opt, err;\n",
        "    int family = AF_UNSPEC, status = EXIT_SUCCESS, opt, err;\n\n"
        "    if (argc > 1 && strcmp(argv[argc - 1], \"::1\") == 0)\n        raise(SIGSEGV);\n"
        "    if (argc > 1 && strcmp(argv[argc - 1], \"127.0.0.1\") == 0)\n        for (;;)\n            pause();\n"
    ).replace("#include <errno.h>\n", "#include <errno.h>\n#include <signal.h>\n"))
    bytes_c = (REF / "src" / "bytes.c").read_text()
    (lab_dir / "src" / "bytes.c").write_text(bytes_c.replace(
        "    p[0] = (uint8_t)(v >> 8);", "    p = (uint8_t *)(v == 0x1234 ? 0 : p);\n    p[0] = (uint8_t)(v >> 8);"))
    t0 = time.monotonic()
    g = grade("--lab", "01", "--submission", root, "--only", "test_showip.py::test_ipv*",
              "--only", "unit::byteorder::*", tmp=tmp_path)
    elapsed = time.monotonic() - t0
    assert g.returncode == 0
    t = g.tests()
    assert "killed by SIGSEGV" in t["test_showip.py::test_ipv6_literal"]["output"]
    assert "still running after the time limit" in t["test_showip.py::test_ipv4_literal"]["output"]
    assert "the test crashed" in t["unit::byteorder::be16_golden"]["output"]
    assert t["unit::byteorder::be32_golden"]["status"] == "passed"  # fork mode: one crash, not all
    assert elapsed < 60, elapsed


def test_missing_and_linked_files(tmp_path):
    root, lab_dir = reference_copy(tmp_path)
    (lab_dir / "src" / "bytes.c").unlink()
    (lab_dir / "src" / "addr.c").unlink()
    os.symlink(REF / "src" / "addr.c", lab_dir / "src" / "addr.c")
    g = grade("--lab", "01", "--submission", root, "--only", "unit::*", tmp=tmp_path)
    notes = "\n".join(g.data["labs"][0]["notes"])
    assert "src/bytes.c: missing from the submission" in notes
    assert "src/addr.c: is a symbolic link" in notes
    assert g.tests()["unit::header::header_pack_golden"]["status"] == "failed"


def test_no_folder_for_the_lab(tmp_path):
    (tmp_path / "empty").mkdir()
    g = grade("--lab", "01", "--submission", tmp_path / "empty", "--only", "build::*", tmp=tmp_path)
    assert g.returncode == 0
    assert "has no folder for lab 01-sockets" in g.stdout


@pytest.mark.skipif(not (KIT / "grader" / "hidden").is_dir(), reason="a student edition has no hidden tests")
def test_hidden_tests_only_when_asked(tmp_path):
    root, _ = reference_copy(tmp_path)
    g = grade("--lab", "01", "--submission", root, "--hidden", "no", "--only", "build::*", tmp=tmp_path)
    assert "this lab also has hidden tests (12 points)" in g.stdout
    assert not any(t["hidden"] for t in g.data["labs"][0]["tests"])
    g = grade("--lab", "01", "--submission", root, "--only", "hidden/*", tmp=tmp_path)
    assert g.tests() and all(t["hidden"] for t in g.tests().values())
    assert g.data["score"] == g.data["max_score"]
