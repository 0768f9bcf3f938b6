"""The lecture decks (slides/): `make slides` builds every deck in a fresh copy of the kit; each deck
renders in headless Chromium as slides, not an error page, with nothing overflowing a slide and
every diagram embedded and loaded; each PDF has one page per slide; every C snippet on a slide
compiles with the kit's warning flags (gcc and clang) and follows the kit's format."""
from __future__ import annotations

import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
import zlib
from pathlib import Path

import pytest

import chromium
from conftest import KIT, LABS

pytestmark = pytest.mark.xdist_group("slides")

SLIDES = KIT / "slides"
DECKS = sorted(SLIDES.glob("[0-9][0-9]-*.md"))
DECK_IDS = [d.stem for d in DECKS]


def deck_source(deck: Path) -> tuple[dict, list[str]]:
    """A deck's front matter (key: value) and its slides' Markdown."""
    text = deck.read_text()
    m = re.match(r"---\n(.*?)\n---\n", text, re.S)
    assert m, f"{deck.name} has no front matter"
    front = dict(re.findall(r"^(\w+): *\"?(.*?)\"?$", m.group(1), re.M))
    slides, current, fence = [], [], False
    for line in text[m.end():].splitlines():
        if line.startswith("```"):
            fence = not fence
        if line == "---" and not fence:
            slides.append("\n".join(current))
            current = []
        else:
            current.append(line)
    slides.append("\n".join(current))
    return front, slides


def c_snippets(deck: Path) -> list[str]:
    return re.findall(r"^```c\n(.*?)^```$", deck.read_text(), re.M | re.S)


