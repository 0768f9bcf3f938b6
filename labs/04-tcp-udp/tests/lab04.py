"""Helpers for Lab 04's tests: the probe format (handout 4.1), reading what the programs print
(4.3, 5.4), a TCP peer that echoes length-prefixed messages (5.2), and what the relay's record
says happened to each request (the ground truth the measurements are checked against)."""
from __future__ import annotations

import csv
import socket
import xml.etree.ElementTree as ET
from pathlib import Path

from netlab.feedback import Failure, show
from netlab.peers import TcpServer
from netlab.relay import C2S, S2C

MAGIC = b"UP"
HEADER = 8
SLACK_MS = 0.05  # clock reads and rounding to 0.001 ms: what a measured time may undercut the truth by


# ----------------------------------------------------------------------------- the probe format

def probe(seq: int, attempt: int = 1, size: int = 64) -> bytes:
    """The probe (seq, attempt) of `size` bytes, as probe_pack() writes it."""
    head = MAGIC + bytes([attempt, 0]) + seq.to_bytes(4, "big")
    return head + bytes((seq + i) & 0xFF for i in range(HEADER, size))


def parse_probe(data: bytes) -> tuple[int, int] | None:
    """(seq, attempt) of a well-formed probe, else None."""
    if len(data) < HEADER or data[:2] != MAGIC or data[2] == 0 or data[3] != 0:
        return None
    seq = int.from_bytes(data[4:8], "big")
    return (seq, data[2]) if data == probe(seq, data[2], len(data)) else None


def head_seq(head: bytes) -> int | None:
    """The sequence number in the first bytes of a probe (as the relay records them), else None."""
    if len(head) < HEADER or head[:2] != MAGIC:
        return None
    return int.from_bytes(head[4:8], "big")


# ----------------------------------------------------------------------------- udpping's output

EVENT_KINDS = ("reply", "lost", "duplicate", "late", "truncated", "invalid", "ignored")
SUMMARY_KEYS = ("probes", "sent", "replies", "lost", "duplicates", "late", "truncated", "invalid",
                "ignored")


def fields(tokens: list[str]) -> dict:
    out = {}
    for i, tok in enumerate(tokens):
        if "=" in tok:
            key, _, value = tok.partition("=")
            out[key] = value
        elif tok == "from" and i + 1 < len(tokens):
            out["from"] = tokens[i + 1]
    return out


def ping_output(run) -> tuple[list[tuple[str, dict]], dict, dict | None]:
    """udpping's stdout: its event lines, its summary (counts) and its rtt line (or None)."""
    events, summary, rtt = [], None, None
    for line in run.out.splitlines():
        words = line.split()
        if not words:
            continue
        if words[0] in EVENT_KINDS:
            events.append((words[0], fields(words[1:])))
        elif words[0].startswith("probes="):
            summary = {k: int(v) for k, v in fields(words).items() if v.isdigit()}
        elif words[0] == "rtt":
            rtt = {k: float(v) for k, v in fields(words[1:]).items()}
        else:
            raise Failure(run.did, "only the lines section 4.3 describes", f"the line {show(line)}",
                          "events, then the summary line, then the rtt line")
    if summary is None or set(summary) != set(SUMMARY_KEYS):
        raise Failure(run.did, "a summary line: probes=N sent=N replies=N lost=N duplicates=N "
                      "late=N truncated=N invalid=N ignored=N", run.got(), "see section 4.3")
    return events, summary, rtt


def short(kind: str, f: dict) -> str:
    """An event without the numbers that vary from run to run (rtt), for comparing lists."""
    keys = {"reply": ("seq", "attempt", "bytes"), "lost": ("seq", "attempts"),
            "duplicate": ("seq", "attempt"), "late": ("seq", "attempt"), "truncated": ("bytes",),
            "invalid": ("bytes",), "ignored": ("bytes", "from")}[kind]
    return " ".join([kind] + [f"{k}={f.get(k, '?')}" if k != "from" else f"from {f.get(k, '?')}"
                              for k in keys])


def expect_events(run, events, want: list[str], hint: str = "") -> None:
    got = [short(k, f) for k, f in events]
    if got != want:
        diff = next((i for i, (a, b) in enumerate(zip(want, got)) if a != b), min(len(want), len(got)))
        raise Failure(run.did, "these event lines (rtt left out):\n" + "\n".join(want),
                      "\n".join(got) + f"\n(first difference at event {diff + 1})\n" + run.got(), hint)


def expect_summary(run, summary: dict, **want) -> None:
    wrong = {k: summary.get(k) for k, v in want.items() if summary.get(k) != v}
    if wrong:
        raise Failure(run.did, "a summary with " + " ".join(f"{k}={v}" for k, v in want.items()),
                      "the summary line says " + " ".join(f"{k}={summary.get(k)}" for k in want)
                      + f"\n{run.got()}", "each count is defined in section 4.3")


# ----------------------------------------------------------------------------- a framed echo peer

