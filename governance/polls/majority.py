"""Majorities and ties: exact rules over plain numbers (DOMAIN rules 6 and 7).

A majority is a threshold (a fraction, "more than" or "at least") over a base: votes
cast without abstentions, votes cast with abstentions, members present, present or
represented, or all members. Arithmetic is exact (``Fraction``): "more than 1/2 of 27"
needs 14, "at least 2/3 of 27" needs 18. Every result carries the arithmetic that
produced it, so the minutes and the projector can show it.

A tie (yes equal to no, something cast, not adopted) follows the tie rule only when it
is *decisive*, i.e. one more yes over the same base would reach the majority: a tie rule
never lowers the threshold, so any other tie is simply a rejection. A decisive tie: the
motion fails; the chair's vote prevails; a casting vote by an office decides; a new round
is held; or lot decides. The chair's vote never prevails in a secret ballot (French case
law). The exact semantics, with cases, are ``shared/conformance/README.md``; ``governance
rules check FILE.json`` runs such cases through :func:`decide`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

Base = Literal[
    "cast_excluding_abstentions", "cast_including_abstentions", "present", "present_or_represented", "all_members"
]
TieRule = Literal["fails", "chair_prevails", "casting_vote", "new_round", "lot"]
Outcome = Literal["adopted", "rejected", "tie_new_round", "tie_casting_vote", "tie_lot"]


@dataclass(frozen=True)
class Majority:
    fraction: Fraction
    strict: bool  # "more than" the fraction (simple majority) rather than "at least" (two thirds)
    base: Base

    def __post_init__(self) -> None:
        if not 0 < self.fraction <= 1:
            raise ValueError("a majority is a fraction in (0, 1]")

    def raised_to(self, other: Majority) -> Majority:
        """The chair may raise a majority where the rule allows, never lower it."""
        if other.base != self.base:
            raise ValueError("a raised majority keeps its base")
        if (other.fraction, other.strict) < (self.fraction, self.strict):
            raise ValueError("a majority can be raised, never lowered")
        return other


@dataclass(frozen=True)
class Count:
    yes: int
    no: int
    abstain: int = 0
    # Blank ballots (where the rule set distinguishes them) are recorded and shown but are
    # never votes cast, whatever the base: the French "vote blanc" rule.
    blank: int = 0
    present: int = 0  # members present (with their weights), for the "present" bases
    represented: int = 0  # members represented by proxy
    members: int = 0  # all members entitled to vote

    def __post_init__(self) -> None:
        if min(self.yes, self.no, self.abstain, self.blank, self.present, self.represented, self.members) < 0:
            raise ValueError("counts are never negative")


def base_total(majority: Majority, count: Count) -> int:
    return {
        "cast_excluding_abstentions": count.yes + count.no,
        "cast_including_abstentions": count.yes + count.no + count.abstain,
        "present": count.present,
        "present_or_represented": count.present + count.represented,
        "all_members": count.members,
    }[majority.base]


def required_yes(majority: Majority, total: int) -> int:
    """The fewest yes votes that meet the threshold over ``total``."""
    share = majority.fraction * total
    return math.floor(share) + 1 if majority.strict else max(1, math.ceil(share))


@dataclass(frozen=True)
class Result:
    outcome: Outcome
    base: int
    required: int
    count: Count
    tie: bool
    casting_vote_used: bool
    arithmetic: str


def is_tie(count: Count, adopted: bool) -> bool:
    """Yes equal to no, with something cast, in a motion not already adopted (nothing cast is no tie)."""
    return count.yes == count.no and count.yes > 0 and not adopted


def is_decisive(count: Count, required: int) -> bool:
    """A tie the tie rule may decide: one more yes over the same base would reach the majority.

    A tie rule never lowers the threshold: 10 yes, 10 no and 6 abstentions under "more than
    1/2 of 26 present or represented" (14) is no decisive tie, since 11 yes still fall short."""
    return count.yes + 1 >= required


def decide(
    majority: Majority,
    count: Count,
    *,
    tie_rule: TieRule,
    secret: bool,
    chair_vote: Literal["yes", "no", "abstain"] | None = None,
    casting_vote: Literal["yes", "no"] | None = None,
    lot: Literal["yes", "no"] | None = None,
) -> Result:
    """The outcome of a yes/no vote under a majority and a tie rule, with its arithmetic.

    The semantics are those of ``shared/conformance/README.md``: base, required, adopted when
    yes reaches the requirement over a non-empty base; a tie decided by its rule only when it
    is decisive; the chair's vote never prevails in a secret ballot. ``casting_vote`` and
    ``lot`` settle a decisive tie once given or drawn (until then the outcome says a tie
    awaits them)."""
    total = base_total(majority, count)
    required = required_yes(majority, total)
    more = "more than" if majority.strict else "at least"
    arithmetic = (
        f"{more} {majority.fraction.numerator}/{majority.fraction.denominator} of {total} "
        f"({majority.base.replace('_', ' ')}) = {required}; yes {count.yes}, no {count.no}, abstain {count.abstain}"
    )
    if count.blank:
        arithmetic += f", blank {count.blank}"
    adopted = total > 0 and count.yes >= required
    tie = is_tie(count, adopted)

    def result(outcome: Outcome, said: str, casting_used: bool = False) -> Result:
        return Result(outcome, total, required, count, tie, casting_used, f"{arithmetic}: {said}")

    if not tie:
        outcome: Outcome = "adopted" if adopted else "rejected"
        return result(outcome, outcome)
    if not is_decisive(count, required):
        return result(
            "rejected",
            f"tie, not decisive (yes + 1 = {count.yes + 1} < {required}): the tie rule cannot supply "
            "the majority, rejected",
        )
    if tie_rule == "chair_prevails":
        if secret:
            # The chair's ballot cannot be known, and French case law refuses it a casting role.
            return result("rejected", "tie; the chair's vote never prevails in a secret ballot: rejected")
        if chair_vote not in ("yes", "no"):
            # A chair who abstained (or did not vote) breaks no tie.
            return result("rejected", "tie; the chair did not vote yes or no: rejected")
        outcome = "adopted" if chair_vote == "yes" else "rejected"
        return result(outcome, f"tie, the chair's vote ({chair_vote}) prevails: {outcome}", True)
    if tie_rule == "casting_vote":
        if casting_vote is None:
            return result("tie_casting_vote", "tie, casting vote needed")
        outcome = "adopted" if casting_vote == "yes" else "rejected"
        return result(outcome, f"tie, casting vote {casting_vote}: {outcome}", True)
    if tie_rule == "new_round":
        return result("tie_new_round", "tie, new round")
    if tie_rule == "lot":
        if lot is None:
            return result("tie_lot", "tie, decided by lot")
        outcome = "adopted" if lot == "yes" else "rejected"
        return result(outcome, f"tie, lot drawn ({lot}): {outcome}")
    return result("rejected", "tie, motion fails")


def apply_casting_vote(result: Result, vote: Literal["yes", "no"]) -> Result:
    """A casting vote by the office the rule names settles a tie (and is recorded)."""
    if result.outcome != "tie_casting_vote":
        raise ValueError("a casting vote only settles a tie that asks for one")
    outcome: Outcome = "adopted" if vote == "yes" else "rejected"
    return Result(
        outcome,
        result.base,
        result.required,
        result.count,
        True,
        True,
        result.arithmetic.replace("casting vote needed", f"casting vote {vote}: {outcome}"),
    )
