"""Commands shown in labs/01-sockets/README.md, and how test_docs.py runs each."""
from docspec import Covered, Run

LAB01 = "labs/01-sockets/README.md"
COMMANDS = {
    (LAB01, "make"): Run(cwd="labs/01-sockets", reference="01-sockets"),
    (LAB01, "make check"): Run(cwd="labs/01-sockets", reference="01-sockets", contains=["Score: 100/100"]),
    (LAB01, "make memcheck"): Run(cwd="labs/01-sockets", reference="01-sockets",
                                  contains=["PASS", "valgrind::unit", "asan::unit"]),
    (LAB01, "make clean"): Run(cwd="labs/01-sockets"),
    (LAB01, "make grade LAB=01"): Run(contains=["== Lab 01", "Score: "]),
    (LAB01, "./build/showip ::1 127.0.0.1"): Run(cwd="labs/01-sockets", reference="01-sockets"),
    (LAB01, "./build/showip -6 ::1"): Run(cwd="labs/01-sockets", reference="01-sockets"),
    (LAB01, "printf 'hello\\n' | nc -l ::1 9000"): Covered("test_docs.py::test_lab01_endpoints_with_nc"),
    (LAB01, "./build/endpoints ::1 9000"): Covered("test_docs.py::test_lab01_endpoints_with_nc"),
}
