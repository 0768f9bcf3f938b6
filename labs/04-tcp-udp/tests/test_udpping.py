"""Black-box tests of udpping against scripted Python peers: each peer answers (or not) according
to a script that reacts to the probes it receives, never to the clock, so every run sees the same
conversation. The last test puts the seeded relay in between and checks udpping's account against
the relay's record of what it did."""
import re
import socket

from netlab.feedback import Failure, show
from netlab.relay import Relay
from netlab.shim import Faults
from netlab.udppeer import SilentPort, UdpPeer

from lab04 import (expect_events, expect_summary, parse_probe, ping_output, probe, short,
                   udp_reply_copies, udp_request_copies)


def t(programs, ms: int) -> str:
    """A timeout for udpping's -t, scaled for valgrind."""
    return str(int(ms * programs.factor))


def ping(programs, port, *opts, host="::1", timeout=10):
    return programs.run("udpping", *opts, host, port, timeout=timeout)


def expect_probes_on_the_wire(peer: UdpPeer, run, want: list[tuple[int, int]], size: int = 64):
    """The peer received exactly these (seq, attempt) probes, well formed, in this order."""
    got = [parse_probe(d.data) or ("malformed", show(d.data, 40)) for d in peer.received]
    if got != want or any(len(d.data) != size for d in peer.received):
        raise Failure(run.did, f"the peer receives the probes (seq, attempt) {want}, {size} bytes each",
                      f"{got}, sizes {[len(d.data) for d in peer.received]}",
                      "section 4.1 gives the probe's bytes; unit::probe tests probe_pack")


def test_ipv6(programs):
    with UdpPeer("::1") as peer:
        run = ping(programs, peer.port, "-c", "4", "-t", t(programs, 300))
        run.expect_exit(0, hint="exit 0 when at least one probe was answered")
        events, summary, rtt = ping_output(run)
        expect_events(run, events, [f"reply seq={s} attempt=1 bytes=64" for s in (1, 2, 3, 4)])
        expect_summary(run, summary, probes=4, sent=4, replies=4, lost=0, duplicates=0, late=0,
                       truncated=0, invalid=0, ignored=0)
        expect_probes_on_the_wire(peer, run, [(s, 1) for s in (1, 2, 3, 4)])
        rtts = sorted(float(f["rtt"]) for _, f in events)
        if rtt is None or not (rtt["min"] == rtts[0] and rtt["max"] == rtts[-1] and rtt["p50"] == rtts[1]):
            raise Failure(run.did, f"an rtt line with min={rtts[0]:.3f} p50={rtts[1]:.3f} "
                          f"max={rtts[-1]:.3f} (the replies' times; p50 by nearest rank)",
                          f"{rtt}", "section 4.3")


def test_ipv4_and_size(programs):
    with UdpPeer("127.0.0.1") as peer:
        run = ping(programs, peer.port, "-c", "3", "-s", "1200", "-t", t(programs, 300),
                   host="127.0.0.1")
        run.expect_exit(0)
        events, summary, _ = ping_output(run)
        expect_events(run, events, [f"reply seq={s} attempt=1 bytes=1200" for s in (1, 2, 3)])
        expect_probes_on_the_wire(peer, run, [(1, 1), (2, 1), (3, 1)], size=1200)


def unanswered(seqs: set, attempts: set = frozenset()):
    """A script: echo every probe except those of seqs (and those (seq, attempt) in attempts)."""
    def script(peer, d):
        p = parse_probe(d.data)
        if p is not None and p[0] not in seqs and p not in attempts:
            peer.send(d.data, d.addr)
    return script


