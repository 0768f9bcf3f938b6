"""Commands shown in labs/03-tcp-client/README.md, and how test_docs.py runs each."""
from docspec import Covered, Run

LAB03 = "labs/03-tcp-client/README.md"
EXAMPLES = "test_docs_03.py::test_handout_examples"
COMMANDS = {
    (LAB03, "make"): Run(cwd="labs/03-tcp-client", reference="03-tcp-client"),
    (LAB03, "make check"): Run(cwd="labs/03-tcp-client", reference="03-tcp-client",
                               contains=["Score: 100/100"]),
    (LAB03, "make memcheck"): Run(cwd="labs/03-tcp-client", reference="03-tcp-client",
                                  contains=["PASS", "valgrind::unit", "asan::unit"]),
    (LAB03, "make clean"): Run(cwd="labs/03-tcp-client"),
    (LAB03, "make grade LAB=03"): Run(contains=["== Lab 03", "Score: "]),
    (LAB03, './build/httpget ftp://example.org/ 2>&1; echo "exit status $?"'):
        Run(cwd="labs/03-tcp-client", reference="03-tcp-client"),
    (LAB03, "printf 'HTTP/1.1 200 OK\\r\\nContent-Length: 6\\r\\n\\r\\nhello\\n' | nc -l 127.0.0.1 8080"):
        Covered(EXAMPLES),
    (LAB03, "./build/httpget http://127.0.0.1:8080/"): Covered(EXAMPLES),
    (LAB03, "python3 -m http.server --bind 127.0.0.1 8000"): Covered(EXAMPLES),
    (LAB03, "./build/httpget http://127.0.0.1:8000/README.md > copy.md"): Covered(EXAMPLES),
    (LAB03, "cmp README.md copy.md"): Covered(EXAMPLES),
    (LAB03, "NETLAB_SHIM_MAX_IO=1 NETLAB_SHIM_EINTR=2 LD_PRELOAD=./build/faultshim.so "
            "./build/httpget http://127.0.0.1:8080/"): Covered(EXAMPLES),
}
