"""Decision cases (``governance-decision-cases/1``) run through the verifier's own rules.

``python -m governance.verify --rules FILE.json`` prints ``ok NAME`` or ``FAIL NAME: expected
..., got ...`` per case and fails on any mismatch. The server runs the same file through the
function that closes polls (``governance rules check``); the two implementations share no
code, so a mistake in one shows up as a disagreement with the cases, not as a shared blind spot.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from governance.verify import rules

FORMAT = "governance-decision-cases/1"
EXPECTED_KEYS = ("outcome", "base", "required", "tie")


def load(path: Path) -> list[dict[str, Any]]:
    """The cases of a file, or ValueError saying what is wrong with it."""
    document = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ValueError(f"not a {FORMAT} file")
    cases = document.get("cases")
    if not isinstance(cases, list):
        raise ValueError("no list of cases")
    return cases


Decider = Callable[[dict[str, Any]], dict[str, Any]]


def judge(cases: list[dict[str, Any]], decide: Decider) -> Iterator[tuple[bool, str]]:
    """(passed, line) per case: every expected key must match what ``decide`` answers."""
    for number, case in enumerate(cases, 1):
        name = case.get("name", f"case {number}") if isinstance(case, dict) else f"case {number}"
        try:
            expected = case["expect"]
            got = decide(case)
        except (KeyError, TypeError, ValueError, ZeroDivisionError) as error:
            yield False, f"FAIL {name}: malformed case ({type(error).__name__}: {error})"
            continue
        keys = [key for key in EXPECTED_KEYS if key in expected]
        wrong = {key: (expected[key], got.get(key)) for key in keys if expected[key] != got.get(key)}
        if wrong or not keys:
            said = "; ".join(f"{key} expected {want!r}, got {have!r}" for key, (want, have) in wrong.items())
            yield False, f"FAIL {name}: {said or 'nothing expected'}"
        else:
            yield True, f"ok {name}"


def run(path: Path, decide: Decider = rules.case_outcome) -> int:
    """Print a line per case; 0 when all pass, 1 otherwise (an unreadable file included)."""
    try:
        cases = load(path)
    except (OSError, ValueError) as error:
        print(f"FAIL {path}: {error}")
        return 1
    failures = 0
    for passed, line in judge(cases, decide):
        failures += not passed
        print(line)
    if failures:
        print(f"{failures} of {len(cases)} case(s) failed")
    return 1 if failures or not cases else 0
