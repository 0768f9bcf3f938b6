"""`grader/result FILE TEST`: print one test's outcome from a grade JSON file; exit 0 if it passed.

Used by CI workflows that award points test by test (the GitHub Classroom template), after one
`grader/grade --json FILE` run.
"""
from __future__ import annotations

import json
import sys


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print("usage: result GRADE.json TEST-NAME", file=sys.stderr)
        return 2
    try:
        data = json.loads(open(args[0]).read())
    except (OSError, ValueError) as exc:
        print(f"result: cannot read {args[0]}: {exc}", file=sys.stderr)
        return 2
    for lab in data.get("labs", []):
        for test in lab["tests"]:
            if test["name"] == args[1]:
                mark = "PASS" if test["status"] == "passed" else "FAIL"
                print(f"{mark} {test['score']:g}/{test['max_score']:g} {test['name']}")
                if test["output"]:
                    print(test["output"])
                return 0 if test["status"] == "passed" else 1
    print(f"result: no test {args[1]!r} in {args[0]} (did the grading run?)", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