def test_interrupted_calls(programs):
    """Every other sendto() and recvfrom() fails with EINTR, as when a signal arrives."""
    faults = Faults(eintr_every=2, ops=("sendto", "recvfrom"))
    with UdpPeer("::1") as peer:
        run = programs.run("udpping", "-c", "4", "-t", t(programs, 300), "::1", peer.port,
                           faults=faults)
    run.expect_exit(0, hint="a call that fails with EINTR did nothing: call it again")
    events, summary, _ = ping_output(run)
    expect_events(run, events, [f"reply seq={s} attempt=1 bytes=64" for s in (1, 2, 3, 4)],
                  hint="retry sendto() and recvfrom() on EINTR: that is not a lost probe")
    expect_summary(run, summary, sent=4, replies=4, lost=0)
    if not faults.altered().get("eintr"):
        raise Failure(run.did, "its calls interrupted by the test's fault library", "none was",
                      "send with sendto() and receive with recvfrom() (recv_datagram)")


def test_lost_probe_times_out(programs):
    with UdpPeer("::1", unanswered({2})) as peer:
        run = ping(programs, peer.port, "-c", "3", "-t", t(programs, 200), timeout=8)
        run.expect_exit(0, hint="a probe without a reply is lost after -t milliseconds: wait with "
                        "poll() and a timeout, never a blocking recvfrom()")
        events, summary, _ = ping_output(run)
        expect_events(run, events, ["reply seq=1 attempt=1 bytes=64", "lost seq=2 attempts=1",
                                    "reply seq=3 attempt=1 bytes=64"])
        expect_summary(run, summary, probes=3, sent=3, replies=2, lost=1)


def test_retries(programs):
    # seq 1: attempts 1 and 2 unanswered, attempt 3 answered; seq 2: never answered.
    with UdpPeer("::1", unanswered({2}, {(1, 1), (1, 2)})) as peer:
        run = ping(programs, peer.port, "-c", "2", "-r", "2", "-t", t(programs, 150))
        run.expect_exit(0)
        events, summary, _ = ping_output(run)
        expect_events(run, events, ["reply seq=1 attempt=3 bytes=64", "lost seq=2 attempts=3"],
                      hint="each retry sends the same sequence number with the next attempt number")
        expect_summary(run, summary, probes=2, sent=6, replies=1, lost=1)
        expect_probes_on_the_wire(peer, run, [(1, 1), (1, 2), (1, 3), (2, 1), (2, 2), (2, 3)])
        rtt = float(events[0][1].get("rtt", "nan"))
        if not rtt < float(t(programs, 150)):
            raise Failure(run.did, "the reply to attempt 3 timed from the send of attempt 3: less "
                          f"than the {t(programs, 150)} ms timeout", f"rtt={rtt} ms",
                          "the reply echoes its attempt number: measure from that attempt's send")


def test_reply_to_an_earlier_attempt(programs):
    """The reply to attempt 1 arrives after the reply to attempt 2: one reply, one duplicate."""
    def script(peer, d):
        p = parse_probe(d.data)
        if p == (1, 2):
            peer.send(d.data, d.addr)
            peer.send(probe(1, 1), d.addr)
        elif p is not None and p[0] != 1:
            peer.send(d.data, d.addr)

    with UdpPeer("::1", script) as peer:
        run = ping(programs, peer.port, "-c", "2", "-r", "1", "-t", t(programs, 150))
        run.expect_exit(0)
        events, summary, _ = ping_output(run)
        expect_events(run, events, ["reply seq=1 attempt=2 bytes=64", "duplicate seq=1 attempt=1",
                                    "reply seq=2 attempt=1 bytes=64"])
        expect_summary(run, summary, sent=3, replies=2, duplicates=1, lost=0)


def test_duplicates_counted_once(programs):
    def script(peer, d):
        copies = 3 if parse_probe(d.data) == (2, 1) else 2
        for _ in range(copies):
            peer.send(d.data, d.addr)

    with UdpPeer("::1", script) as peer:
        run = ping(programs, peer.port, "-c", "3", "-t", t(programs, 200))
        run.expect_exit(0)
        events, summary, _ = ping_output(run)
        expect_events(run, events, [
            "reply seq=1 attempt=1 bytes=64", "duplicate seq=1 attempt=1",
            "reply seq=2 attempt=1 bytes=64", "duplicate seq=2 attempt=1", "duplicate seq=2 attempt=1",
            "reply seq=3 attempt=1 bytes=64", "duplicate seq=3 attempt=1"],
            hint="remember which probes were answered; after the last probe, keep listening for one "
            "timeout (section 4.3)")
        expect_summary(run, summary, probes=3, replies=3, duplicates=4, lost=0)


