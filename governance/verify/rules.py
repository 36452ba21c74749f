"""Majorities, ties and election rounds, recomputed from scratch (exact fractions).

Written afresh from the rules, not taken from the server:

* A majority is a fraction, "more than" (strict) or "at least", of a base: the votes cast
  without abstentions, cast with abstentions, the weight present, present or represented,
  or of all members. "More than 1/2 of 27" needs 14; "at least 2/3 of 27" needs 18.
* Blank ballots are recorded but never cast, whatever the base.
* A tie (yes equals no, something cast, motion not adopted) follows the tie rule only when
  it is decisive (one more yes would reach the majority over the same base): a tie rule
  never lowers the threshold. The chair's vote never prevails in a secret ballot, and a
  chair who did not vote yes or no breaks no tie.
* An election round: each mark gives the candidate the ballot's weight; valid ballots have
  at least one mark. A majority round elects candidates reaching the majority of the base
  (valid ballots standing for "yes"); a relative round elects the most voted. Equal votes
  at the last seat are a tie, settled by the tie rule.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

BASES = ("cast_excluding_abstentions", "cast_including_abstentions", "present", "present_or_represented", "all_members")
TIE_RULES = ("fails", "chair_prevails", "casting_vote", "new_round", "lot")
ELECTION_METHODS = ("absolute_then_relative", "repeat_all", "drop_last", "runoff_top_two")


@dataclass(frozen=True)
class Majority:
    fraction: Fraction
    strict: bool  # "more than" rather than "at least"
    base: str

    def describe(self) -> str:
        more = "more than" if self.strict else "at least"
        return f"{more} {self.fraction.numerator}/{self.fraction.denominator} of {self.base.replace('_', ' ')}"


@dataclass(frozen=True)
class Turnout:
    """Weights the electorate gives, frozen at opening."""

    present: int  # electors in person (or remotely)
    represented: int  # electors through a proxy
    members: int  # all members with the right to vote, less the recused


def base_total(majority: Majority, turnout: Turnout, *, yes: int, no: int, abstain: int) -> int:
    return {
        "cast_excluding_abstentions": yes + no,
        "cast_including_abstentions": yes + no + abstain,
        "present": turnout.present,
        "present_or_represented": turnout.present + turnout.represented,
        "all_members": turnout.members,
    }[majority.base]


def required(majority: Majority, total: int) -> int:
    """The fewest votes that meet the threshold over ``total``."""
    share = majority.fraction * total
    if majority.strict:
        return math.floor(share) + 1
    return max(1, math.ceil(share))


def motion_outcome(
    majority: Majority,
    tie_rule: str,
    turnout: Turnout,
    *,
    yes: int,
    no: int,
    abstain: int,
    secret: bool,
    chair_vote: str | None,
    casting_vote: str | None = None,
    lot: str | None = None,
) -> tuple[str, str]:
    """(outcome, arithmetic): adopted, rejected, tie_casting_vote, tie_new_round or tie_lot.

    A tie is settled by its rule only when one more yes would carry the motion over the
    same base; otherwise the rule has nothing to decide and the motion is rejected."""
    total = base_total(majority, turnout, yes=yes, no=no, abstain=abstain)
    needed = required(majority, total)
    said = f"{majority.describe()} {total} = {needed}; yes {yes}, no {no}, abstain {abstain}"
    if total > 0 and yes >= needed:
        return "adopted", said
    if yes != no or yes == 0:
        return "rejected", said
    if yes + 1 < needed:
        return "rejected", f"{said}; tie not decisive ({yes + 1} < {needed}): rejected"
    settled = {"yes": "adopted", "no": "rejected"}
    if tie_rule == "chair_prevails":
        if secret or chair_vote not in settled:
            return "rejected", f"{said}; tie, the chair's vote does not prevail"
        return settled[chair_vote], f"{said}; tie, the chair's {chair_vote} prevails"
    if tie_rule == "casting_vote":
        if casting_vote in settled:
            return settled[casting_vote], f"{said}; tie, casting vote {casting_vote}"
        return "tie_casting_vote", f"{said}; tie, casting vote awaited"
    if tie_rule == "lot":
        if lot in settled:
            return settled[lot], f"{said}; tie, lot drawn {lot}"
        return "tie_lot", f"{said}; tie, lot to be drawn"
    if tie_rule == "new_round":
        return "tie_new_round", f"{said}; tie, new round"
    return "rejected", f"{said}; tie ({tie_rule})"


def case_outcome(case: dict[str, Any]) -> dict[str, Any]:
    """One ``governance-decision-cases/1`` case decided: {"outcome", "base", "required", "tie"}."""
    spec, counts = case["majority"], case["counts"]
    majority = Majority(Fraction(str(spec["fraction"])), bool(spec["strict"]), spec["base"])
    if not 0 < majority.fraction <= 1:
        raise ValueError(f"a majority is a fraction in (0, 1], not {majority.fraction}")
    if majority.base not in BASES:
        raise ValueError(f"unknown base {majority.base!r}")
    if case["tie_rule"] not in TIE_RULES:
        raise ValueError(f"unknown tie rule {case['tie_rule']!r}")
    number = {key: int(counts.get(key, 0)) for key in ("yes", "no", "abstain", "present", "represented", "members")}
    if min(number.values()) < 0:
        raise ValueError("counts are never negative")
    turnout = Turnout(number["present"], number["represented"], number["members"])
    yes, no, abstain = number["yes"], number["no"], number["abstain"]
    total = base_total(majority, turnout, yes=yes, no=no, abstain=abstain)
    needed = required(majority, total)
    outcome, _said = motion_outcome(
        majority,
        case["tie_rule"],
        turnout,
        yes=yes,
        no=no,
        abstain=abstain,
        secret=bool(case.get("secret")),
        chair_vote=case.get("chair_vote"),
        casting_vote=case.get("casting_vote"),
        lot=case.get("lot"),
    )
    tie = yes == no and yes > 0 and not (total > 0 and yes >= needed)
    return {"outcome": outcome, "base": total, "required": needed, "tie": tie}


def relative_round(method: str, round_number: int) -> bool:
    if method == "absolute_then_relative":
        return round_number >= 3
    if method == "runoff_top_two":
        return round_number >= 2
    return False  # repeat_all, drop_last: a majority in every round


@dataclass(frozen=True)
class Round:
    votes: dict[int, int]
    valid: int
    blank: int
    abstain: int
    elected: list[int]  # best first
    tied: list[int]  # for the last seat(s)
    outcome: str  # elected, next_round or tie
    arithmetic: str


def election_round(
    *,
    method: str,
    round_number: int,
    seats: int,
    majority: Majority,
    candidates: Sequence[int],
    ballots: Sequence[tuple[tuple[int, ...] | None, int]],
    turnout: Turnout,
) -> Round:
    """Count one round; a ballot is (marks, weight), marks None for an abstention, () for a blank."""
    votes = dict.fromkeys(candidates, 0)
    valid = blank = abstain = 0
    for marks, weight in ballots:
        if marks is None:
            abstain += weight
        elif not marks:
            blank += weight
        else:
            valid += weight
            for candidate in marks:
                votes[candidate] += weight
    if relative_round(method, round_number):
        eligible = [c for c in candidates if votes[c] > 0]
        rule = "relative majority"
    else:
        total = base_total(majority, turnout, yes=valid, no=0, abstain=abstain)
        needed = required(majority, total) if total > 0 else None
        eligible = [c for c in candidates if needed is not None and votes[c] >= needed]
        rule = f"{majority.describe()} {total} = {needed}"
    eligible.sort(key=lambda c: -votes[c])  # stable: equal votes keep the frozen order
    tied: list[int]
    if len(eligible) <= seats:
        elected, tied = eligible, []
    elif votes[eligible[seats]] != votes[eligible[seats - 1]]:
        elected, tied = eligible[:seats], []
    else:
        cut = votes[eligible[seats - 1]]
        elected, tied = [c for c in eligible if votes[c] > cut], [c for c in eligible if votes[c] == cut]
    outcome = "tie" if tied else "elected" if len(elected) == seats else "next_round"
    arithmetic = f"round {round_number}, {seats} seat(s), {rule}; valid {valid}, blank {blank}, abstain {abstain}"
    return Round(votes, valid, blank, abstain, elected, tied, outcome, arithmetic)


def election_tie_outcome(tie_rule: str) -> str:
    """What a tied round records: a new round, a casting vote, lot (then 'elected'), else no one."""
    return {"new_round": "tie_new_round", "casting_vote": "tie_casting_vote", "lot": "elected"}.get(
        tie_rule, "not_elected"
    )
