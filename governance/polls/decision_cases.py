"""Decision cases (``governance-decision-cases/1``, ``shared/conformance/README.md``) decided by
the server's own rule: :func:`governance.polls.majority.decide`, the function that closes polls.

``governance rules check FILE.json`` prints ``ok NAME`` or ``FAIL NAME: expected ..., got ...``
per case. Reading the file and comparing answers is the verifier's harness
(``governance.verify.cases``), reused so both implementations are judged the same way; the
decision itself is this module's, and shares nothing with the verifier's ``rules.py``.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any, cast, get_args

from governance.polls.majority import Base, Count, Majority, TieRule, decide

VOTES = ("yes", "no")
CHAIR_VOTES = ("yes", "no", "abstain")


def _one_of(value: Any, allowed: tuple[str, ...], what: str) -> Any:
    if value is not None and value not in allowed:
        raise ValueError(f"{what} must be one of {', '.join(allowed)} or null, not {value!r}")
    return value


def case_outcome(case: dict[str, Any]) -> dict[str, Any]:
    """The server's answer to one case: {"outcome", "base", "required", "tie"}."""
    spec, counts = case["majority"], case["counts"]
    if spec["base"] not in get_args(Base):
        raise ValueError(f"unknown base {spec['base']!r}")
    if case["tie_rule"] not in get_args(TieRule):
        raise ValueError(f"unknown tie rule {case['tie_rule']!r}")
    majority = Majority(Fraction(str(spec["fraction"])), bool(spec["strict"]), cast(Base, spec["base"]))
    count = Count(**{key: int(counts.get(key, 0)) for key in
                     ("yes", "no", "abstain", "blank", "present", "represented", "members")})  # fmt: skip
    result = decide(
        majority,
        count,
        tie_rule=cast(TieRule, case["tie_rule"]),
        secret=bool(case.get("secret", False)),
        chair_vote=_one_of(case.get("chair_vote"), CHAIR_VOTES, "chair_vote"),
        casting_vote=_one_of(case.get("casting_vote"), VOTES, "casting_vote"),
        lot=_one_of(case.get("lot"), VOTES, "lot"),
    )
    return {"outcome": result.outcome, "base": result.base, "required": result.required, "tie": result.tie}
