"""Black-box tests of measure. Between measure and two Python servers (a UDP echo and a TCP echo of
length-prefixed messages) sits the seeded relay, which records when it read each datagram and
segment and when it sent it on. That record is the ground truth: no time measure reports may be
shorter than the time the relay itself held the request and its answer, every UDP answer the
relay delivered is counted once, every answer it never delivered is lost. Nothing here depends on
how fast this machine is."""
import contextlib
import math

from netlab.feedback import Failure
from netlab.relay import Relay
from netlab.shim import Faults
from netlab.udppeer import UdpPeer

from lab04 import (SLACK_MS, FramedEcho, measure_output, read_figure, read_report, rows_of,
                   tcp_truth, udp_reply_copies, udp_truth_ms)

LATENCY = ("udp", "tcp", "tcp-nagle")
FLOWS = {"tcp": 0, "tcp-nagle": 1, "bulk": 2}  # measure opens its TCP connections in this order


@contextlib.contextmanager
def path(programs, host="::1", tcp=True, **impairment):
    """Python servers behind a relay; yields the relay (its record is complete after the block)."""
    with UdpPeer(host) as udp, FramedEcho(host, timeout=60 * programs.factor) as echo:
        with Relay(udp_to=(host, udp.port), tcp_to=(host, echo.port) if tcp else None,
                   listen=host, **impairment) as relay:
            yield relay


def measure(programs, relay, *opts, host="::1", faults=None):
    return programs.run("measure", *opts, "-o", "m", host, relay.port, timeout=25, faults=faults)


def nearest_rank(values, p):
    v = sorted(values)
    return v[max(1, math.ceil(p * len(v) / 100 - 1e-9)) - 1]


def rtts(rows):
    return [float(r["rtt_ms"]) for r in rows if r["status"] == "ok"]


def expect_rows(run, rows, experiment, count, size):
    got = rows_of(rows, experiment)
    if [r["seq"] for r in got] != [str(i) for i in range(1, count + 1)] or any(
            r["bytes"] != str(size) or r["status"] not in ("ok", "lost") for r in got):
        raise Failure(run.did, f"{count} rows for {experiment}: seq 1 to {count}, bytes {size}, "
                      "status ok or lost", f"{[(r['seq'], r['bytes'], r['status']) for r in got]}",
                      "section 5.5")
    for r in got:
        ok = r["status"] == "ok"
        try:
            good = (float(r["rtt_ms"]) >= 0) if ok else (r["rtt_ms"] == "")
        except ValueError:
            good = False
        if not good:
            raise Failure(run.did, "rtt_ms in milliseconds for an ok row, empty for a lost one",
                          f"the {experiment} row {r}", "section 5.5")


def expect_percentiles(run, out, rows, exp):
    """p50 and p99 on stdout are the nearest-rank percentiles of the ok rows' rtt_ms."""
    values = rtts(rows_of(rows, exp))
    for p in (50, 99):
        want = f"{nearest_rank(values, p):.3f}" if values else "-"
        got = out[exp].get(f"p{p}")
        try:
            same = want == got or abs(float(got) - float(want)) < 0.0015
        except (TypeError, ValueError):
            same = False
        if not same:
            raise Failure(run.did, f"{exp} p{p}={want}: the nearest-rank percentile of the rtt_ms "
                          f"of its ok rows in m.csv", f"p{p}={got}",
                          "section 5.4: the answered requests' times, the same in the report and on "
                          "stdout")


def expect_lower_bound(run, what, measured_ms, truth_ms, hint=""):
    if measured_ms < truth_ms - SLACK_MS:
        raise Failure(run.did, f"{what}: at least {truth_ms:.3f} ms, the time the relay alone held "
                      "the request and its answer", f"{measured_ms:.3f} ms",
                      hint or "start the clock before the first send and stop it after the whole "
                      "answer was read (clock_gettime(CLOCK_MONOTONIC)); report milliseconds")


def expect_upper_bound(run, what, measured_ms, limit_ms, hint=""):
    if measured_ms > limit_ms:
        raise Failure(run.did, f"{what}: at most {limit_ms:.3f} ms", f"{measured_ms:.3f} ms",
                      hint or "report milliseconds")


