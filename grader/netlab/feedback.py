"""Failure messages for students: what the test did, what it expected, what it got, and a hint.

Tests raise `Failure` (an AssertionError) instead of bare asserts, so the report shows these four
lines and not a Python traceback. Bytes are shown escaped, with the first difference marked.
"""
from __future__ import annotations

import shlex


class Failure(AssertionError):
    """A graded expectation that did not hold."""

    def __init__(self, did: str, expected: str, got: str, hint: str = ""):
        self.did, self.expected, self.got, self.hint = did, expected, got, hint
        super().__init__(self.render())

    def render(self) -> str:
        lines = [f"did:      {self.did}", f"expected: {_indent(self.expected)}", f"got:      {_indent(self.got)}"]
        if self.hint:
            lines.append(f"hint:     {_indent(self.hint)}")
        return "\n".join(lines)


def _indent(text: str) -> str:
    return text.replace("\n", "\n          ")


def show(data: bytes | str | None, limit: int = 400) -> str:
    """Bytes as a quoted, escaped string (newlines as \\n), shortened to `limit` characters."""
    if data is None:
        return "(nothing)"
    if isinstance(data, str):
        data = data.encode()
    if not data:
        return '"" (empty)'
    out = []
    for b in data:
        c = chr(b)
        if c == "\\":
            out.append("\\\\")
        elif c == '"':
            out.append('\\"')
        elif c == "\n":
            out.append("\\n")
        elif c == "\r":
            out.append("\\r")
        elif c == "\t":
            out.append("\\t")
        elif 32 <= b < 127:
            out.append(c)
        else:
            out.append(f"\\x{b:02x}")
    text = "".join(out)
    if len(text) > limit:
        return f'"{text[:limit]}"... ({len(data)} bytes in all)'
    return f'"{text}"'


def first_difference(expected: bytes, got: bytes) -> str:
    """Where two byte strings first differ, with a little context; empty when equal."""
    if expected == got:
        return ""
    n = 0
    for a, b in zip(expected, got):
        if a != b:
            break
        n += 1
    start = max(0, n - 20)
    if n >= len(got):
        return (f"the output stops after {len(got)} bytes; next expected: "
                f"{show(expected[n:n + 40])}")
    if n >= len(expected):
        return f"{len(got) - len(expected)} extra bytes after the expected end: {show(got[n:n + 40])}"
    return (f"first difference at byte {n}: expected {show(expected[start:n + 20])}, "
            f"got {show(got[start:n + 20])}")


def command_line(args) -> str:
    """A command as the student would type it (program name without the build path)."""
    args = list(args)
    if args:
        args[0] = args[0].rsplit("/", 1)[-1]
    return " ".join(shlex.quote(str(a)) for a in args)


def expect_equal(did: str, what: str, expected, got, hint: str = "") -> None:
    """Raise a Failure unless `expected == got`; bytes and strings are shown escaped."""
    if expected == got:
        return
    if isinstance(expected, (bytes, str)) and isinstance(got, (bytes, str)):
        e = expected.encode() if isinstance(expected, str) else expected
        g = got.encode() if isinstance(got, str) else got
        raise Failure(did, f"{what} {show(e)}", f"{show(g)}\n{first_difference(e, g)}", hint)
    raise Failure(did, f"{what} {expected!r}", repr(got), hint)
