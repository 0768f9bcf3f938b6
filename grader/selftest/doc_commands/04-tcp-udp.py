"""Commands shown in labs/04-tcp-udp/README.md, and how test_docs.py runs each."""
from docspec import Covered, Run

LAB04 = "labs/04-tcp-udp/README.md"
SESSION = Covered("test_lab04_docs.py::test_handout_session (servers on fixed ports, so in a "
                  "private network namespace)")
COMMANDS = {
    (LAB04, "../../grader/relay --help"): Run(cwd="labs/04-tcp-udp", contains=["--loss", "--seed", "--rto"]),
    (LAB04, "make"): Run(cwd="labs/04-tcp-udp", reference="04-tcp-udp"),
    (LAB04, "make check"): Run(cwd="labs/04-tcp-udp", reference="04-tcp-udp", contains=["Score: 114/114"]),
    (LAB04, "make memcheck"): Run(cwd="labs/04-tcp-udp", reference="04-tcp-udp",
                                  contains=["PASS", "valgrind::unit", "asan::unit"]),
    (LAB04, "make clean"): Run(cwd="labs/04-tcp-udp"),
    (LAB04, "make grade LAB=04"): Run(contains=["== Lab 04", "Score: "]),
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