def test_report_and_figure(programs):
    with path(programs) as relay:
        run = measure(programs, relay, "-n", "10", "-b", "16000", "-t", str(int(200 * programs.factor)))
    run.expect_exit(0)
    rows = read_report(programs.cwd / "m.csv", run)
    for exp in LATENCY:
        expect_rows(run, rows, exp, 10, 64)
    expect_rows(run, rows, "bulk", 1, 16000)
    out = measure_output(run)
    for exp in LATENCY:
        values = rtts(rows_of(rows, exp))
        if len(values) != 10 or out[exp].get("answered") != "10" or out[exp].get("count") != "10":
            raise Failure(run.did, f"all 10 {exp} requests answered (nothing is lost on this path)",
                          f"{len(values)} ok rows; stdout says {out[exp]}")
        expect_percentiles(run, out, rows, exp)
    fig = read_figure(programs.cwd / "m.svg", run)
    if sorted(fig["series"]) != sorted(LATENCY):
        raise Failure(run.did, "m.svg with a line for udp, tcp and tcp-nagle",
                      f"lines for {sorted(fig['series'])}", "section 5.5: plot_latency_cdf()")
    for exp in LATENCY:
        want = sorted(rtts(rows_of(rows, exp)))
        got = fig["series"][exp]
        if got["total"] != 10 or [round(v, 3) for v in got["values"]] != [round(v, 3) for v in want]:
            raise Failure(run.did, f"the {exp} line of m.svg drawn from the {exp} times of m.csv, "
                          "sorted, out of 10 requests", f"total {got['total']}, values {got['values']}",
                          "give plot_latency_cdf() each experiment's answered times, sorted")


def test_udp_delivery_under_loss(programs):
    with path(programs, loss=0.2, duplicate=0.1, delay=0.001, rto=0.02, seed=21) as relay:
        run = measure(programs, relay, "-n", "20", "-b", "4096", "-t", str(int(120 * programs.factor)))
    run.expect_exit(0, hint="lost UDP requests are a result to report, not an error")
    rows, out = read_report(programs.cwd / "m.csv", run), measure_output(run)
    delivered = udp_reply_copies(relay)
    udp = rows_of(rows, "udp")
    expect_rows(run, rows, "udp", 20, 64)
    did = run.did + " through a relay losing 20% of the datagrams each way, duplicating 10%"
    for r in udp:
        seq = int(r["seq"])
        if r["status"] == "ok" and not delivered.get(seq):
            raise Failure(did, f"request {seq} lost: the relay never delivered an answer to it",
                          f"the row {r}", "the reply that answers a request carries its sequence "
                          "number; check it")
    answered = sum(r["status"] == "ok" for r in udp)
    answered_late = sum(1 for r in udp if r["status"] == "lost" and delivered.get(int(r["seq"])))
    copies = sum(delivered.values())
    u = out["udp"]
    try:
        counts = {k: int(u[k]) for k in ("answered", "lost", "late", "duplicates")}
    except (KeyError, ValueError):
        raise Failure(run.did, "udp count=N answered=N lost=N late=N duplicates=N ...",
                      f"{u}", "section 5.4") from None
    if counts["answered"] != answered or counts["lost"] != 20 - answered or \
            counts["answered"] + counts["late"] + counts["duplicates"] != copies or \
            counts["late"] < answered_late:
        raise Failure(did, f"answered={answered} lost={20 - answered} (the rows of m.csv), and "
                      f"answered + late + duplicates = {copies}, the answers the relay delivered",
                      f"the udp line says {u}", "count each answer once; further copies are "
                      "duplicates, answers to a request already given up are late")
    expect_percentiles(run, out, rows, "udp")
    for exp in ("tcp", "tcp-nagle"):
        if [r["status"] for r in rows_of(rows, exp)] != ["ok"] * 20:
            raise Failure(run.did, f"every {exp} request answered: TCP retransmits what is lost",
                          f"{[r['status'] for r in rows_of(rows, exp)]}")