def test_late_reply(programs):
    """The reply to probe 2 is held back until probe 3 arrives: 2 is lost, then its reply is late."""
    def script(peer, d):
        p = parse_probe(d.data)
        if p == (2, 1):
            peer.state["held"] = (d.data, d.addr)
            return
        if p == (3, 1) and "held" in peer.state:
            peer.send(*peer.state.pop("held"))
        peer.send(d.data, d.addr)

    with UdpPeer("::1", script) as peer:
        run = ping(programs, peer.port, "-c", "3", "-t", t(programs, 200))
        run.expect_exit(0)
        events, summary, _ = ping_output(run)
        expect_events(run, events, ["reply seq=1 attempt=1 bytes=64", "lost seq=2 attempts=1",
                                    "late seq=2 attempt=1", "reply seq=3 attempt=1 bytes=64"],
                      hint="a reply is the answer to the probe whose sequence number it carries; one "
                      "for a probe already given up is late, not a reply to the current one")
        expect_summary(run, summary, replies=2, lost=1, late=1)


def test_truncated_reply(programs):
    """Each probe is answered first by a longer datagram that starts with the probe, then echoed."""
    def script(peer, d):
        peer.send(d.data + b"-and-more" * 10, d.addr)
        peer.send(d.data, d.addr)

    with UdpPeer("::1", script) as peer:
        run = ping(programs, peer.port, "-c", "2", "-t", t(programs, 200))
        run.expect_exit(0)
        events, summary, _ = ping_output(run)
        expect_events(run, events, ["truncated bytes=154", "reply seq=1 attempt=1 bytes=64",
                                    "truncated bytes=154", "reply seq=2 attempt=1 bytes=64"],
                      hint="receive with MSG_TRUNC: recvfrom then returns the datagram's real length "
                      "even when only SIZE bytes fit in the buffer")
        expect_summary(run, summary, replies=2, truncated=2, invalid=0)


def test_wrong_source_ignored(programs):
    def script(peer, d):
        peer.send_from_stranger(d.data, d.addr)
        peer.send(d.data, d.addr)

    with UdpPeer("::1", script) as peer:
        run = ping(programs, peer.port, "-c", "2", "-t", t(programs, 200))
        run.expect_exit(0)
        events, summary, _ = ping_output(run)
        stranger = peer.stranger_address
        expect_events(run, events, [f"ignored bytes=64 from {stranger}", "reply seq=1 attempt=1 bytes=64",
                                    f"ignored bytes=64 from {stranger}", "reply seq=2 attempt=1 bytes=64"],
                      hint="compare recvfrom's source address with the server's (family, address, "
                      "port): anyone may send you a datagram")
        expect_summary(run, summary, replies=2, ignored=2)


def test_empty_and_invalid_datagrams(programs):
    """Before each echo: an empty datagram, a short one, a wrong magic, a reply to a probe never sent."""
    def script(peer, d):
        p = parse_probe(d.data)
        if p is None:
            return
        seq, attempt = p
        bad_magic = b"XX" + d.data[2:]
        for junk in (b"", d.data[:10], bad_magic, probe(seq + 100, attempt), probe(seq, attempt + 5)):
            peer.send(junk, d.addr)
        peer.send(d.data, d.addr)

    with UdpPeer("::1", script) as peer:
        run = ping(programs, peer.port, "-c", "2", "-t", t(programs, 200))
        run.expect_exit(0, hint="an empty datagram is not an end of file: recvfrom returns 0 for it")
        events, summary, _ = ping_output(run)
        junk = ["invalid bytes=0", "invalid bytes=10", "invalid bytes=64", "invalid bytes=64",
                "invalid bytes=64"]
        expect_events(run, events, junk + ["reply seq=1 attempt=1 bytes=64"] + junk
                      + ["reply seq=2 attempt=1 bytes=64"],
                      hint="a reply is exactly a probe you sent (probe_parse, a sequence number and an "
                      "attempt already sent); anything else from the server is invalid")
        expect_summary(run, summary, replies=2, invalid=10)


