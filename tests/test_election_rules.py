"""Election rounds (DOMAIN rule 10): majority and relative rounds, methods, ties, by hand."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from governance.polls.elections import Ballot, Turnout, check_ballot, count_round
from governance.polls.majority import Majority

HALF = Majority(Fraction(1, 2), strict=True, base="cast_excluding_abstentions")
A, B, C, D = 1, 2, 3, 4
NAMES = {A: "Ana", B: "Ben", C: "Cai", D: "Dee"}


def ballots(**marks: int) -> list[Ballot]:
    """ballots(A=5, AB=2) -> 5 ballots marking A, 2 marking A and B; '_' is a blank ballot."""
    letters = {"A": A, "B": B, "C": C, "D": D}
    out: list[Ballot] = []
    for key, n in marks.items():
        out += [Ballot(tuple(letters[ch] for ch in key if ch != "_"))] * n
    return out


def test_first_round_needs_an_absolute_majority_of_valid_ballots():
    # 27 valid ballots (3 blank do not count): more than half of 27 = 14.
    result = count_round(
        method="absolute_then_relative", round_number=1, seats=1, majority=HALF,
        candidates=[A, B, C], ballots=ballots(A=14, B=9, C=4, _=3), names=NAMES,
    )  # fmt: skip
    assert (result.outcome, result.elected, result.required, result.valid, result.blank) == ("elected", (A,), 14, 27, 3)
    assert result.arithmetic == (
        "round 1, 1 seat(s), more than 1/2 of 27 (cast excluding abstentions) = 14; valid 27, blank 3; "
        "Ana 14, Ben 9, Cai 4: elected Ana"
    )
    short = count_round(
        method="absolute_then_relative", round_number=1, seats=1, majority=HALF,
        candidates=[A, B, C], ballots=ballots(A=13, B=10, C=4),
    )  # fmt: skip
    assert (short.outcome, short.elected, short.next_candidates) == ("next_round", (), (A, B, C))


def test_third_round_is_relative_under_absolute_then_relative():
    result = count_round(
        method="absolute_then_relative", round_number=3, seats=1, majority=HALF,
        candidates=[A, B, C], ballots=ballots(A=10, B=9, C=8),
    )  # fmt: skip
    assert (result.outcome, result.elected, result.required) == ("elected", (A,), None)


def test_runoff_between_the_top_two_then_relative():
    first = count_round(
        method="runoff_top_two", round_number=1, seats=1, majority=HALF,
        candidates=[A, B, C, D], ballots=ballots(A=10, B=8, C=7, D=2),
    )  # fmt: skip
    assert (first.outcome, first.next_candidates) == ("next_round", (A, B))
    runoff = count_round(
        method="runoff_top_two", round_number=2, seats=1, majority=HALF,
        candidates=[A, B], ballots=ballots(A=12, B=13, _=2),
    )  # fmt: skip
    assert (runoff.outcome, runoff.elected) == ("elected", (B,))
    # Equal votes at the cut-off all go through to the runoff.
    tied_second = count_round(
        method="runoff_top_two", round_number=1, seats=1, majority=HALF,
        candidates=[A, B, C], ballots=ballots(A=10, B=8, C=8),
    )  # fmt: skip
    assert tied_second.next_candidates == (A, B, C)


def test_drop_last_removes_the_fewest_and_repeat_all_keeps_everyone():
    votes = ballots(A=10, B=8, C=7, D=2)
    dropped = count_round(
        method="drop_last", round_number=1, seats=1, majority=HALF, candidates=[A, B, C, D], ballots=votes
    )
    assert dropped.next_candidates == (A, B, C)
    repeated = count_round(
        method="repeat_all", round_number=5, seats=1, majority=HALF, candidates=[A, B, C, D], ballots=votes
    )
    assert (repeated.outcome, repeated.next_candidates, repeated.required) == ("next_round", (A, B, C, D), 14)


def test_multi_seat_fills_what_it_can_and_carries_the_rest_over():
    # 3 seats, 20 valid ballots of up to 3 marks: more than half of 20 = 11.
    votes = ballots(ABC=8, ABD=4, AB=3, CD=5)
    result = count_round(
        method="repeat_all", round_number=1, seats=3, majority=HALF, candidates=[A, B, C, D], ballots=votes
    )
    assert result.votes == {A: 15, B: 15, C: 13, D: 9}
    assert (result.outcome, result.elected, result.next_candidates) == ("elected", (A, B, C), ())
    two_left = count_round(
        method="repeat_all",
        round_number=1,
        seats=3,
        majority=HALF,
        candidates=[A, B, C, D],
        ballots=ballots(ABC=6, ABD=6, CD=8),
    )
    assert two_left.votes == {A: 12, B: 12, C: 14, D: 14}
    # All four have the majority; C and D take two seats, A and B tie for the third.
    assert (two_left.outcome, two_left.elected, two_left.tied) == ("tie", (C, D), (A, B))


def test_equal_votes_for_the_last_seat_are_a_tie():
    result = count_round(
        method="absolute_then_relative", round_number=3, seats=1, majority=HALF,
        candidates=[A, B, C], ballots=ballots(A=9, B=9, C=2),
    )  # fmt: skip
    assert (result.outcome, result.elected, result.tied) == ("tie", (), (A, B))
    two_seats = count_round(
        method="absolute_then_relative", round_number=3, seats=2, majority=HALF,
        candidates=[A, B, C], ballots=ballots(A=12, B=9, C=9),
    )  # fmt: skip
    assert (two_seats.outcome, two_seats.elected, two_seats.tied) == ("tie", (A,), (B, C))


def test_bad_ballots_are_refused():
    assert check_ballot([A, B], [A, B, C], seats=1) == "too_many"
    assert check_ballot([A, A], [A, B, C], seats=2) == "duplicate"
    assert check_ballot([D], [A, B, C], seats=1) == "unknown"
    assert check_ballot([], [A, B], seats=1) is None
    with pytest.raises(ValueError):
        count_round(
            method="repeat_all", round_number=1, seats=1, majority=HALF, candidates=[A, B], ballots=ballots(AB=1)
        )


def test_weights_count_per_mark_and_other_bases():
    weighted = [Ballot((A,), 5), Ballot((B,), 2), Ballot((B,), 2)]
    result = count_round(
        method="repeat_all", round_number=1, seats=1, majority=HALF, candidates=[A, B], ballots=weighted
    )
    assert (result.votes, result.required, result.elected) == ({A: 5, B: 4}, 5, (A,))
    of_members = Majority(Fraction(1, 2), strict=True, base="all_members")
    result = count_round(
        method="repeat_all", round_number=1, seats=1, majority=of_members, candidates=[A, B],
        ballots=ballots(A=10, B=3), turnout=Turnout(members=27),
    )  # fmt: skip
    assert (result.required, result.outcome) == (14, "next_round")


@given(
    st.lists(st.lists(st.sampled_from([A, B, C, D]), max_size=2, unique=True), max_size=40),
    st.sampled_from(["absolute_then_relative", "repeat_all", "drop_last", "runoff_top_two"]),
    st.integers(min_value=1, max_value=4),
)
def test_a_round_never_elects_more_than_the_seats_and_always_says_what_next(marks, method, round_number):
    result = count_round(
        method=method, round_number=round_number, seats=2, majority=HALF,
        candidates=[A, B, C, D], ballots=[Ballot(tuple(m)) for m in marks],
    )  # fmt: skip
    assert len(result.elected) <= 2
    assert sum(result.votes.values()) == sum(len(m) for m in marks)
    assert result.valid + result.blank == len(marks)
    if result.outcome == "elected":
        assert len(result.elected) == 2
    elif result.outcome == "next_round":
        assert result.next_candidates and not set(result.next_candidates) & set(result.elected)
    else:
        assert len(result.tied) > 2 - len(result.elected)
    if result.required is not None:
        assert all(result.votes[c] >= result.required for c in result.elected)
