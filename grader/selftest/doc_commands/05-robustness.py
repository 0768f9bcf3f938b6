"""Commands shown in labs/05-robustness/README.md, and how test_docs.py runs each."""
from docspec import Covered, Run

LAB05 = "labs/05-robustness/README.md"
BY_PEER_TEST = "test_docs_05.py::test_lab05_server_client_and_nc (a private network: its port is fixed)"
COMMANDS = {
    (LAB05, "make"): Run(cwd="labs/05-robustness", reference="05-robustness"),
    (LAB05, "make check"): Covered("test_labs.py::test_reference_full_marks[05-robustness] (the same "
                                   "grading of the reference: `make check` runs grader/grade --lab 05)"),
    (LAB05, "make memcheck"): Covered("test_labs.py::test_reference_full_marks[05-robustness] (its "
                                      "valgrind:: and asan:: tests are what `make memcheck` runs)"),
    (LAB05, "make clean"): Run(cwd="labs/05-robustness"),
    (LAB05, "make grade LAB=05"): Covered("test_labs.py::test_skeleton_scores_little[05-robustness] "
                                          "(grades the lab's skeleton the same way)"),
    (LAB05, "./build/kvserver -p 7000 -t 60000"): Covered(BY_PEER_TEST),
    (LAB05, './build/kvclient ::1 7000 "SET color blue" "APPEND color !" "GET color"'):
        Covered(BY_PEER_TEST),
    (LAB05, "printf 'PING\\nSTATS\\nQUIT\\n' | nc ::1 7000"): Covered(BY_PEER_TEST),
    (LAB05, "./build/kvserver -p 7000"): Covered(BY_PEER_TEST + ", with the fault library preloaded"),
}
