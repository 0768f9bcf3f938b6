"""How the docs test runs a command shown in the docs (see test_docs.py and doc_commands/)."""
from dataclasses import dataclass, field


@dataclass
class Run:
    """Run the command in a scratch copy of the kit, from `cwd` (relative to the kit)."""

    cwd: str = "."
    reference: str | None = None  # overlay this lab's reference solution first
    contains: list[str] = field(default_factory=list)
    replace: dict = field(default_factory=dict)  # run a variant (say why in `why`)
    why: str = ""
    timeout: float = 600


@dataclass
class Covered:
    """Run elsewhere: `by` names the test or process that runs it."""

    by: str
