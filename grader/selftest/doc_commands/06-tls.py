"""Commands shown in labs/06-tls/README.md, and how test_docs.py runs each."""
from docspec import Covered, Run

LAB06 = "labs/06-tls/README.md"
BY_HAND = Covered("test_docs_06.py::test_handout_by_hand (in a private network: the ports are fixed)")
CERTS = Covered("test_docs_06.py::test_handout_by_hand, which runs section 6.1's block in order")

COMMANDS = {
    (LAB06, "make"): Run(cwd="labs/06-tls", reference="06-tls"),
    (LAB06, "make check"): Run(
        cwd="labs/06-tls", reference="06-tls",
        replace={"make check": "make && ../../grader/grade --lab 06 --only 'build::*' --only 'unit::*'"},
        why="what `make check` runs, on the unit tests only: the full grading of the reference is "
            "test_labs.py::test_reference_full_marks[06-tls]", contains=["Score: 31/31"]),
    (LAB06, "make memcheck"): Covered("test_labs.py::test_reference_full_marks[06-tls], which grades every "
                                      "valgrind:: and asan:: test of the lab; the target is lab.mk's, run "
                                      "by lab 01's docs"),
    (LAB06, "make clean"): Run(cwd="labs/06-tls"),
    (LAB06, "make grade LAB=06"): Run(replace={"make grade LAB=06": "make grade LAB=06 GRADE_FLAGS=\"--only 'unit::host::*'\""},
                                      why="the same target on two tests: the full grading is "
                                          "test_labs.py's", contains=["== Lab 06", "Score: "]),
    (LAB06, "mkdir -p certs"): CERTS,
    (LAB06, 'openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -noenc -days 30 -subj "/CN=my test CA" -keyout certs/ca.key -out certs/ca.pem'): CERTS,
    (LAB06, "printf 'basicConstraints = critical, CA:TRUE\\nkeyUsage = critical, keyCertSign, cRLSign\\n' > certs/ca.ext"): CERTS,
    (LAB06, 'openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -noenc -subj "/CN=my intermediate CA" -keyout certs/inter.key -out certs/inter.csr'): CERTS,
    (LAB06, "openssl x509 -req -in certs/inter.csr -CA certs/ca.pem -CAkey certs/ca.key -days 30 -extfile certs/ca.ext -out certs/inter.pem"): CERTS,
    (LAB06, "printf 'subjectAltName = DNS:localhost, IP:127.0.0.1, IP:::1\\n' > certs/server.ext"): CERTS,
    (LAB06, 'openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -noenc -subj "/CN=localhost" -keyout certs/server.key -out certs/server.csr'): CERTS,
    (LAB06, "openssl x509 -req -in certs/server.csr -CA certs/inter.pem -CAkey certs/inter.key -days 30 -extfile certs/server.ext -out certs/server.pem"): CERTS,
    (LAB06, "cat certs/server.pem certs/inter.pem > certs/chain.pem"): CERTS,
    (LAB06, 'openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -noenc -subj "/CN=my client" -keyout certs/client.key -out certs/client.csr'): CERTS,
    (LAB06, "openssl x509 -req -in certs/client.csr -CA certs/ca.pem -CAkey certs/ca.key -days 30 -out certs/client.pem"): CERTS,
    (LAB06, "openssl verify -CAfile certs/ca.pem -untrusted certs/inter.pem certs/server.pem certs/client.pem"): CERTS,
    (LAB06, "./build/tlsserver -c certs/chain.pem -k certs/server.key -p 8443"): BY_HAND,
    (LAB06, "printf 'hello\\n' | ./build/tlsclient -a certs/ca.pem localhost 8443"): BY_HAND,
    (LAB06, "printf 'hello\\n' | openssl s_client -connect localhost:8443 -CAfile certs/ca.pem -verify_return_error -quiet"): BY_HAND,
    (LAB06, "curl --cacert certs/ca.pem gophers://localhost:8443/0hello"): BY_HAND,
    (LAB06, "./build/tlsclient localhost 8443"): BY_HAND,
    (LAB06, "./build/tlsclient -a certs/ca.pem -c certs/client.pem -k certs/client.key localhost 8443"): BY_HAND,
    (LAB06, "openssl s_server -accept 8444 -cert certs/server.pem -cert_chain certs/inter.pem -key certs/server.key -www"): BY_HAND,
    (LAB06, "printf 'GET / HTTP/1.0\\r\\n\\r\\n' | ./build/tlsclient -a certs/ca.pem localhost 8444"): BY_HAND,
}
