"""Elections: one round counted under the rule set's method (DOMAIN rule 10), over plain data.

A ballot marks at most as many candidates as there are seats to fill (none: a blank
ballot). Each mark gives the candidate the ballot's weight. The valid ballots (at least one
mark) are the votes cast; blank ballots and abstentions are recorded but never cast.

A round is either **majority** (a candidate needs the election's majority, e.g. more than
half of the valid ballots) or **relative** (the most votes win). The rule set's method says
which rounds are which and who stands in the next round:

* ``absolute_then_relative``: majority in rounds 1 and 2, relative from round 3; everyone
  not yet elected stands again.
* ``repeat_all``: majority in every round; everyone not yet elected stands again.
* ``drop_last``: majority in every round; the candidate(s) with the fewest votes drop out.
* ``runoff_top_two``: majority in round 1, then a relative runoff between the best two
  (two per seat still to fill), ties at the cut-off included.

When the last seat(s) would go to candidates with equal votes, the round ends in a tie and
the tie rule decides (a new round among the tied, a casting vote, lot, or no one elected).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from governance.polls.majority import Count, Majority, base_total, required_yes

Method = Literal["absolute_then_relative", "repeat_all", "drop_last", "runoff_top_two"]
RoundOutcome = Literal["elected", "next_round", "tie"]


@dataclass(frozen=True)
class Ballot:
    marks: tuple[int, ...]  # candidate ids; empty for a blank ballot
    weight: int = 1


@dataclass(frozen=True)
class Turnout:
    """What the majority's base may need besides the ballots themselves."""

    abstain: int = 0
    present: int = 0
    represented: int = 0
    members: int = 0


@dataclass(frozen=True)
class RoundResult:
    outcome: RoundOutcome
    elected: tuple[int, ...]  # elected in this round, best first
    tied: tuple[int, ...]  # candidates tied for the last seat(s) (outcome "tie")
    next_candidates: tuple[int, ...]  # who stands in the next round, if there is one
    votes: dict[int, int] = field(default_factory=dict)
    valid: int = 0
    blank: int = 0
    required: int | None = None  # None in a relative round
    arithmetic: str = ""


def is_relative_round(method: Method, round_number: int) -> bool:
    if method == "absolute_then_relative":
        return round_number >= 3
    if method == "runoff_top_two":
        return round_number >= 2
    return False


def check_ballot(marks: Sequence[int], candidates: Sequence[int], seats: int) -> str | None:
    """Why a ballot is invalid, or None. (The services turn this into a translated refusal.)"""
    if len(set(marks)) != len(marks):
        return "duplicate"
    if len(marks) > seats:
        return "too_many"
    if any(mark not in candidates for mark in marks):
        return "unknown"
    return None


def ranked(candidates: Sequence[int], votes: Mapping[int, int]) -> list[int]:
    # Most votes first; equal votes keep the frozen candidate order (only for display:
    # equal votes at a cut-off are always a tie, never settled by this order).
    order = {c: i for i, c in enumerate(candidates)}
    return sorted(candidates, key=lambda c: (-votes[c], order[c]))


def _take(ranked: list[int], eligible: set[int], votes: Mapping[int, int], seats: int) -> tuple[list[int], list[int]]:
    """The best ``seats`` of ``eligible``: (elected, tied for the last places)."""
    pool = [c for c in ranked if c in eligible]
    if len(pool) <= seats:
        return pool, []
    cut = votes[pool[seats - 1]]
    if votes[pool[seats]] != cut:
        return pool[:seats], []
    above = [c for c in pool if votes[c] > cut]
    return above, [c for c in pool if votes[c] == cut]


def _next_round(
    method: Method, ranked: list[int], remaining: list[int], votes: Mapping[int, int], seats_left: int
) -> list[int]:
    if method == "drop_last" and len(remaining) > 1:
        lowest = min(votes[c] for c in remaining)
        kept = [c for c in remaining if votes[c] > lowest]
        return kept or remaining
    if method == "runoff_top_two":
        wanted = 2 * seats_left
        if len(remaining) <= wanted:
            return remaining
        cut = votes[[c for c in ranked if c in remaining][wanted - 1]]
        return [c for c in remaining if votes[c] >= cut]
    return remaining


