"""syllabus.md is consistent with itself and with the kit: the duration it states up front equals
the labs' hours, week by week; every lab has objectives, a deck, reading, a weight and a place in
the self-paced track; and the hours equal the labs' lab.toml (see also test_docs.py)."""
from __future__ import annotations

import re

from conftest import KIT, LABS

TEXT = (KIT / "syllabus.md").read_text()
DURATION = re.compile(r"\*\*Duration: (\d+) weeks, about (\d+) hours a week, (\d+) hours in all\.\*\*")


def section(title: str) -> str:
    m = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", TEXT, re.M | re.S)
    assert m, f"syllabus.md has no section '## {title}'"
    return m.group(1)


def duration() -> tuple[int, int, int]:
    return tuple(int(x) for x in DURATION.search(TEXT).groups())


def planned_labs() -> dict[str, tuple[str, list[int], float]]:
    """lab id -> (topic, weeks, hours), from the table of labs."""
    labs = {}
    for lab_id, topic, weeks, hours in re.findall(r"^\| (\d\d) \| ([^|]+?) \| ([\d–-]+) \| ([\d.]+) \|$",
                                                  section("Labs"), re.M):
        first, _, last = weeks.replace("–", "-").partition("-")
        labs[lab_id] = (topic, list(range(int(first), int(last or first) + 1)), float(hours))
    return labs


def test_duration_is_stated_first_and_adds_up():
    head = "\n".join(TEXT.splitlines()[:4])
    assert DURATION.search(head), "the first lines of syllabus.md must state the duration"
    weeks, per_week, total = duration()
    assert weeks * per_week == total


def test_labs_fill_the_weeks():
    weeks, per_week, total = duration()
    labs = planned_labs()
    assert len(labs) >= 6, labs
    covered = [w for _, ws, _ in labs.values() for w in ws]
    assert covered == list(range(1, weeks + 1)), f"the labs' weeks {covered} must be 1..{weeks}, once each, in order"
    for lab_id, (topic, ws, hours) in labs.items():
        assert hours == per_week * len(ws), f"lab {lab_id}: {hours} h over {len(ws)} week(s) of {per_week} h"
    assert sum(h for _, _, h in labs.values()) == total
    assert re.search(rf"^\| \| \*\*total\*\* \| \*\*{weeks}\*\* \| \*\*{total}\*\* \|$", section("Labs"), re.M)


def test_existing_labs_are_planned_with_their_hours():
    labs = planned_labs()
    for lab in LABS:
        assert lab.id in labs, f"lab {lab.slug} is not in the syllabus"
        assert labs[lab.id][2] == lab.hours, f"lab {lab.id}: syllabus {labs[lab.id][2]} h, lab.toml {lab.hours} h"


def test_week_by_week_plan():
    weeks, per_week, _ = duration()
    labs = planned_labs()
    plan = section("Week by week")
    rows = re.findall(r"^\| (\d+) \| `slides/(\d\d)-[\w-]+\.md`[^|]*\| Lab (\d\d)[^|]*\| (\d+) \|$", plan, re.M)
    assert [int(r[0]) for r in rows] == list(range(1, weeks + 1)), "one row per week, in order"
    for week, deck, lab, hours in rows:
        assert deck == lab, f"week {week}: the deck of lab {deck} with lab {lab}"
        assert int(week) in labs[lab][1], f"week {week}: lab {lab} is planned for weeks {labs[lab][1]}"
        assert int(hours) == per_week
        assert list((KIT / "slides").glob(f"{deck}-*.md")), f"week {week}: no deck slides/{deck}-*.md"
    for week in range(1, weeks + 1):
        reading = re.search(rf"^- \*\*Week {week}\.\*\* (.*?)(?=^- \*\*Week|^## |\Z)", plan, re.M | re.S)
        assert reading and "RFC" in reading.group(1), f"week {week} has no reading (with the RFCs)"


def test_every_lab_has_objectives():
    objectives = section("Learning objectives")
    for lab_id, (topic, _, _) in planned_labs().items():
        m = re.search(rf"^\*\*Lab {lab_id} — {re.escape(topic)}\.\*\*\n((?:- .*\n(?:  .*\n)*)+)", objectives, re.M)
        assert m, f"no objectives for lab {lab_id} ({topic})"
        assert m.group(1).count("\n- ") + 1 >= 3, f"lab {lab_id}: fewer than three objectives"


def test_assessment_weights_add_up():
    rows = re.findall(r"^\| (\d\d) [^|]+\| (\d+)% \|$", section("Assessment"), re.M)
    assert sorted(lab for lab, _ in rows) == sorted(planned_labs()), "one weight per lab"
    assert sum(int(w) for _, w in rows) == 100
    text = section("Assessment")
    for topic in ("hidden tests", "Late policy", "Collaboration"):
        assert topic in text, f"the assessment section does not cover {topic!r}"


def test_self_paced_track_has_the_hours():
    labs = planned_labs()
    rows = re.findall(r"^\| (\d\d) [^|]+\| ([\d.]+) \|", section("Self-paced track"), re.M)
    assert sorted(lab for lab, _ in rows) == sorted(labs), "one row per lab"
    for lab_id, hours in rows:
        assert float(hours) == labs[lab_id][2], f"self-paced track: lab {lab_id} {hours} h, table {labs[lab_id][2]} h"


def test_answers_a_prospective_students_questions():
    questions = re.findall(r"^\*\*(.+?\?)\*\*", section("Questions a prospective student asks"), re.M)
    wanted = ["How long", "network programming", "sockets", "TCP, and when UDP", "errors", "secured", "real world"]
    for words in wanted:
        assert any(words in q for q in questions), f"no answer to a question about {words!r}: {questions}"
