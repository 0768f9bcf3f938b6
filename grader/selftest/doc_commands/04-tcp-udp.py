"""Commands shown in labs/04-tcp-udp/README.md, and how test_docs.py runs each."""
from docspec import Covered, Run

LAB04 = "labs/04-tcp-udp/README.md"
SESSION = Covered("test_lab04_docs.py::test_handout_session (servers on fixed ports, so in a "
                  "private network namespace)")
COMMANDS = {
    (LAB04, "../../grader/relay --help"): Run(cwd="labs/04-tcp-udp", contains=["--loss", "--seed", "--rto"]),
    (LAB04, "make"): Run(cwd="labs/04-tcp-udp", reference="04-tcp-udp"),
    (LAB04, "make check"): Run(cwd="labs/04-tcp-udp", reference="04-tcp-udp",
                               replace={"make check": "make check GRADE_FLAGS=\"--only 'test_udpecho.py::*'\""},
                               why="the reference's full grading is "
                                   "test_labs.py::test_reference_full_marks[04-tcp-udp]; here `make "
                                   "check` grades one group through lab.mk",
                               contains=["== Lab 04", "Score: 10/10"]),
    # lab.mk's memcheck target grades every valgrind and asan test of the lab (it takes no subset):
    # that is part of the reference's full grading, which test_labs.py runs already (a minute; a
    # second run would add a third to this lab's share of `make test`).
    (LAB04, "make memcheck"): Covered("test_labs.py::test_reference_full_marks[04-tcp-udp], which "
                                      "grades every valgrind:: and asan:: test of the lab"),
    (LAB04, "make clean"): Run(cwd="labs/04-tcp-udp"),
    (LAB04, "make grade LAB=04"): Covered("test_labs.py::test_skeleton_scores_little[04-tcp-udp] grades "
                                          "the same skeleton; README.md's `make grade LAB=01` runs "
                                          "the top-level target"),
    (LAB04, "./build/udpecho -p 9000 &"): SESSION,
    (LAB04, "./build/tcpecho -p 9000 &"): SESSION,
    (LAB04, "./build/udpping -c 5 ::1 9000"): SESSION,
    (LAB04, "./build/udpping -c 5 127.0.0.1 9000"): SESSION,
    (LAB04, "../../grader/relay --udp --tcp --to '[::1]:9000' --listen '[::1]:9001' --loss 0.1 "
            "--delay 2 --seed 1 --log relay.jsonl &"): SESSION,
    (LAB04, "./build/udpping -c 20 -r 2 -t 300 ::1 9001"): SESSION,
    (LAB04, "./build/measure -o run1 ::1 9001"): SESSION,
    (LAB04, "kill %3 %2 %1"): SESSION,
}