def test_every_lab_has_a_deck():
    """One deck per lab in labs/, and one per lab the syllabus plans."""
    planned = re.findall(r"^\| (\d\d) \| ([^|]+?) \|", (KIT / "syllabus.md").read_text(), re.M)
    assert planned, "syllabus.md has no table of labs"
    ids = {d.stem[:2] for d in DECKS}
    for lab in LABS:
        assert lab.id in ids, f"no deck slides/{lab.id}-*.md for lab {lab.slug}"
    for lab_id, topic in planned:
        assert lab_id in ids, f"the syllabus plans lab {lab_id} ({topic.strip()}) but slides/ has no deck for it"
    assert ids <= {i for i, _ in planned}, "a deck in slides/ is for a lab the syllabus does not plan"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """`make slides` in a fresh copy of the kit (tracked and new files only, no build products).
    Marp's node_modules come from the kit's own `npm ci` (what `make slides` does first on a fresh
    clone), linked into the copy to save the install's half minute."""
    proc = subprocess.run(["make", "-s", "-C", "slides", "deps", "node_modules/.package-lock.json"], cwd=KIT,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=KIT, capture_output=True,
                           text=True, check=True).stdout.splitlines()
    kit = tmp_path_factory.mktemp("slides") / "kit"
    for rel in files:
        if (KIT / rel).is_file():
            (kit / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(KIT / rel, kit / rel)
    (kit / "slides" / "node_modules").symlink_to(SLIDES / "node_modules")
    proc = subprocess.run(["make", "slides"], cwd=kit, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, f"make slides failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    assert f"slides: {len(DECKS)} decks in slides/build/" in proc.stdout, proc.stdout
    return kit / "slides" / "build"


def test_make_slides_builds_every_deck(built):
    for deck in DECKS:
        html = built / f"{deck.stem}.html"
        assert html.exists(), f"make slides did not write {html.name}"
        text = html.read_text()
        # self-contained: no stylesheet, script or image is loaded from a file or the network
        for tag in re.findall(r"<(?:img|script|link|iframe|source)\b[^>]*>", text):
            for url in re.findall(r'\b(?:src|href)="([^"]*)"', tag):
                assert url.startswith(("data:", "#")), f"{html.name} loads {url[:80]} (in {tag[:120]})"
        if chromium.find():
            assert (built / f"{deck.stem}.pdf").exists(), f"Chromium is installed but no {deck.stem}.pdf"


@pytest.fixture(scope="module")
def browser():
    if not chromium.find():
        pytest.fail("chromium is not installed: `slides/deps.sh --chromium` installs it (make test runs it)")
    with chromium.Chromium(timeout=120) as b:
        yield b


# Measured in the page for every slide: overflowing text, code or images, images that did not load.
SLIDE_REPORT = """
Array.from(document.querySelectorAll('svg[data-marpit-svg] > foreignObject > section')).map((s, i) => ({
  n: i + 1,
  text: s.textContent.trim().replace(/\\s+/g, ' ').slice(0, 80),
  height: s.scrollHeight,
  heading: !!s.querySelector('h1, h2'),
  tall: s.scrollHeight > s.clientHeight + 1,
  wide: s.scrollWidth > s.clientWidth + 1,
  wideCode: Array.from(s.querySelectorAll('pre')).filter(p => p.scrollWidth > p.clientWidth + 1).length,
  images: s.querySelectorAll('img').length,
  broken: Array.from(s.querySelectorAll('img')).filter(m => !m.complete || m.naturalWidth === 0).length,
}))
"""


@pytest.mark.parametrize("deck", DECKS, ids=DECK_IDS)
def test_deck_renders_as_slides(deck, built, browser):
    front, slides = deck_source(deck)
    page = browser.open((built / f"{deck.stem}.html").as_uri())
    assert page.evaluate("document.title") == front["title"], "the page is not the deck (an error page?)"
    # Marp's bespoke script ran: it marks the slide on screen as active
    assert page.evaluate("document.querySelectorAll('.bespoke-marp-slide.bespoke-marp-active').length") == 1
    assert page.evaluate("Promise.all(Array.from(document.images).map(i => i.decode())).then(() => true)")
    report = page.evaluate(SLIDE_REPORT)
    assert len(report) == len(slides), f"{deck.name}: {len(slides)} slides in the source, {len(report)} shown"
    problems = []
    for s in report:
        where = f"slide {s['n']} ({s['text'][:40]!r})"
        if not s["heading"]:
            problems.append(f"{where} has no heading")
        if s["tall"] or s["wide"]:
            problems.append(f"{where} overflows the slide ({s['height']} px high)")
        if s["wideCode"]:
            problems.append(f"{where}: code wider than the slide")
        if s["broken"]:
            problems.append(f"{where}: {s['broken']} image(s) did not load")
    images = sum(s["images"] for s in report)
    assert images == sum(sl.count("![") for sl in slides), f"{deck.name}: images in the source are missing"
    assert not problems, f"{deck.name}:\n" + "\n".join(problems)
    assert page.errors() == [], f"{deck.name}: script errors {page.errors()}"
    resources = page.evaluate("performance.getEntriesByType('resource').map(r => r.name)")
    assert [r for r in resources if not r.startswith("data:")] == [], f"{deck.name} fetched {resources}"
    png = page.screenshot()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000, "the screenshot is empty"


def pdf_pages(pdf: bytes) -> int:
    """The page count of a PDF, from its page tree (also inside compressed object streams)."""
    texts = [pdf]
    for m in re.finditer(rb"stream\r?\n", pdf):
        try:
            texts.append(zlib.decompressobj().decompress(pdf[m.end():m.end() + 5_000_000]))
        except zlib.error:
            continue
    counts = [int(c) for t in texts for c in re.findall(rb"/Type\s*/Pages\b[^>]*?/Count\s+(\d+)", t)]
    counts += [int(c) for t in texts for c in re.findall(rb"/Count\s+(\d+)[^>]*?/Type\s*/Pages\b", t)]
    return max(counts, default=0)


@pytest.mark.parametrize("deck", DECKS, ids=DECK_IDS)
def test_pdf_has_a_page_per_slide(deck, built):
    if not chromium.find():
        pytest.fail("chromium is not installed: `slides/deps.sh --chromium` installs it")
    pdf = (built / f"{deck.stem}.pdf").read_bytes()
    assert pdf.startswith(b"%PDF-")
    assert pdf_pages(pdf) == len(deck_source(deck)[1])


def test_diagrams_are_sources_and_used():
    """Diagrams are Graphviz or well-formed SVG sources; every one is used; every image exists."""
    diagrams = {p.stem: p for p in (SLIDES / "diagrams").iterdir()}
    for path in diagrams.values():
        assert path.suffix in (".dot", ".svg"), f"{path.name}: diagrams are .dot or .svg sources"
        first = path.read_text().splitlines()[0:3]
        assert any(path.stem in ln for ln in first), f"{path.name}: the first lines say what it shows"
        if path.suffix == ".svg":
            root = ET.parse(path).getroot()
            assert root.tag == "{http://www.w3.org/2000/svg}svg" and root.get("viewBox"), path.name
    used = set()
    for deck in DECKS:
        for src in re.findall(r"!\[[^\]]*\]\(([^)]+)\)", deck.read_text()):
            m = re.fullmatch(r"diagrams/([\w-]+)\.svg", src)
            assert m and m.group(1) in diagrams, f"{deck.name}: image {src} is not a diagram in slides/diagrams/"
            used.add(m.group(1))
    assert set(diagrams) == used, f"diagrams no deck uses: {sorted(set(diagrams) - used)}"


# --- C snippets -------------------------------------------------------------------------------
PRELUDE = """#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#line 1 "snippet"
"""
# OpenSSL's headers are large: only snippets that use OpenSSL get them.
PRELUDE_TLS = "#include <openssl/err.h>\n#include <openssl/ssl.h>\n"


def lab_warnings() -> list[str]:
    """The kit's warning flags, read from grader/mk/lab.mk (the labs' own build)."""
    mk = (KIT / "grader" / "mk" / "lab.mk").read_text()
    flags = re.search(r"^WARNINGS := (.*?)(?<!\\)\n", mk, re.M | re.S).group(1)
    return flags.replace("\\\n", " ").split() + ["-Werror"]


def translation_unit(snippet: str) -> str:
    """The snippet with the headers it may use in front. Its static functions are referenced at
    the end, so that a function shown alone is not an "unused function" warning."""
    functions = re.findall(r"^static [^;{}=]*?\b(\w+)\([^;{}]*\)\n\{", snippet, re.M)
    uses = ""
    if functions:
        uses = ("\ntypedef void (*netlab_fn)(void);\nextern const netlab_fn netlab_snippet_uses[];\n"
                "const netlab_fn netlab_snippet_uses[] = {" + ", ".join(f"(netlab_fn){f}" for f in functions)
                + "};\n")
    tls = PRELUDE_TLS if re.search(r"\b(SSL|ERR|X509)_", snippet) else ""
    return PRELUDE.replace("#line 1", tls + "#line 1") + snippet + uses


SNIPPETS = [(deck, i, code) for deck in DECKS for i, code in enumerate(c_snippets(deck), 1)]
SNIPPET_IDS = [f"{deck.stem}-{i}" for deck, i, _ in SNIPPETS]


# The snippet tests need no build: their own group lets them run beside the rendering tests.
@pytest.mark.xdist_group("slide-snippets")
@pytest.mark.parametrize("compiler", ["gcc", "clang"])
def test_c_snippets_compile(compiler, tmp_path):
    assert len(SNIPPETS) >= 12, "the decks show fewer C snippets than expected"
    failures = []
    for (deck, i, code), ident in zip(SNIPPETS, SNIPPET_IDS):
        src = tmp_path / f"{ident}.c"
        src.write_text(translation_unit(code))
        proc = subprocess.run([compiler, "-std=c11", *lab_warnings(), "-O2", "-c", "-o", "/dev/null", str(src)],
                              capture_output=True, text=True, timeout=120)
        if proc.returncode != 0:
            failures.append(f"{deck.name}, C snippet {i}:\n{code}\n{proc.stderr}")
    assert not failures, "\n\n".join(failures)


@pytest.mark.xdist_group("slide-snippets")
def test_c_snippets_follow_the_kit_format(tmp_path):
    """The kit's .clang-format, with lines of at most 80 columns so that code fits a slide."""
    style = (KIT / ".clang-format").read_text()
    style = re.sub(r"^ColumnLimit: \d+$", "ColumnLimit: 80", style, flags=re.M)
    (tmp_path / ".clang-format").write_text(style)
    failures = []
    for (deck, i, code), ident in zip(SNIPPETS, SNIPPET_IDS):
        src = tmp_path / f"{ident}.c"
        src.write_text(code)
        proc = subprocess.run(["clang-format", "--style=file", str(src)], capture_output=True, text=True,
                              timeout=60)
        if proc.returncode != 0 or proc.stdout != code:
            diff = subprocess.run(["diff", "-u", str(src), "-"], input=proc.stdout, capture_output=True,
                                  text=True).stdout
            failures.append(f"{deck.name}, C snippet {i}:\n{diff}{proc.stderr}")
    assert not failures, "\n\n".join(failures)
