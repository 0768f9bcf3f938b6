"""Commands shown in labs/04-tcp-udp/README.md, and how test_docs.py runs each."""
from docspec import Covered, Run

LAB04 = "labs/04-tcp-udp/README.md"
SESSION = Covered("test_lab04_docs.py::test_handout_session (servers on fixed ports, so in a "
                  "private network namespace)")
COMMANDS = {
    (LAB04, "../../grader/relay --help"): Run(cwd="labs/04-tcp-udp", contains=["--loss", "--seed", "--rto"]),
    (LAB04, "make"): Run(cwd="labs/04-tcp-udp", reference="04-tcp-udp"),
    # `make check` and `make memcheck` run `grader/grade --lab 04 --hidden no` (the latter with
    # --only for the valgrind and asan tests) on the lab's files: with the reference's files, that is
    # the grading test_labs.py runs, which also runs the hidden tests (a lab 04 grading takes a
    # minute; running it three times would double this lab's share of `make test`). Lab 01's
    # entries run the same lab.mk targets.
    (LAB04, "make check"): Covered("test_labs.py::test_reference_full_marks[04-tcp-udp]: the same "
                                   "grading, every public test and the hidden ones"),
    (LAB04, "make memcheck"): Covered("test_labs.py::test_reference_full_marks[04-tcp-udp], which "
                                      "includes every valgrind:: and asan:: test"),
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