def count_round(
    *,
    method: Method,
    round_number: int,
    seats: int,
    majority: Majority,
    candidates: Sequence[int],
    ballots: Sequence[Ballot],
    turnout: Turnout = Turnout(),
    names: Mapping[int, str] | None = None,
) -> RoundResult:
    """Count one round for ``seats`` seats among ``candidates`` (frozen at opening)."""
    if seats < 1:
        raise ValueError("a round fills at least one seat")
    names = names or {}
    votes = {c: 0 for c in candidates}
    valid = blank = 0
    for ballot in ballots:
        problem = check_ballot(ballot.marks, candidates, seats)
        if problem is not None:
            raise ValueError(f"invalid ballot ({problem}): {ballot.marks}")
        if not ballot.marks:
            blank += ballot.weight
            continue
        valid += ballot.weight
        for mark in ballot.marks:
            votes[mark] += ballot.weight
    return decide_round(
        method=method, round_number=round_number, seats=seats, majority=majority, candidates=candidates,
        votes=votes, valid=valid, blank=blank, turnout=turnout, names=names,
    )  # fmt: skip


def decide_round(
    *,
    method: Method,
    round_number: int,
    seats: int,
    majority: Majority,
    candidates: Sequence[int],
    votes: Mapping[int, int],
    valid: int,
    blank: int,
    turnout: Turnout = Turnout(),
    names: Mapping[int, str] | None = None,
) -> RoundResult:
    """Decide one round from its counts (votes per candidate, valid and blank ballots): what
    ``count_round`` does once the ballots are counted, and what a reader's page recomputes from
    a closed round's stored tally to say it in the reader's language."""
    names = names or {}
    votes = {c: votes.get(c, 0) for c in candidates}
    order = ranked(candidates, votes)
    relative = is_relative_round(method, round_number)
    if relative:
        required = None
        eligible = {c for c in candidates if votes[c] > 0}
        rule = "relative majority"
    else:
        count = Count(
            yes=valid,
            no=0,
            abstain=turnout.abstain,
            blank=blank,
            present=turnout.present,
            represented=turnout.represented,
            members=turnout.members,
        )
        total = base_total(majority, count)
        required = required_yes(majority, total) if total > 0 else None
        eligible = {c for c in candidates if required is not None and votes[c] >= required}
        more = "more than" if majority.strict else "at least"
        rule = (
            f"{more} {majority.fraction.numerator}/{majority.fraction.denominator} of {total} "
            f"({majority.base.replace('_', ' ')}) = {required if required is not None else '-'}"
        )
    elected, tied = _take(order, eligible, votes, seats)
    listing = ", ".join(f"{names.get(c, c)} {votes[c]}" for c in order)
    arithmetic = f"round {round_number}, {seats} seat(s), {rule}; valid {valid}, blank {blank}"
    if turnout.abstain:
        arithmetic += f", abstain {turnout.abstain}"
    arithmetic += f"; {listing}"
    seats_left = seats - len(elected)
    remaining = [c for c in candidates if c not in elected]
    if tied:
        said = ", ".join(str(names.get(c, c)) for c in tied)
        return RoundResult(
            "tie", tuple(elected), tuple(tied), tuple(tied), votes, valid, blank, required,
            f"{arithmetic}: tie between {said} for {seats_left} seat(s)",
        )  # fmt: skip
    if seats_left == 0:
        said = ", ".join(str(names.get(c, c)) for c in elected)
        return RoundResult(
            "elected", tuple(elected), (), (), votes, valid, blank, required, f"{arithmetic}: elected {said}"
        )
    following = _next_round(method, order, remaining, votes, seats_left)
    said = ", ".join(str(names.get(c, c)) for c in elected) or "no one"
    return RoundResult(
        "next_round", tuple(elected), (), tuple(following), votes, valid, blank, required,
        f"{arithmetic}: elected {said}; {seats_left} seat(s) to fill in round {round_number + 1}",
    )  # fmt: skip