def test_latency_against_relay(programs):
    timeout = int(300 * programs.factor)
    with path(programs, delay=0.004, jitter=0.004, seed=5) as relay:
        run = measure(programs, relay, "-n", "12", "-b", "16000", "-t", str(timeout))
    run.expect_exit(0)
    rows = read_report(programs.cwd / "m.csv", run)
    truth = udp_truth_ms(relay)
    for r in rows_of(rows, "udp"):
        if r["status"] == "ok":
            seq = int(r["seq"])
            expect_lower_bound(run, f"the rtt of UDP request {seq}", float(r["rtt_ms"]), truth[seq])
            expect_upper_bound(run, f"the rtt of UDP request {seq} (answered within -t)",
                               float(r["rtt_ms"]), timeout + SLACK_MS)
    for exp, count, size in (("tcp", 12, 64), ("tcp-nagle", 12, 64), ("bulk", 1, 16000)):
        exchanges = tcp_truth(relay, FLOWS[exp], 4 + size, count)
        if exchanges is None:
            raise Failure(run.did, f"{count} messages of 4 + {size} bytes on {exp}'s connection "
                          "(the relay's record)", "fewer, or no answer to them",
                          "section 5.3: the experiments' order, sizes and connections")
        for r, ex in zip(rows_of(rows, exp), exchanges):
            measured = float(r["rtt_ms"] or "nan")
            truth_ms = (ex["t_echo"] - ex["t_first"]) * 1000
            expect_lower_bound(run, f"the rtt of {exp} request {r['seq']}", measured, truth_ms,
                               "start the clock before the first write of the message and stop it "
                               "after the last byte of the echo was read")
            expect_upper_bound(run, f"the rtt of {exp} request {r['seq']}", measured,
                               truth_ms + 3000 * programs.factor)


def test_nagle_stall(programs):
    """The relay records when each message's header and payload reached it: without TCP_NODELAY
    the payload waits for the acknowledgement of the header (about 40 ms on Linux); with it, not."""
    with path(programs) as relay:
        run = measure(programs, relay, "-n", "20", "-b", "4096", "-t", str(int(300 * programs.factor)))
    run.expect_exit(0)
    stalled = {}
    for exp in ("tcp", "tcp-nagle"):
        exchanges = tcp_truth(relay, FLOWS[exp], 68, 20)
        if exchanges is None:
            raise Failure(run.did, f"20 messages of 4 + 64 bytes on {exp}'s connection", "fewer",
                          "section 5.3")
        stalled[exp] = sum((ex["t_payload"] - ex["t_first"]) * 1000 >= 15 for ex in exchanges)
    if stalled["tcp"] > 5:
        raise Failure(run.did, "on the tcp connection, each payload right behind its header",
                      f"{stalled['tcp']} of 20 payloads came 15 ms or more after their header",
                      "set TCP_NODELAY on the tcp experiment's socket (tcp_connect's nodelay)")
    if stalled["tcp-nagle"] < 10:
        raise Failure(run.did, "on the tcp-nagle connection, most payloads held back until the "
                      "header is acknowledged", f"only {stalled['tcp-nagle']} of 20 were",
                      "leave Nagle's algorithm on for tcp-nagle, and write each message in two "
                      "writes: the 4-byte length, then the payload (section 5.3)")
    rows = read_report(programs.cwd / "m.csv", run)
    for exp in ("tcp", "tcp-nagle"):
        exchanges = tcp_truth(relay, FLOWS[exp], 68, 20)
        for r, ex in zip(rows_of(rows, exp), exchanges):
            expect_lower_bound(run, f"the rtt of {exp} request {r['seq']}", float(r["rtt_ms"] or "nan"),
                               (ex["t_echo"] - ex["t_first"]) * 1000)


def test_tcp_turns_loss_into_delay(programs):
    with path(programs, loss=0.2, rto=0.06, seed=8) as relay:
        run = measure(programs, relay, "-n", "10", "-b", "8192", "-t", str(int(200 * programs.factor)))
    run.expect_exit(0)
    rows = read_report(programs.cwd / "m.csv", run)
    retransmitted = 0
    for exp in ("tcp", "tcp-nagle"):
        if [r["status"] for r in rows_of(rows, exp)] != ["ok"] * 10:
            raise Failure(run.did, f"every {exp} request answered: TCP delivers through loss",
                          f"{[r['status'] for r in rows_of(rows, exp)]}")
        exchanges = tcp_truth(relay, FLOWS[exp], 68, 10)
        for r, ex in zip(rows_of(rows, exp), exchanges):
            truth_ms = (ex["t_echo"] - ex["t_first"]) * 1000
            retransmitted += truth_ms >= 60
            expect_lower_bound(run, f"the rtt of {exp} request {r['seq']}", float(r["rtt_ms"]), truth_ms)
    if retransmitted == 0:
        raise Failure("checked the relay's record", "some TCP exchanges delayed by a retransmission",
                      "none: this test's seed no longer exercises loss; pick another")