def test_no_answer_at_all(programs):
    with SilentPort("::1") as port:
        run = ping(programs, port.port, "-c", "2", "-t", t(programs, 200))
        run.expect_failure(code=1, hint="exit 1 when no probe was answered (section 4.3)")
        events, summary, rtt = ping_output(run)
        expect_events(run, events, ["lost seq=1 attempts=1", "lost seq=2 attempts=1"])
        expect_summary(run, summary, probes=2, sent=2, replies=0, lost=2)
        if rtt is not None:
            raise Failure(run.did, "no rtt line (no probe was answered)", run.got())


def test_through_lossy_relay(programs):
    """Loss and duplication in both directions; udpping's account must match the relay's record."""
    with UdpPeer("::1") as peer, Relay(udp_to=("::1", peer.port), loss=0.2, duplicate=0.15,
                                       delay=0.002, seed=404) as relay:
        run = ping(programs, relay.port, "-c", "24", "-r", "2", "-t", t(programs, 120))
    run.expect_exit(0)
    events, summary, _ = ping_output(run)
    delivered, requests = udp_reply_copies(relay), udp_request_copies(relay)
    did = run.did + " through a relay losing 20% and duplicating 15% of the datagrams, both ways"
    per_seq: dict = {}
    for kind, f in events:
        if kind in ("reply", "duplicate", "late"):
            per_seq[int(f["seq"])] = per_seq.get(int(f["seq"]), 0) + 1
    for seq in range(1, 25):
        lines = [(k, f) for k, f in events if f.get("seq") == str(seq)]
        answered = sum(k == "reply" for k, _ in lines)
        lost = sum(k == "lost" for k, _ in lines)
        if answered + lost != 1:
            raise Failure(did, f"probe {seq} either answered or lost, once", run.got())
        if delivered.get(seq, 0) != sum(k in ("reply", "duplicate", "late") for k, _ in lines):
            raise Failure(did, f"every reply to probe {seq} that reached udpping to be counted once: "
                          f"the relay delivered {delivered.get(seq, 0)}",
                          f"these lines for it: {[short(k, f) for k, f in lines]}\n{run.got()}",
                          "one reply per probe; further copies are duplicates, or late if the probe "
                          "was given up")
    want = {"sent": sum(requests.values()), "replies": 24 - summary["lost"],
            "duplicates": sum(1 for k, _ in events if k == "duplicate"),
            "late": sum(1 for k, _ in events if k == "late")}
    expect_summary(run, summary, **want)


def resolver_error(host: str) -> str:
    try:  # bytes: the C library sees the name as it is (a str would be IDNA-encoded first)
        socket.getaddrinfo(host.encode(), "9", socket.AF_UNSPEC, socket.SOCK_DGRAM)
    except socket.gaierror as exc:
        return exc.strerror
    raise AssertionError(f"{host} resolves; the test needs a name that does not")


def test_unresolvable(programs, net):
    host = net.unresolvable
    run = programs.run("udpping", host, "9")
    run.expect_failure(code=1).expect_error_line(
        "udpping", f"^udpping: {re.escape(host)}: {re.escape(resolver_error(host))}$",
        hint="getaddrinfo's errors are explained by gai_strerror(), not by strerror(errno)")


def test_usage(programs):
    for args in ([], ["::1"], ["::1", "0"], ["-c", "0", "::1", "9"], ["-s", "7", "::1", "9"],
                 ["-s", "65508", "::1", "9"], ["-t", "0", "::1", "9"], ["-r", "11", "::1", "9"],
                 ["-x", "::1", "9"]):
        run = programs.run("udpping", *args)
        run.expect_failure(code=2, hint="section 4.3 gives each option's range; a usage error exits 2")
        run.expect_stderr_contains("usage: udpping")


