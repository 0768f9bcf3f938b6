"""Lab 04's handout shows a figure made by the reference measure (labs/04-tcp-udp/figures/): this
test makes it again, the same way, and checks both the committed figure and the new one: valid
SVG, the same series (udp, tcp, tcp-nagle) of the same number of requests, the same number of UDP
answers (the relay's losses follow its seed), each line drawn from the data next to it in the CSV
report, and each point where the axes say it should be.

To write the committed figure again (after a change to measure or svgplot.c):

    PYTHONPATH=grader /usr/bin/python3 grader/selftest/test_lab04_figure.py
"""
from __future__ import annotations

import csv
import math
import shutil
import signal
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

KIT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(KIT / "grader"))

from netlab.relay import Relay  # noqa: E402

LAB = KIT / "labs" / "04-tcp-udp"
FIGURES = LAB / "figures"
NAME = "latency"
# The recipe, as the handout states it: the relay's settings and measure's options.
RELAY = dict(delay=0.001, jitter=0.001, loss=0.05, seed=4)
MEASURE = ["-n", "60", "-t", "200", "-b", "262144"]
SERIES = ["udp", "tcp", "tcp-nagle"]
# The plot area of svgplot.c (LEFT, RIGHT, TOP, BOTTOM).
LEFT, RIGHT, TOP, BOTTOM = 70.0, 700.0, 44.0, 360.0
NS = "{http://www.w3.org/2000/svg}"


def build_reference(work: Path) -> Path:
    lab = work / "lab"
    shutil.copytree(LAB, lab, ignore=shutil.ignore_patterns("build"))
    shutil.copytree(KIT / "solutions" / LAB.name, lab, dirs_exist_ok=True)
    subprocess.run(["make", f"KIT={KIT}", "all"], cwd=lab, check=True, capture_output=True, timeout=300)
    return lab / "build"


def start(program: Path) -> tuple[subprocess.Popen, int]:
    """Start a server on port 0 and read its port from its readiness line."""
    proc = subprocess.Popen([str(program), "-p", "0"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    line = proc.stderr.readline()
    assert line.startswith("listening on "), f"{program.name}: {line!r}"
    return proc, int(line.rsplit(":", 1)[1])


def make_figure(out_dir: Path, work: Path) -> str:
    """Run the reference measure through the relay as the recipe says; write NAME.csv and
    NAME.svg into out_dir; return measure's stdout."""
    bindir = build_reference(work)
    servers = []
    try:
        udp, udp_port = start(bindir / "udpecho")
        servers.append(udp)
        tcp, tcp_port = start(bindir / "tcpecho")
        servers.append(tcp)
        with Relay(udp_to=("::1", udp_port), tcp_to=("::1", tcp_port), **RELAY) as relay:
            proc = subprocess.run([str(bindir / "measure"), *MEASURE, "-o", str(out_dir / NAME),
                                   "::1", str(relay.port)], capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stderr
        return proc.stdout
    finally:
        for s in servers:
            s.send_signal(signal.SIGTERM)
            s.wait(timeout=10)


def read(svg: Path, report: Path) -> dict:
    """Check one figure against its report; return {series: (total, answered)} and the title."""
    root = ET.parse(svg).getroot()
    assert root.tag == f"{NS}svg"
    axes = root.find(f".//{NS}g[@id='axes']")
    lo, hi = int(axes.get("data-x-log10-min")), int(axes.get("data-x-log10-max"))
    with open(report, newline="") as f:
        rows = list(csv.DictReader(f))
    found = {}
    for line in root.iter(f"{NS}polyline"):
        name, total = line.get("data-series"), int(line.get("data-total"))
        values = [float(v) for v in line.get("data-values").split()]
        points = [tuple(map(float, p.split(","))) for p in line.get("points").split()]
        ok = sorted(float(r["rtt_ms"]) for r in rows if r["experiment"] == name and r["status"] == "ok")
        assert values == [round(v, 3) for v in ok], f"{svg.name}: {name} is not drawn from {report.name}"
        assert total == sum(r["experiment"] == name for r in rows)
        assert len(points) == 2 * len(values) + 2
        for i, v in enumerate(values):  # each step: up by 1/total at x(v)
            x = LEFT + (RIGHT - LEFT) * (math.log10(max(v, 0.001)) - lo) / (hi - lo)
            (x1, y1), (x2, y2) = points[1 + 2 * i], points[2 + 2 * i]
            assert abs(x1 - x) < 0.02 and abs(x2 - x) < 0.02, (name, i, v, x1, x)
            assert abs(y1 - (BOTTOM - (BOTTOM - TOP) * i / total)) < 0.02
            assert abs(y2 - (BOTTOM - (BOTTOM - TOP) * (i + 1) / total)) < 0.02
        found[name] = (total, len(values))
    assert list(found) == SERIES, f"{svg.name}: series {list(found)}"
    return {"series": found, "title": root.findtext(f"{NS}title")}


def test_committed_figure_is_consistent():
    got = read(FIGURES / f"{NAME}.svg", FIGURES / f"{NAME}.csv")
    assert got["series"]["tcp"][1] == got["series"]["tcp"][0], "TCP lost a request"
    assert got["series"]["udp"][1] < got["series"]["udp"][0], "the figure should show UDP losses"
    assert f"figures/{NAME}.svg" in (LAB / "README.md").read_text(), "the handout does not show it"


@pytest.mark.instructor
def test_figure_regenerates(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    make_figure(out, tmp_path)
    new = read(out / f"{NAME}.svg", out / f"{NAME}.csv")
    old = read(FIGURES / f"{NAME}.svg", FIGURES / f"{NAME}.csv")
    assert new["series"] == old["series"], (
        f"the regenerated figure has other series or counts: {new['series']} vs {old['series']}")
    assert new["title"].rsplit(" port ", 1)[0] == old["title"].rsplit(" port ", 1)[0]


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        print(make_figure(FIGURES, Path(tmp)), end="")
    print(read(FIGURES / f"{NAME}.svg", FIGURES / f"{NAME}.csv"))
