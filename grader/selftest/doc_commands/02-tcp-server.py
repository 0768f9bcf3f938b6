"""Commands shown in labs/02-tcp-server/README.md, and how test_docs.py runs each."""
from docspec import Covered, Run

LAB02 = "labs/02-tcp-server/README.md"
WITH_SERVER = "test_docs_02.py::test_lab02_examples_against_the_server"
COMMANDS = {
    (LAB02, "make"): Run(cwd="labs/02-tcp-server", reference="02-tcp-server"),
    (LAB02, "make check"): Run(cwd="labs/02-tcp-server", reference="02-tcp-server",
                               replace={"make check": "make check GRADE_FLAGS=\"--only 'test_protocol.py::*'\""},
                               why="the reference's full grading (112/112) is "
                                   "test_labs.py::test_reference_full_marks[02-tcp-server]; here "
                                   "`make check` grades one group through lab.mk",
                               contains=["== Lab 02", "Score: 14/14"]),
    (LAB02, "make check GRADE_FLAGS=\"--only 'unit::linebuf::*'\""):
        Run(cwd="labs/02-tcp-server", reference="02-tcp-server", contains=["Score: 13/13"]),
    (LAB02, "make memcheck"): Run(cwd="labs/02-tcp-server", reference="02-tcp-server",
                                  contains=["PASS", "valgrind::unit", "asan::unit"]),
    (LAB02, "make clean"): Run(cwd="labs/02-tcp-server"),
    (LAB02, "make grade LAB=02"): Run(contains=["== Lab 02", "Score: "]),
    (LAB02, "./build/lineserver -p 9000"): Covered(WITH_SERVER),
    (LAB02, "printf 'PING\\nECHO hello\\nCHARGEN 2\\nQUIT\\n' | nc -N ::1 9000"): Covered(WITH_SERVER),
    (LAB02, "printf 'PING x\\nHELLO\\nQUIT\\n' | socat - TCP:127.0.0.1:9000"): Covered(WITH_SERVER),
    (LAB02, "printf 'CHARGEN 1000000\\n' | nc -N ::1 9000 | head -c 100"): Covered(WITH_SERVER),
    (LAB02, "nc -N ::1 9000"): Covered(f"typed by hand; the same nc command with its input comes from "
                                       f"printf in {WITH_SERVER}"),
}
