"""Majorities and ties: exact rules over plain numbers (DOMAIN rules 6 and 7).

A majority is a threshold (a fraction, "more than" or "at least") over a base: votes
cast without abstentions, votes cast with abstentions, members present, present or
represented, or all members. Arithmetic is exact (``Fraction``): "more than 1/2 of 27"
needs 14, "at least 2/3 of 27" needs 18. Every result carries the arithmetic that
produced it, so the minutes and the projector can show it.

A tie (yes equal to no) follows the tie rule: the motion fails; the chair's vote
prevails; a casting vote by an office decides; a new round is held; or lot decides.
The chair's vote never prevails in a secret ballot (French case law): there the motion
fails, or a new round is held when the rule asks for one.
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


def decide(
    majority: Majority,
    count: Count,
    *,
    tie_rule: TieRule,
    secret: bool,
    chair_vote: Literal["yes", "no", "abstain"] | None = None,
) -> Result:
    """The outcome of a yes/no vote under a majority and a tie rule, with its arithmetic."""
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
    tie = count.yes == count.no and not adopted
    if not tie:
        outcome: Outcome = "adopted" if adopted else "rejected"
        return Result(outcome, total, required, count, False, False, f"{arithmetic}: {outcome}")
    rule = tie_rule
    if secret and rule == "chair_prevails":
        # The chair's vote cannot be known, so it cannot prevail: the tie fails.
        rule = "fails"
    if rule == "chair_prevails":
        if chair_vote not in ("yes", "no"):
            # A chair who abstained (or did not vote) breaks no tie.
            return Result("rejected", total, required, count, True, False, f"{arithmetic}: tie, motion fails")
        outcome = "adopted" if chair_vote == "yes" else "rejected"
        return Result(
            outcome,
            total,
            required,
            count,
            True,
            True,
            f"{arithmetic}: tie, the chair's vote ({chair_vote}) prevails: {outcome}",
        )
    if rule == "casting_vote":
        return Result(
            "tie_casting_vote", total, required, count, True, False, f"{arithmetic}: tie, casting vote needed"
        )
    if rule == "new_round":
        return Result("tie_new_round", total, required, count, True, False, f"{arithmetic}: tie, new round")
    if rule == "lot":
        return Result("tie_lot", total, required, count, True, False, f"{arithmetic}: tie, decided by lot")
    return Result("rejected", total, required, count, True, False, f"{arithmetic}: tie, motion fails")


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