def test_throughput(programs):
    rate, size = 2_000_000, 262144
    with path(programs, rate=rate) as relay:
        run = measure(programs, relay, "-n", "2", "-b", str(size), "-t", str(int(300 * programs.factor)))
    run.expect_exit(0)
    rows, out = read_report(programs.cwd / "m.csv", run), measure_output(run)
    ex = tcp_truth(relay, FLOWS["bulk"], 4 + size, 1)
    if ex is None:
        raise Failure(run.did, f"one message of 4 + {size} bytes on the bulk connection", "not so")
    truth_s = ex[0]["t_echo"] - ex[0]["t_first"]
    bulk = rows_of(rows, "bulk")[0]
    expect_lower_bound(run, "the bulk transfer's time", float(bulk["rtt_ms"] or "nan"), truth_s * 1000)
    b = out["bulk"]
    try:
        seconds, mbps, nbytes = float(b["seconds"]), float(b["throughput"]), int(b["bytes"])
    except (KeyError, ValueError):
        raise Failure(run.did, "bulk bytes=N seconds=S throughput=T MB/s", f"{b}", "section 5.4") from None
    best = 2 * size / truth_s / 1e6
    if nbytes != size or abs(seconds * 1000 - float(bulk["rtt_ms"])) > 0.01 \
            or not abs(mbps - 2 * size / seconds / 1e6) <= 0.001 * mbps + 0.001:
        raise Failure(run.did, f"bytes={size}, seconds = the bulk row's rtt_ms / 1000, throughput "
                      "= 2 * bytes / seconds / 1e6 (MB/s: the message goes there and back)",
                      f"the bulk line says {b}; its row says {bulk['rtt_ms']} ms", "section 5.4")
    if not best / (5 * programs.factor) <= mbps <= best * 1.001:
        raise Failure(run.did, f"a throughput at most {best:.3f} MB/s (what the relay's rate limit "
                      f"of {rate / 1e6:g} MB/s each way allowed) and not far below it",
                      f"throughput={mbps}", "bytes, not bits; seconds, not milliseconds")


def test_short_reads_and_interrupted_calls(programs):
    """measure's every recv() returns at most 5 bytes, and every 4th recv(), recvfrom() and sendto()
    fails with EINTR, as when a signal arrives: every exchange must still complete."""
    faults = Faults(max_io=5, eintr_every=4, ops=("recv", "recvfrom", "sendto"))
    with path(programs) as relay:
        run = measure(programs, relay, "-n", "5", "-b", "20000", "-t", str(int(300 * programs.factor)),
                      faults=faults)
    run.expect_exit(0, hint="recv() returns what has arrived, 5 bytes here: loop until the echo is "
                    "whole; a call that fails with EINTR did nothing: call it again")
    rows = read_report(programs.cwd / "m.csv", run)
    if [r["status"] for r in rows] != ["ok"] * 16:
        raise Failure(run.did + " with short reads and interrupted calls", "every request answered",
                      f"{[(r['experiment'], r['status']) for r in rows]}")
    got = faults.altered()
    if not got.get("short") or not got.get("eintr"):
        raise Failure(run.did, "its calls cut short and interrupted by the test's fault library",
                      f"altered: {got or 'nothing'}", "receive with recv() (recv_all) and recvfrom()")


def test_ipv4(programs):
    with path(programs, host="127.0.0.1") as relay:
        run = measure(programs, relay, "-4", "-n", "3", "-b", "1024", "-t", str(int(300 * programs.factor)),
                      host="127.0.0.1")
    run.expect_exit(0)
    rows = read_report(programs.cwd / "m.csv", run)
    if [r["status"] for r in rows] != ["ok"] * 10:
        raise Failure(run.did, "every request answered over IPv4", f"{[r['status'] for r in rows]}")


def test_tcp_refused(programs):
    with path(programs, tcp=False) as relay:  # UDP only: nothing accepts TCP at that port
        run = measure(programs, relay, "-n", "2", "-t", str(int(200 * programs.factor)))
    run.expect_failure(code=1, hint="a connection that fails is an error: say why, exit 1")
    run.expect_error_line("measure", f"^measure: tcp: connect to ::1 port {relay.port}: Connection refused$",
                          hint="section 5.4 gives the message")
    if (programs.cwd / "m.csv").exists():
        raise Failure(run.did, "no report when an experiment could not run", "m.csv was written")


def test_usage(programs):
    for args in (["::1"], ["-n", "0", "::1", "9"], ["-s", "7", "::1", "9"], ["-b", "16777217", "::1", "9"],
                 ["-t", "x", "::1", "9"], ["-o", "", "::1", "9"], ["::1", "99999"]):
        run = programs.run("measure", *args)
        run.expect_failure(code=2, hint="section 5.3 gives each option's range; a usage error exits 2")
        run.expect_stderr_contains("usage: measure")


