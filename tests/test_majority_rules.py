"""Majority and tie rules (the poll engine's arithmetic): exact, with odd totals by hand."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from governance.polls.majority import Count, Majority, apply_casting_vote, decide, required_yes

SIMPLE = Majority(Fraction(1, 2), strict=True, base="cast_excluding_abstentions")
TWO_THIRDS = Majority(Fraction(2, 3), strict=False, base="cast_excluding_abstentions")
ABSOLUTE = Majority(Fraction(1, 2), strict=True, base="all_members")


def test_by_hand():
    # "2/3 of 27 votes cast = 18; yes 19: adopted"
    result = decide(TWO_THIRDS, Count(yes=19, no=8), tie_rule="fails", secret=False)
    assert (result.outcome, result.base, result.required) == ("adopted", 27, 18)
    assert result.arithmetic == (
        "at least 2/3 of 27 (cast excluding abstentions) = 18; yes 19, no 8, abstain 0: adopted"
    )
    assert decide(TWO_THIRDS, Count(yes=17, no=10), tie_rule="fails", secret=False).outcome == "rejected"
    assert [required_yes(SIMPLE, n) for n in (27, 28, 1, 2)] == [14, 15, 1, 2]
    assert [required_yes(TWO_THIRDS, n) for n in (27, 28, 3, 1)] == [18, 19, 2, 1]
    # Abstentions do not count as cast here: 10 yes, 9 no, 30 abstentions is adopted.
    assert decide(SIMPLE, Count(yes=10, no=9, abstain=30), tie_rule="fails", secret=False).outcome == "adopted"
    with_abstentions = Majority(Fraction(1, 2), True, "cast_including_abstentions")
    assert (
        decide(with_abstentions, Count(yes=10, no=9, abstain=30), tie_rule="fails", secret=False).outcome == "rejected"
    )
    # An absolute majority of the 27 voting members needs 14 yes whoever turns up.
    assert decide(ABSOLUTE, Count(yes=13, no=0, members=27), tie_rule="fails", secret=False).outcome == "rejected"
    assert decide(ABSOLUTE, Count(yes=14, no=10, members=27), tie_rule="fails", secret=False).outcome == "adopted"


def test_ties_follow_the_rule_and_the_chair_never_prevails_in_secret():
    tie = Count(yes=12, no=12, abstain=3)
    assert decide(SIMPLE, tie, tie_rule="fails", secret=False).outcome == "rejected"
    prevails = decide(SIMPLE, tie, tie_rule="chair_prevails", secret=False, chair_vote="yes")
    assert prevails.outcome == "adopted" and prevails.casting_vote_used
    assert "the chair's vote (yes) prevails" in prevails.arithmetic
    secret = decide(SIMPLE, tie, tie_rule="chair_prevails", secret=True, chair_vote="yes")
    assert secret.outcome == "rejected" and not secret.casting_vote_used
    assert decide(SIMPLE, tie, tie_rule="new_round", secret=True).outcome == "tie_new_round"
    assert decide(SIMPLE, tie, tie_rule="lot", secret=False).outcome == "tie_lot"
    casting = decide(SIMPLE, tie, tie_rule="casting_vote", secret=False)
    settled = apply_casting_vote(casting, "no")
    assert settled.outcome == "rejected" and settled.casting_vote_used
    with pytest.raises(ValueError):
        apply_casting_vote(settled, "yes")


def test_a_majority_can_be_raised_never_lowered():
    assert SIMPLE.raised_to(Majority(Fraction(2, 3), False, SIMPLE.base)).fraction == Fraction(2, 3)
    with pytest.raises(ValueError):
        TWO_THIRDS.raised_to(SIMPLE)


majorities = st.builds(
    Majority,
    fraction=st.builds(Fraction, st.integers(1, 9), st.integers(1, 9)).filter(lambda f: f <= 1),
    strict=st.booleans(),
    base=st.sampled_from(["cast_excluding_abstentions", "cast_including_abstentions"]),
)
counts = st.builds(Count, yes=st.integers(0, 500), no=st.integers(0, 500), abstain=st.integers(0, 500))


@given(majorities, counts)
def test_more_yes_never_turns_adopted_into_rejected(majority, count):
    before = decide(majority, count, tie_rule="fails", secret=True)
    after = decide(majority, Count(count.yes + 1, count.no, count.abstain), tie_rule="fails", secret=True)
    if before.outcome == "adopted":
        assert after.outcome == "adopted"


@given(majorities, counts)
def test_the_required_number_is_the_exact_threshold(majority, count):
    result = decide(majority, count, tie_rule="fails", secret=False)
    share = majority.fraction * result.base
    assert (result.required > share) if majority.strict else (result.required >= share)
    assert (result.required - 1 <= share) if majority.strict else (result.required - 1 < share or result.required == 1)
    assert (result.outcome == "adopted") == (result.base > 0 and count.yes >= result.required)