def recv_exact(conn: socket.socket, n: int) -> bytes | None:
    data = b""
    while len(data) < n:
        chunk = conn.recv(n - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def framed_echo(conn: socket.socket, acc) -> None:
    """Echo each length-prefixed message whole, in one write (what tcpecho does)."""
    while True:
        head = recv_exact(conn, 4)
        if head is None:
            acc.closed_by_peer = True
            return
        body = recv_exact(conn, int.from_bytes(head, "big"))
        if body is None:
            return
        acc.received += head + body
        conn.sendall(head + body)


class FramedEcho(TcpServer):
    def __init__(self, host: str = "::1", timeout: float = 10.0):
        super().__init__(host, handler=framed_echo, timeout=timeout)


def message(seq: int, size: int = 64) -> bytes:
    """A length-prefixed message whose payload is probe(seq, 1, size), as measure sends them."""
    return size.to_bytes(4, "big") + probe(seq, 1, size)


# ----------------------------------------------------------------------------- measure's output

def measure_output(run) -> dict:
    """measure's stdout: {experiment: {key: value}} for the lines of section 5.4."""
    out = {}
    for line in run.out.splitlines():
        words = line.split()
        if words and words[0] in ("udp", "tcp", "tcp-nagle", "bulk"):
            out[words[0]] = fields(words[1:])
    missing = [e for e in ("udp", "tcp", "tcp-nagle", "bulk") if e not in out]
    if missing:
        raise Failure(run.did, "one summary line for each of udp, tcp, tcp-nagle and bulk",
                      f"no line for {', '.join(missing)}\n{run.got()}", "see section 5.4")
    return out


def read_report(path: Path, run) -> list[dict]:
    """The rows of measure's CSV report (section 5.5)."""
    if not path.is_file():
        raise Failure(run.did, f"a report {path.name}", "no such file", "see section 5.5")
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    want = ["experiment", "seq", "bytes", "status", "rtt_ms"]
    with open(path) as f:
        header = f.readline().strip().split(",")
    if header != want:
        raise Failure(run.did, f"{path.name} starting with the line {','.join(want)}",
                      f"{show(','.join(header))}", "see section 5.5")
    return rows


def rows_of(rows: list[dict], experiment: str) -> list[dict]:
    return [r for r in rows if r["experiment"] == experiment]


def read_figure(path: Path, run=None) -> dict:
    """The series of an SVG figure written by svgplot.c: {name: {"total", "values", "points"}}."""
    did = run.did if run is not None else f"read {path}"
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError) as exc:
        raise Failure(did, f"an SVG figure {path.name}", f"{exc}", "see section 5.5") from None
    ns = "{http://www.w3.org/2000/svg}"
    if root.tag != f"{ns}svg":
        raise Failure(did, f"{path.name} to be SVG", f"its root element is {root.tag}")
    axes = root.find(f".//{ns}g[@id='axes']")
    series = {}
    for line in root.iter(f"{ns}polyline"):
        name = line.get("data-series")
        values = [float(v) for v in line.get("data-values", "").split()]
        points = [tuple(float(c) for c in p.split(",")) for p in line.get("points", "").split()]
        series[name] = {"total": int(line.get("data-total", "0")), "values": values,
                        "points": points}
    return {"series": series, "log_min": int(axes.get("data-x-log10-min")),
            "log_max": int(axes.get("data-x-log10-max")), "title": root.findtext(f"{ns}title")}


# ----------------------------------------------------------------------------- the relay's record

def udp_reply_copies(relay) -> dict:
    """{seq: copies of a reply to seq that the relay delivered to the client}."""
    out: dict = {}
    for p in relay.snapshot("udp", S2C):
        seq = head_seq(p.head)
        if seq is not None:
            out[seq] = out.get(seq, 0) + p.delivered
    return out


def udp_request_copies(relay) -> dict:
    """{seq: datagrams of probe seq that reached the relay from the client}."""
    out: dict = {}
    for p in relay.snapshot("udp", C2S):
        seq = head_seq(p.head)
        if seq is not None:
            out[seq] = out.get(seq, 0) + 1
    return out


def udp_truth_ms(relay) -> dict:
    """{seq: the shortest possible round trip of probe seq, in ms}: from the first time the relay
    read a request for seq to the first time it sent a reply to seq. A program cannot measure less."""
    first_in, first_out = {}, {}
    for p in relay.snapshot("udp", C2S):
        seq = head_seq(p.head)
        if seq is not None and seq not in first_in:
            first_in[seq] = p.t_in
    for p in relay.snapshot("udp", S2C):
        seq = head_seq(p.head)
        if seq is not None and p.sent:
            first_out[seq] = min(first_out.get(seq, p.sent[0]), min(p.sent))
    return {s: (first_out[s] - first_in[s]) * 1000 for s in first_out if s in first_in}


def _covering(packets, offset: int):
    for p in packets:
        if p.offset <= offset < p.offset + p.size:
            return p
    return None


def tcp_truth(relay, flow: int, msg_len: int, count: int) -> list[dict] | None:
    """For each of `count` exchanges of msg_len-byte messages on TCP connection `flow`: when the
    relay read the message's first byte (t_first), its first payload byte (t_payload) and its last
    byte (t_last), and when it sent the last byte of the echo (t_echo). None if incomplete."""
    up = sorted((p for p in relay.snapshot("tcp", C2S) if p.flow == flow), key=lambda p: p.offset)
    down = sorted((p for p in relay.snapshot("tcp", S2C) if p.flow == flow), key=lambda p: p.offset)
    out = []
    for i in range(count):
        start, end = i * msg_len, (i + 1) * msg_len - 1
        first, payload, last = (_covering(up, o) for o in (start, start + 4, end))
        echo = _covering(down, end)
        if None in (first, payload, last, echo) or not echo.sent:
            return None
        out.append({"t_first": first.t_in, "t_payload": payload.t_in, "t_last": last.t_in,
                    "t_echo": echo.sent[0]})
    return out
