"""Read the results of a Check unit test run from the XML log Check writes (CK_XML_LOG_FILE_NAME).

Reading Check's own log, not its console text, keeps a student's printf from confusing the grader.
A run that crashed or was killed leaves a truncated file: what parsed is returned, and the tests
that are missing are reported as "did not run" by the caller.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

NS = "{http://check.sourceforge.net/ns}"
TEST_RE = re.compile(rb"<test result=.*?</test>", re.S)


@dataclass
class UnitResult:
    key: str  # unit::<tcase>::<test>
    result: str  # success, failure or error
    message: str
    where: str

    @property
    def passed(self) -> bool:
        return self.result == "success"


def _from_element(test: ET.Element) -> UnitResult:
    def text(tag: str) -> str:
        node = test.find(NS + tag)
        return (node.text or "") if node is not None else ""

    key = f"unit::{text('description')}::{text('id')}"
    result = test.get("result", "error")
    message = text("message")
    if result == "error" and "signal" in message:
        message = f"the test crashed: {message}"
    elif result == "error" and "timeout" in message.lower():
        message = "the test did not finish within its time limit (an endless loop, or a call that blocks)"
    return UnitResult(key, result, message, text("fn"))


def parse(path: Path) -> dict[str, UnitResult]:
    """Map unit::<tcase>::<test> to its result; a missing or broken log yields what could be read."""
    try:
        data = Path(path).read_bytes()
    except OSError:
        return {}
    try:
        tests = ET.fromstring(data).iter(NS + "test")
    except ET.ParseError:  # cut short: parse the complete <test> elements one by one
        tests = []
        for chunk in TEST_RE.findall(data):
            try:
                tests.append(ET.fromstring(chunk.replace(b"<test ", b'<test xmlns="http://check.sourceforge.net/ns" ', 1)))
            except ET.ParseError:
                continue
    out: dict[str, UnitResult] = {}
    for element in tests:
        r = _from_element(element)
        out[r.key] = r
    return out
