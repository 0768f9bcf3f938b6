"""Hidden tests of Lab 04: the same contracts as the public tests, on cases a student may not try."""
import socket
import struct
import threading

from netlab.feedback import Failure
from netlab.procnet import wait_until_read
from netlab.relay import Relay
from netlab.udppeer import UdpPeer

from lab04 import (FramedEcho, expect_summary, message, parse_probe, ping_output,
                   probe, read_report, recv_exact, rows_of)


def t(programs, ms: int) -> str:
    return str(int(ms * programs.factor))


def test_thousand_probes(programs):
    with UdpPeer("::1") as peer:
        run = programs.run("udpping", "-c", "1000", "-s", "32", "-t", t(programs, 300), "::1", peer.port,
                           timeout=20)
    run.expect_exit(0)
    events, summary, rtt = ping_output(run)
    expect_summary(run, summary, probes=1000, sent=1000, replies=1000, lost=0, duplicates=0)
    if [int(f["seq"]) for k, f in events if k == "reply"] != list(range(1, 1001)) or rtt is None:
        raise Failure(run.did, "1000 reply lines, seq 1 to 1000, and an rtt line", run.got())


def test_junk_does_not_extend_the_timeout(programs):
    """The only probe is never answered, while junk arrives every 10 ms: udpping must still give up
    when its timeout expires, not wait on while datagrams keep coming."""
    timeout_ms = int(500 * programs.factor)
    flood = 8 * timeout_ms // 10  # junk for eight timeouts; a correct udpping is gone after two
    stop = threading.Event()

    def send_junk(peer, addr):
        for _ in range(flood):
            if stop.wait(0.01):
                return
            peer.send(b"junk", addr)

    def script(peer, d):
        if parse_probe(d.data) is not None and "flood" not in peer.state:
            peer.state["flood"] = threading.Thread(target=send_junk, args=(peer, d.addr), daemon=True)
            peer.state["flood"].start()

    with UdpPeer("::1", script) as peer:
        run = programs.run("udpping", "-c", "1", "-t", str(timeout_ms), "::1", peer.port, timeout=20)
        stop.set()
    events, summary, _ = ping_output(run)
    expect_summary(run, summary, replies=0, lost=1)
    if summary["invalid"] >= flood * 5 // 8:
        raise Failure(run.did + " while junk datagrams arrived every 10 ms",
                      "udpping gives up after its timeout and then lingers one timeout (about "
                      f"{2 * timeout_ms // 10} junk datagrams seen)",
                      f"it saw {summary['invalid']} junk datagrams first",
                      "compute the deadline once per attempt, and poll() only for the time left")


def test_host_name_and_family(programs, net):
    host = net.name("dual")
    for flag, addr in (("-4", "127.0.0.1"), ("-6", "::1")):
        with UdpPeer(addr) as peer:
            run = programs.run("udpping", flag, "-c", "2", "-t", t(programs, 300), host, peer.port)
            run.expect_exit(0, hint=f"{flag} restricts getaddrinfo to one family; {host} has both")
            _, summary, _ = ping_output(run)
            expect_summary(run, summary, replies=2)
            if len(peer.received) != 2:
                raise Failure(run.did, f"2 probes to {addr}", f"{len(peer.received)}")


def test_largest_ipv6_datagram(programs):
    server = programs.start("udpecho", "-p", "0")
    data = probe(1, 1, 65527)  # 65535 bytes of UDP length over IPv6, less the 8-byte UDP header
    with socket.socket(socket.AF_INET6, socket.SOCK_DGRAM) as sock:
        sock.settimeout(5 * programs.factor)
        sock.sendto(data, ("::1", server.port))
        try:
            back = sock.recv(70000)
        except socket.timeout:
            back = b""
    if back != data:
        raise Failure("sent a 65527-byte datagram over IPv6", "the same 65527 bytes back",
                      f"{len(back)} bytes", "the default buffer must hold the largest datagram")


def test_largest_message(programs):
    server = programs.start("tcpecho", "-p", "0")
    size = 16 * 1024 * 1024
    msg = size.to_bytes(4, "big") + bytes(range(256)) * (size // 256)
    with socket.create_connection(("::1", server.port), timeout=30 * programs.factor) as sock:
        sock.sendall(msg)
        if recv_exact(sock, len(msg)) != msg:
            raise Failure("sent a message of MESSAGE_MAX (16 MiB) bytes", "it back, whole", "not so")
        sock.sendall((size + 1).to_bytes(4, "big") + b"x")
        if sock.recv(10) != b"":
            raise Failure("then a header of MESSAGE_MAX + 1", "the connection closed", "it was not")


def test_client_vanishes_mid_message(programs):
    server = programs.start("tcpecho", "-p", "0")
    sock = socket.create_connection(("::1", server.port), timeout=10 * programs.factor)
    sock.sendall(message(1, 1000)[:500])
    if not wait_until_read(server.port, sock.getsockname()[1], 10 * programs.factor):
        raise Failure("sent half a message", "tcpecho reads it", "it did not")
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()  # a reset, in the middle of the message
    with socket.create_connection(("127.0.0.1", server.port), timeout=10 * programs.factor) as again:
        again.sendall(message(2, 100))
        if recv_exact(again, 104) != message(2, 100):
            raise Failure("a client reset its connection mid-message; another connected",
                          "the second client's echo", "none", "one client's failure must not stop "
                          "the server (and must free that connection's buffer)")


def test_measure_reordering_path(programs):
    """Held-back datagrams arrive long after their probe was given up: late, not answers."""
    with UdpPeer("::1") as udp, FramedEcho("::1", timeout=60 * programs.factor) as echo, \
            Relay(udp_to=("::1", udp.port), tcp_to=("::1", echo.port), reorder=0.3,
                  reorder_hold=0.45, seed=12) as relay:
        run = programs.run("measure", "-n", "12", "-b", "2048", "-t", t(programs, 150), "-o", "m",
                           "::1", relay.port, timeout=25)
    run.expect_exit(0)
    rows = read_report(programs.cwd / "m.csv", run)
    held = [p for p in relay.snapshot("udp") if p.reordered]
    if not held:
        raise Failure("checked the relay's record", "some held-back datagrams", "none: change the seed")

    def delivered_before(t):
        return sum(1 for p in relay.snapshot("udp", "s2c") for s in p.sent if s < t)

    udp = rows_of(rows, "udp")
    answered = sum(r["status"] == "ok" for r in udp)
    line = next((ln.split() for ln in run.out.splitlines() if ln.startswith("udp ")), [])
    counts = dict(w.split("=", 1) for w in line if "=" in w)
    try:
        late, dups = int(counts["late"]), int(counts["duplicates"])
    except (KeyError, ValueError):
        raise Failure(run.did, "a udp line with late=N duplicates=N", run.got()) from None
    # The UDP experiment ends (its socket closed) just before the first TCP connection opens:
    # answers delivered later never reach it.
    udp_done = min(e.t for e in relay.events if e.kind == "open")
    most, least = delivered_before(udp_done), delivered_before(udp_done - 0.1)
    if not least <= answered + late + dups <= most:
        raise Failure(run.did + " through a relay holding back 30% of the datagrams for 450 ms",
                      f"answered + late + duplicates = {most}, the answers the relay delivered "
                      "before measure exited", f"{answered} + {late} + {dups}",
                      "an answer that comes after its request was given up is late")
