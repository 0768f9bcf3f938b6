"""Black-box tests of showip: every address getaddrinfo returns, IPv4 and IPv6, and clear errors.

The expected lines come from Python's socket.getaddrinfo, which asks the same resolver (the C
library's getaddrinfo) with the same hints: AF_UNSPEC (or -4/-6) and SOCK_STREAM.
"""
import re
import socket

from netlab.feedback import Failure

FAMILY = {socket.AF_INET: "IPv4", socket.AF_INET6: "IPv6"}


def expected_lines(host, family=socket.AF_UNSPEC):
    infos = socket.getaddrinfo(host, None, family, socket.SOCK_STREAM)
    return "".join(f"{host} {FAMILY[ai[0]]} {ai[4][0]}\n" for ai in infos)


def resolver_error(host):
    try:  # bytes: the C library sees the name as it is (a str would be IDNA-encoded first)
        socket.getaddrinfo(host.encode(), None, socket.AF_UNSPEC, socket.SOCK_STREAM)
    except socket.gaierror as exc:
        return exc.strerror
    raise AssertionError(f"{host} resolves; the test needs a name that does not")


def test_ipv4_literal(programs):
    programs.run("showip", "127.0.0.1").expect_exit(0).expect_stdout("127.0.0.1 IPv4 127.0.0.1\n")


def test_ipv6_literal(programs):
    programs.run("showip", "::1").expect_exit(0).expect_stdout(
        "::1 IPv6 ::1\n", hint="ask getaddrinfo for AF_UNSPEC, not AF_INET, so IPv6 answers come back")


def test_dual_stack_name(programs, net):
    host = net.name("dual")
    programs.run("showip", host).expect_exit(0).expect_stdout(
        expected_lines(host), hint="print every entry of the list, following ai_next to the end")


def test_every_address(programs, net):
    host = net.name("multi")
    programs.run("showip", host).expect_exit(0).expect_stdout(
        expected_lines(host), hint="print every entry of the list, following ai_next to the end")


def test_family_options(programs, net):
    host = net.name("dual")
    programs.run("showip", "-4", host).expect_exit(0).expect_stdout(
        expected_lines(host, socket.AF_INET), hint="-4 sets hints.ai_family to AF_INET")
    programs.run("showip", "-6", host).expect_exit(0).expect_stdout(
        expected_lines(host, socket.AF_INET6), hint="-6 sets hints.ai_family to AF_INET6")


def test_several_hosts(programs):
    programs.run("showip", "::1", "127.0.0.1", "::ffff:192.0.2.1").expect_exit(0).expect_stdout(
        "::1 IPv6 ::1\n127.0.0.1 IPv4 127.0.0.1\n::ffff:192.0.2.1 IPv6 ::ffff:192.0.2.1\n")


def test_unresolvable_name(programs, net):
    host = net.unresolvable
    run = programs.run("showip", host)
    run.expect_failure(code=1).expect_error_line(
        "showip", f"^showip: {re.escape(host)}: {re.escape(resolver_error(host))}$",
        hint="getaddrinfo's errors are not in errno: gai_strerror() explains them, perror() does not")
    if run.stdout:
        raise Failure(run.did, "nothing on stdout", f"stdout {run.stdout!r}")


def test_error_does_not_stop_the_others(programs, net):
    bad = net.unresolvable
    run = programs.run("showip", "127.0.0.1", bad, "::1")
    run.expect_failure(code=1, hint="exit 1 when any host failed, after trying them all")
    run.expect_stdout("127.0.0.1 IPv4 127.0.0.1\n::1 IPv6 ::1\n",
                      hint="an unresolvable host is reported on stderr; the others are still shown")
    run.expect_error_line("showip", f"^showip: {re.escape(bad)}: ")


def test_usage(programs):
    for args in ([], ["-x", "127.0.0.1"]):
        run = programs.run("showip", *args)
        run.expect_failure(code=2, hint="a usage error exits with status 2")
        run.expect_stderr_contains("usage: showip")
